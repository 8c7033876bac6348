/**
 * A target for load tests, on 127.0.0.1: it answers 200 at most `capacity` requests/s and queues
 * the rest (first come, first served, without limit), like a server with a fixed amount of work
 * per second; or it answers at once when no capacity is given. It counts every request it
 * receives, so a test can prove a refused load test sent none, and it can start answering 500
 * after a number of requests (a target that breaks mid-run).
 *
 * The capacity is a token bucket refilled every millisecond and holding at most 50 ms of tokens (timers fire late on a busy machine, and a smaller bucket would lose the tokens of a late tick):
 * a burst of more than that waits its turn, so the server's throughput is N/s to within the
 * timer's jitter, and the latency of a request is its wait in the queue.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { startHttpServer, type TestServer } from './servers.js';

export interface LoadTarget extends TestServer {
  url: string;
  /** requests received so far */
  received(): number;
  /** from now on (or after `after` more requests), answer 500 */
  failAfter(after: number): void;
}

export async function startLoadTarget(
  options: { capacity?: number; failAfter?: number } = {},
): Promise<LoadTarget> {
  let received = 0;
  let failFrom = options.failAfter ?? Infinity;
  const queue: ServerResponse[] = [];
  const answer = (res: ServerResponse, status: number) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '3' });
    res.end(status === 200 ? 'ok\n' : 'no\n');
  };
  let tokens = 0;
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const capacity = options.capacity;
  if (capacity !== undefined) {
    const bucket = Math.max(1, (capacity * 50) / 1000);
    timer = setInterval(() => {
      const now = performance.now();
      tokens = Math.min(bucket, tokens + ((now - last) * capacity) / 1000);
      last = now;
      while (tokens >= 1 && queue.length > 0) {
        tokens -= 1;
        answer(queue.shift()!, 200);
      }
    }, 1);
  }
  const server = await startHttpServer((_req: IncomingMessage, res: ServerResponse) => {
    received += 1;
    if (received > failFrom) return answer(res, 500);
    if (capacity === undefined) return answer(res, 200);
    queue.push(res);
  });
  return {
    ...server,
    url: `${server.origin}/`,
    received: () => received,
    failAfter: (after: number) => {
      failFrom = received + after;
    },
    close: async () => {
      if (timer) clearInterval(timer);
      await server.close();
    },
  };
}

/** startLoadTarget({ capacity }) in a child process (loadTargetMain.ts); kill() stops it. */
export async function startLoadTargetProcess(
  capacity: number,
): Promise<{ url: string; kill(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'loadTargetMain.ts'), String(capacity)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`the load target exited (${code}) before listening`)));
  });
  return {
    url,
    kill: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
