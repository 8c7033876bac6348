/**
 * Guard for mutating endpoints (POST /-/reload): the bearer token from the config or
 * VANTAGE_ADMIN_TOKEN when one is set; with none set, only clients on the loopback interface
 * (or, for the Alertmanager webhook, on a private network: see requireAdmin's option).
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

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

/**
 * `allowPrivateNetworks`: with no token configured, also admit clients on a private network.
 * Only for the Alertmanager webhook: Alertmanager runs in its own container under docker
 * compose, and its webhook carries no token unless one is configured on both sides.
 */
export function requireAdmin(
  token: () => string | undefined,
  { allowPrivateNetworks = false }: { allowPrivateNetworks?: boolean } = {},
) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = token();
    if (expected === undefined) {
      const client = req.socket.remoteAddress;
      if (isLoopback(client) || (allowPrivateNetworks && isPrivateNetwork(client))) return next();
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
    if (match && tokensEqual(match[1]!.trim(), expected)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="vantage"')
      .type('text')
      .send('unauthorized: a valid bearer token is required\n');
  };
}
