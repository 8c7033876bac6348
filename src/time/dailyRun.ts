/**
 * A daily local time of day in an IANA zone (the report schedule's `time`): the instant it
 * happens on a date and the next run after an instant, DST-aware. Pure: every function takes
 * the instant it answers for.
 */
import { addDays, localDate } from './period.js';
import { endOfGap } from './zone.js';

/** "06:00" -> {hour: 6, minute: 0}; throws a RangeError on anything else (the config checked it). */
export function parseTimeOfDay(time: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  if (!m || hour > 23 || minute > 59) throw new RangeError(`not a time of day (HH:MM): "${time}"`);
  return { hour, minute };
}

/**
 * The instant a local time happens on a date. Skipped by a spring-forward jump: the first
 * instant after the gap (the moment the clocks jump), so a 02:30 report in Berlin on the last
 * Sunday of March runs at 03:00 CEST, not at a made-up 03:30. Happening twice in a fall-back
 * overlap: the first occurrence, so the report runs once and as early as it can.
 */
export function runInstant(
  zone: string,
  local: { year: number; month: number; day: number; hour: number; minute: number },
): number {
  return endOfGap(zone, local);
}

/**
 * The first run of the daily local `time` in `zone` strictly after `now`. Strictly: the timer
 * that fires at a run asks for the next one with the run's own instant, and must not get it back.
 */
export function nextRunAt(now: number, time: string, zone: string): number {
  const { hour, minute } = parseTimeOfDay(time);
  const today = localDate(zone, now);
  // Yesterday too: near midnight around a DST change a run instant can fall on the other side.
  for (let days = -1; days <= 2; days++) {
    const at = runInstant(zone, { ...addDays(today, days), hour, minute });
    if (at > now) return at;
  }
  // Unreachable: each local day has the time once (or its gap's end), and two days are ahead.
  throw new Error(`no run of ${time} in ${zone} within two days of ${new Date(now).toISOString()}`);
}
