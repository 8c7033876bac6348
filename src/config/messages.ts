/**
 * zod's default messages ("Invalid input: expected array, received string") rewritten into ones
 * an SRE reads at once ("expected a list, got a string"). Messages written in the schema itself
 * take precedence over this map, as zod does for any schema-level message.
 *
 * Values of secret fields never appear in a message.
 */
import type { z } from 'zod';
import { isSecretHeader } from './secretHeaders.js';

/** Fields whose values are secrets: their values are never quoted in errors. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'bearer_token',
  'credentials',
  'admin_token',
  'client_secret',
]);

/** Whether the value at `path` is a secret. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return false;
  if (SECRET_FIELDS.has(last)) return true;
  return path[path.length - 2] === 'headers' && isSecretHeader(last);
}

type RawIssue = z.core.$ZodRawIssue;

/** The per-parse error map passed to `safeParse`. */
export function friendlyMessage(issue: RawIssue): string | undefined {
  const secret = isSecretPath(issue.path ?? []);
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'required field is missing';
      if (secret)
        return `invalid value (expected ${expectedName(issue.expected)}; secret values are not shown)`;
      return `expected ${expectedName(issue.expected)}, got ${describeValue(input, issue.expected, secret)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => renderChoice(v)).join(', ');
      const got = secret ? 'invalid value' : `got ${describeValue(input, 'string', false)}`;
      return issue.values.length === 1
        ? `must be ${allowed} (${got})`
        : `must be one of: ${allowed} (${got})`;
    }
    case 'too_small':
      return sizeMessage(
        'at least',
        'greater than',
        issue.minimum,
        issue.inclusive,
        issue.origin,
        input,
        secret,
      );
    case 'too_big':
      return sizeMessage('at most', 'less than', issue.maximum, issue.inclusive, issue.origin, input, secret);
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue && issue.pattern) {
        return secret
          ? `invalid value (must match ${issue.pattern})`
          : `must match ${issue.pattern} (got ${describeValue(input, 'string', false)})`;
      }
      return `not a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'does not match any of the allowed forms';
    case 'invalid_key':
      return 'invalid key';
    case 'unrecognized_keys':
      // Split per key, with the "not supported by vantage" table, by the loader.
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return undefined;
  }
}

function sizeMessage(
  inclusiveWord: string,
  exclusiveWord: string,
  limit: number | bigint | Date,
  inclusive: boolean | undefined,
  origin: string,
  input: unknown,
  secret: boolean,
): string {
  const bound = `${inclusive === false ? exclusiveWord : inclusiveWord} ${String(limit)}`;
  if (origin === 'string') {
    if (Number(limit) === 1 && inclusiveWord === 'at least') return 'must not be empty';
    return `must be ${inclusiveWord} ${String(limit)} characters long`;
  }
  if (origin === 'array' || origin === 'set') {
    if (Number(limit) === 1 && inclusiveWord === 'at least') return 'must list at least one item';
    return `must list ${inclusiveWord} ${String(limit)} items`;
  }
  return secret ? `must be ${bound}` : `must be ${bound} (got ${describeValue(input, 'number', false)})`;
}

const EXPECTED_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  null: 'an empty value',
};

function expectedName(expected: string): string {
  return EXPECTED_NAMES[expected] ?? `a ${expected}`;
}

const CONTAINERS = new Set(['array', 'tuple', 'object', 'record', 'map', 'set']);

/**
 * The value as the user wrote it: scalars are quoted when a scalar was expected (`got "abc"`),
 * named by kind when a list or mapping was (`got a string`); secrets only by kind.
 */
export function describeValue(value: unknown, expected: string, secret: boolean): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret || CONTAINERS.has(expected)) {
    if (typeof value === 'string') return 'a string';
    if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
    if (typeof value === 'boolean') return 'true or false';
    return `a ${typeof value}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function renderChoice(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z0-9_./-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * `slo.availability` at 1 or above. Written as a percentage (`99.9`), it is most likely meant as
 * one: suggest the ratio.
 */
export function availabilityTooHigh(input: unknown): string {
  const message = 'must be a ratio below 1 (an objective of 100% leaves no error budget)';
  if (typeof input !== 'number' || input <= 1 || input >= 100) return message;
  // toPrecision: 99.9 / 100 is 0.9990000000000001 in floating point.
  const ratio = Number((input / 100).toPrecision(12));
  return `${message}; ${input} looks like a percentage: did you mean ${ratio}?`;
}
