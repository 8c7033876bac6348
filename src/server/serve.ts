/**
 * `vantage serve`: start the HTTP listener, load the config and start probing; reload on
 * SIGHUP; on SIGTERM/SIGINT stop accepting, abort probes in flight and exit within 5 s.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoBaseUrl } from '../demo/demoConfig.js';
import { createLogger, type LogFormat, type LogLevel } from '../runtime/logger.js';
import { VantageService } from '../service/service.js';
import { StoreLocationError, storeToUse } from '../store/location.js';
import type { Shard } from '../service/shard.js';
import { VERSION } from '../runtime/version.js';
import { createRequestListener, createRumRequestListener } from './app.js';
import { createServer, type RequestListener } from 'node:http';

export interface ServeOptions {
  configFile?: string;
  listen: { host: string; port: number };
  /** --rum.listen-address: a listener of its own for the field-data beacon and snippet. */
  rumListen?: { host: string; port: number };
  storagePath: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** --shard: the share of the targets this instance probes; default every target. */
  shard?: Shard;
  /** --probe.workers: threads for the HTTP probes; default from the cores and the fleet. */
  probeWorkers?: number;
}

/** Hard limit for a clean stop; anything still running after it is cut off. */
const SHUTDOWN_GRACE_MS = 4500;

/** The index page as a browser on this host reaches it: a wildcard address is opened as localhost. */
export function indexPageUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/`;
}

/** Bind a listener; resolves once listening, rejects with the bind error (EADDRINUSE, …). */
async function listen(listener: RequestListener, address: { host: string; port: number }): Promise<Server> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus' idle connection timeout
  return server;
}

export async function serve(options: ServeOptions): Promise<number> {
  const logger = createLogger(options.logLevel, undefined, options.logFormat);
  // The same store `vantage change add --storage.path=…` finds (a stack's too); the first start creates it.
  let store;
  try {
    store = storeToUse(options.storagePath, { create: true });
  } catch (err) {
    if (!(err instanceof StoreLocationError)) throw err;
    logger.error(err.message);
    return 1;
  }
  await mkdir(store.dir, { recursive: true });
  logger.info({ store: store.file }, store.created ? 'creating the store' : 'using the store');

  // Listen first: the demo pages must be up before the first demo probe, and /-/ready says
  // "not ready" until the configuration is loaded.
  let boundPort = options.listen.port;
  const service = new VantageService({
    configFile: options.configFile,
    demoBaseUrl: () => demoBaseUrl(options.listen.host, boundPort),
    storagePath: store.dir,
    logger,
    shard: options.shard,
    probeWorkers: options.probeWorkers,
  });
  const app = createRequestListener(service, {
    serveDemoPages: options.configFile === undefined,
    listenHost: options.listen.host,
    serveRum: options.rumListen === undefined,
  });
  const server = await listen(app, options.listen);
  const bound = server.address() as AddressInfo;
  boundPort = bound.port;
  logger.info(
    { version: VERSION, address: `${bound.address}:${bound.port}`, config: service.configSource },
    'vantage listening',
  );

  let rumServer: Server | undefined;
  try {
    if (options.rumListen) {
      rumServer = await listen(createRumRequestListener(service), options.rumListen);
      const rumBound = rumServer.address() as AddressInfo;
      logger.info({ address: `${rumBound.address}:${rumBound.port}` }, 'field-data beacon listening');
    }
    await service.start();
  } catch (err) {
    logger.error(
      `${(err as Error).message}${rumServer === undefined && options.rumListen ? ' (--rum.listen-address)' : ''}`,
    );
    for (const s of [server, rumServer]) {
      s?.close();
      s?.closeAllConnections();
    }
    return 1;
  }
  // The one line a newcomer needs from the start-up output.
  const url = indexPageUrl(options.listen.host, bound.port);
  logger.info({ url }, `Open ${url} for the targets, their latest results and the reports`);

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.warn('shutdown grace period over; exiting with work still in flight');
        resolve(0);
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      for (const s of [server, rumServer]) {
        s?.close();
        s?.closeIdleConnections();
      }
      void service.stop().then(() => {
        server.closeAllConnections();
        rumServer?.closeAllConnections();
        clearTimeout(force);
        logger.info('stopped');
        resolve(0);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info('SIGHUP received, reloading configuration');
      void service.reload();
    });
  });
}
