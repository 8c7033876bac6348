/**
 * The report's Monitoring figures against a real Prometheus 2.42 holding three days of
 * backfilled synthetic history (test/helpers/backfill.ts): two targets, a daily recurring
 * failure with Lighthouse audits on one, an outage on the other. Each day's figures must match
 * the generator's ground truth: counts exactly, uptime to 0.01 percentage points, the mean to
 * 1e-9, p95 within 5 % of the exact percentile of the probes' durations (raw samples). A day
 * after the history holds no data and must say so; an unreachable Prometheus is a clear error.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareMonitoring, monitoringFigures, type MonitoringResult } from '../../src/report/monitoring.js';
import { createPrometheusClient, type PrometheusClient } from '../../src/report/prometheusClient.js';
import { percentChange, percentagePointChange } from '../../src/stats/percent.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory, type SyntheticHistory, type TargetTruth } from '../helpers/syntheticHistory.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC
const DAYS = 3;
const OUTAGE = { startMs: START + DAY + 14 * HOUR, endMs: START + DAY + 15.5 * HOUR };
/** 0.01 percentage points. */
const UPTIME_TOLERANCE = 0.0001;

let history: SyntheticHistory;
let prom: BackfilledPrometheus;
let client: PrometheusClient;
const days: MonitoringResult[] = [];

beforeAll(async () => {
  history = generateHistory({
    startMs: START,
    endMs: START + DAYS * DAY,
    scrapeIntervalSeconds: 60,
    seed: 7,
    targets: [
      {
        name: 'shop',
        probeIntervalSeconds: 60,
        latency: { baseSeconds: 0.8, jitter: 0.25 },
        dailyFailure: { start: '02:00', minutes: 10, timeZone: 'Europe/Berlin' },
        lighthouse: { performance: 0.7, lcpSeconds: 2.4 },
      },
      {
        name: 'blog',
        probeIntervalSeconds: 30,
        latency: { baseSeconds: 0.3, jitter: 0.1 },
        outages: [OUTAGE],
        sloObjective: 0.995,
      },
    ],
  });
  prom = await startBackfilledPrometheus(history);
  client = createPrometheusClient(prom.url);
  for (let d = 0; d < DAYS; d++) {
    days.push(await monitoringFigures(client, { start: START + d * DAY, end: START + (d + 1) * DAY }));
  }
}, 60_000);

afterAll(async () => {
  await prom?.stop();
});

/** Mean over the scrapes in (start, end] of a gauge showing f(latest item before the scrape). */
function gaugeMean<T extends { timestampMs: number }>(
  items: T[],
  start: number,
  end: number,
  value: (item: T) => number | undefined,
): number {
  const values: number[] = [];
  for (const s of history.scrapes) {
    if (s <= start || s > end) continue;
    let latest: T | undefined;
    for (const item of items) {
      if (item.timestampMs < s) latest = item;
      else break;
    }
    const v = latest ? value(latest) : undefined;
    if (v !== undefined) values.push(v);
  }
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function ttfbTruth(truth: TargetTruth, start: number, end: number): number {
  // Only the probes just before the period matter; slice to keep the scan short.
  const probes = truth.probes.filter((p) => p.timestampMs > start - HOUR && p.timestampMs <= end);
  return gaugeMean(probes, start, end, (p) => (p.success ? round3(p.durationSeconds * 0.5) : undefined));
}

describe('monitoringFigures on backfilled history', () => {
  it('gives exact counts, uptime, mean and p95 per target for every day', () => {
    for (let d = 0; d < DAYS; d++) {
      const start = START + d * DAY;
      const end = start + DAY;
      const result = days[d]!;
      expect(result.exact).toBe(true);
      expect(result.targets.map((t) => t.target)).toEqual(['blog', 'shop']);
      for (const figures of result.targets) {
        const truth = history.truth(figures.target!);
        const want = truth.figures(start, end);
        expect(figures.hasData).toBe(true);
        expect(figures.probes).toBe(want.probes);
        expect(figures.failures).toBe(want.failures);
        expect(Math.abs(figures.uptime! - want.uptime)).toBeLessThan(UPTIME_TOLERANCE);
        expect(figures.errorRate!).toBeCloseTo(want.failures / want.probes, 12);
        expect(Math.abs(figures.meanResponseSeconds! - want.meanDuration)).toBeLessThan(1e-9);
        // The probes' own durations (raw samples), within 5 % of the exact p95; no bucket artefact.
        expect(Math.abs(figures.p95ResponseSeconds! - want.p95) / want.p95).toBeLessThan(0.05);
        expect(figures.p95Source!.kind).toBe('raw-samples');
        expect(figures.objective).toBe(figures.target === 'blog' ? 0.995 : 0.999);
        expect(figures.meetsObjective).toBe(want.uptime >= figures.objective!);
        expect(figures.ttfbSeconds!).toBeCloseTo(ttfbTruth(truth, start, end), 9);
      }
      const shop = result.targets.find((t) => t.target === 'shop')!;
      const blog = result.targets.find((t) => t.target === 'blog')!;
      expect(shop.failures).toBe(10); // the daily 02:00 Berlin timeout window
      expect(blog.failures).toBe(d === 1 ? 180 : 0); // 90 min of 30 s probes
      expect(blog.lighthouse).toBeNull();

      const audits = history.truth('shop').audits;
      expect(shop.lighthouse!.performance!).toBeCloseTo(
        gaugeMean(audits, start, end, (a) => a.performance),
        9,
      );
      expect(shop.lighthouse!.lcpSeconds!).toBeCloseTo(
        gaugeMean(audits, start, end, (a) => a.lcpSeconds),
        9,
      );
      expect(shop.lighthouse!.cls).toBeNull();
      expect(shop.lighthouse!.tbtSeconds).toBeNull();

      const all = ['shop', 'blog'].map((t) => history.truth(t).figures(start, end));
      const probes = all.reduce((a, f) => a + f.probes, 0);
      const successes = all.reduce((a, f) => a + f.successes, 0);
      const durationSum = all.reduce((a, f) => a + f.durationSum, 0);
      expect(result.overall.target).toBeNull();
      expect(result.overall.probes).toBe(probes);
      expect(result.overall.failures).toBe(probes - successes);
      expect(Math.abs(result.overall.uptime! - successes / probes)).toBeLessThan(UPTIME_TOLERANCE);
      expect(Math.abs(result.overall.meanResponseSeconds! - durationSum / probes)).toBeLessThan(1e-9);
      expect(result.overall.objective).toBe(0.999);
    }
  });

  it('says "no data" for a day the history does not cover', async () => {
    const start = START + (DAYS + 2) * DAY;
    const empty = await monitoringFigures(client, { start, end: start + DAY });
    expect(empty.targets).toEqual([]);
    expect(empty.overall.hasData).toBe(false);
    expect(empty.overall.probes).toBe(0);
    expect(empty.overall.uptime).toBeNull();
    expect(empty.overall.meanResponseSeconds).toBeNull();
    expect(empty.overall.p95ResponseSeconds).toBeNull();

    const named = await monitoringFigures(client, { start, end: start + DAY }, { targets: ['shop'] });
    expect(named.targets).toHaveLength(1);
    expect(named.targets[0]).toMatchObject({ target: 'shop', hasData: false, probes: 0, uptime: null });
  });

  it('limits the figures to the requested targets', async () => {
    const only = await monitoringFigures(
      client,
      { start: START + DAY, end: START + 2 * DAY },
      { targets: ['blog'] },
    );
    expect(only.targets.map((t) => t.target)).toEqual(['blog']);
    expect(only.overall.probes).toBe(history.truth('blog').figures(START + DAY, START + 2 * DAY).probes);
  });

  it('compares with the previous day and the same day a week earlier', async () => {
    const weekEarlier = await monitoringFigures(client, {
      start: START + DAY - 7 * DAY,
      end: START + 2 * DAY - 7 * DAY,
    });
    const compared = compareMonitoring(days[2]!, days[1]!, weekEarlier);
    const blog = compared.targets.find((t) => t.target === 'blog')!;
    const [cur, prev] = [days[2]!, days[1]!].map((r) => r.targets.find((t) => t.target === 'blog')!);
    expect(blog.uptime.unit).toBe('percentage-points');
    expect(blog.uptime.vsPrevious).toBe(percentagePointChange(cur!.uptime, prev!.uptime));
    expect(blog.uptime.vsPrevious!).toBeGreaterThan(0); // the outage was the day before
    expect(blog.errorRate.vsPrevious).toBe(percentagePointChange(cur!.errorRate, prev!.errorRate));
    expect(blog.meanResponseSeconds.unit).toBe('percent');
    expect(blog.meanResponseSeconds.vsPrevious).toBe(
      percentChange(cur!.meanResponseSeconds, prev!.meanResponseSeconds),
    );
    expect(blog.meanResponseSeconds.weekEarlier).toBeNull();
    expect(blog.meanResponseSeconds.vsWeekEarlier).toBeNull();
    expect(compared.overall.probes.vsPrevious).toBe(0);
    const shop = compared.targets.find((t) => t.target === 'shop')!;
    expect(shop.lighthousePerformance.current).toBe(
      days[2]!.targets.find((t) => t.target === 'shop')!.lighthouse!.performance,
    );
  });
});

describe('errors', () => {
  it('an unreachable Prometheus is a clear error', async () => {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    await new Promise((ok) => server.close(ok));
    const closed = createPrometheusClient(`http://127.0.0.1:${port}`);
    await expect(monitoringFigures(closed, { start: START, end: START + DAY })).rejects.toThrow(
      new RegExp(`^cannot reach Prometheus at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });

  it('an API error names the query', async () => {
    await expect(client.query('sum(', START)).rejects.toThrow(/HTTP 400.*bad_data.*; query: sum\($/);
  });
});

describe('counter resets', () => {
  it('falls back to increase() and says the figures are not exact', async () => {
    const queries: string[] = [];
    const fake: PrometheusClient = {
      url: 'http://fake',
      query: (expr) => {
        queries.push(expr);
        if (expr.startsWith('(sum(resets('))
          return Promise.resolve([{ metric: {}, value: 1, timestampMs: 0 }]);
        return Promise.resolve([]);
      },
      rawSamples: () => Promise.resolve([]),
      queryRange: () => Promise.resolve([]),
    };
    const result = await monitoringFigures(fake, { start: START, end: START + DAY }, { targets: ['a.b'] });
    expect(result.exact).toBe(false);
    expect(queries[0]).toBe(
      '(sum(resets(vantage_probes_total{target=~"a\\\\.b"}[86399999ms])) or vector(0))' +
        ' + (sum(resets(vantage_probe_duration_seconds_count{target=~"a\\\\.b"}[86399999ms])) or vector(0))',
    );
    const counts = queries.slice(1).filter((q) => q.includes('vantage_probes_total{'));
    expect(counts.length).toBeGreaterThan(0);
    for (const q of counts) expect(q).toMatch(/increase\(vantage_probes_total\{[^}]*\}\[86400000ms\]\)/);
    expect(result.targets).toEqual([expect.objectContaining({ target: 'a.b', hasData: false })]);
  });
});
