/**
 * When maintenance windows are active. Pure: every function takes the instant it answers for.
 * Which local minutes a cron expression fires at, in which zone, is time/calendar.ts's; this
 * module adds what a window is: targets, durations, one-off bounds, runs and their wording.
 *
 * A one-off window is active on [start, end). A recurring window is active at t when some cron
 * occurrence o (a local minute that matches the expression in the window's zone) has
 * o <= t < o + duration and o < until. Local times the clocks skip never fire; a local time
 * that happens twice when clocks go back fires both times, so a window keeps covering its
 * whole wall-clock span on that night. Durations are elapsed time.
 */
import type { MaintenanceWindowConfig } from '../config/maintenanceSchema.js';
import { firstStartAfter, latestStartAtOrBefore, type Recurrence } from '../time/calendar.js';
import { parseCron, type CronSchedule } from '../time/cron.js';
import { resolveDateTime } from '../time/dateTime.js';
import { formatLocal } from '../time/zone.js';

const DAY_MS = 86_400_000;
/** How far ahead windowStatus looks for a next start or an end. */
export const STATUS_HORIZON_MS = 366 * DAY_MS;

interface WindowBase {
  readonly name: string;
  readonly description?: string;
  /** Target names covered; empty means every target. */
  readonly targets: readonly string[];
  readonly timeZone: string;
}
export interface OneOffWindow extends WindowBase {
  readonly kind: 'one-off';
  readonly startMs: number;
  readonly endMs: number;
}
export interface RecurringWindow extends WindowBase, Recurrence {
  readonly kind: 'recurring';
  readonly schedule: CronSchedule;
  readonly durationMs: number;
  /** No occurrence starts at or after this instant. */
  readonly untilMs?: number;
}
export type MaintenanceWindow = OneOffWindow | RecurringWindow;

/** A validated config entry -> the form the calendar evaluates. Throws on an invalid entry. */
export function compileWindow(config: MaintenanceWindowConfig): MaintenanceWindow {
  const base = {
    name: config.name,
    description: config.description,
    targets: config.targets,
    timeZone: config.time_zone,
  };
  const fail = (message: string): never => {
    throw new Error(`maintenance window "${config.name}": ${message}`);
  };
  const instant = (text: string) => {
    const ms = resolveDateTime(text, config.time_zone);
    return typeof ms === 'string' ? fail(ms) : ms;
  };
  if (config.cron !== undefined) {
    const schedule = parseCron(config.cron);
    if (typeof schedule === 'string') return fail(schedule);
    return {
      ...base,
      kind: 'recurring',
      schedule,
      durationMs: config.duration ?? fail('duration is required with cron'),
      untilMs: config.until === undefined ? undefined : instant(config.until),
    };
  }
  const startMs = instant(config.start ?? fail('start or cron is required'));
  const endMs =
    config.end !== undefined
      ? instant(config.end)
      : startMs + (config.duration ?? fail('end or duration is required'));
  return { ...base, kind: 'one-off', startMs, endMs };
}

/** Whether the window covers this target. */
export function appliesTo(window: MaintenanceWindow, target: string): boolean {
  return window.targets.length === 0 || window.targets.includes(target);
}

export function isActive(window: MaintenanceWindow, t: number): boolean {
  if (window.kind === 'one-off') return window.startMs <= t && t < window.endMs;
  return latestStartAtOrBefore(window, t, t - window.durationMs) !== undefined;
}

/** isActive for every window, once: what a scrape needs before it looks at any target. */
export function activeFlags(windows: readonly MaintenanceWindow[], t: number): boolean[] {
  return windows.map((w) => isActive(w, t));
}

export interface WindowStatus {
  active: boolean;
  /** Inactive: when the next run of the window starts (undefined: none within the horizon). */
  startsAt?: number;
  /**
   * When the current (active) or next run ends. Overlapping occurrences count as one run.
   * Undefined when it does not end within the horizon, as with an always-on cron window.
   */
  endsAt?: number;
}

/** Whether the window is active at t, and its next start or end: for the index page and check-config. */
export function windowStatus(w: MaintenanceWindow, t: number, horizonMs = STATUS_HORIZON_MS): WindowStatus {
  if (w.kind === 'one-off') {
    if (t < w.startMs) return { active: false, startsAt: w.startMs, endsAt: w.endMs };
    return t < w.endMs ? { active: true, endsAt: w.endMs } : { active: false };
  }
  const current = latestStartAtOrBefore(w, t, t - w.durationMs);
  if (current !== undefined) return { active: true, endsAt: runEnd(w, current, t + horizonMs) };
  const next = firstStartAfter(w, t, t + horizonMs);
  if (next === undefined) return { active: false };
  return { active: false, startsAt: next, endsAt: runEnd(w, next, next + horizonMs) };
}

// Each step extends a run by up to one duration; an always-on `* * * * *` window would take a
// step per minute of the horizon, so the search gives up (end unknown) after this many.
const MAX_RUN_STEPS = 1000;

/** The end of the run that the occurrence at `start` belongs to, following overlapping occurrences. */
function runEnd(w: RecurringWindow, start: number, limit: number): number | undefined {
  let end = start + w.durationMs;
  for (let step = 0; step < MAX_RUN_STEPS && end <= limit; step++) {
    // An occurrence in (end - duration, end] keeps the window active at `end`.
    const next = latestStartAtOrBefore(w, end, end - w.durationMs);
    if (next === undefined || next + w.durationMs <= end) return end;
    end = next + w.durationMs;
  }
  return undefined;
}

/** One line for people: "active until ...", "next ... to ...", or why there is no next run. */
export function describeWindow(w: MaintenanceWindow, t: number): string {
  const at = (ms: number) => formatLocal(w.timeZone, ms);
  const status = windowStatus(w, t);
  const zone = ` ${w.timeZone}`;
  if (status.active) {
    return status.endsAt === undefined
      ? 'active now, with no end in sight (its occurrences overlap)'
      : `active now, until ${at(status.endsAt)}${zone}`;
  }
  if (status.startsAt !== undefined) {
    const end = status.endsAt === undefined ? 'an end more than a year away' : at(status.endsAt);
    return `next ${at(status.startsAt)} to ${end}${zone}`;
  }
  if (w.kind === 'one-off') return `over (ended ${at(w.endMs)}${zone})`;
  return w.untilMs !== undefined && w.untilMs <= t + STATUS_HORIZON_MS
    ? `over (no occurrence starts from ${at(w.untilMs)}${zone})`
    : 'no occurrence within a year';
}
