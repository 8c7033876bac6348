/**
 * Authentication of write endpoints (POST /-/reload, /api/changes, /api/reports,
 * /api/alertmanager): the bearer token from the config, its file, VANTAGE_ADMIN_TOKEN_FILE or
 * VANTAGE_ADMIN_TOKEN when one is set; with none set, only clients on the loopback interface.
 * No private-network exception: a LAN is not a trust boundary, and compose and `vantage stack`
 * give Alertmanager a generated token instead (docs/security.md). What a browser may be tricked
 * into sending (Origin, Host, Content-Type) is checked before, by writeRequestGuard, for every
 * route.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Counter } from 'prom-client';
import type { WriteRefusal } from '../metrics/serviceHealth.js';
import { SET_ADMIN_TOKEN_HINT } from '../service/adminToken.js';
import type { FailedAttemptLimiter } from '../service/failedAttempts.js';

/**
 * Whether a socket address is loopback: 127.0.0.0/8, ::1, and IPv4-mapped loopback
 * (::ffff:127.x.y.z, as a dual-stack listener reports IPv4 clients). Only the socket's own
 * peer address is ever passed here, never X-Forwarded-For: a header is what a client says.
 */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What requireAdmin needs of the running service. */
export interface AdminGuarded {
  /** The configured token, if any. */
  readonly adminToken: string | undefined;
  /** Wrong tokens per client, shared by every admin route. */
  readonly failedAdminAttempts: FailedAttemptLimiter;
  readonly health: { readonly writeRefusals: Counter<'reason'> };
}

/**
 * Wrong tokens are rate-limited per client address (FailedAttemptLimiter): past the burst, a
 * client gets 429 with Retry-After for every bearer attempt, without its token being compared:
 * telling a right token from a wrong one while limited would let the guessing go on at full
 * speed. A right token never counts; a client that sent none is answered 401 and not counted.
 */
export function requireAdmin(service: AdminGuarded) {
  const refused = (reason: WriteRefusal) => service.health.writeRefusals.inc({ reason });
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = service.adminToken;
    const client = req.socket.remoteAddress;
    if (expected === undefined) {
      if (isLoopback(client)) return next();
      refused('client_address');
      res
        .status(403)
        .type('text')
        .send(
          `forbidden: no admin token is set, so write APIs accept loopback clients only (this request came from ${client ?? 'an unknown address'}); to write from other hosts, ${SET_ADMIN_TOKEN_HINT}\n`,
        );
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match && client !== undefined) {
      const waitMs = service.failedAdminAttempts.retryAfterMs(client);
      if (waitMs > 0) {
        refused('rate_limited');
        const seconds = Math.ceil(waitMs / 1000);
        res
          .status(429)
          .set('Retry-After', String(seconds))
          .type('text')
          .send(`too many wrong admin tokens from this address; try again in ${seconds} s\n`);
        return;
      }
    }
    if (match && tokensEqual(match[1]!.trim(), expected)) return next();
    if (match && client !== undefined) service.failedAdminAttempts.fail(client);
    refused('unauthorized');
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="vantage"')
      .type('text')
      .send('unauthorized: a valid bearer token is required\n');
  };
}
