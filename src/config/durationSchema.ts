/**
 * The zod type of a duration field: Prometheus syntax in the file ("30s"), milliseconds after
 * parsing. Shared by every section of the schema so all durations read and fail the same way.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const duration = (what = 'a duration') =>
  z
    .string({
      // A bare number (`timeout: 5`) is the usual mistake: say which unit is missing.
      error: (issue) =>
        issue.input === undefined
          ? undefined
          : `expected a duration such as 500ms, 30s or 1m30s, got ${describeDurationInput(issue.input)}`,
    })
    .describe(`${what}, Prometheus syntax: 500ms, 30s, 1m30s, 1h`)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (use e.g. 500ms, 30s, 1m30s)` });
        return z.NEVER;
      }
      return ms;
    });

function describeDurationInput(input: unknown): string {
  if (typeof input === 'number') return `${input} (add a unit, e.g. ${input}s)`;
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  return typeof input === 'object' ? 'a mapping' : JSON.stringify(input);
}

export const positiveDuration = (what?: string) =>
  duration(what).refine((ms) => ms > 0, { message: 'must be greater than 0' });
