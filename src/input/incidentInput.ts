/**
 * The input of the incident log: Alertmanager's webhook body (POST /api/alertmanager, version 4)
 * and GET /api/incidents's query. The store gets the validated alerts and a typed query.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES, type IncidentQuery, type WebhookAlert } from '../store/incidents.js';
import { beforeEpochProblem, parseIsoTimestamp } from '../time/timestamp.js';
import { definedOnly, isoTimeParam } from './fields.js';
import { InputError, parseInput, parseQuery } from './inputError.js';
import { limitParam } from './listQuery.js';

const timestamp = z.string().refine((s) => parseIsoTimestamp(s) !== undefined, {
  message: 'must be an RFC 3339 timestamp such as 2025-03-14T09:30:00Z',
});

const webhookAlert = z.object({
  status: z.enum(INCIDENT_STATUSES),
  labels: z
    .record(z.string(), z.string())
    .refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, {
      message: 'must include a non-empty alertname',
    }),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: timestamp,
  endsAt: z.string().default(''),
  fingerprint: z.string().min(1).max(200),
});

/** Alertmanager's webhook payload, version 4 (other fields are accepted and ignored). */
export const webhookPayloadSchema = z.object({
  version: z.literal('4'),
  status: z.enum(INCIDENT_STATUSES),
  alerts: z.array(webhookAlert).max(10_000),
});

/**
 * Validates a webhook body; throws InputError naming the first bad field.
 *
 * One bad alert refuses the whole notification (400, nothing recorded), as a malformed field
 * always has. That is safe with Alertmanager: it retries 5xx only, never 4xx (notify/util.go,
 * Retrier.Check), so a 400 cannot start a retry storm; and Alertmanager itself refuses an
 * alert whose endsAt is before its startsAt (model.Alert.Validate), so a real notification
 * never carries one and no genuine alert is lost with it. A sender that does is broken or
 * forged, and recording half its batch would leave the log claiming what nobody sent.
 */
export function parseWebhookPayload(body: unknown): WebhookAlert[] {
  // Other fields are Alertmanager's (receiver, groupLabels, ...): accepted, never listed as unknown.
  const payload = parseInput(webhookPayloadSchema, body, { noun: 'field', known: [], whole: 'body' });
  payload.alerts.forEach(checkAlertTimes);
  return payload.alerts;
}

/**
 * startsAt, and a resolved alert's endsAt, as times the log can keep, in order. A firing alert's
 * endsAt is not read: Alertmanager sends its zero time (0001-01-01T00:00:00Z) or an estimate.
 */
function checkAlertTimes(alert: WebhookAlert, i: number): void {
  const which = `alert ${i} (${alert.labels.alertname}, fingerprint ${alert.fingerprint})`;
  const startsAt = parseIsoTimestamp(alert.startsAt)!;
  const early = beforeEpochProblem(startsAt);
  if (early !== undefined) throw new InputError(`alerts.${i}.startsAt`, `${which}: ${early}`);
  if (alert.status !== 'resolved') return;
  const endsAt = parseIsoTimestamp(alert.endsAt);
  if (endsAt === undefined) {
    throw new InputError(
      `alerts.${i}.endsAt`,
      'a resolved alert needs an RFC 3339 endsAt such as 2025-03-14T09:30:00Z',
    );
  }
  if (endsAt < startsAt) {
    throw new InputError(
      `alerts.${i}.endsAt`,
      `${which}: endsAt ${alert.endsAt} is before startsAt ${alert.startsAt}`,
    );
  }
}

const QUERY_PARAMETERS = ['target', 'alertname', 'since', 'until', 'status', 'limit'] as const;

/** A text filter: undefined when absent or empty. */
const textParam = z
  .string()
  .optional()
  .transform((text) => (text === '' ? undefined : text));

const statusParam = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text === '') return undefined;
    if ((INCIDENT_STATUSES as readonly string[]).includes(text))
      return text as (typeof INCIDENT_STATUSES)[number];
    ctx.addIssue({ code: 'custom', message: `must be firing or resolved, got "${text}"` });
    return z.NEVER;
  });

export const incidentQuerySchema = z.strictObject({
  target: textParam,
  alertname: textParam,
  since: isoTimeParam,
  until: isoTimeParam,
  status: statusParam,
  limit: limitParam(),
});

/** GET /api/incidents's query string; throws InputError naming the bad parameter. */
export function parseIncidentQuery(raw: Record<string, string>): IncidentQuery {
  return definedOnly(parseQuery(incidentQuerySchema, raw, QUERY_PARAMETERS));
}
