/**
 * Idempotency keys for recording changes (POST /api/changes, `vantage change add`), after the
 * IETF draft "The Idempotency-Key HTTP Header Field" and Stripe's API: a client that retries
 * after losing the answer sends the same key, and gets the change the first request recorded
 * instead of a duplicate. The key is kept with the change, in the database, for as long as the
 * change (a restart or a second process sees it too), and is unique there.
 */
import { createHash } from 'node:crypto';
import type { NewChange } from './changes.js';

/** Stripe's limit; UUIDs (the usual key) are 36. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Printable ASCII without spaces: what fits a header value unquoted, and a log line unescaped. */
const KEY_RE = /^[\x21-\x7e]+$/;

/** Why `key` is not an acceptable idempotency key; undefined when it is. */
export function idempotencyKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}`;
  }
  if (!KEY_RE.test(key)) return 'must be printable ASCII without spaces, such as a UUID';
  return undefined;
}

/**
 * The header's value as a key: the draft defines it as a structured-field string
 * (`Idempotency-Key: "8e03978e-…"`), Stripe sends it bare; both mean the same key.
 */
export function keyFromHeader(value: string): string {
  const quoted = /^"([^"\\]*)"$/.exec(value.trim());
  return quoted ? quoted[1]! : value.trim();
}

/**
 * What "the same request" means for a retry: the change as validated (so `" Deploy "` and
 * `"Deploy"` are one), with `at` as given, absent when absent. The time the first request
 * filled in for a missing `at` is not part of it, or no retry without `at` would ever match.
 */
export function changeRequestFingerprint(change: NewChange): string {
  const fields = [change.title, change.kind, change.target, change.at ?? null, change.description];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
