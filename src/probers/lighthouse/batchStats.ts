/**
 * Statistics over the valid runs of one batch: which run is published (the median run, chosen exactly as
 * Lighthouse chooses it), how far the runs disagree (spread), and the Core Web Vitals rating of each run.
 */
import type { Result } from 'lighthouse';
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import { median } from '../../stats/descriptive.js';
import {
  cumulativeLayoutShift,
  TIMING_METRICS,
  timingSeconds,
  type Lhr,
  type TimingMetric,
} from './extract.js';

/**
 * Index (into `runs`) of the median run: Lighthouse's computeMedianRun (lighthouse/core/lib/median-run.js,
 * Lighthouse 12: the run closest to the median FCP and the median TTI, ties broken by the lower TTI).
 * `runs` must be valid runs (numeric FCP and TTI), else computeMedianRun throws.
 */
export function medianRunIndex(runs: readonly Lhr[]): number {
  // A type-only cast: computeMedianRun reads nothing but audits[...].numericValue.
  const median = computeMedianRun(runs as unknown as Result[]);
  return runs.indexOf(median as unknown as Lhr);
}

/**
 * (max - min) / median: how much one figure moved across the batch, relative to its size. 0 for a single
 * run. Undefined when the median is 0 but the values differ (e.g. TBT 0, 0, 40 ms): the ratio would be
 * infinite, and an absent series is more honest than +Inf on a dashboard.
 */
export function spreadRatio(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const max = Math.max(...values);
  const min = Math.min(...values);
  if (max === min) return 0;
  const mid = median(values);
  return mid !== null && mid > 0 ? (max - min) / mid : undefined;
}

/** Spread of each timing metric across the valid runs (metrics missing in every run are left out). */
export function timingSpreads(runs: readonly Lhr[]): Partial<Record<TimingMetric, number>> {
  const out: Partial<Record<TimingMetric, number>> = {};
  for (const metric of TIMING_METRICS) {
    const values = runs.map((lhr) => timingSeconds(lhr, metric)).filter((v): v is number => v !== undefined);
    const ratio = spreadRatio(values);
    if (ratio !== undefined) out[metric] = ratio;
  }
  return out;
}

export const CWV_RATINGS = ['good', 'needs_improvement', 'poor'] as const;
export type CwvRating = (typeof CWV_RATINGS)[number];

/**
 * Core Web Vitals thresholds (web.dev/articles/vitals): good <= `good`, poor > `poor`, in base units.
 * TBT stands in for INP, which a lab run cannot measure (no user input); its thresholds are the ones
 * Lighthouse's own scoring treats as good / poor on mobile.
 */
export const CWV_THRESHOLDS = {
  largest_contentful_paint: { good: 2.5, poor: 4 },
  cumulative_layout_shift: { good: 0.1, poor: 0.25 },
  total_blocking_time: { good: 0.2, poor: 0.6 },
  first_contentful_paint: { good: 1.8, poor: 3 },
} as const;
export type CwvMetric = keyof typeof CWV_THRESHOLDS;
export const CWV_METRICS = Object.keys(CWV_THRESHOLDS) as CwvMetric[];

export function rateCwv(metric: CwvMetric, value: number): CwvRating {
  const t = CWV_THRESHOLDS[metric];
  // Compare at a fixed 1e-6 precision: 2.5 s read as 2500 ms / 1000 must rate good, whatever the float noise.
  const scaled = Math.round(value * 1e6);
  if (scaled <= Math.round(t.good * 1e6)) return 'good';
  if (scaled > Math.round(t.poor * 1e6)) return 'poor';
  return 'needs_improvement';
}

function cwvValue(lhr: Lhr, metric: CwvMetric): number | undefined {
  return metric === 'cumulative_layout_shift' ? cumulativeLayoutShift(lhr) : timingSeconds(lhr, metric);
}

/** How many runs fell in each rating, per metric; every metric x rating pair present (zeros included). */
export function cwvCounts(runs: readonly Lhr[]): Record<CwvMetric, Record<CwvRating, number>> {
  const out = {} as Record<CwvMetric, Record<CwvRating, number>>;
  for (const metric of CWV_METRICS) {
    const counts: Record<CwvRating, number> = { good: 0, needs_improvement: 0, poor: 0 };
    for (const lhr of runs) {
      const value = cwvValue(lhr, metric);
      if (value !== undefined) counts[rateCwv(metric, value)] += 1;
    }
    out[metric] = counts;
  }
  return out;
}
