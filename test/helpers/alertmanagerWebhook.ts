/**
 * The body Alertmanager's webhook receiver posts to /api/alertmanager (webhook version 4), for
 * tests that post it themselves instead of running an Alertmanager. Each alert gets the fields
 * Alertmanager always sends (annotations, endsAt "0001-01-01T00:00:00Z" while firing,
 * generatorURL), which the alert given may override; the group is firing while any alert is.
 */
export interface WebhookAlertInput {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt: string;
  fingerprint: string;
  annotations?: Record<string, string>;
  endsAt?: string;
  generatorURL?: string;
}

export function alertmanagerWebhook(alerts: readonly WebhookAlertInput[]) {
  const alertname = alerts[0]?.labels.alertname ?? 'x';
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'vantage-incidents',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a) => ({
      annotations: {},
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      ...a,
    })),
  };
}
