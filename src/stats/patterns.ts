/**
 * Recurring problems: failures that cluster at an hour of the day or a day of the week (from
 * the probe history), and the incident-log rule "the same alert on the same target three or
 * more times in 14 days". Pure: time zones through src/time/.
 */

import { binomialUpperTail } from './distributions.js';
import { localFields } from '../time/zone.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface FailurePatternOptions {
  /** IANA zone the hours and days are read in. */
  timeZone: string;
  /** The observed period [from, to), ms; failures outside it are ignored. */
  from: number;
  to: number;
  /** Significance level, after a Bonferroni correction over the 24 hours / 7 weekdays. Default 0.05. */
  alpha?: number;
  /** Fewest distinct days an hour-of-day pattern must show on. Default 3. */
  minDays?: number;
  /** Fewest occurrences of the weekday with failures for a day-of-week pattern. Default 3. */
  minWeeks?: number;
  /** Least share of that weekday's dates in the period that must have failures. Default 0.75. */
  minWeekdayShare?: number;
}

export interface HourOfDayPattern {
  kind: 'hour-of-day';
  /** 0..23, local: the failures fall within 30 minutes of hour:00. */
  hour: number;
  /** Distinct local dates with a failure around that hour. */
  days: number;
  /** Local dates (whole or partial) in the period. */
  totalDays: number;
  /** Bonferroni-corrected p-value. */
  p: number;
  sentence: string;
}

export interface DayOfWeekPattern {
  kind: 'day-of-week';
  /** 0 = Sunday .. 6 = Saturday, local. */
  weekday: number;
  /** Dates of that weekday with a failure. */
  days: number;
  /** Dates of that weekday in the period. */
  totalDays: number;
  /** Bonferroni-corrected p-value. */
  p: number;
  sentence: string;
}

export type FailurePattern = HourOfDayPattern | DayOfWeekPattern;

const dateKey = (f: { year: number; month: number; day: number }) => `${f.year}-${f.month}-${f.day}`;

function zoneLabel(zone: string): string {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' ? 'UTC' : zone;
}

/** The local dates in [from, to), with their weekdays, stepping hourly (every DST-shifted day is hit). */
function datesInPeriod(zone: string, from: number, to: number): Map<string, number> {
  const dates = new Map<string, number>();
  for (let t = from; t < to; t += HOUR_MS) {
    const f = localFields(zone, t);
    dates.set(dateKey(f), f.weekday);
  }
  if (to > from) {
    const f = localFields(zone, to - 1);
    dates.set(dateKey(f), f.weekday);
  }
  return dates;
}

/**
 * Find the hours of the day and days of the week that failures cluster on.
 *
 * Hour of day: each failure is put in the bin of the nearest whole local hour (01:40 and 02:20
 * both count for "around 02:00"; the date is the one of that rounded time), and repeated
 * failures in one bin on one date count once, so an outage hour that spams failures is one
 * observation, not hundreds. With D such (date, hour) cells in all, the null hypothesis "the
 * cells fall on hours uniformly" gives each hour's count a Binomial(D, 1/24) law; an hour is a
 * pattern when its one-sided binomial p-value times 24 (Bonferroni) is below alpha and it
 * shows on at least minDays dates. A target that fails at all hours gives no pattern.
 *
 * Day of week: over the F dates with any failure, the share expected on weekday w is the share
 * of w among the period's dates; a weekday is a pattern when its binomial p-value times 7 is
 * below alpha, it has failures on at least minWeeks of its dates and on at least
 * minWeekdayShare of them. Two weeks of data cannot establish a weekly pattern by design.
 *
 * The sentence: "fails every day around 02:00 UTC (on 12 of 14 days)" when the hour shows on
 * at least 80 % of the dates, "fails on most days around ..." from 50 %, "repeatedly fails
 * around ..." below; "fails on Mondays (4 of 4 Mondays)". Patterns come strongest first.
 */
export function detectFailurePatterns(
  failures: readonly number[],
  options: FailurePatternOptions,
): FailurePattern[] {
  const { timeZone, from, to } = options;
  const alpha = options.alpha ?? 0.05;
  const minDays = options.minDays ?? 3;
  const minWeeks = options.minWeeks ?? 3;
  const minWeekdayShare = options.minWeekdayShare ?? 0.75;
  const dates = datesInPeriod(timeZone, from, to);
  const totalDays = dates.size;
  const inPeriod = failures.filter((t) => Number.isFinite(t) && t >= from && t < to);

  const cells = new Set<string>();
  const hourDays = new Array<number>(24).fill(0);
  const failureDates = new Map<string, number>();
  for (const t of inPeriod) {
    const rounded = localFields(timeZone, t + HOUR_MS / 2);
    const cell = `${dateKey(rounded)}|${rounded.hour}`;
    if (!cells.has(cell)) {
      cells.add(cell);
      hourDays[rounded.hour]!++;
    }
    const actual = localFields(timeZone, t);
    failureDates.set(dateKey(actual), actual.weekday);
  }

  const patterns: FailurePattern[] = [];
  const zone = zoneLabel(timeZone);
  for (let hour = 0; hour < 24; hour++) {
    const days = hourDays[hour]!;
    if (days < minDays) continue;
    const p = Math.min(1, 24 * binomialUpperTail(days, cells.size, 1 / 24));
    if (p >= alpha) continue;
    const share = totalDays > 0 ? days / totalDays : 0;
    const when = `around ${String(hour).padStart(2, '0')}:00 ${zone} (on ${days} of ${totalDays} days)`;
    const sentence =
      share >= 0.8
        ? `fails every day ${when}`
        : share >= 0.5
          ? `fails on most days ${when}`
          : `repeatedly fails ${when}`;
    patterns.push({ kind: 'hour-of-day', hour, days, totalDays, p, sentence });
  }

  const weekdayDates = new Array<number>(7).fill(0);
  for (const weekday of dates.values()) weekdayDates[weekday]!++;
  const weekdayFailures = new Array<number>(7).fill(0);
  for (const weekday of failureDates.values()) weekdayFailures[weekday]!++;
  for (let weekday = 0; weekday < 7; weekday++) {
    const days = weekdayFailures[weekday]!;
    const of = weekdayDates[weekday]!;
    if (days < minWeeks || days < minWeekdayShare * of) continue;
    const p = Math.min(1, 7 * binomialUpperTail(days, failureDates.size, of / totalDays));
    if (p >= alpha) continue;
    const name = WEEKDAY_NAMES[weekday]!;
    patterns.push({
      kind: 'day-of-week',
      weekday,
      days,
      totalDays: of,
      p,
      sentence: `fails on ${name}s (${days} of ${of} ${name}s)`,
    });
  }
  return patterns.sort((a, b) => a.p - b.p || b.days - a.days);
}

export interface IncidentOccurrence {
  alertname: string;
  /** The `target` label; null for alerts without one. */
  target: string | null;
  /** When it started firing, ms. */
  startsAt: number;
}

export interface RecurringIssue {
  alertname: string;
  target: string | null;
  /** Firings in the busiest window of `windowMs` (at least minCount). */
  count: number;
  /** First and last start in that window. */
  firstAt: number;
  lastAt: number;
  /** Firings of this alert on this target in the whole input. */
  total: number;
}

export interface RecurringIncidentOptions {
  /** Window length. Default 14 days. */
  windowMs?: number;
  /** Least firings within one window. Default 3. */
  minCount?: number;
}

/**
 * The incident-log rule: the same alert on the same target firing minCount (3) or more times
 * within any windowMs (14 days), a window being [first start, first start + windowMs]. Each
 * (alertname, target) is reported once, with its busiest window (the earliest, on a tie);
 * most firings first.
 */
export function findRecurringIncidents(
  incidents: readonly IncidentOccurrence[],
  options: RecurringIncidentOptions = {},
): RecurringIssue[] {
  const windowMs = options.windowMs ?? 14 * DAY_MS;
  const minCount = options.minCount ?? 3;
  const groups = new Map<string, { alertname: string; target: string | null; starts: number[] }>();
  for (const incident of incidents) {
    if (!Number.isFinite(incident.startsAt)) continue;
    const key = JSON.stringify([incident.alertname, incident.target]);
    let group = groups.get(key);
    if (!group) {
      group = { alertname: incident.alertname, target: incident.target, starts: [] };
      groups.set(key, group);
    }
    group.starts.push(incident.startsAt);
  }
  const issues: RecurringIssue[] = [];
  for (const { alertname, target, starts } of groups.values()) {
    starts.sort((a, b) => a - b);
    let best = { count: 0, firstAt: 0, lastAt: 0 };
    let j = 0;
    for (let i = 0; i < starts.length; i++) {
      if (j < i) j = i;
      while (j + 1 < starts.length && starts[j + 1]! - starts[i]! <= windowMs) j++;
      const count = j - i + 1;
      if (count > best.count) best = { count, firstAt: starts[i]!, lastAt: starts[j]! };
    }
    if (best.count >= minCount) issues.push({ alertname, target, ...best, total: starts.length });
  }
  return issues.sort((a, b) => b.count - a.count || a.firstAt - b.firstAt);
}
