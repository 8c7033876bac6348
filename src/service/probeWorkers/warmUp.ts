/**
 * One HTTP exchange with a server inside the worker before its first timed probe. undici
 * compiles its HTTP parser (WebAssembly) and V8 the client's code at first use; in a fresh
 * worker that held the first probes for tens of milliseconds, which they recorded as their
 * durations (25 of 24,821 probes over 100 ms in a 10,000-target run, all in its first seconds).
 * Loopback only, to a server of this thread; nothing leaves the process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '../../probers/http/undiciClient.js';

export async function warmUp(): Promise<void> {
  const server = createServer((_req, res) => res.end('warm'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new Client(`http://127.0.0.1:${port}`);
  try {
    const res = await client.request({ path: '/', method: 'GET' });
    await res.body.text();
  } finally {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
