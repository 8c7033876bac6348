/**
 * Open-loop load shaped like Prometheus scraping blackbox_exporter: every target's /probe URL
 * is requested once per interval, the targets' start times spread evenly over the interval.
 * Requests go out on schedule whether or not earlier ones answered (as Prometheus' scrape
 * loops do); a bound on requests in flight keeps a stalled exporter from growing the client
 * without limit, and requests not sent because of it are counted as skipped.
 */
import { Pool } from 'undici';

export interface SpreadLoadOptions {
  baseUrl: string;
  paths: readonly string[];
  intervalMs: number;
  durationMs: number;
  /** Most requests in flight at once; Prometheus' equivalent is one per target. */
  maxInFlight: number;
  headers?: Record<string, string>;
  check: (status: number, body: string) => boolean;
  /** A figure to collect from each correct response (e.g. the probe_duration_seconds it reports). */
  extract?: (body: string) => number | undefined;
}

export interface SpreadLoadResult {
  startMs: number;
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  latenciesMs: number[];
  /** What `extract` found, with the time its request was sent (Unix ms). */
  extracted: { atMs: number; value: number }[];
  firstError?: string;
}

/** How often the sender wakes up to send what has come due: small against 1/rate. */
const TICK_MS = 5;

export async function runSpreadLoad(options: SpreadLoadOptions): Promise<SpreadLoadResult> {
  const pool = new Pool(options.baseUrl, {
    connections: options.maxInFlight,
    pipelining: 1,
    headersTimeout: options.intervalMs,
    bodyTimeout: options.intervalMs,
  });
  const n = options.paths.length;
  const result: SpreadLoadResult = {
    startMs: Date.now(),
    sent: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    latenciesMs: [],
    extracted: [],
  };
  const endMs = result.startMs + options.durationMs;
  const pending = new Set<Promise<void>>();
  let next = 0; // index of the next request due, over all intervals

  const send = (path: string): void => {
    const t0 = performance.now();
    const sentMs = Date.now();
    const p = pool
      .request({ path, method: 'GET', headers: options.headers })
      .then(async (res) => {
        const body = await res.body.text();
        if (options.check(res.statusCode, body)) {
          result.ok++;
          const value = options.extract?.(body);
          if (value !== undefined) result.extracted.push({ atMs: sentMs, value });
        } else {
          result.failed++;
          result.firstError ??= `HTTP ${res.statusCode}: ${body.slice(0, 300)}`;
        }
        result.latenciesMs.push(performance.now() - t0);
      })
      .catch((err: unknown) => {
        result.failed++;
        result.firstError ??= (err as Error).message;
      })
      .finally(() => pending.delete(p));
    pending.add(p);
    result.sent++;
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      // Request k is due at start + k * interval / n: target k mod n, evenly spread.
      while (next < Number.MAX_SAFE_INTEGER) {
        const dueMs = result.startMs + (next * options.intervalMs) / n;
        if (dueMs > now || dueMs >= endMs) break;
        if (pending.size >= options.maxInFlight) result.skipped++;
        else send(options.paths[next % n]!);
        next++;
      }
      if (now >= endMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await Promise.allSettled([...pending]);
  await pool.close();
  return result;
}
