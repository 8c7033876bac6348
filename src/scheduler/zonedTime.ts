/**
 * Wall-clock time in an IANA time zone, from the platform's Intl data alone (no tz library):
 * UTC instant -> local fields, local date-time -> UTC instant (with DST gaps and overlaps made
 * explicit), and the ISO-8601 date-times maintenance windows are written in. Pure: every
 * function takes the instant it works on.
 */

export interface LocalDateTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 0..23 */
  hour: number;
  /** 0..59 */
  minute: number;
}

export interface LocalFields extends LocalDateTime {
  /** 0 = Sunday .. 6 = Saturday, as cron counts. */
  weekday: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Building a DateTimeFormat costs far more than using one; a scrape may ask for hundreds of
// local times, so keep one per zone for the life of the process (zones are few).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether the platform knows the IANA zone (Intl throws a RangeError for unknown names). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of a UTC instant in `zone`, to the minute. */
export function localFields(zone: string, utcMs: number): LocalFields {
  const fields: LocalFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, weekday: 0 };
  for (const part of formatterFor(zone).formatToParts(utcMs)) {
    switch (part.type) {
      case 'year':
        fields.year = Number(part.value);
        break;
      case 'month':
        fields.month = Number(part.value);
        break;
      case 'day':
        fields.day = Number(part.value);
        break;
      case 'hour':
        fields.hour = Number(part.value);
        break;
      case 'minute':
        fields.minute = Number(part.value);
        break;
      case 'weekday':
        fields.weekday = WEEKDAYS[part.value] ?? 0;
        break;
    }
  }
  return fields;
}

/** The wall-clock fields read as if they were UTC: the "naive" instant of a local time. */
export function naiveUtc(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
}

/** Local time minus UTC at an instant, in ms (+3,600,000 for Berlin in winter). */
export function offsetAt(zone: string, utcMs: number): number {
  const minuteStart = Math.floor(utcMs / MINUTE_MS) * MINUTE_MS;
  return naiveUtc(localFields(zone, minuteStart)) - minuteStart;
}

/**
 * A local time's UTC instant. `unique` in normal times; `ambiguous` when clocks go back and it
 * happens twice (utcMs is the first); `skipped` when clocks go forward over it (utcMs is where
 * the same time lands with the offset before the jump, i.e. shifted forward by the gap, as
 * Temporal's "compatible" disambiguation does).
 */
export function localToUtc(
  zone: string,
  local: LocalDateTime,
): { utcMs: number; kind: 'unique' | 'ambiguous' | 'skipped' } {
  const naive = naiveUtc(local);
  // Offsets a day either side bracket any single transition near this local time.
  const before = offsetAt(zone, naive - DAY_MS);
  const after = offsetAt(zone, naive + DAY_MS);
  const valid = [...new Set([naive - before, naive - after])]
    .filter((utc) => naiveUtc(localFields(zone, utc)) === naive)
    .sort((a, b) => a - b);
  if (valid.length === 0) return { utcMs: naive - before, kind: 'skipped' };
  return { utcMs: valid[0]!, kind: valid.length > 1 ? 'ambiguous' : 'unique' };
}

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
  const check = new Date(naiveUtc(local));
  if (
    local.month < 1 ||
    local.month > 12 ||
    check.getUTCDate() !== local.day ||
    check.getUTCMonth() !== local.month - 1 ||
    local.hour > 23 ||
    local.minute > 59
  ) {
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

/** `2026-12-24 22:00` in `zone`, for people (the index page, check-config). */
export function formatLocal(zone: string, utcMs: number): string {
  const f = localFields(zone, utcMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${f.year}-${two(f.month)}-${two(f.day)} ${two(f.hour)}:${two(f.minute)}`;
}
