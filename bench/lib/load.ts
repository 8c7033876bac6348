/**
 * Closed-loop load: a fixed number of workers, each sending its next request as soon as the
 * previous one answers, for a fixed time. Only requests that start and finish inside the
 * measured window count, so the warm-up and the requests straddling the end are left out.
 */
import { Pool } from 'undici';

export interface RequestOutcome {
  /** performance.now() milliseconds: sub-millisecond latencies, immune to clock steps. */
  startMs: number;
  endMs: number;
  ok: boolean;
}

export interface ClosedLoopOptions {
  baseUrl: string;
  path: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Whether a response is correct (e.g. `probe_success 1`); a wrong answer counts as an error. */
  check: (status: number, body: string) => boolean;
  /** Called when the measured window opens and closes (to read CPU counters at those instants). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}

export interface ClosedLoopResult {
  windowStartMs: number;
  windowEndMs: number;
  /** Requests that started and finished inside the window. */
  measured: RequestOutcome[];
  firstError?: string;
}

/** Longest a single request may take before it counts as an error; keeps the run bounded. */
const REQUEST_TIMEOUT_MS = 15_000;

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  // One connection per worker, kept alive: the load generator should add as little work as it can.
  const pool = new Pool(options.baseUrl, {
    connections: options.concurrency,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const startMs = performance.now();
  const windowStartMs = startMs + options.warmupMs;
  const windowEndMs = windowStartMs + options.durationMs;
  const outcomes: RequestOutcome[] = [];
  let firstError: string | undefined;
  const timers = [
    setTimeout(() => options.onWindowStart?.(), options.warmupMs),
    setTimeout(() => options.onWindowEnd?.(), options.warmupMs + options.durationMs),
  ];

  const worker = async (): Promise<void> => {
    while (performance.now() < windowEndMs) {
      const t0 = performance.now();
      let ok = false;
      try {
        const res = await pool.request({ path: options.path, method: 'GET' });
        const body = await res.body.text();
        ok = options.check(res.statusCode, body);
        if (!ok) firstError ??= `HTTP ${res.statusCode}: ${body.slice(0, 300)}`;
      } catch (err) {
        firstError ??= (err as Error).message;
      }
      outcomes.push({ startMs: t0, endMs: performance.now(), ok });
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    timers.forEach(clearTimeout);
    await pool.close();
  }
  const measured = outcomes.filter((o) => o.startMs >= windowStartMs && o.endMs <= windowEndMs);
  return { windowStartMs, windowEndMs, measured, firstError };
}
