/**
 * A probe worker's entry point (a worker_threads thread; started by pool.ts from dist/): one
 * ProbeShard, wired to the parent port. Anything thrown here ends the thread, and the pool
 * starts a new one with the same checks.
 */
import { parentPort } from 'node:worker_threads';
import type { MainToWorker } from './protocol.js';
import { ProbeShard } from './probeShard.js';
import { warmUp } from './warmUp.js';

if (!parentPort) throw new Error('the probe worker runs as a worker thread, started by vantage');
const port = parentPort;
// Before the first message is taken (the port holds them until a listener is attached), so
// no check is scheduled while the HTTP client is still cold. A failed warm-up costs only that.
await warmUp().catch(() => undefined);
const shard = new ProbeShard((message, transfer) => port.postMessage(message, transfer));
port.on('message', (message: MainToWorker) => shard.handle(message));
