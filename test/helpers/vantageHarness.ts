/**
 * Runs a real VantageService with its HTTP app on 127.0.0.1 inside the test process, with a
 * config file in a temp dir and logs captured, so tests can assert on endpoints and logs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/runtime/logger.js';
import { createRequestListener } from '../../src/server/app.js';
import { createServer } from 'node:http';
import { VantageService } from '../../src/service/service.js';

export interface Harness {
  service: VantageService;
  baseUrl: string;
  configFile: string;
  logs: string[];
  writeConfig(yaml: string): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Serve the demo pages and the demo shop, as vantage does with no --config.file. */
  serveDemoPages?: boolean;
}

export async function startVantage(configYaml: string, options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'vantage-test-'));
  const configFile = join(dir, 'vantage.yml');
  await writeFile(configFile, configYaml);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger('debug', sink);
  const service = new VantageService({
    configFile,
    demoBaseUrl: () => 'http://127.0.0.1:1',
    storagePath: dir,
    logger,
  });
  const server: Server = createServer(
    createRequestListener(service, { serveDemoPages: options.serveDemoPages ?? false }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await service.start();
  const port = (server.address() as AddressInfo).port;
  return {
    service,
    baseUrl: `http://127.0.0.1:${port}`,
    configFile,
    logs,
    writeConfig: (yaml) => writeFile(configFile, yaml),
    async close() {
      await service.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Poll until `fn` returns a truthy value or the time runs out. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
