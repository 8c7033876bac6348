/**
 * vantage's app served on this machine's first non-loopback IPv4 address, for the tests of
 * endpoints that admit only loopback (or private-network) clients without a token: a request
 * to that address comes from it, so it is not loopback.
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

/** Runs `use` with the base URL of `service`'s app listening on `externalAddress`, then closes it. */
export async function withExternalServer(
  service: VantageService,
  use: (baseUrl: string) => Promise<void>,
): Promise<void> {
  const address = externalAddress;
  if (!address) throw new Error('this machine has no non-loopback IPv4 address');
  const app = createApp(service, { serveDemoPages: false });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, address, () => resolve(s));
  });
  try {
    await use(`http://${address}:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
