/**
 * The input of the change log: POST /api/changes's body and GET /api/changes's query, and the
 * same fields as `vantage change add|list` flags (strings, `at` in ISO-8601). Unknown fields are
 * refused, so a typo does not silently drop a value. The store gets typed values only.
 */
import { z } from 'zod';
import {
  CHANGE_KINDS,
  MAX_DESCRIPTION_LENGTH,
  MAX_TITLE_LENGTH,
  type ChangeKind,
  type ChangeQuery,
  type NewChange,
} from '../store/changes.js';
import { idempotencyKeyProblem, keyFromHeader } from '../store/idempotency.js';
import { beforeEpochProblem } from '../time/timestamp.js';
import { definedOnly, isoTime, isoTimeParam, optionalText } from './fields.js';
import { InputError, parseInput, parseQuery } from './inputError.js';
import { limitParam } from './listQuery.js';

const TARGET_NAME = /^[a-z0-9_-]{1,200}$/;
const CHANGE_FIELDS = ['title', 'kind', 'target', 'at', 'description'] as const;
const QUERY_PARAMETERS = ['target', 'since', 'until', 'limit'] as const;

/** Characters as a reader counts them (code points), not UTF-16 units. */
const length = (text: string) => [...text].length;

/** A target name, or null for absent or empty (a change about every target). */
const target = optionalText.transform((text, ctx): string | null => {
  if (text === undefined || text === '') return null;
  if (TARGET_NAME.test(text)) return text;
  ctx.addIssue({ code: 'custom', message: `must be a target name matching [a-z0-9_-]+, got "${text}"` });
  return z.NEVER;
});

const title = optionalText.transform((text, ctx): string => {
  const trimmed = text?.trim();
  if (!trimmed) ctx.addIssue({ code: 'custom', message: 'is required and must not be empty' });
  else if (length(trimmed) > MAX_TITLE_LENGTH)
    ctx.addIssue({
      code: 'custom',
      message: `must be at most ${MAX_TITLE_LENGTH} characters, got ${length(trimmed)}`,
    });
  return trimmed ?? '';
});

const kind = optionalText.transform((text, ctx): ChangeKind => {
  if (text === undefined)
    ctx.addIssue({ code: 'custom', message: `is required: one of ${CHANGE_KINDS.join(', ')}` });
  else if (!(CHANGE_KINDS as readonly string[]).includes(text))
    ctx.addIssue({ code: 'custom', message: `must be one of ${CHANGE_KINDS.join(', ')}, got "${text}"` });
  return text as ChangeKind;
});

// Refused rather than kept: a change is compared with the Prometheus series around it, and
// there are none before 1970 (`since`/`until` filters may be anything: they only select).
const at = optionalText.pipe(
  isoTime.optional().superRefine((ms, ctx) => {
    const problem = ms === undefined ? undefined : beforeEpochProblem(ms);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const description = optionalText.transform((text, ctx): string | null => {
  const trimmed = text?.trim() || null;
  if (trimmed !== null && length(trimmed) > MAX_DESCRIPTION_LENGTH)
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_DESCRIPTION_LENGTH} characters` });
  return trimmed;
});

export const newChangeSchema = z.strictObject({ title, kind, target, at, description });

export const changeQuerySchema = z.strictObject({
  target,
  since: isoTimeParam,
  until: isoTimeParam,
  limit: limitParam(),
});

/** A change as the API body or the CLI flags give it; InputError names the bad field. */
export function parseNewChange(raw: Record<string, unknown>): NewChange {
  return parseInput(newChangeSchema, raw, { noun: 'field', known: CHANGE_FIELDS, whole: 'body' });
}

/** List filters as query parameters or CLI flags; InputError names the bad parameter. */
export function parseChangeQuery(raw: Record<string, unknown>): ChangeQuery {
  const { target: only, ...rest } = parseQuery(changeQuerySchema, raw, QUERY_PARAMETERS);
  return definedOnly({ ...rest, ...(only !== null && { target: only }) });
}

/**
 * The idempotency key from the header or the body field (undefined: none); both given must
 * agree, and the key must be one idempotencyKeyProblem accepts.
 */
export function parseIdempotencyKey(header: string | undefined, bodyValue: unknown): string | undefined {
  if (bodyValue !== undefined && bodyValue !== null && typeof bodyValue !== 'string') {
    throw new InputError('idempotency_key', `must be a string, got ${typeof bodyValue}`);
  }
  const fromHeader = header === undefined ? undefined : keyFromHeader(header);
  const fromBody = bodyValue ?? undefined;
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new InputError(
      'idempotency_key',
      `the Idempotency-Key header ("${fromHeader}") and the body field ("${fromBody}") differ: send one`,
    );
  }
  const key = fromHeader ?? fromBody;
  if (key === undefined) return undefined;
  const problem = idempotencyKeyProblem(key);
  if (problem !== undefined) throw new InputError('idempotency_key', problem);
  return key;
}
