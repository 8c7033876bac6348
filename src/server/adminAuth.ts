/**
 * Guard for mutating endpoints (POST /-/reload): the bearer token from the config or
 * VANTAGE_ADMIN_TOKEN when one is set; with none set, only clients on the loopback interface.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function requireAdmin(token: () => string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = token();
    if (expected === undefined) {
      if (isLoopback(req.socket.remoteAddress)) return next();
      res
        .status(403)
        .type('text')
        .send('forbidden: no admin token is configured, so only loopback clients may call this endpoint\n');
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match && tokensEqual(match[1]!.trim(), expected)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="vantage"')
      .type('text')
      .send('unauthorized: a valid bearer token is required\n');
  };
}
