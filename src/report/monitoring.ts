/**
 * The report's Monitoring figures for a period [start, end), per target and overall, computed
 * from the raw series vantage exports, so they work on any Prometheus that scraped vantage,
 * backfilled history included.
 *
 * Counts are exact counter differences evaluated at `end`:
 *
 *   sum by (target) (x) - sum by (target) (x offset <len>)
 *
 * The end side is the last sample in (start, end], the start side the latest at or before
 * `start`, so the difference counts the probes recorded between the scrapes at (or just
 * before) the two boundaries.
 * Where the series did not exist yet at `start` (vantage started within the period), the
 * offset side is taken as 0. increase() is avoided on purpose: it extrapolates to the range's
 * edges and gives non-integer counts unless the scrapes sit exactly on both boundaries.
 *
 * Counter resets (vantage restarted within the period) break plain differences, so resets()
 * over the period is checked first. Only when some counter reset are the counts taken from
 * increase() instead, which handles resets at the price of extrapolation; the result then
 * says `exact: false`.
 *
 * Gauges (time to first byte, Lighthouse) are averaged with avg_over_time over
 * [start + 1 ms, end], the scrapes inside the period. The Lighthouse figures are the audits'
 * (series without a `step` label); a browser flow's per-step ones are in journeys.ts. Uptime and error rate are ratios of the
 * counts; the mean response time is _sum over _count. The 95th percentile comes from the
 * probes' own durations (percentiles.ts: the raw samples of probe_duration_seconds), not from
 * the buckets, which are far too coarse for it; where it had to fall back to the buckets,
 * `p95Source` says so and gives the bucket's bounds.
 *
 * A target (or the whole set) with no probes in the period has `hasData: false` and null
 * figures, so a report can say "no data" instead of inventing numbers.
 */
import { percentChange, percentagePointChange } from '../stats/percent.js';
import { responsePercentiles, type PercentileSource } from './percentiles.js';
import type { PrometheusClient } from './prometheusClient.js';

export interface MonitoringPeriod {
  /** Inclusive, ms since the epoch. */
  start: number;
  /** Exclusive, ms since the epoch. */
  end: number;
}

export interface MonitoringOptions {
  /** Only these targets (default: every target with series). */
  targets?: readonly string[];
  /** Most raw duration samples fetched for merged percentiles (percentiles.ts RAW_SAMPLE_BUDGET). */
  rawSampleBudget?: number;
}

export interface LighthouseFigures {
  /** Mean performance category score, 0..1 (null without audits). */
  performance: number | null;
  /** Mean accessibility, best-practices and SEO category scores, 0..1 (null when not audited). */
  accessibility: number | null;
  bestPractices: number | null;
  seo: number | null;
  /** Mean largest contentful paint, seconds. */
  lcpSeconds: number | null;
  /** Mean cumulative layout shift (unitless). */
  cls: number | null;
  /** Mean total blocking time, seconds. */
  tbtSeconds: number | null;
}

export interface MonitoringFigures {
  /** The target's name; null for the overall figures. */
  target: string | null;
  /** False when the period holds no probes: every figure below is then null or 0. */
  hasData: boolean;
  probes: number;
  failures: number;
  /** Successful probes / probes, 0..1. */
  uptime: number | null;
  /** vantage_target_slo_objective (overall: the strictest objective of the targets). */
  objective: number | null;
  /** uptime >= objective, null if either is unknown. */
  meetsObjective: boolean | null;
  meanResponseSeconds: number | null;
  /** The 95th percentile of the probes' durations (see p95Source). */
  p95ResponseSeconds: number | null;
  /** Where p95ResponseSeconds came from: raw samples, or buckets with their bounds. */
  p95Source: PercentileSource | null;
  /** failures / probes, 0..1. */
  errorRate: number | null;
  /** Mean of probe_http_duration_seconds{phase="processing"}. */
  ttfbSeconds: number | null;
  /** Null when no Lighthouse series exist for the target in the period. */
  lighthouse: LighthouseFigures | null;
}

export interface MonitoringResult {
  start: number;
  end: number;
  /** False when a counter reset forced increase() (extrapolated) instead of exact differences. */
  exact: boolean;
  /** Per target, sorted by name. */
  targets: MonitoringFigures[];
  overall: MonitoringFigures;
}

const OVERALL = '\u0000overall';

/** A regex matching `text` literally, quoted for a PromQL string literal. */
function quotedRegexLiteral(text: string): string {
  const regex = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return regex.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** `{target=~"a|b", extra}` or `{extra}`. */
export function selector(targets: readonly string[] | undefined, extra = ''): string {
  const parts: string[] = [];
  if (targets && targets.length === 0)
    parts.push('target="", target!=""'); // matches nothing
  else if (targets) parts.push(`target=~"${targets.map(quotedRegexLiteral).join('|')}"`);
  if (extra) parts.push(extra);
  return `{${parts.join(', ')}}`;
}

/**
 * The change of a counter over the period of `lenMs` ending at the query's time, summed by
 * `by`: the exact difference (see the file comment) or, when `exact` is false (a counter
 * reset), increase().
 */
export function counterDelta(series: string, by: string, lenMs: number, exact: boolean): string {
  if (!exact) return `sum by (${by}) (increase(${series}[${lenMs}ms]))`;
  // The end side is the last sample inside the period, so a series that stopped before `end`
  // (vantage stopped, target removed) still counts what it recorded.
  const last = `sum by (${by}) (last_over_time(${series}[${lenMs - 1}ms]))`;
  return `(${last} - (sum by (${by}) (${series} offset ${lenMs}ms) or ${last} * 0))`;
}

export async function monitoringFigures(
  client: PrometheusClient,
  period: MonitoringPeriod,
  options: MonitoringOptions = {},
): Promise<MonitoringResult> {
  const { start, end } = period;
  const lenMs = end - start;
  if (!Number.isFinite(lenMs) || lenMs <= 0) throw new RangeError('the period must end after it starts');
  const targets = options.targets;
  const sel = (extra = ''): string => selector(targets, extra);
  const inside = `[${lenMs - 1}ms]`;

  // resets() drops the metric name, so each counter is summed on its own (its _sum and
  // _bucket series reset with _count: they live in the same process).
  const resets = (metric: string): string => `(sum(resets(${metric}${sel()}${inside})) or vector(0))`;
  const resetSamples = await client.query(
    `${resets('vantage_probes_total')} + ${resets('vantage_probe_duration_seconds_count')}`,
    end,
  );
  const exact = !resetSamples.some((s) => s.value > 0);

  /** Counter change over the period, summed by `by`. */
  const delta = (metric: string, by: string, extra = ''): string =>
    counterDelta(`${metric}${sel(extra)}`, by, lenMs, exact);
  /** Evaluate per target and overall (`by ()`), keyed by target name or OVERALL. */
  const both = async (build: (by: string) => string): Promise<Map<string, number>> => {
    const [perTarget, overall] = await Promise.all([
      client.query(build('target'), end),
      client.query(build(''), end),
    ]);
    const out = new Map<string, number>();
    for (const s of perTarget)
      if (s.metric.target !== undefined && Number.isFinite(s.value)) out.set(s.metric.target, s.value);
    for (const s of overall) if (Number.isFinite(s.value)) out.set(OVERALL, s.value);
    return out;
  };
  const gaugeMean = (metric: string, extra: string) => (by: string) =>
    `avg by (${by}) (avg_over_time(${metric}${sel(extra)}${inside}))`;
  // A browser flow's lighthouse_* series carry its `step` (journeys.ts reports them): a
  // target's Lighthouse figures are its audits' alone, the series without one.
  const auditMean = (metric: string, extra: string) =>
    gaugeMean(metric, extra ? `${extra}, step=""` : 'step=""');

  const [probes, successes, durSum, durCount, objectiveMap, ttfb, perf, lcp, cls, tbt, a11y, bp, seo] =
    await Promise.all([
      both((by) => delta('vantage_probes_total', by)),
      both((by) => delta('vantage_probes_total', by, 'result="success"')),
      both((by) => delta('vantage_probe_duration_seconds_sum', by)),
      both((by) => delta('vantage_probe_duration_seconds_count', by)),
      both((by) => `max by (${by}) (last_over_time(vantage_target_slo_objective${sel()}${inside}))`),
      both(gaugeMean('probe_http_duration_seconds', 'phase="processing"')),
      both(auditMean('lighthouse_category_score', 'category="performance"')),
      both(auditMean('lighthouse_timing_seconds', 'metric="largest_contentful_paint"')),
      both(auditMean('lighthouse_cumulative_layout_shift', '')),
      both(auditMean('lighthouse_timing_seconds', 'metric="total_blocking_time"')),
      both(auditMean('lighthouse_category_score', 'category="accessibility"')),
      both(auditMean('lighthouse_category_score', 'category="best-practices"')),
      both(auditMean('lighthouse_category_score', 'category="seo"')),
    ]);

  const names = new Set<string>(targets ?? []);
  for (const key of probes.keys()) if (key !== OVERALL) names.add(key);
  const probed = [...probes].filter(([key, n]) => key !== OVERALL && Math.round(n) > 0).map(([key]) => key);
  const p95 = await responsePercentiles(client, {
    q: 0.95,
    end,
    lengthMs: lenMs,
    selector: sel(),
    bucketDeltas: (by) => delta('vantage_probe_duration_seconds_bucket', by),
    probedTargets: probed,
    rawSampleBudget: options.rawSampleBudget,
  });

  const figuresFor = (key: string, target: string | null): MonitoringFigures => {
    const n = probes.get(key) ?? 0;
    const count = Math.round(n);
    const hasData = count > 0;
    const ok = successes.get(key) ?? 0;
    const failures = hasData ? Math.max(0, n - ok) : 0;
    const uptime = hasData ? ok / n : null;
    const objective = objectiveMap.get(key) ?? null;
    const countD = durCount.get(key) ?? 0;
    const sumD = durSum.get(key);
    const value = (m: Map<string, number>): number | null => (hasData ? (m.get(key) ?? null) : null);
    const percentile = hasData ? ((key === OVERALL ? p95.overall : p95.perTarget.get(key)) ?? null) : null;
    const lhValues: LighthouseFigures = {
      performance: perf.get(key) ?? null,
      accessibility: a11y.get(key) ?? null,
      bestPractices: bp.get(key) ?? null,
      seo: seo.get(key) ?? null,
      lcpSeconds: lcp.get(key) ?? null,
      cls: cls.get(key) ?? null,
      tbtSeconds: tbt.get(key) ?? null,
    };
    const hasLighthouse = Object.values(lhValues).some((v) => v !== null);
    return {
      target,
      hasData,
      probes: hasData ? (exact ? count : n) : 0,
      failures: exact ? Math.round(failures) : failures,
      uptime,
      objective,
      meetsObjective: uptime !== null && objective !== null ? uptime >= objective : null,
      meanResponseSeconds: hasData && countD > 0 && sumD !== undefined ? sumD / countD : null,
      p95ResponseSeconds: percentile?.seconds ?? null,
      p95Source: percentile?.source ?? null,
      errorRate: uptime === null ? null : failures / n,
      ttfbSeconds: value(ttfb),
      lighthouse: hasLighthouse ? lhValues : null,
    };
  };

  const perTarget = [...names].sort().map((name) => figuresFor(name, name));
  return { start, end, exact, targets: perTarget, overall: figuresFor(OVERALL, null) };
}

/** A figure with the previous period and the same period a week earlier. */
export interface ComparedFigure {
  current: number | null;
  previous: number | null;
  weekEarlier: number | null;
  /**
   * The change against each: a percentage for amounts (response times, scores), percentage
   * points for ratios (uptime, error rate), as `unit` says. Null when either side is absent.
   */
  vsPrevious: number | null;
  vsWeekEarlier: number | null;
  unit: 'percent' | 'percentage-points';
}

export interface ComparedMonitoring {
  target: string | null;
  hasData: boolean;
  probes: ComparedFigure;
  failures: ComparedFigure;
  uptime: ComparedFigure;
  objective: number | null;
  meetsObjective: boolean | null;
  meanResponseSeconds: ComparedFigure;
  p95ResponseSeconds: ComparedFigure;
  /** Where each period's p95 came from (null where that period has none). */
  p95Source: {
    current: PercentileSource | null;
    previous: PercentileSource | null;
    weekEarlier: PercentileSource | null;
  };
  errorRate: ComparedFigure;
  ttfbSeconds: ComparedFigure;
  lighthousePerformance: ComparedFigure;
  lighthouseAccessibility: ComparedFigure;
  lighthouseBestPractices: ComparedFigure;
  lighthouseSeo: ComparedFigure;
  lcpSeconds: ComparedFigure;
  cls: ComparedFigure;
  tbtSeconds: ComparedFigure;
}

export interface MonitoringComparison {
  targets: ComparedMonitoring[];
  overall: ComparedMonitoring;
}

type FigurePick = (f: MonitoringFigures) => number | null;

function compareOne(
  cur: MonitoringFigures,
  prev: MonitoringFigures | undefined,
  week: MonitoringFigures | undefined,
): ComparedMonitoring {
  const figure = (pick: FigurePick, unit: ComparedFigure['unit']): ComparedFigure => {
    const at = (f: MonitoringFigures | undefined): number | null => (f && f.hasData ? pick(f) : null);
    const current = at(cur);
    const previous = at(prev);
    const weekEarlier = at(week);
    return comparedFigure(current, previous, weekEarlier, unit);
  };
  return {
    target: cur.target,
    hasData: cur.hasData,
    probes: figure((f) => f.probes, 'percent'),
    failures: figure((f) => f.failures, 'percent'),
    uptime: figure((f) => f.uptime, 'percentage-points'),
    objective: cur.objective,
    meetsObjective: cur.meetsObjective,
    meanResponseSeconds: figure((f) => f.meanResponseSeconds, 'percent'),
    p95ResponseSeconds: figure((f) => f.p95ResponseSeconds, 'percent'),
    p95Source: {
      current: cur.hasData ? cur.p95Source : null,
      previous: prev?.hasData ? prev.p95Source : null,
      weekEarlier: week?.hasData ? week.p95Source : null,
    },
    errorRate: figure((f) => f.errorRate, 'percentage-points'),
    ttfbSeconds: figure((f) => f.ttfbSeconds, 'percent'),
    lighthousePerformance: figure((f) => f.lighthouse?.performance ?? null, 'percent'),
    lighthouseAccessibility: figure((f) => f.lighthouse?.accessibility ?? null, 'percent'),
    lighthouseBestPractices: figure((f) => f.lighthouse?.bestPractices ?? null, 'percent'),
    lighthouseSeo: figure((f) => f.lighthouse?.seo ?? null, 'percent'),
    lcpSeconds: figure((f) => f.lighthouse?.lcpSeconds ?? null, 'percent'),
    cls: figure((f) => f.lighthouse?.cls ?? null, 'percent'),
    tbtSeconds: figure((f) => f.lighthouse?.tbtSeconds ?? null, 'percent'),
  };
}

/**
 * The current period's figures beside the previous period's and those of the same period a
 * week earlier, with the changes (percent.ts). Targets are those of `current`; a target absent
 * from a comparison period compares against nothing (null changes).
 */
export function compareMonitoring(
  current: MonitoringResult,
  previous: MonitoringResult,
  weekEarlier: MonitoringResult,
): MonitoringComparison {
  const find = (r: MonitoringResult, target: string | null) => r.targets.find((t) => t.target === target);
  return {
    targets: current.targets.map((t) => compareOne(t, find(previous, t.target), find(weekEarlier, t.target))),
    overall: compareOne(current.overall, previous.overall, weekEarlier.overall),
  };
}

/** A ComparedFigure from the three periods' values, for the probe and the field figures alike. */
export function comparedFigure(
  current: number | null,
  previous: number | null,
  weekEarlier: number | null,
  unit: ComparedFigure['unit'],
): ComparedFigure {
  const change = unit === 'percent' ? percentChange : percentagePointChange;
  return {
    current,
    previous,
    weekEarlier,
    vsPrevious: change(current, previous),
    vsWeekEarlier: change(current, weekEarlier),
    unit,
  };
}
