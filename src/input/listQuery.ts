/**
 * The paging parameter every list endpoint shares (GET /api/changes, /api/incidents,
 * /api/reports, and `vantage change list --limit`): `limit`, a whole number from 1 to the
 * store's maximum (store/listLimit.ts); empty or absent means the store's default. One parser, so every list
 * accepts and refuses the same texts with the same words. (No list pages by cursor yet: a
 * cursor parameter belongs here when one does.)
 */
import { z } from 'zod';
import { MAX_LIST_LIMIT } from '../store/listLimit.js';

/** Digits only, at most 7 of them: `1e3`, `+5`, `0x10` and `5.0` are refused, not coerced. */
const WHOLE_NUMBER = /^\d{1,7}$/;

/** The problem with a limit text, or undefined when it is one from 1 to `max`. */
export function limitProblem(text: string, max: number): string | undefined {
  const n = WHOLE_NUMBER.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= max ? undefined : `must be a whole number from 1 to ${max}, got "${text}"`;
}

/** `limit` as a query parameter: the number, or undefined for absent or empty. */
export function limitParam(max = MAX_LIST_LIMIT) {
  return z
    .string()
    .optional()
    .transform((text, ctx): number | undefined => {
      if (text === undefined || text === '') return undefined;
      const problem = limitProblem(text, max);
      if (problem === undefined) return Number(text);
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    });
}
