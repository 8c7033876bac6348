/**
 * Wall-clock time in an IANA time zone, on Luxon's zone data: UTC instant -> local fields, the
 * UTC offset at an instant, and local date-time -> UTC instant with DST gaps and overlaps made
 * explicit (Luxon alone would silently pick one answer; callers here need to know which case
 * they are in). Pure: every function takes the instant it works on. Minute resolution: windows,
 * cron occurrences and report periods are all whole minutes.
 */
import { DateTime, IANAZone } from 'luxon';

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

// IANAZone.create caches per name, but the lookup still normalises the name: keep our own map,
// as a scrape may ask for hundreds of local times in a handful of zones.
const zones = new Map<string, IANAZone>();

function zoneFor(name: string): IANAZone {
  let zone = zones.get(name);
  if (!zone) {
    zone = IANAZone.create(name);
    if (!zone.isValid) throw new RangeError(`unknown time zone: "${name}"`);
    zones.set(name, zone);
  }
  return zone;
}

/** Whether the IANA zone is known (to the platform's Intl data, which Luxon reads). */
export function isKnownTimeZone(zone: string): boolean {
  return zone !== '' && IANAZone.isValidZone(zone);
}

/** The wall-clock fields of a UTC instant in `zone`, to the minute. */
export function localFields(zone: string, utcMs: number): LocalFields {
  // The zone's offset, then plain UTC calendar fields of the shifted instant: one Intl lookup,
  // and no DateTime object, on the path a scrape and a report's failure scan take per sample.
  const t = new Date(utcMs + offsetAt(zone, utcMs));
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
    weekday: t.getUTCDay(),
  };
}

/** The wall-clock fields read as if they were UTC: the "naive" instant of a local time. */
export function naiveUtc(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
}

/** Local time minus UTC at an instant, in ms (+3,600,000 for Berlin in winter). */
export function offsetAt(zone: string, utcMs: number): number {
  return zoneFor(zone).offset(utcMs) * MINUTE_MS;
}

export type LocalTimeKind = 'unique' | 'ambiguous' | 'skipped';

/**
 * A local time's UTC instant. `unique` in normal times; `ambiguous` when clocks go back and it
 * happens twice (utcMs is the first); `skipped` when clocks go forward over it (utcMs is where
 * the same time lands with the offset before the jump, i.e. shifted forward by the gap, as
 * Temporal's "compatible" disambiguation does).
 */
export function localToUtc(zone: string, local: LocalDateTime): { utcMs: number; kind: LocalTimeKind } {
  const naive = naiveUtc(local);
  // Offsets a day either side bracket any single transition near this local time.
  const before = offsetAt(zone, naive - DAY_MS);
  const after = offsetAt(zone, naive + DAY_MS);
  const valid = [...new Set([naive - before, naive - after])]
    .filter((utc) => utc + offsetAt(zone, utc) === naive)
    .sort((a, b) => a - b);
  if (valid.length === 0) return { utcMs: naive - before, kind: 'skipped' };
  return { utcMs: valid[0]!, kind: valid.length > 1 ? 'ambiguous' : 'unique' };
}

/**
 * The first minute at or after the moment the clocks jump over a skipped local time: where a
 * daily run or a day start lands when its wall-clock time does not exist that day.
 */
export function endOfGap(zone: string, local: LocalDateTime): number {
  const resolved = localToUtc(zone, local);
  if (resolved.kind !== 'skipped') return resolved.utcMs;
  // The transition lies in (naive - offsetAfter, naive - offsetBefore]; localToUtc answered the
  // upper bound, and a day earlier the old offset certainly holds.
  return firstWithOffset(zone, resolved.utcMs - DAY_MS, resolved.utcMs, offsetAt(zone, resolved.utcMs));
}

/** Binary search: the first whole minute in (from, to] whose offset is `offset` (to has it, from not). */
export function firstWithOffset(zone: string, from: number, to: number, offset: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(zone, mid) === offset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** `2026-12-24 22:00` in `zone`, for people (the index page, check-config). */
export function formatLocal(zone: string, utcMs: number): string {
  return DateTime.fromMillis(utcMs, { zone: zoneFor(zone) }).toFormat('yyyy-MM-dd HH:mm');
}
