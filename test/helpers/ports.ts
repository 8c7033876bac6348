/**
 * A TCP port on 127.0.0.1 that was free a moment ago: for daemons (Prometheus, Alertmanager,
 * vantage as a child process) that must be told their port before they start. Another process
 * can take it in between; the Alertmanager helper retries on "address already in use".
 */
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}
