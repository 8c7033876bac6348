/**
 * Civil dates and the report's periods as instants: a day, an ISO week (Monday first) or a
 * calendar month in an IANA time zone, with the previous period and the same period a week
 * earlier to compare against. Works on civil dates first (Luxon's calendar arithmetic, in UTC
 * so no zone can shift a date) and converts each boundary (local midnight) to UTC separately,
 * so a day is 23 or 25 hours long across a DST change and a week 167 or 169. Pure.
 */
import { DateTime } from 'luxon';
import { isKnownTimeZone, localFields, localToUtc } from './zone.js';

export type PeriodKind = 'day' | 'week' | 'month';

/** A half-open interval of instants [start, end), in ms since the epoch, with a label. */
export interface Interval {
  start: number;
  end: number;
  /** "2024-03-31", "2024-W13" (ISO week) or "2024-03". */
  label: string;
}

export interface ReportPeriods {
  kind: PeriodKind;
  timeZone: string;
  /** The period containing the requested date. */
  current: Interval;
  /** The period just before: yesterday, last ISO week, last calendar month. */
  previous: Interval;
  /**
   * The same period a week earlier, shifted by 7 local calendar days (not 7 x 24 h, so it
   * stays midnight-aligned across DST). For a day: the same weekday last week. For a week it
   * equals `previous`. For a month, which has no "same month a week earlier", it is the
   * current month's local dates moved back 7 days (e.g. Mar 1 - Apr 1 -> Feb 23 - Mar 25),
   * so the comparison covers the same number of days ending a week earlier.
   */
  weekEarlier: Interval;
}

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parse YYYY-MM-DD, rejecting dates that do not exist (2023-02-29). */
export function parseCivilDate(text: string): CivilDate {
  const m = DATE_RE.exec(text);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): "${text}"`);
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (!DateTime.fromObject(date, { zone: 'utc' }).isValid) throw new RangeError(`no such date: "${text}"`);
  return date;
}

const civil = ({ year, month, day }: CivilDate) => DateTime.fromObject({ year, month, day }, { zone: 'utc' });
const fromLuxon = (d: DateTime): CivilDate => ({ year: d.year, month: d.month, day: d.day });

/** The civil date `days` after `date` (negative: before). */
export function addDays(date: CivilDate, days: number): CivilDate {
  return fromLuxon(civil(date).plus({ days }));
}

/** The first day of the month `months` after the month of `date`. */
function addMonths(date: CivilDate, months: number): CivilDate {
  return fromLuxon(civil(date).startOf('month').plus({ months }));
}

/** The local date of an instant in `zone`. */
export function localDate(zone: string, utcMs: number): CivilDate & { weekday: number } {
  const { year, month, day, weekday } = localFields(zone, utcMs);
  return { year, month, day, weekday };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function formatCivilDate(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** "2024-W13": the ISO week-numbering year is that of the week's Thursday. */
export function isoWeekLabel(date: CivilDate): string {
  const d = civil(date);
  return `${pad(d.weekYear, 4)}-W${pad(d.weekNumber)}`;
}

/**
 * The instant local midnight starts `date` in `zone`. Where midnight is skipped by a DST jump
 * (some zones change at 00:00), the day starts at the first wall-clock time that exists, as
 * Temporal's startOfDay does; where it happens twice, at the first.
 */
export function startOfLocalDay(zone: string, date: CivilDate): number {
  return localToUtc(zone, { ...date, hour: 0, minute: 0 }).utcMs;
}

/** Local midnights in [from, to], for a chart's day ticks: DST days are 23 or 25 hours long. */
export function localMidnights(from: number, to: number, zone: string): number[] {
  const out: number[] = [];
  for (let date: CivilDate = localDate(zone, from); ; date = addDays(date, 1)) {
    const at = startOfLocalDay(zone, date);
    if (at > to) return out;
    if (at >= from) out.push(at);
  }
}

function interval(zone: string, from: CivilDate, to: CivilDate, label: string): Interval {
  return { start: startOfLocalDay(zone, from), end: startOfLocalDay(zone, to), label };
}

/** [first day, day after the last) of the period of `kind` containing `date`, with its label. */
function periodDays(kind: PeriodKind, date: CivilDate): { from: CivilDate; to: CivilDate; label: string } {
  switch (kind) {
    case 'day':
      return { from: date, to: addDays(date, 1), label: formatCivilDate(date) };
    case 'week': {
      const monday = fromLuxon(civil(date).startOf('week'));
      return { from: monday, to: addDays(monday, 7), label: isoWeekLabel(monday) };
    }
    case 'month': {
      const first = { ...date, day: 1 };
      return { from: first, to: addMonths(first, 1), label: `${pad(first.year, 4)}-${pad(first.month)}` };
    }
  }
}

/**
 * The current, previous and week-earlier periods for a report on `date` (YYYY-MM-DD).
 * Throws a RangeError for a malformed or impossible date or an unknown time zone.
 */
export function reportPeriods(date: string, kind: PeriodKind, timeZone: string): ReportPeriods {
  if (!isKnownTimeZone(timeZone)) throw new RangeError(`unknown time zone: "${timeZone}"`);
  const cur = periodDays(kind, parseCivilDate(date));
  const prevAnchor = kind === 'month' ? addMonths(cur.from, -1) : addDays(cur.from, -1);
  const prev = periodDays(kind, prevAnchor);
  const earlierFrom = addDays(cur.from, -7);
  const earlierTo = addDays(cur.to, -7);
  const earlierLabel =
    kind === 'month'
      ? `${formatCivilDate(earlierFrom)}..${formatCivilDate(addDays(earlierTo, -1))}`
      : periodDays(kind, earlierFrom).label;
  return {
    kind,
    timeZone,
    current: interval(timeZone, cur.from, cur.to, cur.label),
    previous: interval(timeZone, prev.from, prev.to, prev.label),
    weekEarlier: interval(timeZone, earlierFrom, earlierTo, earlierLabel),
  };
}
