/**
 * A real node_exporter (Debian's prometheus-node-exporter) on 127.0.0.1, on a port free a moment
 * before it starts: the host metrics the capacity rules and the Capacity dashboard read.
 *
 *   const node = await startNodeExporter();
 *   await startPrometheus({ vantage: ..., node: [node.address] });
 *   await node.stop();
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { freePort } from './ports.js';

export const NODE_EXPORTER_BIN = process.env.NODE_EXPORTER_BIN ?? 'prometheus-node-exporter';

export interface NodeExporter {
  /** "127.0.0.1:PORT": the scrape address, and so the node series' `instance`. */
  address: string;
  url: string;
  stop(): Promise<void>;
}

/** Resolves once its landing page answers (node_exporter has no /-/ready). */
export async function startNodeExporter(timeoutMs = 10_000): Promise<NodeExporter> {
  // The port is free when chosen but could be taken before node_exporter binds it: try again.
  for (let attempt = 1; ; attempt++) {
    const address = `127.0.0.1:${await freePort()}`;
    const url = `http://${address}`;
    try {
      const daemon = await startDaemon(
        'node_exporter',
        NODE_EXPORTER_BIN,
        [`--web.listen-address=${address}`],
        {
          url,
          cleanupDir: await mkdtemp(join(tmpdir(), 'vantage-node-exporter-')),
          timeoutMs,
          readyPath: '/',
        },
      );
      return { address, url, stop: daemon.stop };
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
    }
  }
}
