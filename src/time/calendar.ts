/**
 * Occurrences of a cron schedule in an IANA zone: the latest at or before an instant and the
 * first after one, bounded by an optional `until`. An occurrence is a local minute that matches
 * the expression. Local times the clocks skip never fire; a local time that happens twice when
 * clocks go back fires both times. Pure: every function takes the instants it answers for.
 *
 * Why not croner's nextRun: measured with croner 9.1.0 in Europe/Berlin, `30 2 * * *` fires at
 * 03:30 CEST on 2026-03-29 (a time that did not happen at 02:30), and `*\/30 * * * *` skips
 * 02:00 and 02:30 CEST on 2026-10-25, so a window on the fall-back night would lose an hour.
 * Croner has no backward search either, which isActive needs.
 */
import { allowedAtOrAbove, allowedAtOrBelow, matchesDate, type CronSchedule } from './cron.js';
import { firstWithOffset, localFields, naiveUtc, offsetAt, type LocalFields } from './zone.js';

const MINUTE_MS = 60_000;

/** A cron schedule read in a zone, with no occurrence starting at or after untilMs. */
export interface Recurrence {
  readonly schedule: CronSchedule;
  readonly timeZone: string;
  readonly untilMs?: number;
}

/**
 * The latest occurrence o with after < o <= t (and o < until), walking back from t. Whole local
 * days, hours and minutes that cannot match are skipped in one step each, so the walk costs
 * about one time-zone lookup per day of `t - after`, not one per minute.
 */
export function latestStartAtOrBefore(r: Recurrence, t: number, after: number): number | undefined {
  const s = r.schedule;
  let u = floorToMinute(r.untilMs === undefined ? t : Math.min(t, r.untilMs - 1));
  while (u > after) {
    const f = localFields(r.timeZone, u);
    let back: number; // minutes to step back to reach the last local minute that might match
    if (!matchesDate(s, f)) {
      back = f.hour * 60 + f.minute + 1;
    } else if (!s.hours[f.hour]) {
      const hour = allowedAtOrBelow(s.hours, f.hour - 1);
      back = hour < 0 ? f.hour * 60 + f.minute + 1 : (f.hour - hour - 1) * 60 + f.minute + 1;
    } else if (!s.minutes[f.minute]) {
      const minute = allowedAtOrBelow(s.minutes, f.minute - 1);
      back = minute < 0 ? f.minute + 1 : f.minute - minute;
    } else {
      return u;
    }
    u = stepBack(r.timeZone, u, f, back);
  }
  return undefined;
}

/** The earliest occurrence o with t < o <= notAfter (and o < until), walking forward. */
export function firstStartAfter(r: Recurrence, t: number, notAfter: number): number | undefined {
  const s = r.schedule;
  const limit = r.untilMs === undefined ? notAfter : Math.min(notAfter, r.untilMs - 1);
  let u = floorToMinute(t) + MINUTE_MS;
  while (u <= limit) {
    const f = localFields(r.timeZone, u);
    const toNextDay = (23 - f.hour) * 60 + (60 - f.minute);
    let ahead: number; // minutes to step forward to reach the first local minute that might match
    if (!matchesDate(s, f)) {
      ahead = toNextDay;
    } else if (!s.hours[f.hour]) {
      const hour = allowedAtOrAbove(s.hours, f.hour + 1);
      ahead = hour < 0 ? toNextDay : (hour - f.hour - 1) * 60 + (60 - f.minute);
    } else if (!s.minutes[f.minute]) {
      const minute = allowedAtOrAbove(s.minutes, f.minute + 1);
      ahead = minute < 0 ? 60 - f.minute : minute - f.minute;
    } else {
      return u;
    }
    u = stepForward(r.timeZone, u, f, ahead);
  }
  return undefined;
}

function floorToMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * u - minutes, unless the UTC offset changes in between: then the local times skipped are not
 * the ones intended, so stop at the last minute before the change and look again from there.
 */
function stepBack(zone: string, u: number, f: LocalFields, minutes: number): number {
  const target = u - minutes * MINUTE_MS;
  const offset = naiveUtc(f) - u;
  if (minutes === 1 || offsetAt(zone, target) === offset) return target;
  return firstWithOffset(zone, target, u, offset) - MINUTE_MS;
}

/** u + minutes, or the first minute after an offset change in between. */
function stepForward(zone: string, u: number, f: LocalFields, minutes: number): number {
  const target = u + minutes * MINUTE_MS;
  const offset = naiveUtc(f) - u;
  const targetOffset = offsetAt(zone, target);
  if (minutes === 1 || targetOffset === offset) return target;
  return firstWithOffset(zone, u, target, targetOffset);
}
