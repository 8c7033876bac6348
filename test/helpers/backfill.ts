/**
 * A real Prometheus serving backfilled history: the OpenMetrics of a SyntheticHistory
 * (syntheticHistory.ts) turned into TSDB blocks by `promtool tsdb create-blocks-from
 * openmetrics`, then Debian's Prometheus 2.42 started on that TSDB with nothing to scrape.
 *
 *   const history = generateHistory({ ... });
 *   const prom = await startBackfilledPrometheus(history);
 *   await prom.query('sum(increase(vantage_probes_total[1d]))', dayEndMs);
 *   await prom.stop();
 *
 * Why the OpenMetrics is cut into 2 h files: promtool 2.42 has no --max-block-duration flag
 * (added in 2.44); it writes 2 h blocks aligned to multiples of 2 h since the epoch and, for
 * every such block, parses the whole input file again. Weeks of data in one file would be
 * parsed hundreds of times (21 days of 2 targets at 60 s: 200 MB, 252 passes). One file per
 * aligned 2 h window is parsed once; the files are converted in parallel into the same TSDB
 * directory.
 *
 * The Prometheus runs with --storage.tsdb.min/max-block-duration=2h, so it does not start
 * compacting the hundreds of small blocks behind the test's back, and a retention of 10 years:
 * time-based retention counts back from the newest block, and the data lies in the past.
 * Its head stays empty (no scrape configs), so every query is answered from the blocks: the
 * rule that backfilled blocks should lie before the head's data cannot bite (the test checks
 * queries over the whole backfilled range).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDaemon } from './daemon.js';
import { PROMETHEUS_BIN, type Series } from './prometheus.js';
import { formatValue, labelText, type SyntheticHistory } from './syntheticHistory.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? 'promtool';
/** promtool 2.42's fixed block length. */
export const BLOCK_MS = 2 * 3_600_000;

/** One element of an instant query's result. */
export interface BackfillSample {
  metric: Record<string, string>;
  value: number;
  /** ms since the epoch. */
  timestamp: number;
}

export interface BackfilledPrometheus {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** Temp dir holding the OpenMetrics files and the TSDB (removed by stop()). */
  dir: string;
  /** Number of TSDB blocks promtool wrote. */
  blocks: number;
  /** Prometheus's log. */
  logs: string[];
  /** An instant query at `timeMs` (ms since the epoch). Scalars come back as one sample. */
  query(expr: string, timeMs: number): Promise<BackfillSample[]>;
  /** The one value of a query expected to return exactly one sample. */
  value(expr: string, timeMs: number): Promise<number>;
  /** SIGTERM and removal of the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * What backfill() reads: a SyntheticHistory, or any samples rendered as OpenMetrics (e.g. series
 * copied from another Prometheus).
 */
export type Backfillable = Pick<SyntheticHistory, 'scrapes' | 'openMetrics'>;

/**
 * Series read from other Prometheus servers (`querySeries` of a range selector) as backfill()
 * input: the same samples at the same instants. Families are interleaved and untyped, which
 * promtool accepts (backfilling ignores the metadata).
 */
export function copiedSeries(series: Series[]): Backfillable {
  const times = series.flatMap((s) => s.values.map((v) => Math.round(v.timestamp)));
  if (times.length === 0) throw new Error('copiedSeries: no samples to copy');
  return {
    scrapes: [times.reduce((a, b) => Math.min(a, b)), times.reduce((a, b) => Math.max(a, b))],
    openMetrics(fromMs = -Infinity, toMs = Infinity) {
      const out: string[] = [];
      for (const { metric, values } of series) {
        const { __name__: name, ...rest } = metric;
        const prefix = `${name}${labelText(rest)} `;
        for (const { timestamp, value } of values) {
          // The API's float seconds, back to whole milliseconds, as Prometheus stores them.
          const ms = Math.round(timestamp);
          if (ms >= fromMs && ms < toMs) out.push(`${prefix}${formatValue(value)} ${ms / 1000}\n`);
        }
      }
      out.push('# EOF\n');
      return out.join('');
    },
  };
}

export interface BackfillOptions {
  /** promtool processes at once (default: available CPUs, at most 8). */
  concurrency?: number;
  /** How long to wait for /-/ready (default 30 s: opening hundreds of blocks takes a moment). */
  timeoutMs?: number;
}

/**
 * Writes one OpenMetrics file per aligned 2 h window of `history` under `dir` and converts them
 * into TSDB blocks in `tsdbDir`. Returns the number of blocks.
 */
export async function backfill(
  history: Backfillable,
  dir: string,
  tsdbDir: string,
  concurrency = Math.min(8, availableParallelism()),
): Promise<number> {
  const { scrapes } = history;
  const first = scrapes[0]!;
  const last = scrapes[scrapes.length - 1]!;
  const windows: number[] = [];
  for (let t = first - (first % BLOCK_MS); t <= last; t += BLOCK_MS) windows.push(t);
  await mkdir(join(dir, 'openmetrics'), { recursive: true });
  await mkdir(tsdbDir, { recursive: true });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < windows.length) {
      const start = windows[next++]!;
      const file = join(dir, 'openmetrics', `${start}.om`);
      await writeFile(file, history.openMetrics(start, start + BLOCK_MS));
      try {
        await run(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdbDir], {
          maxBuffer: 16 * 1024 * 1024,
        });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`promtool on ${file}: ${e.stderr || e.message}`, { cause: err });
      }
      await rm(file);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return windows.length;
}

/** Backfills `history` into a fresh TSDB and starts Prometheus on it; resolves once it is ready. */
export async function startBackfilledPrometheus(
  history: Backfillable,
  options: BackfillOptions = {},
): Promise<BackfilledPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'vantage-backfill-'));
  try {
    const tsdbDir = join(dir, 'data');
    const blocks = await backfill(history, dir, tsdbDir, options.concurrency);
    // Nothing to scrape and no rules: the head stays empty, the blocks are all there is.
    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const daemon = await startDaemon(
      'prometheus (backfilled)',
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${tsdbDir}`,
        '--storage.tsdb.retention.time=3650d',
        '--storage.tsdb.min-block-duration=2h',
        '--storage.tsdb.max-block-duration=2h',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { url, cleanupDir: dir, timeoutMs: options.timeoutMs ?? 30_000 },
    );

    const query = async (expr: string, timeMs: number): Promise<BackfillSample[]> => {
      const body = new URLSearchParams({ query: expr, time: String(timeMs / 1000) });
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
      const json = (await res.json()) as {
        status: string;
        error?: string;
        data: { resultType: string; result: unknown };
      };
      if (json.status !== 'success')
        throw new Error(`${expr} @ ${new Date(timeMs).toISOString()}: ${json.error}`);
      const { resultType, result } = json.data;
      if (resultType === 'scalar') {
        const [t, v] = result as [number, string];
        return [{ metric: {}, value: Number(v), timestamp: t * 1000 }];
      }
      if (resultType !== 'vector') throw new Error(`${expr}: a ${resultType}, not an instant vector`);
      return (result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
        metric: s.metric,
        value: Number(s.value[1]),
        timestamp: s.value[0] * 1000,
      }));
    };

    return {
      url,
      dir,
      blocks,
      logs: daemon.logs,
      query,
      async value(expr, timeMs) {
        const samples = await query(expr, timeMs);
        if (samples.length !== 1) {
          throw new Error(`${expr} @ ${new Date(timeMs).toISOString()}: ${samples.length} samples, not 1`);
        }
        return samples[0]!.value;
      },
      stop: daemon.stop,
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
