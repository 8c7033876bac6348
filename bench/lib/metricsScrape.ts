/**
 * Reading a vantage /metrics scrape for the scale benchmark: timing the scrape itself, and the
 * accounting that says whether every check ran, none twice, and how long probes took as vantage
 * recorded them; plus promtool's verdict on the exposition.
 */
import { execFileSync } from 'node:child_process';
import type { Client } from 'undici';
import { samplesOf, seriesCount, singleValue } from './exposition.js';

/** The part of a target the accounting needs: its name (the `target` label). */
export interface NamedTarget {
  name: string;
}

export interface Scrape {
  atMs: number;
  /** Request sent to the last byte received: the scrape time Prometheus sees. */
  ms: number;
  /**
   * Request sent to response headers: vantage renders the whole exposition before it sends
   * headers (Content-Length), so this is its render time plus loopback latency.
   */
  headersMs: number;
  bytes: number;
  series: number;
  lagSeconds: number;
  body: string;
}

/** A scrape as it came off the wire, read later (see readScrape). */
export type RawScrape = Omit<Scrape, 'series' | 'lagSeconds' | 'body'> & { raw: Buffer };

/**
 * One /metrics scrape over a kept-alive connection, as Prometheus does, timed to the last byte,
 * and not decoded: reading a 26 MB body costs the bench a second of CPU, which on a small
 * machine would be taken from the exporter under test while it runs (Prometheus does its
 * parsing elsewhere). `readScrape` decodes it once the run is over.
 */
export async function fetchScrape(client: Client): Promise<RawScrape> {
  const atMs = Date.now();
  const t0 = performance.now();
  const res = await client.request({ path: '/metrics', method: 'GET' });
  const headersMs = performance.now() - t0;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  const ms = performance.now() - t0;
  const raw = Buffer.concat(chunks);
  if (res.statusCode !== 200)
    throw new Error(`/metrics answered ${res.statusCode}: ${raw.toString('utf8', 0, 300)}`);
  return { atMs, ms, headersMs, bytes: raw.length, raw };
}

export function readScrape(s: RawScrape): Scrape {
  const body = s.raw.toString('utf8');
  const { raw: _raw, ...figures } = s;
  return {
    ...figures,
    series: seriesCount(body),
    lagSeconds: singleValue(body, 'vantage_scheduler_lag_seconds'),
    body,
  };
}

/** Probes run so far per check (target), from vantage_probes_total{result}. */
function probeCounts(body: string): Map<string, { success: number; failure: number }> {
  const counts = new Map<string, { success: number; failure: number }>();
  for (const s of samplesOf(body, new Set(['vantage_probes_total']))) {
    const c = counts.get(s.labels.target ?? '') ?? { success: 0, failure: 0 };
    if (s.labels.result === 'success') c.success += s.value;
    else c.failure += s.value;
    counts.set(s.labels.target ?? '', c);
  }
  return counts;
}

/** Totals at the end of the run: did every check run, and did every probe succeed? */
export interface FinalAccounting {
  success: number;
  failure: number;
  checksNeverRun: number;
  minPerCheck: number;
  maxPerCheck: number;
  probeSuccessOne: number;
  probeSuccessZero: number;
  skippedRuns: number;
  /** Share of all probes since start slower than 25 and 100 ms, from the duration histogram. */
  histogramSlowerThan: { le: string; share: number }[];
}

/**
 * Shares of every probe recorded since start (the histogram counts them all, the start-up burst
 * included) slower than 25 ms and 100 ms, two of the histogram's bucket bounds.
 */
function histogramShares(body: string): { le: string; share: number }[] {
  const perBound = new Map<string, number>();
  for (const s of samplesOf(body, new Set(['vantage_probe_duration_seconds_bucket']))) {
    const le = s.labels.le ?? '';
    perBound.set(le, (perBound.get(le) ?? 0) + s.value);
  }
  const total = perBound.get('+Inf') ?? NaN;
  return ['0.025', '0.1']
    .filter((le) => perBound.has(le))
    .map((le) => ({ le, share: (total - perBound.get(le)!) / total }));
}

export function finalAccounting(body: string, targets: readonly NamedTarget[]): FinalAccounting {
  const counts = probeCounts(body);
  const perCheck = targets.map((t) => {
    const c = counts.get(t.name);
    return c ? c.success + c.failure : 0;
  });
  const successes = samplesOf(body, new Set(['probe_success']));
  let success = 0;
  let failure = 0;
  for (const c of counts.values()) {
    success += c.success;
    failure += c.failure;
  }
  return {
    success,
    failure,
    checksNeverRun: perCheck.filter((c) => c === 0).length,
    minPerCheck: perCheck.reduce((a, b) => Math.min(a, b), Infinity),
    maxPerCheck: perCheck.reduce((a, b) => Math.max(a, b), 0),
    probeSuccessOne: successes.filter((s) => s.value === 1).length,
    probeSuccessZero: successes.filter((s) => s.value === 0).length,
    skippedRuns: singleValue(body, 'vantage_scheduler_skipped_runs_total'),
    histogramSlowerThan: histogramShares(body),
  };
}

/**
 * Probes run between two scrapes exactly `intervals` intervals apart, both after startup. Once
 * past its first run a check fires at a fixed rate, so over such a window every check must run
 * exactly `intervals` times: a model-free test of "no check lost, none doubled" that does not
 * depend on how the scheduler places first runs.
 */
export interface WindowAccounting {
  fromS: number;
  toS: number;
  intervals: number;
  expected: number;
  ran: number;
  failed: number;
  /** Checks that ran a number of times other than `intervals` in the window. */
  checksOff: number;
  /**
   * Of those, the checks off by more than one run. One either way is the window's edge: a probe
   * that ends just as a bounding scrape is taken lands on one side or the other (the main
   * thread hears of a probe up to 100 ms after it ends).
   */
  checksOffByMore: number;
}

export function windowAccounting(
  from: Scrape,
  to: Scrape,
  readyMs: number,
  intervals: number,
  targets: readonly NamedTarget[],
): WindowAccounting {
  const before = probeCounts(from.body);
  const after = probeCounts(to.body);
  let ran = 0;
  let failed = 0;
  let checksOff = 0;
  let checksOffByMore = 0;
  for (const t of targets) {
    const a = before.get(t.name) ?? { success: 0, failure: 0 };
    const b = after.get(t.name) ?? { success: 0, failure: 0 };
    const n = b.success + b.failure - (a.success + a.failure);
    ran += n;
    failed += b.failure - a.failure;
    if (n !== intervals) checksOff++;
    if (Math.abs(n - intervals) > 1) checksOffByMore++;
  }
  return {
    fromS: (from.atMs - readyMs) / 1000,
    toS: (to.atMs - readyMs) / 1000,
    intervals,
    expected: targets.length * intervals,
    ran,
    failed,
    checksOff,
    checksOffByMore,
  };
}

/** `promtool check metrics` on a scrape: exit status and its findings (lint problems go to stderr). */
export function promtoolVerdict(body: string): string {
  try {
    const out = execFileSync('promtool', ['check', 'metrics'], {
      input: body,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return `OK (exit 0)${out.trim() ? `: ${out.trim()}` : ''}`;
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string; message: string };
    const findings = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n');
    const shown = findings.slice(0, 10).join('\n    ');
    const more = findings.length > 10 ? `\n    ... ${findings.length - 10} more lines` : '';
    // promtool exits 3 for lint findings (the exposition parsed) and 1 for a parse error.
    const kind = e.status === 3 ? 'lint findings' : 'FAILED';
    return `${kind} (exit ${e.status ?? '?'}):\n    ${shown || e.message}${more}`;
  }
}
