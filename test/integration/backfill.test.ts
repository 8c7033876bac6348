/**
 * The backfill fixture end to end: three weeks of synthetic vantage history for two targets
 * (an outage, a change that makes a page 40 % faster, a failure every day at 02:00 Berlin
 * time, a maintenance window, Lighthouse audits every 15 min) backfilled into a real
 * Prometheus 2.42 with promtool, then queried the way a report would. Every figure must match
 * the generator's ground truth: counts exactly, uptime to 0.01 percentage points (it is in fact
 * exact), means and histogram quantiles to float precision.
 *
 * increase() at window edges, Prometheus 2.x (the installed 2.42):
 * - A range selector [1d] evaluated at T covers [T - 1d, T], both ends included (3.x made it
 *   left-open). Evaluated at a scrape instant T whose T - 1d is a scrape instant too, the first
 *   and last samples sit exactly on the window's edges, so increase() extrapolates by nothing:
 *   the result is the exact counter difference, an integer for vantage_probes_total. This test
 *   evaluates at midnights, which are scrape instants of the 60 s grid.
 * - Evaluated anywhere else (T + 30 s), the window holds one sample fewer, the first and last
 *   sample are 30 s inside the edges, and increase() scales the difference up to the full
 *   range: by 86400 / 86340 here, a non-integer count (checked below).
 * - In 3.x the left-open range drops the sample at T - 1d even at aligned instants, so the
 *   same query extrapolates there too.
 * - Version-proof exact counts: the difference of the counter values at the two boundaries,
 *   `vantage_probes_total - vantage_probes_total offset 1d` (each side is the latest sample at
 *   or before its instant; no counter resets exist in backfilled history), or
 *   `last_over_time(x[1m]) - last_over_time(x[1m] offset 1d)`. Either counts the probes in
 *   (T - 1d, T], which is what `truth.figures(T - 1d, T)` counts.
 * - Ratios (uptime, mean duration) of two increase() calls over series scraped at the same
 *   instants are exact at any instant: both get the same extrapolation factor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory, type SyntheticHistory } from '../helpers/syntheticHistory.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC
const DAYS = 21;
const CHANGE = START + 10 * DAY + 12 * HOUR; // shop is 40 % faster from here on
const OUTAGE = { startMs: START + 5 * DAY + 14 * HOUR, endMs: START + 5 * DAY + 15.5 * HOUR };
const MAINTENANCE = { startMs: START + 5 * DAY + 14 * HOUR, endMs: START + 5 * DAY + 16 * HOUR };

const dayEnds = Array.from({ length: DAYS }, (_, d) => START + (d + 1) * DAY);
/** 0.01 percentage points. */
const UPTIME_TOLERANCE = 0.0001;

let history: SyntheticHistory;
let prom: BackfilledPrometheus;

beforeAll(async () => {
  history = generateHistory({
    startMs: START,
    endMs: START + DAYS * DAY,
    scrapeIntervalSeconds: 60,
    seed: 42,
    targets: [
      {
        name: 'shop',
        probeIntervalSeconds: 60,
        latency: { baseSeconds: 0.8, jitter: 0.25, steps: [{ atMs: CHANGE, factor: 0.6 }] },
        // 02:00 in Berlin is 01:00 UTC in January.
        dailyFailure: { start: '02:00', minutes: 10, timeZone: 'Europe/Berlin' },
        lighthouse: { performance: 0.7, lcpSeconds: 2.4 },
      },
      {
        name: 'blog',
        probeIntervalSeconds: 30,
        latency: { baseSeconds: 0.3, jitter: 0.1 },
        outages: [OUTAGE],
        maintenance: [MAINTENANCE],
        sloObjective: 0.995,
      },
    ],
  });
  prom = await startBackfilledPrometheus(history);
}, 90_000);

afterAll(async () => {
  await prom?.stop();
});

/** Values of a `by (target)` query, by target. */
async function byTarget(expr: string, timeMs: number): Promise<Record<string, number>> {
  const samples = await prom.query(expr, timeMs);
  return Object.fromEntries(samples.map((s) => [s.metric.target!, s.value]));
}

describe('backfilled synthetic history', () => {
  it('has the shape it was asked for', () => {
    const shop = history.truth('shop');
    const blog = history.truth('blog');
    expect(shop.probes).toHaveLength(DAYS * 1440);
    expect(blog.probes).toHaveLength(DAYS * 2880);
    // Ten timeouts a day at 01:00-01:09 UTC, nothing else fails for shop.
    for (const end of dayEnds) expect(shop.figures(end - DAY, end).failuresByReason).toEqual({ timeout: 10 });
    expect(blog.figures(START, START + DAYS * DAY).failuresByReason).toEqual({ connection_refused: 180 });
    expect(shop.audits).toHaveLength(DAYS * 96);
    expect(prom.blocks).toBe(DAYS * 12 + 1);
  });

  it('daily uptime from increase() at midnight matches the truth to 0.01 pp, counts exactly', async () => {
    for (const end of dayEnds) {
      const uptime = await byTarget(
        'sum by (target) (increase(vantage_probes_total{result="success"}[1d]))' +
          ' / sum by (target) (increase(vantage_probes_total[1d]))',
        end,
      );
      const probes = await byTarget('sum by (target) (increase(vantage_probes_total[1d]))', end);
      const failures = await byTarget(
        'sum by (target) (increase(vantage_probes_total{result="failure"}[1d]))',
        end,
      );
      for (const target of ['shop', 'blog']) {
        const truth = history.truth(target).figures(end - DAY, end);
        expect(
          Math.abs(uptime[target]! - truth.uptime),
          `${target} ${new Date(end).toISOString()}`,
        ).toBeLessThan(UPTIME_TOLERANCE);
        expect(probes[target]).toBe(truth.probes);
        expect(failures[target]).toBe(truth.failures);
      }
    }
    // The outage day of blog: 90 min of refused connections, 2 probes a minute.
    const outageDayEnd = START + 6 * DAY;
    expect(history.truth('blog').figures(outageDayEnd - DAY, outageDayEnd).failures).toBe(180);
    expect(
      await prom.value('increase(vantage_probes_total{target="blog",result="failure"}[1d])', outageDayEnd),
    ).toBe(180);
  });

  it('counter differences at the boundaries are exact at any instant; increase() extrapolates off-grid', async () => {
    const end = START + 8 * DAY;
    const off = end + 30_000;
    const exact = await byTarget(
      'sum by (target) (vantage_probes_total - vantage_probes_total offset 1d)',
      off,
    );
    const viaLast = await byTarget(
      'sum by (target) (last_over_time(vantage_probes_total[1m]) - last_over_time(vantage_probes_total[1m] offset 1d))',
      off,
    );
    const extrapolated = await byTarget(
      'sum by (target) (increase(vantage_probes_total{result="success"}[1d]))',
      off,
    );
    for (const target of ['shop', 'blog']) {
      const truth = history.truth(target);
      expect(exact[target]).toBe(truth.figures(end - DAY, end).probes);
      expect(viaLast[target]).toBe(truth.figures(end - DAY, end).probes);
      // The window [off - 1d, off] holds the scrapes end - 1d + 60 s .. end: their difference,
      // scaled from the 86340 s they span to the 86400 s of the range.
      const sampled = truth.figures(end - DAY + 60_000, end).successes;
      expect(extrapolated[target]).toBeCloseTo((sampled * 86_400) / 86_340, 6);
    }
    // Scaling is only right for a perfectly even rate. Blog succeeds on every probe that day,
    // so 2878 * 86400 / 86340 happens to be its 2880; shop's ten daily timeouts make its
    // 1429 successes in the sampled span scale to 1429.99, not the true 1430.
    expect(extrapolated.blog).toBeCloseTo(history.truth('blog').figures(end - DAY, end).successes, 9);
    expect(history.truth('shop').figures(end - DAY, end).successes).toBe(1430);
    expect(extrapolated.shop).toBeCloseTo((1429 * 86_400) / 86_340, 9);
  });

  it('mean duration and p95 per day match the truth', async () => {
    for (const end of dayEnds) {
      const mean = await byTarget(
        'sum by (target) (increase(vantage_probe_duration_seconds_sum[1d]))' +
          ' / sum by (target) (increase(vantage_probe_duration_seconds_count[1d]))',
        end,
      );
      const p95 = await byTarget(
        'histogram_quantile(0.95, sum by (target, le) (increase(vantage_probe_duration_seconds_bucket[1d])))',
        end,
      );
      for (const target of ['shop', 'blog']) {
        const truth = history.truth(target);
        expect(mean[target]).toBeCloseTo(truth.figures(end - DAY, end).meanDuration, 9);
        expect(p95[target]).toBeCloseTo(truth.histogramQuantile(0.95, end - DAY, end), 9);
      }
    }
  });

  it('shows the change: shop is 40 % faster in the week after it than in the week before', async () => {
    const meanExpr =
      'sum(increase(vantage_probe_duration_seconds_sum{target="shop"}[7d]))' +
      ' / sum(increase(vantage_probe_duration_seconds_count{target="shop"}[7d]))';
    // Successful probes only: the 5 s timeouts of the daily failure are the same on both sides.
    const shop = history.truth('shop');
    const successMean = (from: number, to: number): number => {
      const ok = shop.between(from, to).filter((p) => p.success);
      return ok.reduce((a, p) => a + p.durationSeconds, 0) / ok.length;
    };
    const before = await prom.value(meanExpr, CHANGE);
    const after = await prom.value(meanExpr, CHANGE + 7 * DAY);
    expect(before).toBeCloseTo(shop.figures(CHANGE - 7 * DAY, CHANGE).meanDuration, 9);
    expect(after).toBeCloseTo(shop.figures(CHANGE, CHANGE + 7 * DAY).meanDuration, 9);
    expect(successMean(CHANGE, CHANGE + 7 * DAY) / successMean(CHANGE - 7 * DAY, CHANGE)).toBeCloseTo(0.6, 2);
    expect(after).toBeLessThan(before * 0.75);
    // Lighthouse follows: LCP and the performance score of the latest audit before each instant.
    for (const at of [CHANGE - HOUR, CHANGE + HOUR]) {
      const latest = shop.audits.filter((a) => a.timestampMs < at).at(-1)!;
      expect(
        await prom.value('lighthouse_timing_seconds{target="shop",metric="largest_contentful_paint"}', at),
      ).toBe(latest.lcpSeconds);
      expect(await prom.value('lighthouse_category_score{target="shop",category="performance"}', at)).toBe(
        latest.performance,
      );
    }
  });

  it('shows the daily failure at 02:00 Berlin time and the outage and maintenance of blog', async () => {
    for (const d of [0, 7, 20]) {
      const tenPast = START + d * DAY + HOUR + 10 * 60_000; // 01:10 UTC = 02:10 Berlin
      expect(
        await prom.value(
          'increase(vantage_probe_failures_total{target="shop",reason="timeout"}[10m])',
          tenPast,
        ),
      ).toBe(10);
      expect(
        await prom.value(
          'increase(vantage_probe_failures_total{target="shop",reason="timeout"}[1h])',
          tenPast - HOUR,
        ),
      ).toBe(0);
    }
    const midOutage = OUTAGE.startMs + 45 * 60_000;
    expect(await prom.value('probe_success{target="blog"}', midOutage)).toBe(0);
    expect(await prom.value('probe_success{target="blog"}', OUTAGE.endMs + 60_000)).toBe(1);
    const outageDayEnd = START + 6 * DAY;
    expect(
      await prom.value('max_over_time(vantage_maintenance_active{target="blog"}[1d])', outageDayEnd),
    ).toBe(1);
    // Scrapes at 14:00 .. 15:59 show the window.
    expect(
      await prom.value('sum_over_time(vantage_maintenance_active{target="blog"}[1d])', outageDayEnd),
    ).toBe(120);
    expect(await prom.value('vantage_target_slo_objective{target="blog"}', outageDayEnd)).toBe(0.995);
  });

  it('whole-span availability over 21 days matches the truth', async () => {
    const end = START + DAYS * DAY;
    const uptime = await byTarget(
      'sum by (target) (increase(vantage_probes_total{result="success"}[21d]))' +
        ' / sum by (target) (increase(vantage_probes_total[21d]))',
      end,
    );
    for (const target of ['shop', 'blog']) {
      const truth = history.truth(target).figures(START, end);
      expect(Math.abs(uptime[target]! - truth.uptime)).toBeLessThan(UPTIME_TOLERANCE);
      expect(await prom.value(`sum(increase(vantage_probes_total{target="${target}"}[21d]))`, end)).toBe(
        truth.probes,
      );
    }
  });
});
