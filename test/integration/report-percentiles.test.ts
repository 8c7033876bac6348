/**
 * The report's p95 against the exact percentile of known durations (issue 12, point 2), on two
 * weeks of history backfilled into a real Prometheus 2.42 (test/helpers/backfill.ts):
 *
 * - api, cdn, static: every duration below the first 25 ms bucket, real p95s of about 6.6,
 *   18.7 and 15.1 ms. From the buckets all three read "24 ms" (0.95 of 25 ms).
 * - shop: about 800 ms ± 25 %, 40 % faster after a change, a 5 s timeout window every night,
 *   probed every 30 s but scraped every 60 s (the raw samples are every other probe).
 * - blog: about 300 ms, an outage of refused connections (3 ms).
 *
 * For every day, for the two weeks as one period, per target and overall (all targets merged),
 * the report's p95 must be within 5 % of the nearest-rank 95th percentile of the probes'
 * durations in the period, and say it came from raw samples. With a raw-sample budget too small
 * for the merge, the overall figure falls back to the buckets and says so, with bounds that
 * hold the true value. `vantage report` prints the same figures and their source.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { monitoringFigures, type MonitoringFigures } from '../../src/report/monitoring.js';
import { createPrometheusClient, type PrometheusClient } from '../../src/report/prometheusClient.js';
import { Store } from '../../src/store/store.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory, type SyntheticHistory } from '../helpers/syntheticHistory.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC
const DAYS = 14;
const TARGETS = ['api', 'blog', 'cdn', 'shop', 'static'];
/** The acceptance criterion: within 5 % of the exact percentile. */
const TOLERANCE = 0.05;

let history: SyntheticHistory;
let prom: BackfilledPrometheus;
let client: PrometheusClient;

beforeAll(async () => {
  const fast = (name: string, baseSeconds: number) => ({
    name,
    probeIntervalSeconds: 60,
    latency: { baseSeconds, jitter: 0.1, resolutionSeconds: 0.00001 },
  });
  history = generateHistory({
    startMs: START,
    endMs: START + DAYS * DAY,
    scrapeIntervalSeconds: 60,
    seed: 12,
    targets: [
      fast('api', 0.00605),
      fast('cdn', 0.01715),
      fast('static', 0.01385),
      {
        name: 'shop',
        probeIntervalSeconds: 30,
        latency: { baseSeconds: 0.8, jitter: 0.25, steps: [{ atMs: START + 7.5 * DAY, factor: 0.6 }] },
        dailyFailure: { start: '02:00', minutes: 90, timeZone: 'Europe/Berlin' },
      },
      {
        name: 'blog',
        probeIntervalSeconds: 60,
        latency: { baseSeconds: 0.3, jitter: 0.1 },
        outages: [{ startMs: START + 3 * DAY + 10 * HOUR, endMs: START + 3 * DAY + 12 * HOUR }],
      },
    ],
  });
  prom = await startBackfilledPrometheus(history);
  client = createPrometheusClient(prom.url);
}, 300_000);

afterAll(async () => {
  await prom?.stop();
});

/** Nearest-rank quantile of the known durations of the probes in (start, end]. */
function exactPercentile(targets: readonly string[], start: number, end: number, q = 0.95): number {
  const durations = targets
    .flatMap((t) => history.truth(t).between(start, end))
    .map((p) => p.durationSeconds)
    .sort((a, b) => a - b);
  return durations[Math.max(0, Math.ceil(q * durations.length) - 1)]!;
}

function expectWithinTolerance(figures: MonitoringFigures, exact: number): void {
  const what = `${figures.target ?? 'overall'}: p95 ${figures.p95ResponseSeconds} vs exact ${exact}`;
  expect(Math.abs(figures.p95ResponseSeconds! - exact) / exact, what).toBeLessThan(TOLERANCE);
}

describe('the report p95 on backfilled history with known durations', () => {
  it('is within 5 % of the exact p95 for every day, per target and overall, from raw samples', async () => {
    for (let d = 0; d < DAYS; d++) {
      const start = START + d * DAY;
      const end = start + DAY;
      const result = await monitoringFigures(client, { start, end });
      expect(result.targets.map((t) => t.target)).toEqual(TARGETS);
      for (const figures of result.targets) {
        expectWithinTolerance(figures, exactPercentile([figures.target!], start, end));
        const scrapes = (end - start) / 60_000;
        expect(figures.p95Source).toEqual({
          kind: 'raw-samples',
          samples: scrapes,
          bucketLowerSeconds: null,
          bucketUpperSeconds: null,
          maxErrorRatio: null,
        });
      }
      expectWithinTolerance(result.overall, exactPercentile(TARGETS, start, end));
      expect(result.overall.p95Source!.kind).toBe('raw-samples');
      expect(result.overall.p95Source!.samples).toBe(TARGETS.length * 1440);
    }
  }, 60_000);

  it('tells apart the fast targets the first bucket lumps together as "24 ms"', async () => {
    const start = START + 2 * DAY;
    const result = await monitoringFigures(client, { start, end: start + DAY });
    const p95 = (name: string) => result.targets.find((t) => t.target === name)!.p95ResponseSeconds!;
    // The real p95s: about 6.6, 18.7 and 15.1 ms.
    expect(p95('api') * 1000).toBeCloseTo(6.6, 0);
    expect(p95('cdn') * 1000).toBeCloseTo(18.7, 0);
    expect(p95('static') * 1000).toBeCloseTo(15.1, 0);
    // What the buckets say for all three.
    for (const name of ['api', 'cdn', 'static']) {
      expect(history.truth(name).histogramQuantile(0.95, start, start + DAY)).toBeCloseTo(0.02375, 9);
    }
  });

  it('is within 5 % over the two weeks as one period', async () => {
    const start = START;
    const end = START + DAYS * DAY;
    const result = await monitoringFigures(client, { start, end });
    for (const figures of result.targets) {
      expectWithinTolerance(figures, exactPercentile([figures.target!], start, end));
    }
    expectWithinTolerance(result.overall, exactPercentile(TARGETS, start, end));
  });

  it('falls back to the buckets for the overall figure beyond the raw-sample budget, and says so', async () => {
    const start = START + 4 * DAY;
    const end = start + DAY;
    const result = await monitoringFigures(client, { start, end }, { rawSampleBudget: 1000 });
    // Per target Prometheus's quantile_over_time still reads the raw samples.
    for (const figures of result.targets) {
      expect(figures.p95Source!.kind).toBe('raw-samples');
      expectWithinTolerance(figures, exactPercentile([figures.target!], start, end));
    }
    const overall = result.overall.p95Source!;
    const exact = exactPercentile(TARGETS, start, end);
    expect(overall.kind).toBe('buckets');
    expect(overall.samples).toBe(result.overall.probes);
    expect(overall.bucketLowerSeconds!).toBeLessThanOrEqual(exact);
    expect(overall.bucketUpperSeconds!).toBeGreaterThanOrEqual(exact);
    const figure = result.overall.p95ResponseSeconds!;
    expect(Math.abs(figure - exact) / exact).toBeLessThanOrEqual(overall.maxErrorRatio!);
  });
});

describe('vantage report (CLI)', () => {
  const CLI = join(import.meta.dirname, '../helpers/cliEntry.ts');

  it('prints each p95 with its source, in Markdown and JSON', async () => {
    // An empty store: the report is made from Prometheus alone.
    const storeDir = await mkdtemp(join(tmpdir(), 'vantage-report-p95-'));
    Store.open(storeDir).close();
    try {
      const run = (format: string) =>
        spawnSync(
          process.execPath,
          [
            '--import',
            'tsx',
            CLI,
            'report',
            `--prometheus.url=${prom.url}`,
            '--date=2025-01-15',
            `--storage.path=${storeDir}`,
            `--format=${format}`,
          ],
          { encoding: 'utf8', timeout: 60_000 },
        );
      const json = run('json');
      expect(json.status, json.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as Report;
      const start = Date.UTC(2025, 0, 15);
      for (const t of report.monitoring.targets) {
        const exact = exactPercentile([t.target!], start, start + DAY);
        expect(Math.abs(t.p95ResponseSeconds.current! - exact) / exact).toBeLessThan(TOLERANCE);
        expect(t.p95Source.current!.kind).toBe('raw-samples');
      }
      // An exact figure: no "(from buckets)" after it.
      expect(report.summary.headline).toMatch(/ · p95 \d+ ms · /);

      const md = run('md');
      expect(md.status, md.stderr).toBe(0);
      expect(md.stdout).toContain('| p95 response time (from 7,200 raw samples) |');
      expect(md.stdout).toMatch(
        /\| \*\*api\*\* \|[^\n]*\n(?:\|[^\n]*\n)*?\| +\| p95 response time \(from 1,440 raw samples\) \| 6\.\d ms \|/,
      );
    } finally {
      await rm(storeDir, { recursive: true, force: true });
    }
  }, 120_000);
});
