/**
 * The report's response-time percentiles, from the probes' own durations.
 *
 * vantage_probe_duration_seconds_bucket cannot give them: its first bucket is 25 ms, so every
 * target faster than that has the p95 "0.95 of 25 ms" (24 ms) whatever its real durations, and
 * elsewhere the buckets are a factor of 2 to 2.5 wide. The durations themselves are in the
 * probe_duration_seconds gauge, one value (the latest probe's) per scrape. Its raw samples in
 * the period, `probe_duration_seconds[<period>]`, are what the percentile is computed from,
 * with PromQL's quantile_over_time arithmetic (linear interpolation between the two values
 * around rank q·(n − 1)).
 *
 * A raw sample stands for the probes since the previous scrape, which the histogram's _count
 * counts exactly. Each sample is weighted by that number:
 * - probe interval = scrape interval: one probe, weight 1, every probe counted once;
 * - scrapes more frequent than probes: the same probe seen again has weight 0, so it is not
 *   counted twice;
 * - probes more frequent than scrapes: the sample (every k-th probe) weighs k, so a target
 *   probed every 30 s counts twice as much as one probed every 60 s, as its probes do.
 * A counter reset (vantage restarted) gives the sample the count since the restart. A series
 * without a _count (it should not happen) weighs 1 per sample.
 *
 * - Up to RAW_SAMPLE_BUDGET samples in the period: the samples and counts of every series
 *   are fetched (bounded range selectors) and each target's and the overall percentile
 *   computed here: quantile_over_time cannot merge series (the overall figure, a target with
 *   several modules).
 * - Above the budget: a target with one series gets Prometheus's own quantile_over_time over
 *   its samples (unweighted: exact when probes and scrapes keep the same interval, an evenly
 *   spread subset otherwise); the overall figure and targets with several series fall back to
 *   the buckets.
 * - A target without gauge samples (probe_duration_seconds dropped by a relabelling) falls back
 *   to the buckets too.
 * The bucket fallback is PromQL's histogram_quantile arithmetic over the bucket differences,
 * with the bounds of the bucket the percentile falls in (the true value lies between them), so
 * the report can state the error.
 *
 * The same arithmetic serves any gauge-and-histogram pair of the same shape, grouped by another
 * label: a journey's steps (probe_journey_step_duration_seconds or a browser flow's
 * browser_step_duration_seconds, weighed by vantage_journey_step_duration_seconds_count, per
 * `step`) are the other use (journeys.ts), and a browser flow's per-step Lighthouse figures
 * (lighthouse_timing_seconds{metric="interaction_to_next_paint"} and
 * lighthouse_cumulative_layout_shift weighed by the same count, flowVitals.ts), which have no
 * buckets to fall back to.
 */
import type { PrometheusClient, RangeSeries } from './prometheusClient.js';

/**
 * The most raw duration samples fetched for one period (with as many counter samples): about
 * 6 MB of JSON each. A report fetches three periods at once (current, previous, week earlier),
 * so this keeps its memory near what it was. A day of 20 targets scraped every 15 s is 115,200
 * samples, a week of 20 scraped every 60 s 201,600; a month of them (892,800) is beyond it.
 */
export const RAW_SAMPLE_BUDGET = 250_000;

/** Where a percentile figure came from; part of the JSON contract (model.ts). */
export interface PercentileSource {
  /**
   * `raw-samples`: the scraped values of probe_duration_seconds in the period.
   * `buckets`: histogram_quantile arithmetic over vantage_probe_duration_seconds_bucket.
   */
  kind: 'raw-samples' | 'buckets';
  /**
   * How many values the figure rests on: raw samples that showed a new probe, or the probes
   * the buckets counted.
   */
  samples: number;
  /** Buckets only: the bucket holding the percentile; the true value lies between its bounds. */
  bucketLowerSeconds: number | null;
  /** Null for raw samples, and for the +Inf bucket (no upper bound). */
  bucketUpperSeconds: number | null;
  /**
   * Buckets only: the most the figure can be off, relative to the true value
   * (max(figure − lower, upper − figure) / lower); null when unbounded (first or +Inf bucket)
   * and for raw samples (exact).
   */
  maxErrorRatio: number | null;
}

export interface Percentile {
  seconds: number;
  source: PercentileSource;
}

export interface PercentileResults {
  perTarget: Map<string, Percentile>;
  overall: Percentile | null;
}

export interface PercentileQuery {
  /** The quantile, 0..1. */
  q: number;
  /** Evaluation time (the period's end), ms. */
  end: number;
  /** The period's length, ms: the range selectors cover (end − length, end]. */
  lengthMs: number;
  /** The report's label matchers, `{target=~"..."}` or `{}`. */
  selector: string;
  /**
   * Bucket differences over the period, summed `by (<by>)` (by includes `le`). Without it there
   * is no bucket fallback: what the raw samples cannot give stays missing.
   */
  bucketDeltas?: (by: string) => string;
  /** Targets with probes in the period: each gets a percentile, from buckets if need be. */
  probedTargets: readonly string[];
  /** Default RAW_SAMPLE_BUDGET. */
  rawSampleBudget?: number;
  /** The gauge holding the latest duration (default probe_duration_seconds). */
  gauge?: string;
  /** The histogram _count counting the durations (default vantage_probe_duration_seconds_count). */
  count?: string;
  /** The count's label matchers, where they differ from the gauge's (default `selector`). */
  countSelector?: string;
  /**
   * Labels the gauge has and the count lacks (lighthouse_timing_seconds's `metric`): left out
   * when a gauge series is paired with its count series.
   */
  pairIgnoring?: readonly string[];
  /**
   * The label the percentiles are per (default `target`): `perTarget` and `probedTargets` are
   * keyed by its values.
   */
  by?: string;
}

/** A bucket's `le` label as a number: Prometheus writes the last one "+Inf". */
function bucketBound(le: string | undefined): number {
  return le === '+Inf' ? Infinity : Number(le);
}

interface BucketCount {
  le: number;
  count: number;
}

/**
 * PromQL's histogram_quantile arithmetic (Prometheus 2.x bucketQuantile) on cumulative bucket
 * counts, with the bucket the rank falls in. Null without observations.
 */
export function bucketPercentile(q: number, buckets: readonly BucketCount[]): Percentile | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1]!.le !== Infinity) return null;
  const total = sorted[sorted.length - 1]!.count;
  if (!(total > 0)) return null;
  const rank = q * total;
  const b = sorted.findIndex((x) => x.count >= rank);
  const source = (lower: number, upper: number | null, seconds: number): Percentile => {
    const bounded = upper !== null && lower > 0;
    return {
      seconds,
      source: {
        kind: 'buckets',
        samples: Math.round(total),
        bucketLowerSeconds: lower,
        bucketUpperSeconds: upper,
        maxErrorRatio: bounded ? Math.max(seconds - lower, upper - seconds) / lower : null,
      },
    };
  };
  if (b === sorted.length - 1) {
    const highest = sorted[sorted.length - 2]!.le;
    return source(highest, null, highest);
  }
  const lower = b === 0 ? 0 : sorted[b - 1]!.le;
  const below = b === 0 ? 0 : sorted[b - 1]!.count;
  const upper = sorted[b]!.le;
  const inBucket = sorted[b]!.count - below;
  const seconds = inBucket > 0 ? lower + (upper - lower) * ((rank - below) / inBucket) : upper;
  return source(lower, upper, seconds);
}

interface WeightedValue {
  value: number;
  /** Probes the value stands for (a whole number, 0 for a probe seen before). */
  weight: number;
}

function rawSource(samples: number): PercentileSource {
  return {
    kind: 'raw-samples',
    samples,
    bucketLowerSeconds: null,
    bucketUpperSeconds: null,
    maxErrorRatio: null,
  };
}

/**
 * PromQL's quantile_over_time arithmetic (Hyndman & Fan type 7) over the values repeated
 * `weight` times each, without repeating them: the two neighbours of rank q·(W − 1) are found
 * by cumulative weight. With every weight 1 it is quantile_over_time's own result.
 */
export function weightedQuantile(values: readonly WeightedValue[], q: number): Percentile | null {
  const used = values
    .filter((v) => v.weight > 0 && Number.isFinite(v.value))
    .sort((a, b) => a.value - b.value);
  const total = used.reduce((a, v) => a + v.weight, 0);
  if (total === 0) return null;
  const pos = (total - 1) * q;
  const at = (index: number): number => {
    let seen = 0;
    for (const v of used) {
      seen += v.weight;
      if (index < seen) return v.value;
    }
    return used[used.length - 1]!.value;
  };
  const lo = Math.floor(pos);
  const low = at(lo);
  const seconds = low + (at(Math.ceil(pos)) - low) * (pos - lo);
  return { seconds, source: rawSource(used.length) };
}

/** Labels that pair a gauge series with its _count series: everything but the name and `ignoring`. */
function seriesKey(metric: Record<string, string>, ignoring: readonly string[]): string {
  return JSON.stringify(
    Object.entries(metric)
      .filter(([k]) => k !== '__name__' && !ignoring.includes(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Scrapes further apart than this are a gap: a sample after one weighs its count since the restart or 1. */
const MAX_SCRAPE_GAP_MS = 10 * 60_000;

/** Each gauge sample with the probes since the previous scrape (see the file comment). */
function weightedSamples(
  gauges: readonly RangeSeries[],
  counts: readonly RangeSeries[],
  by: string,
  ignoring: readonly string[],
): Map<string, WeightedValue[]> {
  const countsByKey = new Map(counts.map((c) => [seriesKey(c.metric, ignoring), c.samples]));
  const out = new Map<string, WeightedValue[]>();
  for (const g of gauges) {
    const target = g.metric[by] ?? '';
    let list = out.get(target);
    if (!list) out.set(target, (list = []));
    const count = countsByKey.get(seriesKey(g.metric, ignoring));
    if (!count) {
      for (const p of g.samples) list.push({ value: p.value, weight: 1 });
      continue;
    }
    const countAt = new Map(count.map((p, i) => [p.timestampMs, i]));
    for (const p of g.samples) {
      const i = countAt.get(p.timestampMs);
      if (i === undefined) {
        list.push({ value: p.value, weight: 1 });
        continue;
      }
      const now = count[i]!;
      const before = i > 0 ? count[i - 1] : undefined;
      const fresh = before === undefined || now.timestampMs - before.timestampMs > MAX_SCRAPE_GAP_MS;
      const delta = fresh ? now.value : now.value - before.value;
      // A reset: the counter started again from 0 since the previous scrape.
      list.push({ value: p.value, weight: Math.round(delta >= 0 ? delta : now.value) });
    }
  }
  return out;
}

/** Per target (and overall) percentiles of the probe durations in the period: see the file comment. */
export async function responsePercentiles(
  client: PrometheusClient,
  query: PercentileQuery,
): Promise<PercentileResults> {
  const { q, end, lengthMs, selector } = query;
  const budget = query.rawSampleBudget ?? RAW_SAMPLE_BUDGET;
  const by = query.by ?? 'target';
  const gauge = query.gauge ?? 'probe_duration_seconds';
  const countMetric = query.count ?? 'vantage_probe_duration_seconds_count';
  const perTarget = new Map<string, Percentile>();
  // No probes, no percentile: nothing to ask.
  if (query.probedTargets.length === 0) return { perTarget, overall: null };
  const samples = `${gauge}${selector}[${lengthMs - 1}ms]`;
  const [seriesCounts, sampleCounts] = await Promise.all([
    client.query(`count by (${by}) (count_over_time(${samples}))`, end),
    client.query(`sum by (${by}) (count_over_time(${samples}))`, end),
  ]);
  const seriesPerTarget = new Map(seriesCounts.map((s) => [s.metric[by] ?? '', s.value]));
  const totalSamples = sampleCounts.reduce((a, s) => a + s.value, 0);

  let overall: Percentile | null = null;
  if (totalSamples > 0 && totalSamples <= budget) {
    // The counts reach one scrape gap further back: the first sample's weight needs the one before.
    const [gauges, counts] = await Promise.all([
      client.rawSamples(samples, end),
      client.rawSamples(
        `${countMetric}${query.countSelector ?? selector}[${lengthMs - 1 + MAX_SCRAPE_GAP_MS}ms]`,
        end,
      ),
    ]);
    const byTarget = weightedSamples(gauges, counts, by, query.pairIgnoring ?? []);
    for (const [target, values] of byTarget) {
      const p = weightedQuantile(values, q);
      if (p && target !== '') perTarget.set(target, p);
    }
    overall = weightedQuantile([...byTarget.values()].flat(), q);
  } else if (totalSamples > 0) {
    // Too many to fetch: Prometheus computes the single-series targets itself.
    const perSeries = await client.query(`quantile_over_time(${q}, ${samples})`, end);
    const counts = new Map(sampleCounts.map((s) => [s.metric[by] ?? '', s.value]));
    for (const s of perSeries) {
      const target = s.metric[by] ?? '';
      if (seriesPerTarget.get(target) !== 1 || !Number.isFinite(s.value)) continue;
      perTarget.set(target, { seconds: s.value, source: rawSource(counts.get(target) ?? 0) });
    }
  }
  const missing = query.probedTargets.filter((t) => !perTarget.has(t));
  if ((overall && missing.length === 0) || !query.bucketDeltas) return { perTarget, overall };
  const bucketDeltas = query.bucketDeltas;
  // Whatever raw samples could not give comes from the buckets, with its bounds.
  const [bucketsByTarget, bucketsOverall] = await Promise.all([
    missing.length > 0 ? client.query(bucketDeltas(`${by}, le`), end) : Promise.resolve([]),
    overall ? Promise.resolve([]) : client.query(bucketDeltas('le'), end),
  ]);
  const grouped = new Map<string, BucketCount[]>();
  for (const s of bucketsByTarget) {
    const target = s.metric[by];
    if (target === undefined || perTarget.has(target)) continue;
    let list = grouped.get(target);
    if (!list) grouped.set(target, (list = []));
    list.push({ le: bucketBound(s.metric.le), count: s.value });
  }
  for (const [target, buckets] of grouped) {
    const p = bucketPercentile(q, buckets);
    if (p) perTarget.set(target, p);
  }
  overall ??= bucketPercentile(
    q,
    bucketsOverall.map((s) => ({ le: bucketBound(s.metric.le), count: s.value })),
  );
  return { perTarget, overall };
}
