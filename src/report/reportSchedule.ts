/**
 * When scheduled reports run and what they cover, as pure functions of an instant: the next
 * run of a daily local time (DST-aware), and the periods due at a run (yesterday; on Mondays
 * the previous ISO week; on the 1st the previous month). The ReportScheduler owns the timers.
 */
import { redactUrl } from '../config/redact.js';
import {
  formatLocal,
  localFields,
  localToUtc,
  offsetAt,
  type LocalDateTime,
} from '../scheduler/zonedTime.js';
import type { PeriodKind } from './stats/period.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A report due at a run: the period kind and a date (YYYY-MM-DD, local) inside the period. */
export interface DueReport {
  period: PeriodKind;
  date: string;
}

/** "06:00" -> {hour: 6, minute: 0}; throws a RangeError on anything else (the config checked it). */
export function parseTimeOfDay(time: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  if (!m || hour > 23 || minute > 59) throw new RangeError(`not a time of day (HH:MM): "${time}"`);
  return { hour, minute };
}

/** The civil date `days` after the local date of `local`. */
function shiftDate(local: LocalDateTime, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The instant a local time happens on a date. Skipped by a spring-forward jump: the first
 * instant after the gap (the moment the clocks jump), so a 02:30 report in Berlin on the last
 * Sunday of March runs at 03:00 CEST, not at a made-up 03:30. Happening twice in a fall-back
 * overlap: the first occurrence, so the report runs once and as early as it can.
 */
export function runInstant(zone: string, local: LocalDateTime): number {
  const resolved = localToUtc(zone, local);
  if (resolved.kind !== 'skipped') return resolved.utcMs;
  // The transition lies in (naive - offsetAfter, naive - offsetBefore]; localToUtc answered the
  // upper bound. Transitions fall on whole minutes: binary-search the first minute with the new offset.
  const after = offsetAt(zone, resolved.utcMs);
  let high = resolved.utcMs;
  let low = high - DAY_MS; // the offset before the jump certainly holds a day earlier
  while (high - low > MINUTE_MS) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(zone, mid) === after) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The first run of the daily local `time` in `zone` strictly after `now`. Strictly: the timer
 * that fires at a run asks for the next one with the run's own instant, and must not get it back.
 */
export function nextRunAt(now: number, time: string, zone: string): number {
  const { hour, minute } = parseTimeOfDay(time);
  const today = localFields(zone, now);
  // Yesterday too: near midnight around a DST change a run instant can fall on the other side.
  for (let days = -1; days <= 2; days++) {
    const at = runInstant(zone, { ...shiftDate(today, days), hour, minute });
    if (at > now) return at;
  }
  // Unreachable: each local day has the time once (or its gap's end), and two days are ahead.
  throw new Error(`no run of ${time} in ${zone} within two days of ${new Date(now).toISOString()}`);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDate = (d: { year: number; month: number; day: number }) =>
  `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

/**
 * The reports due at a run at `runAt`, among the configured `periods`, judged by the local
 * date of the run in `zone`: the day before it; on a Monday the ISO week before (its Monday's
 * date); on the 1st of a month the month before (its last day's date).
 */
export function dueReports(runAt: number, zone: string, periods: readonly PeriodKind[]): DueReport[] {
  const local = localFields(zone, runAt);
  const due: DueReport[] = [];
  for (const period of ['day', 'week', 'month'] as const) {
    if (!periods.includes(period)) continue;
    if (period === 'day') due.push({ period, date: isoDate(shiftDate(local, -1)) });
    else if (period === 'week' && local.weekday === 1)
      due.push({ period, date: isoDate(shiftDate(local, -7)) });
    else if (period === 'month' && local.day === 1) due.push({ period, date: isoDate(shiftDate(local, -1)) });
  }
  return due;
}

/**
 * One line for `vantage check-config`: what the report section does and when it next runs,
 * e.g. "reports: day, week at 06:00 Europe/Berlin (next run 2025-01-15 06:00); formats html,
 * md, json; keep 400; webhook slack". The quickest check that the schedule means what you meant.
 */
export function describeReportSection(
  section: {
    prometheus_url: string;
    schedule?: { time: string; time_zone: string; periods: readonly PeriodKind[] };
    formats: readonly string[];
    keep: number;
    webhook?: { format: string };
  },
  now: number,
): string {
  const schedule = section.schedule
    ? `${section.schedule.periods.join(', ')} at ${section.schedule.time} ${section.schedule.time_zone} ` +
      `(next run ${formatLocal(section.schedule.time_zone, nextRunAt(now, section.schedule.time, section.schedule.time_zone))})`
    : 'on request only (no schedule)';
  const webhook = section.webhook ? `; webhook ${section.webhook.format}` : '';
  return `reports from ${redactUrl(section.prometheus_url)}: ${schedule}; formats ${section.formats.join(', ')}; keep ${section.keep}${webhook}`;
}
