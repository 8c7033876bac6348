/**
 * vantage's app served on one of this machine's non-loopback addresses, for the tests of
 * endpoints that admit only loopback clients without a token: a request to that address comes
 * from it, so it is not loopback.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createApp } from '../../src/server/app.js';
import type { VantageService } from '../../src/service/service.js';

/** The first non-internal IPv4 address, or undefined on a machine without one (skip the test then). */
export const externalAddress: string | undefined = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/**
 * The first non-internal address on a private network (RFC 1918 or IPv6 unique-local), where a
 * compose network or a LAN puts Alertmanager; undefined on a machine without one.
 */
export const privateNetworkAddress: string | undefined = Object.values(networkInterfaces())
  .flat()
  .find(
    (a) =>
      a &&
      !a.internal &&
      (a.family === 'IPv4'
        ? /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a.address)
        : /^f[cd][0-9a-f]{2}:/i.test(a.address)),
  )?.address;

/**
 * Runs `use` with the base URL of `service`'s app listening on `address` (default
 * `externalAddress`), then closes it.
 */
export async function withExternalServer(
  service: VantageService,
  use: (baseUrl: string) => Promise<void>,
  address = externalAddress,
): Promise<void> {
  if (!address) throw new Error('this machine has no non-loopback address of that kind');
  const app = createApp(service, { serveDemoPages: false });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, address, () => resolve(s));
  });
  try {
    const host = address.includes(':') ? `[${address}]` : address;
    await use(`http://${host}:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
