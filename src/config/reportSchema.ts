/**
 * `report:` in vantage.yml: where the performance reports read their figures (Prometheus),
 * when the service makes them on its own (schedule), what the archive keeps, and the chat
 * webhook told about each scheduled report. Optional: without it vantage makes no reports,
 * and POST /api/reports says so.
 */
import { z } from 'zod';
import { DURATION_LIMITS } from './duration.js';
import { positiveDuration } from './durationSchema.js';
import { inputForms } from './inputForm.js';
import { knownTimeZone } from './maintenanceSchema.js';
import { checkHttpUrl } from './urlCheck.js';

export const REPORT_PERIOD_KINDS = ['day', 'week', 'month'] as const;
export const REPORT_FORMAT_NAMES = ['html', 'md', 'json'] as const;
export const WEBHOOK_FORMATS = ['slack', 'json'] as const;

/** Longest before/after window: a change is judged on at most a week either side. */
export const MAX_EVALUATION_WINDOW_MS = DURATION_LIMITS.evaluationWindow.maxMs;

const TIME_OF_DAY_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

const httpUrl = (what: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? `required: ${what}` : 'expected a URL such as http://prometheus:9090',
    })
    .superRefine(checkHttpUrl);

/** "6:00" and "06:00" both read as 06:00; the output is always HH:MM. */
const timeOfDay = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'required: the local time of day the reports are made, e.g. "06:00"'
        : `expected a time of day such as "06:00" (quote it), got ${JSON.stringify(issue.input)}`,
  })
  .superRefine((text, ctx) => {
    if (!TIME_OF_DAY_RE.test(text))
      ctx.addIssue({
        code: 'custom',
        message: `not a time of day: "${text}" (use HH:MM from 00:00 to 23:59, e.g. "06:00")`,
      });
  })
  .transform((text) => text.padStart(5, '0'))
  .describe('local time of day (HH:MM, 24-hour) in time_zone at which the due reports are made')
  // HH:MM is already what the file may say.
  .register(inputForms, { render: (text: string) => text });

const scheduleSchema = z.strictObject({
  time: timeOfDay,
  time_zone: knownTimeZone()
    .default('UTC')
    .describe('IANA time zone of `time` and of the days, weeks and months reported (default UTC)'),
  periods: z
    .array(z.enum(REPORT_PERIOD_KINDS))
    .min(1, 'list at least one period (day, week, month)')
    .default(['day'])
    .describe(
      'reports made on schedule: day (yesterday, every day), week (the previous ISO week, on Mondays), ' +
        'month (the previous month, on the 1st)',
    ),
});

const webhookSchema = z.strictObject({
  url: httpUrl('the URL the report summary is POSTed to').describe(
    'URL POSTed to after each scheduled report (a Slack/Mattermost incoming webhook, or any JSON receiver); secret',
  ),
  format: z
    .enum(WEBHOOK_FORMATS)
    .default('slack')
    .describe('slack: {"text": summary}; json: {title, headline, highlights, url, report}'),
  timeout: positiveDuration('how long one delivery may take', DURATION_LIMITS.timeout).prefault('10s'),
});

export const reportSchema = z.strictObject({
  prometheus_url: httpUrl(
    'the URL of the Prometheus the reports query, e.g. http://prometheus:9090',
  ).describe(
    'the Prometheus that scrapes vantage, whose data the reports read; defaults to VANTAGE_PROMETHEUS_URL, which vantage stack and docker compose set',
  ),
  external_url: httpUrl('the URL vantage is reached at')
    .optional()
    .describe(
      'the URL people reach vantage at (e.g. https://vantage.example.com), for links in webhook messages',
    ),
  schedule: scheduleSchema
    .optional()
    .describe('when reports are made on their own; omitted: only on request'),
  formats: z
    .array(z.enum(REPORT_FORMAT_NAMES))
    .min(1, 'list at least one format (html, md, json)')
    .default([...REPORT_FORMAT_NAMES])
    .describe('formats the archive keeps and /reports/ serves'),
  evaluation_window: positiveDuration(
    'the before/after window each change is evaluated over',
    DURATION_LIMITS.evaluationWindow,
  ).prefault('24h'),
  keep: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(400)
    .describe('reports kept per period kind; the oldest are deleted'),
  webhook: webhookSchema.optional().describe('chat notification after each scheduled report'),
});
export type ReportConfig = z.output<typeof reportSchema>;
export type ReportScheduleConfig = NonNullable<ReportConfig['schedule']>;
export type ReportWebhookConfig = NonNullable<ReportConfig['webhook']>;
