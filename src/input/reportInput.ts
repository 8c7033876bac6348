/**
 * The input of the report API: POST /api/reports {date, period?, time_zone?} and the query of
 * GET /api/reports (kind, limit). Errors name the field, as the change and incident APIs do.
 */
import { z } from 'zod';
import { REPORT_PERIOD_KINDS } from '../config/reportSchema.js';
import type { ReportRequest } from '../report/reportJob.js';
import { parseCivilDate, reportPeriods, type PeriodKind } from '../time/period.js';
import { isKnownTimeZone } from '../time/zone.js';
import { definedOnly } from './fields.js';
import { InputError, parseInput, parseQuery } from './inputError.js';
import { limitParam } from './listQuery.js';

const BODY_FIELDS = ['date', 'period', 'time_zone'] as const;
const QUERY_PARAMETERS = ['kind', 'limit'] as const;

const periodKind = z.unknown().transform((value, ctx): PeriodKind => {
  if (typeof value === 'string' && (REPORT_PERIOD_KINDS as readonly string[]).includes(value))
    return value as PeriodKind;
  ctx.addIssue({
    code: 'custom',
    message: `must be one of: ${REPORT_PERIOD_KINDS.join(', ')} (got ${JSON.stringify(value)})`,
  });
  return z.NEVER;
});

const date = z.unknown().transform((value, ctx): string => {
  if (value === undefined)
    ctx.addIssue({ code: 'custom', message: 'required: a date such as 2025-01-14 (YYYY-MM-DD)' });
  else if (typeof value !== 'string')
    ctx.addIssue({
      code: 'custom',
      message: `must be a string such as "2025-01-14", got ${JSON.stringify(value)}`,
    });
  else {
    try {
      parseCivilDate(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }
  return value as string;
});

const timeZone = z.unknown().transform((value, ctx): string | undefined => {
  if (value === undefined || (typeof value === 'string' && isKnownTimeZone(value))) return value;
  ctx.addIssue({
    code: 'custom',
    message: `unknown time zone ${JSON.stringify(value)} (use an IANA name such as Europe/Berlin)`,
  });
  return z.NEVER;
});

export const reportRequestSchema = z.strictObject({
  date,
  period: periodKind.optional(),
  time_zone: timeZone.optional(),
});

/**
 * The report asked for. `defaultZone`: the schedule's zone, so a manual report of "yesterday"
 * lands next to the scheduled ones. A period that has not started yet is refused: it would
 * be an empty report archived under a real label.
 */
export function parseReportRequest(body: unknown, defaultZone: string, now: number): ReportRequest {
  const input = parseInput(reportRequestSchema, body, { noun: 'field', known: BODY_FIELDS, whole: 'body' });
  const period = input.period ?? 'day';
  const zone = input.time_zone ?? defaultZone;
  const { current } = reportPeriods(input.date, period, zone);
  if (current.start > now)
    throw new InputError('date', `the ${period} ${current.label} has not started yet in ${zone}`);
  return { date: input.date, period, timeZone: zone };
}

export interface ReportListQuery {
  kind?: PeriodKind;
  limit?: number;
}

export const reportListQuerySchema = z.strictObject({
  kind: periodKind.optional(),
  limit: limitParam(),
});

export function parseReportListQuery(raw: Record<string, string>): ReportListQuery {
  return definedOnly(parseQuery(reportListQuerySchema, raw, QUERY_PARAMETERS));
}
