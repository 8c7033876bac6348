/**
 * Synthetic vantage history of a known shape, for backfilling a real Prometheus (backfill.ts)
 * and checking report figures against the exact truth that produced the data.
 *
 *   const history = generateHistory({
 *     startMs: Date.UTC(2025, 0, 6), endMs: Date.UTC(2025, 0, 27), scrapeIntervalSeconds: 60, seed: 1,
 *     targets: [{
 *       name: 'shop', probeIntervalSeconds: 60,
 *       latency: { baseSeconds: 0.8, jitter: 0.25, steps: [{ atMs: change, factor: 0.6 }] }, // 40% faster
 *       outages: [{ startMs, endMs }],                                   // every probe fails
 *       dailyFailure: { start: '02:00', minutes: 10, timeZone: 'Europe/Berlin' },
 *       maintenance: [{ startMs, endMs }],                               // vantage_maintenance_active 1
 *       lighthouse: { performance: 0.7, lcpSeconds: 2.4 },               // an audit every 15 min
 *     }],
 *   });
 *   history.openMetrics();                   // the whole span; openMetrics(fromMs, toMs) a slice
 *   history.truth('shop').figures(dayStart, dayEnd);  // probes, failures, uptime, mean, p95...
 *
 * What is exported per target, at every scrape instant startMs + k * scrapeInterval up to and
 * including endMs (labels `target`, `module` and the job's `job`/`instance`, as a scrape adds):
 * vantage_probes_total{result}, vantage_probe_failures_total{phase,reason},
 * vantage_probe_duration_seconds (histogram: the shipped buckets plus +Inf, _sum, _count),
 * probe_success, probe_duration_seconds, probe_http_duration_seconds{phase},
 * vantage_maintenance_active, vantage_target_slo_objective and, with `lighthouse`,
 * lighthouse_category_score{category} and lighthouse_timing_seconds{metric} (module
 * "lighthouse").
 *
 * A target with `journey` is a `prober: journey` check (no probe_http_duration_seconds): each
 * probe is one run of its steps, a successful run's duration split between the steps by their
 * shares, a failed run (outage, daily failure) failing at the window's `step` (default the
 * last) after the steps before it, its duration split between the steps it reached. It adds
 * probe_journey_step_{duration_seconds,success}{step} (the latest run's steps that ran),
 * vantage_journey_step_duration_seconds{step} (histogram: every step that completed a
 * response; a failure in resolve/connect/tls or a timeout completed none),
 * vantage_journey_step_failures_total{step,reason} and, where set,
 * vantage_journey_step_latency_threshold_seconds{step}.
 *
 * A journey with `prober: 'browser'` is a `prober: browser` flow instead: the same series, but
 * its step gauges are browser_step_{duration_seconds,success}{step}, and a step with
 * `inpSeconds`, `cls` or `lcpSeconds` adds the flow's per-step Lighthouse gauges
 * lighthouse_timing_seconds{step,metric} (interaction_to_next_paint, largest_contentful_paint)
 * and lighthouse_cumulative_layout_shift{step}, set from the latest run where the step passed
 * (absent where the latest run did not pass it). Each run's values are the model's with
 * `labJitter` (±10 %) from a hash of the run's time and the step's name (StepRun carries them).
 *
 * Timing model. Probe k of a target runs at startMs + probeOffsetSeconds + k * probeInterval
 * (the offset, 17 s by default, keeps probes off the scrape instants), so a counter sample at
 * scrape instant s counts exactly the probes with t < s, and the difference of a counter
 * between scrape instants a < b counts the probes with a < t <= b: `figures(a, b)`. Gauges show
 * the latest probe (or audit) before the scrape and are absent before the first one. Every
 * counter series exists from the first scrape with value 0 (no series appears mid-way, which
 * would make increase() extrapolate from its first sample).
 *
 * Determinism: the jitter comes from a seeded PRNG (mulberry32) per target; the same options
 * give the same bytes. Durations are whole milliseconds unless the latency model says otherwise
 * (`resolutionSeconds`).
 *
 * Format: OpenMetrics as promtool 2.42 reads it. Each family is written once, contiguously:
 * `# HELP`/`# TYPE` with the family name (a counter's family is named without `_total`, its
 * samples with it; a histogram's family is the base name of its `_bucket`/`_sum`/`_count`),
 * then every series of that family with all its samples in time order, timestamps in seconds,
 * and a final `# EOF`. (promtool's parser also accepts a `_total` family name and interleaved
 * families; backfilling ignores the metadata. This layout is the strictly valid one.)
 */

import { mulberry32 } from './random.js';

/** The buckets vantage always exports (src/metrics/families.ts DEFAULT_DURATION_BUCKETS). */
export const DEFAULT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

export interface TimeWindow {
  /** Inclusive, ms since the epoch. */
  startMs: number;
  /** Exclusive. */
  endMs: number;
}

export interface FailureWindow extends TimeWindow {
  /** Journeys: the step the run fails at (default the last). */
  step?: string;
  /** Duration recorded for each failed probe (default 0.003 s: a refused connection). */
  durationSeconds?: number;
  /** vantage_probe_failures_total labels (default connect / connection_refused). */
  phase?: string;
  reason?: string;
}

export interface DailyFailure {
  /** Journeys: the step the run fails at (default the last). */
  step?: string;
  /** Local wall-clock start, "HH:MM". */
  start: string;
  /** Length of the window in minutes: probes in [start, start + minutes) local time fail. */
  minutes: number;
  /** IANA time zone, e.g. "Europe/Berlin" (DST is followed). Default "UTC". */
  timeZone?: string;
  /** Duration recorded for each failed probe (default 5 s: a timeout). */
  durationSeconds?: number;
  /** Default processing / timeout. */
  phase?: string;
  reason?: string;
}

export interface LatencyModel {
  /** Duration of a successful probe before any step, in seconds. */
  baseSeconds: number;
  /**
   * Relative jitter: each duration is base * factor * (1 + jitter * u), u uniform in [-1, 1)
   * from the seeded PRNG. 0.25 gives +-25 %. Default 0.
   */
  jitter?: number;
  /**
   * Step changes: from `atMs` on, durations are base * factor (the last step at or before the
   * probe wins). `{ atMs, factor: 0.6 }` = "after the change the page is 40 % faster".
   */
  steps?: { atMs: number; factor: number }[];
  /**
   * A slow drift on top of the steps: the factor grows by this share of the base per day since
   * startMs (0.05 = 5 % slower every day), for trend forecasts. Default 0.
   */
  driftPerDay?: number;
  /**
   * Durations are rounded to this (default 0.001: whole milliseconds). Finer for targets of a
   * few milliseconds, whose percentiles whole milliseconds would make coarse (1e-5 gives
   * 6.59 ms).
   */
  resolutionSeconds?: number;
}

export interface LighthouseModel {
  /** Seconds between audits (default 900). Audit k runs at startMs + offset + k * interval. */
  intervalSeconds?: number;
  /** Performance score 0..1 before any latency step. */
  performance: number;
  /** LCP in seconds before any latency step; it follows the latency model's step factor. */
  lcpSeconds: number;
  /** Opportunities every audit reports (lighthouse_opportunity_savings_{seconds,bytes}{audit}). */
  opportunities?: { audit: string; savingsSeconds: number; savingsBytes: number }[];
}

export interface JourneyStepModel {
  /** The `step` label. */
  name: string;
  /** This step's share of a run's duration (shares are relative: 1, 2, 1 is 25 %, 50 %, 25 %). */
  share: number;
  /** vantage_journey_step_latency_threshold_seconds{step} (absent by default). */
  latencyObjectiveSeconds?: number;
  /** Browser flows: the step's Lighthouse interaction to next paint, seconds (absent: no series). */
  inpSeconds?: number;
  /** Browser flows: the step's Lighthouse cumulative layout shift (absent: no series). */
  cls?: number;
  /** Browser flows: the step's Lighthouse largest contentful paint, seconds (absent: no series). */
  lcpSeconds?: number;
}

export interface JourneyModel {
  /** 'browser': a `prober: browser` flow (see the file comment); default 'journey'. */
  prober?: 'journey' | 'browser';
  /** Browser flows: relative jitter of the steps' Lighthouse figures (default 0.1: ±10 %). */
  labJitter?: number;
  /** In the order they run. */
  steps: JourneyStepModel[];
}

/** One step of one journey run. */
export interface StepRun {
  step: string;
  durationSeconds: number;
  success: boolean;
  /** Whether the step completed a response (counted by the step histogram). */
  responded: boolean;
  /** The run's failure reason, on the step that failed. */
  reason?: string;
  /** Browser flows, on a step that passed and models them: its Lighthouse figures in this run. */
  inpSeconds?: number;
  cls?: number;
  lcpSeconds?: number;
}

/** Exact per-step figures over the runs with fromMs < timestampMs <= toMs. */
export interface StepFigures {
  /** Responses the step completed. */
  responses: number;
  /** Runs that failed at the step, by reason. */
  failuresByReason: Record<string, number>;
  failures: number;
  /** Nearest-rank 0.95 quantile of the completed responses' durations (NaN without any). */
  p95: number;
}

export interface TargetSpec {
  name: string;
  /** Module label of the HTTP check (default "http"). */
  module?: string;
  probeIntervalSeconds: number;
  /** First probe's offset from startMs (default 17 s; must not be a multiple of the scrape interval). */
  probeOffsetSeconds?: number;
  latency: LatencyModel;
  /** Windows in which every probe fails. */
  outages?: FailureWindow[];
  /** A failure recurring every day at the same local time. */
  dailyFailure?: DailyFailure;
  /** Windows with vantage_maintenance_active 1 (probes go on as usual, as in vantage). */
  maintenance?: TimeWindow[];
  /** vantage_target_slo_objective (default 0.999). */
  sloObjective?: number;
  /** vantage_target_latency_threshold_seconds (absent by default). */
  latencyThresholdSeconds?: number;
  lighthouse?: LighthouseModel;
  /** Makes the target a journey check (see the file comment). */
  journey?: JourneyModel;
}

export interface HistoryOptions {
  /** First scrape instant, ms since the epoch; a multiple of the scrape interval. */
  startMs: number;
  /** Last scrape instant (inclusive). */
  endMs: number;
  /** Default 60. */
  scrapeIntervalSeconds?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  targets: TargetSpec[];
  /** Histogram buckets (default DEFAULT_BUCKETS); +Inf is added. */
  buckets?: number[];
  /** Labels a scrape would add (default { job: "vantage", instance: "vantage:9470" }). */
  scrapeLabels?: Record<string, string>;
}

export type FailureKind = 'outage' | 'daily';

export interface Probe {
  /** When the probe ran (and was recorded), ms since the epoch. */
  timestampMs: number;
  durationSeconds: number;
  success: boolean;
  /** Why it failed; absent on success. */
  failure?: { kind: FailureKind; phase: string; reason: string; step?: string };
}

export interface Audit {
  timestampMs: number;
  performance: number;
  lcpSeconds: number;
}

/** Exact figures over the probes with fromMs < timestampMs <= toMs. */
export interface Figures {
  probes: number;
  successes: number;
  failures: number;
  /** successes / probes (NaN without probes). */
  uptime: number;
  durationSum: number;
  /** durationSum / probes (NaN without probes). */
  meanDuration: number;
  /** The 0.95 quantile of the exact durations, nearest rank (NaN without probes). */
  p95: number;
  /** Cumulative count per bucket upper bound, +Inf last: what the _bucket series increase by. */
  buckets: { le: number; count: number }[];
  failuresByReason: Record<string, number>;
}

export interface TargetTruth {
  spec: TargetSpec;
  module: string;
  /** Every probe, oldest first. */
  probes: Probe[];
  /** Every Lighthouse audit, oldest first (empty without `lighthouse`). */
  audits: Audit[];
  /** Probes with fromMs < timestampMs <= toMs: what a counter difference between two scrapes counts. */
  between(fromMs: number, toMs: number): Probe[];
  figures(fromMs: number, toMs: number): Figures;
  /**
   * What PromQL's histogram_quantile(q, ...) computes from the bucket increases over the same
   * span: linear interpolation inside the bucket holding the rank.
   */
  histogramQuantile(q: number, fromMs: number, toMs: number): number;
  /** Journeys: each run's steps (the same order as `probes`); empty without `journey`. */
  stepRuns(probe: Probe): StepRun[];
  /** Journeys: per step name, over the runs with fromMs < timestampMs <= toMs. */
  stepFigures(fromMs: number, toMs: number): Map<string, StepFigures>;
}

export interface SyntheticHistory {
  options: Required<Omit<HistoryOptions, 'targets'>> & { targets: TargetSpec[] };
  /** Scrape instants, ms since the epoch. */
  scrapes: number[];
  /** Ground truth by target name. */
  truth(target: string): TargetTruth;
  /**
   * The OpenMetrics text of the scrapes with fromMs <= t < toMs (default: all of them),
   * ending in `# EOF`.
   */
  openMetrics(fromMs?: number, toMs?: number): string;
  /** Number of series written. */
  seriesCount: number;
}

/** A series: its labels and one value per scrape instant (NaN: absent at that scrape). */
interface SeriesData {
  name: string;
  labels: Record<string, string>;
  values: Float64Array;
}

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  series: SeriesData[];
}

const PHASE_SHARES: [string, number][] = [
  ['resolve', 0.05],
  ['connect', 0.1],
  ['tls', 0.15],
  ['processing', 0.5],
  ['transfer', 0.2],
];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
/** A browser flow step's Lighthouse figures: the series each is written to. */
const LAB_FIGURES = {
  inpSeconds: { family: 'lighthouse_timing_seconds', labels: { metric: 'interaction_to_next_paint' } },
  cls: { family: 'lighthouse_cumulative_layout_shift', labels: {} },
  lcpSeconds: { family: 'lighthouse_timing_seconds', labels: { metric: 'largest_contentful_paint' } },
} as const;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Minutes since local midnight in `timeZone`. */
function localMinuteOfDay(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (ms) => {
    const [h, m] = format.format(ms).split(':').map(Number);
    return h! * 60 + m!;
  };
}

function inWindows<W extends TimeWindow>(ms: number, windows: W[] | undefined): W | undefined {
  return windows?.find((w) => ms >= w.startMs && ms < w.endMs);
}

function latencyFactor(ms: number, model: LatencyModel, startMs: number): number {
  let factor = 1;
  for (const step of [...(model.steps ?? [])].sort((a, b) => a.atMs - b.atMs)) {
    if (step.atMs <= ms) factor = step.factor;
  }
  return factor + (model.driftPerDay ?? 0) * ((ms - startMs) / 86_400_000);
}

/** Nearest-rank quantile of unsorted values. */
function nearestRank(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** PromQL's bucketQuantile over cumulative buckets (+Inf last). */
function bucketQuantile(q: number, buckets: { le: number; count: number }[]): number {
  const total = buckets[buckets.length - 1]!.count;
  if (total === 0) return NaN;
  const rank = q * total;
  const b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  const start = b === 0 ? 0 : buckets[b - 1]!.le;
  const below = b === 0 ? 0 : buckets[b - 1]!.count;
  const end = buckets[b]!.le;
  return start + (end - start) * ((rank - below) / (buckets[b]!.count - below));
}

function simulateProbes(spec: TargetSpec, options: HistoryOptions, seed: number): Probe[] {
  const random = mulberry32(seed ^ hash(spec.name));
  const offsetMs = (spec.probeOffsetSeconds ?? 17) * 1000;
  const intervalMs = spec.probeIntervalSeconds * 1000;
  const daily = spec.dailyFailure;
  const minuteOfDay = daily ? localMinuteOfDay(daily.timeZone ?? 'UTC') : undefined;
  const dailyStart = daily ? Number(daily.start.slice(0, 2)) * 60 + Number(daily.start.slice(3, 5)) : 0;
  const probes: Probe[] = [];
  for (let t = options.startMs + offsetMs; t < options.endMs; t += intervalMs) {
    // Draw for every probe, failed or not, so an outage does not shift later jitter.
    const u = random() * 2 - 1;
    const outage = inWindows(t, spec.outages);
    if (outage) {
      probes.push({
        timestampMs: t,
        durationSeconds: outage.durationSeconds ?? 0.003,
        success: false,
        failure: {
          kind: 'outage',
          phase: outage.phase ?? 'connect',
          reason: outage.reason ?? 'connection_refused',
          step: outage.step,
        },
      });
      continue;
    }
    if (daily && minuteOfDay) {
      const since = (minuteOfDay(t) - dailyStart + 1440) % 1440;
      if (since < daily.minutes) {
        probes.push({
          timestampMs: t,
          durationSeconds: daily.durationSeconds ?? 5,
          success: false,
          failure: {
            kind: 'daily',
            phase: daily.phase ?? 'processing',
            reason: daily.reason ?? 'timeout',
            step: daily.step,
          },
        });
        continue;
      }
    }
    const { baseSeconds, jitter = 0, resolutionSeconds = 0.001 } = spec.latency;
    const exact = baseSeconds * latencyFactor(t, spec.latency, options.startMs) * (1 + jitter * u);
    // Steps per second as an integer, so 0.001 rounds exactly as whole milliseconds always have.
    const steps = Math.round(1 / resolutionSeconds);
    const duration = Math.round(exact * steps) / steps;
    probes.push({ timestampMs: t, durationSeconds: Math.max(resolutionSeconds, duration), success: true });
  }
  return probes;
}

function simulateAudits(spec: TargetSpec, options: HistoryOptions, seed: number): Audit[] {
  const model = spec.lighthouse;
  if (!model) return [];
  const random = mulberry32((seed ^ hash(`${spec.name}/lighthouse`)) >>> 0);
  const intervalMs = (model.intervalSeconds ?? 900) * 1000;
  const offsetMs = ((spec.probeOffsetSeconds ?? 17) + 23) * 1000;
  const audits: Audit[] = [];
  for (let t = options.startMs + offsetMs; t < options.endMs; t += intervalMs) {
    const factor = latencyFactor(t, spec.latency, options.startMs);
    const u = random() * 2 - 1;
    const lcpSeconds = round3(model.lcpSeconds * factor * (1 + 0.05 * u));
    // A faster page scores higher: half the relative speed-up, capped at 1.
    const performance = Math.min(
      1,
      Math.round((model.performance + (1 - factor) * 0.5 + 0.02 * u) * 100) / 100,
    );
    audits.push({ timestampMs: t, performance, lcpSeconds });
  }
  return audits;
}

/** A journey run's steps: the duration split by share between the steps reached (see the file comment). */
function journeySteps(model: JourneyModel | undefined, p: Probe): StepRun[] {
  if (!model) return [];
  const names = model.steps.map((s) => s.name);
  const failedAt = p.failure
    ? p.failure.step === undefined
      ? names.length - 1
      : names.indexOf(p.failure.step)
    : -1;
  if (p.failure && failedAt < 0) throw new Error(`no journey step ${p.failure.step}`);
  const reached = p.failure ? model.steps.slice(0, failedAt + 1) : model.steps;
  const shares = reached.reduce((a, s) => a + s.share, 0);
  return reached.map((s, i) => {
    const failed = i === failedAt;
    const noResponse =
      failed && (['resolve', 'connect', 'tls'].includes(p.failure!.phase) || p.failure!.reason === 'timeout');
    // The same jitter for every figure of the step in this run.
    const jitter = 1 + (model.labJitter ?? 0.1) * ((hash(`${p.timestampMs}/${s.name}`) / 2 ** 32) * 2 - 1);
    const lab =
      model.prober === 'browser' && !failed
        ? {
            ...(s.inpSeconds !== undefined ? { inpSeconds: round3(s.inpSeconds * jitter) } : {}),
            ...(s.cls !== undefined ? { cls: Math.round(s.cls * jitter * 1e4) / 1e4 } : {}),
            ...(s.lcpSeconds !== undefined ? { lcpSeconds: round3(s.lcpSeconds * jitter) } : {}),
          }
        : {};
    return {
      step: s.name,
      durationSeconds: Math.max(0.001, round3((p.durationSeconds * s.share) / shares)),
      success: !failed,
      responded: !noResponse,
      ...(failed ? { reason: p.failure!.reason } : {}),
      ...lab,
    };
  });
}

function makeTruth(spec: TargetSpec, probes: Probe[], audits: Audit[], buckets: number[]): TargetTruth {
  const bounds = [...buckets, Infinity];
  const runs = new Map(probes.map((p) => [p, journeySteps(spec.journey, p)]));
  const between = (fromMs: number, toMs: number): Probe[] =>
    probes.filter((p) => p.timestampMs > fromMs && p.timestampMs <= toMs);
  const figures = (fromMs: number, toMs: number): Figures => {
    const span = between(fromMs, toMs);
    const successes = span.filter((p) => p.success).length;
    const durations = span.map((p) => p.durationSeconds);
    const durationSum = durations.reduce((a, b) => a + b, 0);
    const failuresByReason: Record<string, number> = {};
    for (const p of span) {
      if (p.failure) failuresByReason[p.failure.reason] = (failuresByReason[p.failure.reason] ?? 0) + 1;
    }
    return {
      probes: span.length,
      successes,
      failures: span.length - successes,
      uptime: span.length === 0 ? NaN : successes / span.length,
      durationSum,
      meanDuration: span.length === 0 ? NaN : durationSum / span.length,
      p95: nearestRank(durations, 0.95),
      buckets: bounds.map((le) => ({ le, count: durations.filter((d) => d <= le).length })),
      failuresByReason,
    };
  };
  return {
    spec,
    module: spec.module ?? 'http',
    probes,
    audits,
    between,
    figures,
    histogramQuantile: (q, fromMs, toMs) => bucketQuantile(q, figures(fromMs, toMs).buckets),
    stepRuns: (p) => runs.get(p) ?? [],
    stepFigures(fromMs, toMs) {
      const out = new Map<string, StepFigures & { durations: number[] }>();
      for (const s of spec.journey?.steps ?? [])
        out.set(s.name, { responses: 0, failuresByReason: {}, failures: 0, p95: NaN, durations: [] });
      for (const p of between(fromMs, toMs)) {
        for (const run of runs.get(p) ?? []) {
          const f = out.get(run.step)!;
          if (run.responded) {
            f.responses++;
            f.durations.push(run.durationSeconds);
          }
          if (run.reason !== undefined) {
            f.failures++;
            f.failuresByReason[run.reason] = (f.failuresByReason[run.reason] ?? 0) + 1;
          }
        }
      }
      for (const f of out.values()) f.p95 = nearestRank(f.durations, 0.95);
      return out;
    },
  };
}

/** Formats a value as Prometheus does (shortest round-trip, +Inf / -Inf / NaN). */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Generates the history; pure and deterministic. */
export function generateHistory(input: HistoryOptions): SyntheticHistory {
  const options = {
    scrapeIntervalSeconds: 60,
    seed: 1,
    buckets: DEFAULT_BUCKETS,
    scrapeLabels: { job: 'vantage', instance: 'vantage:9470' },
    ...input,
  };
  const stepMs = options.scrapeIntervalSeconds * 1000;
  if (options.startMs % stepMs !== 0) throw new Error('startMs must be a multiple of the scrape interval');
  const scrapes: number[] = [];
  for (let t = options.startMs; t <= options.endMs; t += stepMs) scrapes.push(t);
  const n = scrapes.length;

  const families = new Map<string, Family>();
  const family = (name: string, type: Family['type'], help: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type, help, series: [] }));
    return f;
  };
  const addSeries = (f: Family, name: string, labels: Record<string, string>): Float64Array => {
    const values = new Float64Array(n).fill(NaN);
    f.series.push({ name, labels: { ...options.scrapeLabels, ...labels }, values });
    return values;
  };

  const truths = new Map<string, TargetTruth>();
  for (const spec of options.targets) {
    const module = spec.module ?? 'http';
    const base = { target: spec.name, module };
    const probes = simulateProbes(spec, options, options.seed);
    const audits = simulateAudits(spec, options, options.seed);
    truths.set(spec.name, makeTruth(spec, probes, audits, options.buckets));

    const probesFamily = family('vantage_probes', 'counter', 'Scheduled probes by result.');
    const success = addSeries(probesFamily, 'vantage_probes_total', { ...base, result: 'success' });
    const failure = addSeries(probesFamily, 'vantage_probes_total', { ...base, result: 'failure' });
    const reasons = new Map<string, Float64Array>();
    const failuresFamily = family('vantage_probe_failures', 'counter', 'Failed probes by phase and reason.');
    for (const p of probes) {
      const key = p.failure ? `${p.failure.phase}/${p.failure.reason}` : undefined;
      if (key && !reasons.has(key)) {
        reasons.set(
          key,
          addSeries(failuresFamily, 'vantage_probe_failures_total', {
            ...base,
            phase: p.failure!.phase,
            reason: p.failure!.reason,
          }),
        );
      }
    }
    const hist = family('vantage_probe_duration_seconds', 'histogram', 'Probe durations.');
    const bounds = [...options.buckets, Infinity];
    const bucketSeries = bounds.map((le) =>
      addSeries(hist, 'vantage_probe_duration_seconds_bucket', { ...base, le: formatValue(le) }),
    );
    const sum = addSeries(hist, 'vantage_probe_duration_seconds_sum', base);
    const count = addSeries(hist, 'vantage_probe_duration_seconds_count', base);
    const up = addSeries(
      family('probe_success', 'gauge', '1 if the latest probe succeeded.'),
      'probe_success',
      base,
    );
    const duration = addSeries(
      family('probe_duration_seconds', 'gauge', 'Duration of the latest probe.'),
      'probe_duration_seconds',
      base,
    );
    const phaseFamily = family('probe_http_duration_seconds', 'gauge', 'Time spent in each phase.');
    // A journey run has no single request's phases.
    const phases = (spec.journey ? [] : PHASE_SHARES).map(
      ([phase, share]) =>
        [addSeries(phaseFamily, 'probe_http_duration_seconds', { ...base, phase }), share] as const,
    );
    const maintenance = addSeries(
      family('vantage_maintenance_active', 'gauge', '1 while a maintenance window covers the target.'),
      'vantage_maintenance_active',
      { target: spec.name },
    );
    const slo = addSeries(
      family('vantage_target_slo_objective', 'gauge', 'Availability objective.'),
      'vantage_target_slo_objective',
      { target: spec.name },
    );

    const threshold =
      spec.latencyThresholdSeconds === undefined
        ? undefined
        : addSeries(
            family('vantage_target_latency_threshold_seconds', 'gauge', 'Latency threshold.'),
            'vantage_target_latency_threshold_seconds',
            { target: spec.name },
          );

    // Walk probes and scrapes together: a scrape shows everything recorded before it.
    let i = 0;
    let ok = 0;
    let failed = 0;
    let durationSum = 0;
    const bucketCounts = new Array<number>(bounds.length).fill(0);
    const reasonCounts = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const at = scrapes[s]!;
      while (i < probes.length && probes[i]!.timestampMs < at) {
        const p = probes[i++]!;
        if (p.success) ok++;
        else {
          failed++;
          const key = `${p.failure!.phase}/${p.failure!.reason}`;
          reasonCounts.set(key, (reasonCounts.get(key) ?? 0) + 1);
        }
        durationSum += p.durationSeconds;
        bounds.forEach((le, b) => {
          if (p.durationSeconds <= le) bucketCounts[b]!++;
        });
      }
      success[s] = ok;
      failure[s] = failed;
      for (const [key, values] of reasons) values[s] = reasonCounts.get(key) ?? 0;
      bucketSeries.forEach((values, b) => (values[s] = bucketCounts[b]!));
      sum[s] = durationSum;
      count[s] = ok + failed;
      const latest = i > 0 ? probes[i - 1] : undefined;
      if (latest) {
        up[s] = latest.success ? 1 : 0;
        duration[s] = latest.durationSeconds;
        for (const [values, share] of phases) {
          // A failed probe reached only DNS resolution in this model: later phases are absent.
          if (latest.success || values === phases[0]?.[0]) values[s] = round3(latest.durationSeconds * share);
        }
      }
      maintenance[s] = inWindows(at, spec.maintenance) ? 1 : 0;
      slo[s] = spec.sloObjective ?? 0.999;
      if (threshold) threshold[s] = spec.latencyThresholdSeconds!;
    }

    if (spec.journey) {
      const truth = truths.get(spec.name)!;
      const browser = spec.journey.prober === 'browser';
      const gaugePrefix = browser ? 'browser_step' : 'probe_journey_step';
      const stepDuration = family(
        `${gaugePrefix}_duration_seconds`,
        'gauge',
        'Duration of each step of the latest journey.',
      );
      const stepSuccess = family(`${gaugePrefix}_success`, 'gauge', '1 if the step passed.');
      const lab = (name: string, model: JourneyStepModel, metric: keyof typeof LAB_FIGURES) =>
        model[metric] === undefined
          ? undefined
          : addSeries(
              family(LAB_FIGURES[metric].family, 'gauge', 'Lighthouse figures of a flow step.'),
              LAB_FIGURES[metric].family,
              { ...base, step: name, ...LAB_FIGURES[metric].labels },
            );
      const stepHist = family(
        'vantage_journey_step_duration_seconds',
        'histogram',
        'Journey step durations.',
      );
      const stepFailures = family('vantage_journey_step_failures', 'counter', 'Failed journeys by step.');
      const stepObjective = family(
        'vantage_journey_step_latency_threshold_seconds',
        'gauge',
        "A step's latency objective.",
      );
      const steps = spec.journey.steps.map((model) => {
        const labels = { ...base, step: model.name };
        return {
          model,
          duration: addSeries(stepDuration, `${gaugePrefix}_duration_seconds`, labels),
          success: addSeries(stepSuccess, `${gaugePrefix}_success`, labels),
          lab: browser
            ? (['inpSeconds', 'cls', 'lcpSeconds'] as const).flatMap((metric) => {
                const values = lab(model.name, model, metric);
                return values ? [{ metric, values }] : [];
              })
            : [],
          buckets: bounds.map((le) =>
            addSeries(stepHist, 'vantage_journey_step_duration_seconds_bucket', {
              ...labels,
              le: formatValue(le),
            }),
          ),
          sum: addSeries(stepHist, 'vantage_journey_step_duration_seconds_sum', labels),
          count: addSeries(stepHist, 'vantage_journey_step_duration_seconds_count', labels),
          objective:
            model.latencyObjectiveSeconds === undefined
              ? undefined
              : addSeries(stepObjective, 'vantage_journey_step_latency_threshold_seconds', labels),
          failures: new Map<string, Float64Array>(),
          state: {
            sum: 0,
            count: 0,
            buckets: new Array<number>(bounds.length).fill(0),
            failures: new Map<string, number>(),
          },
        };
      });
      const byName = new Map(steps.map((st) => [st.model.name, st]));
      // Counter series exist from the first scrape: create every (step, reason) one up front.
      for (const p of probes) {
        for (const run of truth.stepRuns(p)) {
          const st = byName.get(run.step)!;
          if (run.reason !== undefined && !st.failures.has(run.reason)) {
            st.failures.set(
              run.reason,
              addSeries(stepFailures, 'vantage_journey_step_failures_total', {
                ...base,
                step: run.step,
                reason: run.reason,
              }),
            );
          }
        }
      }
      let j = 0;
      for (let s = 0; s < n; s++) {
        while (j < probes.length && probes[j]!.timestampMs < scrapes[s]!) {
          for (const run of truth.stepRuns(probes[j++]!)) {
            const state = byName.get(run.step)!.state;
            if (run.responded) {
              state.sum += run.durationSeconds;
              state.count++;
              bounds.forEach((le, b) => {
                if (run.durationSeconds <= le) state.buckets[b]!++;
              });
            }
            if (run.reason !== undefined)
              state.failures.set(run.reason, (state.failures.get(run.reason) ?? 0) + 1);
          }
        }
        const latest = j > 0 ? truth.stepRuns(probes[j - 1]!) : [];
        for (const st of steps) {
          st.buckets.forEach((values, b) => (values[s] = st.state.buckets[b]!));
          st.sum[s] = st.state.sum;
          st.count[s] = st.state.count;
          for (const [reason, values] of st.failures) values[s] = st.state.failures.get(reason) ?? 0;
          if (st.objective) st.objective[s] = st.model.latencyObjectiveSeconds!;
          const run = latest.find((r) => r.step === st.model.name);
          if (run) {
            st.duration[s] = run.durationSeconds;
            st.success[s] = run.success ? 1 : 0;
            for (const { metric, values } of st.lab) {
              const value = run[metric];
              if (value !== undefined) values[s] = value;
            }
          }
        }
      }
    }

    if (spec.lighthouse) {
      const lh = { target: spec.name, module: 'lighthouse' };
      const scoreFamily = family('lighthouse_category_score', 'gauge', 'Lighthouse category score, 0..1.');
      const scores = CATEGORIES.map((category) =>
        addSeries(scoreFamily, 'lighthouse_category_score', { ...lh, category }),
      );
      const timingFamily = family('lighthouse_timing_seconds', 'gauge', 'Lighthouse timings in seconds.');
      const lcp = addSeries(timingFamily, 'lighthouse_timing_seconds', {
        ...lh,
        metric: 'largest_contentful_paint',
      });
      const lastRun = addSeries(
        family('lighthouse_last_run_timestamp_seconds', 'gauge', 'When the latest audit ran.'),
        'lighthouse_last_run_timestamp_seconds',
        lh,
      );
      const opportunities = (spec.lighthouse.opportunities ?? []).map((o) => ({
        ...o,
        seconds: addSeries(
          family('lighthouse_opportunity_savings_seconds', 'gauge', 'Estimated load time savings.'),
          'lighthouse_opportunity_savings_seconds',
          { ...lh, audit: o.audit },
        ),
        bytes: addSeries(
          family('lighthouse_opportunity_savings_bytes', 'gauge', 'Estimated transfer savings.'),
          'lighthouse_opportunity_savings_bytes',
          { ...lh, audit: o.audit },
        ),
      }));
      let a = 0;
      for (let s = 0; s < n; s++) {
        while (a < audits.length && audits[a]!.timestampMs < scrapes[s]!) a++;
        const latest = a > 0 ? audits[a - 1]! : undefined;
        if (!latest) continue;
        scores[0]![s] = latest.performance;
        for (const values of scores.slice(1)) values[s] = 0.95;
        lcp[s] = latest.lcpSeconds;
        lastRun[s] = latest.timestampMs / 1000;
        for (const o of opportunities) {
          o.seconds[s] = o.savingsSeconds;
          o.bytes[s] = o.savingsBytes;
        }
      }
    }
  }

  const all = [...families.values()];
  return {
    options,
    scrapes,
    seriesCount: all.reduce((k, f) => k + f.series.length, 0),
    truth(target) {
      const t = truths.get(target);
      if (!t) throw new Error(`no target ${target}`);
      return t;
    },
    openMetrics(fromMs = -Infinity, toMs = Infinity) {
      const first = scrapes.findIndex((t) => t >= fromMs);
      let last = scrapes.findIndex((t) => t >= toMs);
      if (last === -1) last = n;
      const out: string[] = [];
      if (first !== -1) {
        for (const f of all) {
          out.push(`# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`);
          for (const series of f.series) {
            const prefix = `${series.name}${labelText(series.labels)} `;
            for (let s = first; s < last; s++) {
              const v = series.values[s]!;
              if (!Number.isNaN(v)) out.push(`${prefix}${formatValue(v)} ${scrapes[s]! / 1000}\n`);
            }
          }
        }
      }
      out.push('# EOF\n');
      return out.join('');
    },
  };
}
