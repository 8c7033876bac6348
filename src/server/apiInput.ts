/**
 * Input handling shared by the JSON APIs (/api/changes, /api/incidents): one error shape that
 * names the field, and query strings where every parameter is given at most once.
 */
import type { Request, Response } from 'express';

/** 400 with `{error: "<field>: <message>", field}`. */
export function badRequest(res: Response, field: string, message: string): void {
  res.status(400).json({ error: `${field}: ${message}`, field });
}

/**
 * The query string as single strings, or undefined after answering 400 when a parameter is
 * repeated (`?target=a&target=b`) or nested, which the APIs do not accept.
 */
export function singleValuedQuery(req: Request, res: Response): Record<string, string> | undefined {
  // No prototype: `?__proto__=x` stays a parameter (and is refused as unknown) instead of vanishing.
  const raw = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(req.query)) {
    if (typeof value !== 'string') {
      badRequest(res, key, 'must be given once');
      return undefined;
    }
    raw[key] = value;
  }
  return raw;
}
