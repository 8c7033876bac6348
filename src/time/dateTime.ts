/**
 * The ISO-8601 date-times vantage.yml is written in (maintenance window start, end, until):
 * parsed to local fields first, then resolved to a UTC instant in the window's zone unless the
 * text carries its own offset. A written time the clocks skip is an error that names a time
 * that exists; a bare date is the first instant of that local day.
 */
import { DateTime } from 'luxon';
import { formatLocal, localToUtc, naiveUtc, type LocalDateTime } from './zone.js';

const MINUTE_MS = 60_000;

/** An ISO-8601 date-time as written in the config, before a zone is applied. */
export interface ParsedDateTime {
  local: LocalDateTime;
  /** Set when the text carries `Z` or `±hh:mm`: then the time zone does not apply. */
  offsetMs?: number;
  /** A bare date (`2027-03-01`): the start of that local day. */
  dateOnly: boolean;
}

/** The shape parseDateTime accepts (also the JSON Schema pattern, for editors). */
export const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * `2026-12-24`, `2026-12-24T22:00`, `2026-12-24T22:00:00`, `...Z`, `...+01:00`. Seconds must be
 * 00: windows and cron occurrences are whole minutes, and a scrape never needs more.
 */
export function parseDateTime(text: string): ParsedDateTime | string {
  const m = DATE_TIME_RE.exec(text);
  if (!m) {
    return `not a date-time: "${text}" (use ISO 8601: 2026-12-24T22:00, 2026-12-24T22:00Z, 2026-12-24T22:00+01:00 or 2026-12-24)`;
  }
  const local: LocalDateTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
  };
  // Luxon reads hour 24 as the next midnight: the config means a time of day, 00:00-23:59.
  if (local.hour > 23 || !DateTime.fromObject(local, { zone: 'utc' }).isValid) {
    return `not a valid date-time: "${text}" (no such day or time)`;
  }
  if (m[6] !== undefined && m[6] !== '00')
    return `"${text}": seconds must be 00 (windows start on whole minutes)`;
  const zone = m[7];
  if (zone === undefined) return { local, dateOnly: m[4] === undefined };
  if (zone === 'Z') return { local, offsetMs: 0, dateOnly: false };
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(':').map(Number) as [number, number];
  if (hh > 23 || mm > 59) return `not a valid UTC offset in "${text}"`;
  return { local, offsetMs: sign * (hh * 60 + mm) * MINUTE_MS, dateOnly: false };
}

/**
 * A config date-time -> UTC ms, in `zone` unless the text has its own offset. A written time
 * that clocks skip over is an error (the user meant some real instant: say which to write); a
 * bare date whose midnight is skipped means the first instant of that day.
 */
export function resolveDateTime(text: string, zone: string): number | string {
  const parsed = parseDateTime(text);
  if (typeof parsed === 'string') return parsed;
  if (parsed.offsetMs !== undefined) return naiveUtc(parsed.local) - parsed.offsetMs;
  const { utcMs, kind } = localToUtc(zone, parsed.local);
  if (kind === 'skipped' && !parsed.dateOnly) {
    const after = formatLocal(zone, utcMs).replace(' ', 'T');
    return `"${text}" does not exist in ${zone}: the clocks skip it (write a time after the jump, such as ${after}, or give a UTC offset)`;
  }
  return utcMs;
}
