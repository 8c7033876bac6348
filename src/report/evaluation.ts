/**
 * Evaluation: did a change help? For each change, its target's figures in equal windows before
 * and after it, compared with compareBeforeAfter (Mann-Whitney U, Cliff's delta).
 *
 * The samples are the raw series vantage exports, read back exactly (range selectors, not
 * range queries, so nothing is interpolated):
 *
 * - Response time and availability, per scrape interval: between two consecutive scrapes
 *   (a, b] the counters vantage_probe_duration_seconds_{sum,count} and vantage_probes_total
 *   grew by the probes that ran in between. Their quotient is one value per interval: each
 *   probe's own duration when probes are no more frequent than scrapes (one probe per
 *   interval), else the mean of the few in it. Response time only counts intervals whose
 *   probes all succeeded, so an outage's refused connections (3 ms) do not pass for a speed-up;
 *   availability is the successful share. An interval straddling the change belongs to neither
 *   side; one across a counter reset is dropped.
 * - Transaction time, per journey of the target (a module with probe_journey_step_success
 *   series in the windows, or a browser flow with browser_step_success series): the same
 *   per-interval samples as response time, from that module's series alone, so a journey's
 *   before/after is its whole transaction's (a browser flow's: the sum of its steps' durations,
 *   without Lighthouse's analysis). Response time then
 *   counts the target's other modules only (a page fetch and a five-step checkout are not one
 *   distribution) and is left out for a target whose checks are all journeys, where it would
 *   repeat the transaction time. Availability counts every module, as the Monitoring uptime does.
 * - Lighthouse performance score and LCP, one value per audit: the gauges hold an audit's
 *   result until the next one, so consecutive scrapes of the same run are counted once (by
 *   lighthouse_last_run_timestamp_seconds where exported, else by a change of value). Only a
 *   Lighthouse audit module's series count (`step=""`): a browser flow's per-step lighthouse_*
 *   series are steps of a transaction, not audits of a page.
 *
 * Maintenance: an interval (or audit) during which vantage_maintenance_active was 1 at either
 * scrape is left out, and the time left out is reported.
 */
import { formatDuration } from '../format/index.js';
import type { ChangeEvaluation, EvaluatedMetric, MetricEvaluation, ReportChange } from './model.js';
import type { PrometheusClient, RangeSeries } from './prometheusClient.js';
import { compareBeforeAfter, type BeforeAfterComparison } from '../stats/compare.js';
import { describeComparison } from './wording.js';

export const DEFAULT_EVALUATION_WINDOW_MS = 24 * 3_600_000;
/** Samples kept per side for the distribution charts (the test always sees every sample). */
export const CHART_SAMPLES_MAX = 2000;
/** Scrapes further apart than this are a gap in the data (vantage or Prometheus down), not an interval. */
const MAX_SCRAPE_GAP_MS = 10 * 60_000;

export interface EvaluationOptions {
  /** Wanted length of each window, ms. */
  windowMs: number;
  /** The report's time: the after-window never reaches past it. */
  now: number;
  alpha?: number;
}

interface Window {
  start: number;
  end: number;
}

/** Which side of the change an interval (a, b] lies on, or null if it straddles or lies outside. */
function sideOf(a: number, b: number, before: Window, after: Window): 'before' | 'after' | null {
  if (a >= before.start && b <= before.end) return 'before';
  if (a >= after.start && b <= after.end) return 'after';
  return null;
}

const quote = (text: string): string => JSON.stringify(text);

/** Samples by timestamp, summed over the series (several modules or locations of one target). */
function sumByTimestamp(series: readonly RangeSeries[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series)
    for (const p of s.samples) out.set(p.timestampMs, (out.get(p.timestampMs) ?? 0) + p.value);
  return out;
}

/** Timestamps at which any maintenance series was 1. */
function maintenanceInstants(series: readonly RangeSeries[]): Set<number> {
  const out = new Set<number>();
  for (const s of series) for (const p of s.samples) if (p.value >= 1) out.add(p.timestampMs);
  return out;
}

interface ProbeSamples {
  responseBefore: number[];
  responseAfter: number[];
  availabilityBefore: number[];
  availabilityAfter: number[];
  excludedMs: number;
}

/** Per-interval response times and availabilities on each side (see the file comment). */
export function probeIntervalSamples(
  counters: {
    total: RangeSeries[];
    success: RangeSeries[];
    durationSum: RangeSeries[];
    durationCount: RangeSeries[];
  },
  maintenance: RangeSeries[],
  before: Window,
  after: Window,
): ProbeSamples {
  const total = sumByTimestamp(counters.total);
  const success = sumByTimestamp(counters.success);
  const durSum = sumByTimestamp(counters.durationSum);
  const durCount = sumByTimestamp(counters.durationCount);
  const inMaintenance = maintenanceInstants(maintenance);
  const out: ProbeSamples = {
    responseBefore: [],
    responseAfter: [],
    availabilityBefore: [],
    availabilityAfter: [],
    excludedMs: 0,
  };
  const instants = [...total.keys()].sort((x, y) => x - y);
  for (let i = 1; i < instants.length; i++) {
    const a = instants[i - 1]!;
    const b = instants[i]!;
    if (b - a > MAX_SCRAPE_GAP_MS) continue;
    const side = sideOf(a, b, before, after);
    if (!side) continue;
    if (inMaintenance.has(a) || inMaintenance.has(b)) {
      out.excludedMs += b - a;
      continue;
    }
    const probes = total.get(b)! - total.get(a)!;
    if (!(probes > 0)) continue; // no probe in between, or a counter reset
    const ok = (success.get(b) ?? 0) - (success.get(a) ?? 0);
    if (ok < 0 || ok > probes) continue;
    (side === 'before' ? out.availabilityBefore : out.availabilityAfter).push(ok / probes);
    const count = (durCount.get(b) ?? NaN) - (durCount.get(a) ?? NaN);
    const sum = (durSum.get(b) ?? NaN) - (durSum.get(a) ?? NaN);
    if (ok === probes && count > 0 && sum >= 0) {
      // Differences of large cumulative sums carry float error (1e-12 s); rounding to the
      // nanosecond makes equal durations equal again, which the rank test's ties depend on.
      (side === 'before' ? out.responseBefore : out.responseAfter).push(
        Math.round((sum / count) * 1e9) / 1e9,
      );
    }
  }
  return out;
}

/**
 * One value per Lighthouse audit on each side, per module. `runTimes` (the run timestamp gauge)
 * tells audits apart; without it a change of value does.
 */
export function auditSamples(
  values: RangeSeries,
  runTimes: RangeSeries | undefined,
  maintenance: RangeSeries[],
  before: Window,
  after: Window,
): { before: number[]; after: number[] } {
  const inMaintenance = maintenanceInstants(maintenance);
  const runAt = new Map(runTimes?.samples.map((p) => [p.timestampMs, p.value]) ?? []);
  const out = { before: [] as number[], after: [] as number[] };
  let previousKey: number | undefined;
  for (const p of values.samples) {
    const key = runAt.get(p.timestampMs) ?? p.value;
    if (key === previousKey) continue;
    previousKey = key;
    // The audit ran before this scrape; with its run time known, that decides the side.
    const runSeconds = runAt.get(p.timestampMs);
    const at = runSeconds !== undefined ? runSeconds * 1000 : p.timestampMs;
    if (inMaintenance.has(p.timestampMs)) continue;
    if (at >= before.start && at < before.end) out.before.push(p.value);
    else if (at >= after.start && at < after.end) out.after.push(p.value);
  }
  return out;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** At most `max` values: every value, or an evenly spaced subset of the sorted ones. */
export function chartSample(values: readonly number[], max = CHART_SAMPLES_MAX): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length <= max) return sorted;
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]!);
  return out;
}

const METRIC_INFO: Record<EvaluatedMetric, Pick<MetricEvaluation, 'label' | 'unit' | 'higherIsBetter'>> = {
  response_time: { label: 'response time', unit: 'seconds', higherIsBetter: false },
  availability: { label: 'availability', unit: 'ratio', higherIsBetter: true },
  lighthouse_performance: { label: 'Lighthouse performance score', unit: 'score', higherIsBetter: true },
  lcp: { label: 'largest contentful paint', unit: 'seconds', higherIsBetter: false },
  transaction_time: { label: 'transaction time', unit: 'seconds', higherIsBetter: false },
};

function metricEvaluation(
  metric: EvaluatedMetric,
  before: number[],
  after: number[],
  alpha: number | undefined,
  labelSuffix = '',
): MetricEvaluation {
  const info = METRIC_INFO[metric];
  const comparison: BeforeAfterComparison = compareBeforeAfter(before, after, {
    alpha,
    higherIsBetter: info.higherIsBetter,
  });
  const label = info.label + labelSuffix;
  return {
    metric,
    ...info,
    label,
    comparison,
    before: chartSample(before),
    after: chartSample(after),
    // Availability samples are mostly 1 on both sides, so medians say nothing: give the means.
    sentence: describeComparison(
      label,
      info.unit,
      comparison,
      metric === 'availability' ? { before: mean(before), after: mean(after) } : undefined,
    ),
  };
}

/** The change's overall verdict from its metrics' verdicts. */
export function overallVerdict(metrics: readonly MetricEvaluation[]): ChangeEvaluation['verdict'] {
  const verdicts = metrics.map((m) => m.comparison.verdict);
  const improved = verdicts.includes('improved');
  const regressed = verdicts.includes('regressed');
  if (improved && regressed) return 'mixed';
  if (improved) return 'improved';
  if (regressed) return 'regressed';
  if (verdicts.length === 0 || verdicts.every((v) => v === 'insufficient data')) return 'insufficient data';
  return 'no significant change';
}

/** Evaluate one change on one target. */
export async function evaluateChange(
  client: PrometheusClient,
  change: ReportChange,
  target: string,
  options: EvaluationOptions,
): Promise<ChangeEvaluation> {
  const { windowMs, before, after, note } = changeWindows(change, options);
  const base = { change, target, windowMs, before, after, note };
  if (windowMs === 0) {
    return { ...base, excludedMaintenanceMs: 0, metrics: [], verdict: 'insufficient data' };
  }
  // Raw samples from just before the before-window to the end of the after-window.
  const evalAt = after.end;
  const range = `[${2 * windowMs + MAX_SCRAPE_GAP_MS}ms]`;
  const sel = (extra = ''): string => `{target=${quote(target)}${extra ? `, ${extra}` : ''}}`;
  const raw = (expr: string) => client.rawSamples(expr, evalAt);
  const [
    total,
    success,
    durationSum,
    durationCount,
    maintenance,
    scores,
    lcps,
    runTimes,
    journeySteps,
    flowSteps,
  ] = await Promise.all([
    raw(`vantage_probes_total${sel()}${range}`),
    raw(`vantage_probes_total${sel('result="success"')}${range}`),
    raw(`vantage_probe_duration_seconds_sum${sel()}${range}`),
    raw(`vantage_probe_duration_seconds_count${sel()}${range}`),
    raw(`vantage_maintenance_active${sel()}${range}`),
    raw(`lighthouse_category_score${sel('category="performance", step=""')}${range}`),
    raw(`lighthouse_timing_seconds${sel('metric="largest_contentful_paint", step=""')}${range}`),
    raw(`lighthouse_last_run_timestamp_seconds${sel('step=""')}${range}`),
    raw(`probe_journey_step_success${sel()}${range}`),
    raw(`browser_step_success${sel()}${range}`),
  ]);
  const counters = { total, success, durationSum, durationCount };
  const journeys = [...new Set([...journeySteps, ...flowSteps].map((s) => s.metric.module ?? ''))].sort();
  /** The counters of the modules `keep` accepts. */
  const modulesOf = (keep: (module: string) => boolean): typeof counters => {
    const pick = (series: RangeSeries[]) => series.filter((s) => keep(s.metric.module ?? ''));
    return {
      total: pick(total),
      success: pick(success),
      durationSum: pick(durationSum),
      durationCount: pick(durationCount),
    };
  };
  const probes = probeIntervalSamples(counters, maintenance, before, after);
  const metrics: MetricEvaluation[] = [];
  const pages = modulesOf((m) => !journeys.includes(m));
  if (journeys.length === 0 || pages.total.length > 0) {
    const response = journeys.length === 0 ? probes : probeIntervalSamples(pages, maintenance, before, after);
    metrics.push(
      metricEvaluation('response_time', response.responseBefore, response.responseAfter, options.alpha),
    );
  }
  metrics.push(
    metricEvaluation('availability', probes.availabilityBefore, probes.availabilityAfter, options.alpha),
  );
  for (const journey of journeys) {
    const samples = probeIntervalSamples(
      modulesOf((m) => m === journey),
      maintenance,
      before,
      after,
    );
    const suffix = journeys.length > 1 ? ` (journey ${journey})` : '';
    metrics.push(
      metricEvaluation(
        'transaction_time',
        samples.responseBefore,
        samples.responseAfter,
        options.alpha,
        suffix,
      ),
    );
  }
  const modules = [...new Set([...scores, ...lcps].map((s) => s.metric.module ?? ''))].sort();
  for (const module of modules) {
    const suffix = modules.length > 1 ? ` (${module})` : '';
    const runs = runTimes.find((s) => (s.metric.module ?? '') === module);
    for (const [metric, series] of [
      ['lighthouse_performance', scores],
      ['lcp', lcps],
    ] as const) {
      const values = series.find((s) => (s.metric.module ?? '') === module);
      if (!values) continue;
      const samples = auditSamples(values, runs, maintenance, before, after);
      metrics.push(metricEvaluation(metric, samples.before, samples.after, options.alpha, suffix));
    }
  }
  return { ...base, excludedMaintenanceMs: probes.excludedMs, metrics, verdict: overallVerdict(metrics) };
}

/**
 * A change's before and after windows, of equal length: the configured window, shortened when
 * the report is made before a full window has passed after the change (with a note saying so).
 * The lab and the field evaluations use the same windows.
 */
export function changeWindows(
  change: ReportChange,
  options: { windowMs: number; now: number },
): {
  windowMs: number;
  before: { start: number; end: number };
  after: { start: number; end: number };
  note: string | null;
} {
  const windowMs = Math.max(0, Math.min(options.windowMs, options.now - change.at));
  return {
    windowMs,
    before: { start: change.at - windowMs, end: change.at },
    after: { start: change.at, end: change.at + windowMs },
    note:
      windowMs < options.windowMs
        ? `The windows are ${formatDuration(windowMs / 1000)} instead of ${formatDuration(options.windowMs / 1000)}: ` +
          'the report was made before a full window had passed after the change.'
        : null,
  };
}
