/**
 * The chat message after a scheduled report: `slack` posts {"text": summary}, which Slack,
 * Mattermost and Rocket.Chat incoming webhooks all take; `json` posts the headline, the
 * highlights, the link and the report itself (without the raw before/after samples, which
 * can be thousands of numbers and belong in the archived JSON) for receivers that route on data.
 */
import { formatConfigDuration } from '../config/duration.js';
import type { ReportWebhookConfig } from '../config/reportSchema.js';
import type { Report } from './model.js';
import { renderSummary } from './render/summary.js';

export function webhookPayload(report: Report, format: ReportWebhookConfig['format'], url: string): object {
  if (format === 'slack') {
    // A relative link is useless in chat: only an absolute one (report.external_url) is added.
    const link = /^https?:\/\//.test(url) ? `\n<${url}|Full report>` : '';
    return { text: renderSummary(report) + link };
  }
  return {
    title: report.title,
    headline: report.summary.headline,
    highlights: report.summary.highlights,
    url,
    report: withoutSamples(report),
  };
}

function withoutSamples(report: Report): object {
  return {
    ...report,
    evaluation: {
      ...report.evaluation,
      changes: report.evaluation.changes.map((change) => ({
        ...change,
        metrics: change.metrics.map(({ before: _before, after: _after, ...metric }) => metric),
      })),
    },
  };
}

/** POST the payload; throws an Error saying what went wrong (status, timeout, refused). */
export async function deliverWebhook(config: ReportWebhookConfig, payload: object): Promise<void> {
  let response: Response;
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(config.timeout),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `no answer within ${formatConfigDuration(config.timeout)} (report.webhook.timeout)`
        : (e.cause?.code ?? e.message);
    // The URL is a credential (a Slack hook): say where by host only.
    throw new Error(`webhook POST to ${new URL(config.url).host} failed: ${reason}`, { cause: err });
  }
  // Drain the body so the connection is released; its content only matters on an error.
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new Error(
      `webhook POST to ${new URL(config.url).host} answered ${response.status}: ${text.slice(0, 200)}`,
    );
  }
}
