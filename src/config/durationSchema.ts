/**
 * The zod type of a duration field: Prometheus syntax in the file ("30s"), milliseconds after
 * parsing. Shared by every section of the schema so all durations read, fail and are bounded
 * the same way: each field states its DurationLimit (config/duration.ts), so no value that a
 * timer cannot hold, or that a double cannot hold exactly, gets past config load.
 */
import { z } from 'zod';
import { inputForms } from './inputForm.js';
import {
  durationBoundProblem,
  formatConfigDuration,
  formatLimit,
  readDuration,
  unreadableDuration,
  type DurationLimit,
} from './duration.js';

export const duration = (what: string, limit: DurationLimit, positive = false) =>
  z
    .string({
      // A bare number (`timeout: 5`) is the usual mistake: say which unit is missing.
      error: (issue) =>
        issue.input === undefined
          ? undefined
          : `expected a duration such as 500ms, 30s or 1m30s, got ${describeDurationInput(issue.input)}`,
    })
    .describe(`${what}, Prometheus syntax: 500ms, 30s, 1m30s, 1h; at most ${formatLimit(limit.maxMs)}`)
    .transform((text, ctx) => {
      const parsed = readDuration(text);
      if (parsed.ok) return parsed.ms;
      ctx.addIssue({ code: 'custom', message: unreadableDuration(text, parsed.reason, limit) });
      return z.NEVER;
    })
    // A refinement, not part of the transform: a value out of bounds still reaches the section's
    // own checks (a cron window's other fields), which a failed transform would stop.
    .superRefine((ms, ctx) => {
      const problem = durationBoundProblem(ms, limit, positive);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .register(inputForms, { render: (ms: number) => formatConfigDuration(ms) });

function describeDurationInput(input: unknown): string {
  if (typeof input === 'number') return `${input} (add a unit, e.g. ${input}s)`;
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  return typeof input === 'object' ? 'a mapping' : JSON.stringify(input);
}

/** A duration above 0 and at most `limit`: every duration field of vantage.yml is one. */
export const positiveDuration = (what: string, limit: DurationLimit) => duration(what, limit, true);
