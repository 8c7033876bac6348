/**
 * Strict ISO-8601 / RFC 3339 timestamps with an explicit offset: a time without one would mean
 * whatever the zone of the machine that happened to run the command, so it is refused.
 * The year is read as written: Date.UTC maps years 0-99 to 1900-1999 (a two-digit-year rule
 * from 1995), which stored `0099-01-01` as 1999. Whether such a year is acceptable is the
 * caller's decision (see checkNotBeforeEpoch), not the parser's.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

export const ISO_EXAMPLE = '2025-03-14T09:30:00Z';

/** Unix milliseconds for `2025-03-14T09:30:00Z`, `2025-03-14T10:30+01:00` and the like, or undefined. */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  const daysInMonth = new Date(utcMillis(year, month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return undefined;
  }
  const utc = utcMillis(year, month - 1, day, hour, minute, second, millis);
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return utc - offset;
}

/** Date.UTC without its 1900 offset for years 0-99. */
function utcMillis(year: number, monthIndex: number, day: number, h = 0, m = 0, s = 0, ms = 0): number {
  const date = new Date(Date.UTC(2000, 0, 1, h, m, s, ms));
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

/**
 * Why a time is refused for a log that keeps Unix times (the change log, the incident log),
 * or undefined when it is at or after 1970-01-01. Such logs are read against Prometheus, whose
 * samples start in 1970: an entry before it can never line up with a series, and is almost
 * always a typo or a zero value (0001-01-01) sent as a real time.
 */
export function beforeEpochProblem(ms: number): string | undefined {
  if (ms >= 0) return undefined;
  const year = new Date(ms).getUTCFullYear();
  return `year ${String(year).padStart(4, '0')} is before 1970: the log keeps Unix times, as Prometheus does`;
}
