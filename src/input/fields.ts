/**
 * Field schemas more than one resource uses: optional text (null and absent alike) and an
 * ISO-8601 time turned into Unix milliseconds; and definedOnly, for a parsed query. Messages follow the house style of the APIs: what
 * the field must be, then what it got.
 */
import { z } from 'zod';
import { ISO_EXAMPLE, parseIsoTimestamp } from '../time/timestamp.js';

/** A string, or undefined for absent and JSON null. */
export const optionalText = z
  .string({ error: (issue) => `must be a string, got ${typeof issue.input}` })
  .nullish()
  .transform((text) => text ?? undefined);

/** An ISO-8601 time with an offset or Z, as Unix ms. */
export const isoTime = z.string().transform((text, ctx): number => {
  const ms = parseIsoTimestamp(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({
    code: 'custom',
    message: `expected an ISO-8601 time with an offset or Z, e.g. ${ISO_EXAMPLE}, got "${text}"`,
  });
  return z.NEVER;
});

/** A query filter on time: undefined when absent or empty. */
export const isoTimeParam = z
  .string()
  .optional()
  .transform((text) => (text === '' ? undefined : text))
  .pipe(isoTime.optional());

/** The parsed value without its absent (undefined) entries, as the store's optional fields want. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
