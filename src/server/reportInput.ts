/**
 * The input of the report API: POST /api/reports {date, period?, time_zone?} and the query of
 * GET /api/reports (kind, limit). Errors name the field, as the change and incident APIs do.
 */
import { REPORT_PERIOD_KINDS } from '../config/reportSchema.js';
import type { ReportRequest } from '../report/reportJob.js';
import { parseCivilDate, reportPeriods, type PeriodKind } from '../time/period.js';
import { isKnownTimeZone } from '../time/zone.js';
import { MAX_REPORT_LIST_LIMIT } from '../store/reports.js';

export class ReportInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const BODY_FIELDS = ['date', 'period', 'time_zone'];

function periodKind(value: unknown, field: string): PeriodKind {
  if (typeof value === 'string' && (REPORT_PERIOD_KINDS as readonly string[]).includes(value))
    return value as PeriodKind;
  throw new ReportInputError(
    field,
    `must be one of: ${REPORT_PERIOD_KINDS.join(', ')} (got ${JSON.stringify(value)})`,
  );
}

/**
 * The report asked for. `defaultZone`: the schedule's zone, so a manual report of "yesterday"
 * lands next to the scheduled ones. A period that has not started yet is refused: it would
 * be an empty report archived under a real label.
 */
export function parseReportRequest(
  body: Record<string, unknown>,
  defaultZone: string,
  now: number,
): ReportRequest {
  for (const key of Object.keys(body)) {
    if (!BODY_FIELDS.includes(key))
      throw new ReportInputError(key, `unknown field (expected ${BODY_FIELDS.join(', ')})`);
  }
  if (body.date === undefined)
    throw new ReportInputError('date', 'required: a date such as 2025-01-14 (YYYY-MM-DD)');
  if (typeof body.date !== 'string')
    throw new ReportInputError(
      'date',
      `must be a string such as "2025-01-14", got ${JSON.stringify(body.date)}`,
    );
  try {
    parseCivilDate(body.date);
  } catch (err) {
    throw new ReportInputError('date', (err as Error).message);
  }
  const period = body.period === undefined ? 'day' : periodKind(body.period, 'period');
  const timeZone = body.time_zone === undefined ? defaultZone : body.time_zone;
  if (typeof timeZone !== 'string' || !isKnownTimeZone(timeZone))
    throw new ReportInputError(
      'time_zone',
      `unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Berlin)`,
    );
  const { current } = reportPeriods(body.date, period, timeZone);
  if (current.start > now)
    throw new ReportInputError('date', `the ${period} ${current.label} has not started yet in ${timeZone}`);
  return { date: body.date, period, timeZone };
}

export interface ReportListQuery {
  kind?: PeriodKind;
  limit?: number;
}

export function parseReportListQuery(raw: Record<string, string>): ReportListQuery {
  const query: ReportListQuery = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'kind') query.kind = periodKind(value, 'kind');
    else if (key === 'limit') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > MAX_REPORT_LIST_LIMIT)
        throw new ReportInputError(
          'limit',
          `must be a whole number from 1 to ${MAX_REPORT_LIST_LIMIT} (got "${value}")`,
        );
      query.limit = n;
    } else throw new ReportInputError(key, 'unknown parameter (expected kind, limit)');
  }
  return query;
}
