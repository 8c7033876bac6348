/**
 * Authentication of write endpoints (POST /-/reload, /api/changes, /api/reports,
 * /api/alertmanager): the bearer token from the config, its file or VANTAGE_ADMIN_TOKEN when one
 * is set; with none set, only clients on the loopback interface (or, for the Alertmanager
 * webhook, on a private network: see requireAdmin's option). What a browser may be tricked into
 * sending (Origin, Host, Content-Type) is checked before, by writeRequestGuard, for every route.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Counter } from 'prom-client';
import type { WriteRefusal } from '../metrics/serviceHealth.js';
import type { FailedAttemptLimiter } from '../service/failedAttempts.js';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/**
 * RFC 1918 and unique-local IPv6 addresses: where a docker compose network or a LAN puts
 * Alertmanager. Not link-local, not shared CGNAT space.
 */
export function isPrivateNetwork(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(a);
  if (m) {
    const [first, second] = [Number(m[1]), Number(m[2])];
    return (
      first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168)
    );
  }
  return /^f[cd][0-9a-f]{2}:/i.test(a);
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
 * `allowPrivateNetworks`: with no token configured, also admit clients on a private network.
 * Only for the Alertmanager webhook: Alertmanager runs in its own container under docker
 * compose, and its webhook carries no token unless one is configured on both sides.
 *
 * Wrong tokens are rate-limited per client address (FailedAttemptLimiter): past the burst, a
 * client gets 429 with Retry-After for every bearer attempt, without its token being compared:
 * telling a right token from a wrong one while limited would let the guessing go on at full
 * speed. A right token never counts; a client that sent none is answered 401 and not counted.
 */
export function requireAdmin(
  service: AdminGuarded,
  { allowPrivateNetworks = false }: { allowPrivateNetworks?: boolean } = {},
) {
  const refused = (reason: WriteRefusal) => service.health.writeRefusals.inc({ reason });
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = service.adminToken;
    const client = req.socket.remoteAddress;
    if (expected === undefined) {
      if (isLoopback(client) || (allowPrivateNetworks && isPrivateNetwork(client))) return next();
      refused('client_address');
      res
        .status(403)
        .type('text')
        .send(
          allowPrivateNetworks
            ? 'forbidden: no admin token is configured, so only loopback and private-network clients may call this endpoint\n'
            : 'forbidden: no admin token is configured, so only loopback clients may call this endpoint\n',
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
