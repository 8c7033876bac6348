/**
 * `maintenance_windows:` in vantage.yml: one-off (start + end or duration) or recurring
 * (cron + duration, optionally until) periods, per target or global, in an IANA time zone.
 * Values are checked here with the same parsers the calendar uses at run time, so a window
 * that loads is a window the calendar can evaluate.
 */
import { z } from 'zod';
import { DURATION_LIMITS, formatLimit } from './duration.js';
import { positiveDuration } from './durationSchema.js';
import { closest } from './suggest.js';
import { parseCron } from '../time/cron.js';
import { DATE_TIME_RE, parseDateTime, resolveDateTime } from '../time/dateTime.js';
import { isKnownTimeZone } from '../time/zone.js';

/** Longest occurrence of a recurring window: bounds how far back the calendar ever looks. */
export const MAX_RECURRING_DURATION_MS = DURATION_LIMITS.recurringMaintenance.maxMs;

const dateTime = (what: string) =>
  z
    .string()
    // abort: a text of the wrong shape is reported once, not again as an impossible date.
    .regex(DATE_TIME_RE, { error: (issue) => parseDateTime(String(issue.input)) as string, abort: true })
    .superRefine((text, ctx) => {
      const parsed = parseDateTime(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    })
    .describe(
      `${what}. ISO 8601: a local date-time in time_zone (2026-12-24T22:00), or one with Z or an offset (+01:00)`,
    );

/** An IANA zone name, checked against the platform's Intl data; unknown names get a suggestion. */
export const knownTimeZone = () =>
  z.string().superRefine((zone, ctx) => {
    if (isKnownTimeZone(zone)) return;
    const suggestion = closest(zone, Intl.supportedValuesOf('timeZone'));
    ctx.addIssue({
      code: 'custom',
      message:
        `unknown time zone "${zone}"` +
        (suggestion
          ? ` (did you mean "${suggestion}"?)`
          : ' (use an IANA name such as Europe/Berlin, or UTC)'),
    });
  });

const timeZone = knownTimeZone()
  .default('UTC')
  .describe('IANA time zone the local times and the cron expression are read in (default UTC)');

const cronExpression = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseCron(text);
    if (typeof parsed === 'string')
      ctx.addIssue({ code: 'custom', message: `invalid cron expression "${text}": ${parsed}` });
  })
  .describe(
    'recurring window: 5-field cron (minute hour day-of-month month day-of-week) in time_zone, e.g. "0 2 * * SUN"',
  );

export const maintenanceWindowSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9_-]+$/, {
        error: (issue) => `must match [a-z0-9_-]+ (got ${JSON.stringify(issue.input)})`,
      })
      .describe('unique name of the window'),
    description: z.string().optional().describe('what the maintenance is, for people'),
    targets: z
      .array(z.string().min(1))
      .default([])
      .describe('names of the targets covered; omitted or empty: every target (a global window)'),
    time_zone: timeZone,
    start: dateTime('one-off window: when it starts').optional(),
    end: dateTime('one-off window: when it ends (exclusive); or give duration').optional(),
    duration: positiveDuration(
      'how long the window (one-off) or each occurrence (cron, at most 31d) lasts',
      DURATION_LIMITS.oneOffMaintenance,
    ).optional(),
    cron: cronExpression.optional(),
    until: dateTime(
      'recurring window only: no occurrence starts at or after this (a bare date is its local midnight)',
    ).optional(),
  })
  .superRefine((w, ctx) => windowShapeIssues(w).forEach((issue) => ctx.addIssue(issue)));
export type MaintenanceWindowConfig = z.infer<typeof maintenanceWindowSchema>;

type Issue = { code: 'custom'; path: PropertyKey[]; message: string };
const issue = (path: PropertyKey[], message: string): Issue => ({ code: 'custom', path, message });

/**
 * Which fields go together, and the checks that need the time zone. zod runs this even when a
 * field failed its own check (its issue is already reported), so a bad field is skipped here.
 */
function windowShapeIssues(w: MaintenanceWindowConfig): Issue[] {
  if (w.start !== undefined && w.cron !== undefined) {
    return [
      issue(
        ['cron'],
        'start and cron are mutually exclusive: a window is one-off (start) or recurring (cron)',
      ),
    ];
  }
  if (w.start !== undefined) return oneOffIssues(w, w.start);
  if (w.cron !== undefined) return recurringIssues(w);
  return [issue([], 'a window needs start (a one-off window) or cron (a recurring window)')];
}

function oneOffIssues(w: MaintenanceWindowConfig, start: string): Issue[] {
  const issues: Issue[] = [];
  if (w.until !== undefined) issues.push(issue(['until'], 'until applies to recurring (cron) windows only'));
  if (w.end !== undefined && w.duration !== undefined) {
    issues.push(issue(['duration'], 'end and duration are mutually exclusive: give one'));
  } else if (w.end === undefined && w.duration === undefined) {
    issues.push(issue(['start'], 'a one-off window needs end or duration'));
  }
  const startMs = resolveField(w, start, ['start'], issues);
  const endMs = w.end === undefined ? undefined : resolveField(w, w.end, ['end'], issues);
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs)
    issues.push(issue(['end'], `end "${w.end}" is not after start "${start}"`));
  return issues;
}

function recurringIssues(w: MaintenanceWindowConfig): Issue[] {
  const issues: Issue[] = [];
  if (w.end !== undefined) {
    issues.push(
      issue(['end'], 'end applies to one-off windows; each occurrence of a cron window lasts for duration'),
    );
  }
  if (w.duration === undefined) {
    issues.push(issue(['duration'], 'required with cron: how long each occurrence lasts (at most 31d)'));
  } else if (typeof w.duration === 'number' && w.duration > MAX_RECURRING_DURATION_MS) {
    issues.push(
      issue(['duration'], `must be at most 31d for a recurring window (got ${formatLimit(w.duration)})`),
    );
  }
  if (w.until !== undefined) resolveField(w, w.until, ['until'], issues);
  return issues;
}

/** A date-time field in the window's zone; undefined (nothing added) when it or the zone is invalid. */
function resolveField(
  w: MaintenanceWindowConfig,
  text: unknown,
  path: PropertyKey[],
  issues: Issue[],
): number | undefined {
  const zoneValid = typeof w.time_zone === 'string' && isKnownTimeZone(w.time_zone);
  if (typeof text !== 'string' || !zoneValid || typeof parseDateTime(text) === 'string') return undefined;
  const ms = resolveDateTime(text, w.time_zone);
  if (typeof ms === 'number') return ms;
  issues.push(issue(path, ms));
  return undefined;
}

/**
 * Duplicate window names and unknown target names, on a possibly half-parsed config (the
 * config-level refinement runs even when other fields are invalid, like the module check).
 */
export function maintenanceReferenceIssues(config: Record<string, unknown>): Issue[] {
  const windows = config.maintenance_windows;
  if (!Array.isArray(windows)) return [];
  const targets = Array.isArray(config.targets) ? config.targets : [];
  const defined = targets
    .map((t: unknown) => (isObject(t) && typeof t.name === 'string' ? t.name : undefined))
    .filter((name): name is string => name !== undefined);
  const known = new Set(defined);
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  windows.forEach((w: unknown, i) => {
    if (!isObject(w)) return;
    if (typeof w.name === 'string') {
      const first = seen.get(w.name);
      if (first !== undefined) {
        issues.push(
          issue(
            ['maintenance_windows', i, 'name'],
            `duplicate maintenance window name "${w.name}" (first used by maintenance_windows[${first}])`,
          ),
        );
      } else seen.set(w.name, i);
    }
    if (!Array.isArray(w.targets)) return;
    w.targets.forEach((name: unknown, j) => {
      if (typeof name === 'string' && name !== '' && !known.has(name)) {
        issues.push(
          issue(
            ['maintenance_windows', i, 'targets', j],
            `unknown target "${name}" (defined: ${defined.length ? defined.join(', ') : 'none'})`,
          ),
        );
      }
    });
  });
  return issues;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
