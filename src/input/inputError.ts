/**
 * The one error of bad request input, and its one answer: HTTP 4xx with the JSON body
 * `{ "error": "<field>: <message>", "field": "<field>" }`, where `field` is a body field's dotted
 * path (`alerts.0.startsAt`) or a query parameter's name (`limit`), and `body` when the body as a
 * whole is wrong (not JSON, not an object). The CLI shows the same error as `--<field>: <message>`.
 *
 * Schemas are zod's (one module per resource beside this one); parseInput turns the first
 * issue of a failed parse into an InputError, so no route words a zod issue itself.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { z } from 'zod';

/** Bad input, naming the field (a dotted body path or a query parameter). */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The JSON body of every 4xx about input. */
export interface InputErrorBody {
  error: string;
  field: string;
}

export function inputErrorBody(field: string, message: string): InputErrorBody {
  return { error: `${field}: ${message}`, field };
}

/** Answer `status` (400 unless said) with the shared body. */
export function sendInputError(res: Response, err: InputError, status = 400): void {
  res.status(status).json(inputErrorBody(err.field, err.message));
}

/** How a schema names what it checks, for the unknown-key message and an issue at the top level. */
export interface InputShape {
  /** `field` (a body) or `parameter` (a query string). */
  noun: 'field' | 'parameter';
  /** Every key the schema takes, listed when an unknown one is refused. */
  known: readonly string[];
  /** The field an issue about the whole value names: `body` or `query`. */
  whole: string;
}

/** The InputError of a failed parse: its first issue, an unknown key before anything else. */
export function inputErrorOf(error: z.ZodError, shape: InputShape): InputError {
  const issues = error.issues;
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown) {
    const path = [...unknown.path, unknown.keys[0]!].map(String).join('.');
    return new InputError(path, `unknown ${shape.noun} (expected ${shape.known.join(', ')})`);
  }
  const issue = issues[0]!;
  return new InputError(
    issue.path.length > 0 ? issue.path.map(String).join('.') : shape.whole,
    issue.message,
  );
}

/** Parse with a schema; the typed value, or an InputError naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, shape: InputShape): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw inputErrorOf(result.error, shape);
  return result.data;
}

/**
 * The query string as single strings. A repeated (`?target=a&target=b`) or nested parameter is
 * an InputError: the APIs take every parameter at most once.
 */
export function singleValuedQuery(req: Request): Record<string, string> {
  // No prototype: `?__proto__=x` stays a parameter (and is refused as unknown) instead of vanishing.
  const raw = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(req.query)) {
    if (typeof value !== 'string') throw new InputError(key, 'must be given once');
    raw[key] = value;
  }
  return raw;
}

/**
 * The request body as a JSON object, or an InputError naming `body` that shows an `example` of
 * one: a route that reads fields asks this first, so an array or a bare string never reaches a
 * schema's field-by-field messages.
 */
export function jsonObjectBody(body: unknown, example: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError('body', `expected a JSON object such as ${example}`);
  }
  return body as Record<string, unknown>;
}

/** A list endpoint's query string through its schema: unknown parameters named, undefined dropped. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  known: readonly string[],
): z.output<S> {
  return parseInput(schema, raw, { noun: 'parameter', known, whole: 'query' });
}

/**
 * express.json()'s own failures as input errors: a body that is not JSON is 400, one over the
 * parser's `limit` is 413, both naming `body`; anything else goes on to the next handler.
 * `refused` runs first for either (the webhook counts its refusals).
 */
export function jsonBodyErrors(limitText: string, refused: () => void = () => {}): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    const e = err as { type?: string; message?: string };
    if (e.type === 'entity.parse.failed') {
      refused();
      sendInputError(res, new InputError('body', `not valid JSON: ${e.message}`));
    } else if (e.type === 'entity.too.large') {
      refused();
      sendInputError(res, new InputError('body', `larger than ${limitText}`), 413);
    } else next(err);
  };
}
