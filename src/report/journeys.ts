/**
 * The report's journey figures for a period [start, end): one entry per journey (a `prober:
 * journey` module of a target, kind "http", or a `prober: browser` flow, kind "browser"),
 * found by its step series in the period: probe_journey_step_success for HTTP journeys,
 * browser_step_success for browser flows. Journeys without runs in the period are left out, so
 * a period without journeys has none and the renderers show no journey section.
 *
 * Both kinds share the generic probe series and the step histogram and failure counter, so
 * they get the same figures. Per journey, with the exact counter differences of monitoring.ts
 * (counterDelta; increase() when a counter reset, as the caller's `exact` says):
 * - runs and completion rate: vantage_probes_total of the journey's module, successful / all;
 * - mean transaction time: vantage_probe_duration_seconds _sum / _count (a browser flow's is
 *   the sum of its steps' durations, without Lighthouse's analysis);
 * - p95 transaction time: the runs' own durations (raw samples of probe_duration_seconds,
 *   percentiles.ts), falling back to histogram_quantile arithmetic over the buckets with the
 *   bucket's bounds, as the targets' p95 does;
 * - per step: completed responses (vantage_journey_step_duration_seconds_count), journeys
 *   failed at the step (vantage_journey_step_failures_total, with the most frequent reason),
 *   p95 step time (the step gauge, probe_journey_step_duration_seconds or
 *   browser_step_duration_seconds, weighed by that count, per `step`) and the step's latency
 *   objective (vantage_journey_step_latency_threshold_seconds);
 * - the step that failed most: the most journey failures, ties to the step reached more often
 *   (the earlier one), then by name;
 * - the slowest step: the highest p95 step time, ties to the earlier step;
 * - browser flows only: each step's Lighthouse INP and CLS (75th percentiles, flowVitals.ts)
 *   and the worst step of each, null without Lighthouse values in the period.
 *
 * The metrics name no step order, so steps are listed by completed responses, most first
 * (every run reaches the first step, fewer the later ones); of steps with as many responses, one
 * with failures comes last (a step whose failures still completed their responses, a bad status
 * or a selector not found, ties with the steps before it, and no run went on past its failures),
 * then by name.
 */
import { flowVitals, worstStep, type StepVital } from './flowVitals.js';
import { counterDelta, selector } from './monitoring.js';
import { responsePercentiles, type PercentileSource } from './percentiles.js';
import type { InstantSample, PrometheusClient } from './prometheusClient.js';

export interface JourneyStepFigures {
  step: string;
  /** Responses the step completed in the period (successful or not). */
  responses: number;
  /** Journeys that failed at this step. */
  failures: number;
  /** The most frequent failure reason at this step (ties: by name), null without failures. */
  topReason: string | null;
  /** 95th percentile of the step's durations, seconds (see p95Source). */
  p95Seconds: number | null;
  p95Source: PercentileSource | null;
  /** The step's latency objective at the period's end, seconds; null when none is set. */
  latencyObjectiveSeconds: number | null;
  /**
   * Browser flows: 75th percentile of the step's Lighthouse interaction to next paint, seconds;
   * null for HTTP journeys and steps without one (no interaction, `lighthouse: false`).
   */
  inpP75Seconds: number | null;
  /** Browser flows: 75th percentile of the step's Lighthouse cumulative layout shift; else null. */
  clsP75: number | null;
}

export interface MostFailingStep {
  step: string;
  /** Journeys that failed at the step in the period. */
  failures: number;
  /** Its most frequent reason, and how many of the failures had it. */
  reason: string | null;
  reasonFailures: number;
}

/** "http": a `prober: journey` module; "browser": a `prober: browser` flow run in Chromium. */
export type JourneyKind = 'http' | 'browser';

export interface SlowestStep {
  step: string;
  /** Its p95 step time, seconds. */
  p95Seconds: number;
}

export interface JourneyFigures {
  target: string;
  module: string;
  kind: JourneyKind;
  /** Journeys run in the period. */
  runs: number;
  /** Journeys that completed every step. */
  completed: number;
  /** completed / runs, 0..1. */
  completionRate: number;
  /** Mean transaction time (whole journey), seconds. */
  meanSeconds: number | null;
  /** 95th percentile of the transaction times, seconds (see p95Source). */
  p95Seconds: number | null;
  p95Source: PercentileSource | null;
  /** Null when no journey failed in the period. */
  mostFailingStep: MostFailingStep | null;
  /** The step with the highest p95 step time; null when no step has one. */
  slowestStep: SlowestStep | null;
  /** Browser flows: the step with the highest INP p75; null for HTTP journeys and without values. */
  worstInp: StepVital | null;
  /** Browser flows: the step with the highest CLS p75; null for HTTP journeys and without values. */
  worstCls: StepVital | null;
  steps: JourneyStepFigures[];
}

export interface JourneyOptions {
  /** Only these targets (default: every target with journey series). */
  targets?: readonly string[];
  /** False when a counter reset in the period (monitoring.ts `exact`): counts from increase(). */
  exact: boolean;
  /** Most raw duration samples fetched per percentile (percentiles.ts RAW_SAMPLE_BUDGET). */
  rawSampleBudget?: number;
}

const quote = (text: string): string => JSON.stringify(text);

/** Key of a (target, module) pair. */
const keyOf = (m: Record<string, string>): string => JSON.stringify([m.target ?? '', m.module ?? '']);

/** Sample values by key, for samples carrying both labels. */
function byKey(samples: readonly InstantSample[], key: (m: Record<string, string>) => string) {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.metric.target === undefined || s.metric.module === undefined || !Number.isFinite(s.value)) continue;
    out.set(key(s.metric), (out.get(key(s.metric)) ?? 0) + s.value);
  }
  return out;
}

/** Each kind's step series: the one that finds the journey and the one holding step durations. */
const STEP_SERIES: Record<JourneyKind, { success: string; duration: string }> = {
  http: { success: 'probe_journey_step_success', duration: 'probe_journey_step_duration_seconds' },
  browser: { success: 'browser_step_success', duration: 'browser_step_duration_seconds' },
};

/** A count from a counter difference: whole when exact, as extrapolated otherwise. */
function count(value: number | undefined, exact: boolean): number {
  const v = Math.max(0, value ?? 0);
  return exact ? Math.round(v) : v;
}

export async function journeyFigures(
  client: PrometheusClient,
  period: { start: number; end: number },
  options: JourneyOptions,
): Promise<JourneyFigures[]> {
  const { start, end } = period;
  const lenMs = end - start;
  if (!Number.isFinite(lenMs) || lenMs <= 0) throw new RangeError('the period must end after it starts');
  const { exact } = options;
  const sel = (extra = ''): string => selector(options.targets, extra);
  const inside = `[${lenMs - 1}ms]`;
  const delta = (metric: string, by: string, extra = ''): string =>
    counterDelta(`${metric}${sel(extra)}`, by, lenMs, exact);

  const stepsOf = (kind: JourneyKind) =>
    client.query(
      `group by (target, module, step) (last_over_time(${STEP_SERIES[kind].success}${sel()}${inside}))`,
      end,
    );
  const [httpSteps, browserSteps] = await Promise.all([stepsOf('http'), stepsOf('browser')]);
  const stepSeries = [...httpSteps, ...browserSteps];
  const journeys = new Map<string, { target: string; module: string; kind: JourneyKind }>();
  for (const [kind, series] of [
    ['http', httpSteps],
    ['browser', browserSteps],
  ] as const) {
    for (const s of series) {
      const { target, module } = s.metric;
      if (target !== undefined && module !== undefined)
        journeys.set(keyOf(s.metric), { target, module, kind });
    }
  }
  if (journeys.size === 0) return [];

  const stepKey = (m: Record<string, string>): string => JSON.stringify([m.target, m.module, m.step ?? '']);
  const [runs, successes, durSum, durCount, stepCounts, stepFailures, objectives] = await Promise.all([
    client.query(delta('vantage_probes_total', 'target, module'), end),
    client.query(delta('vantage_probes_total', 'target, module', 'result="success"'), end),
    client.query(delta('vantage_probe_duration_seconds_sum', 'target, module'), end),
    client.query(delta('vantage_probe_duration_seconds_count', 'target, module'), end),
    client.query(delta('vantage_journey_step_duration_seconds_count', 'target, module, step'), end),
    client.query(delta('vantage_journey_step_failures_total', 'target, module, step, reason'), end),
    client.query(
      `max by (target, module, step) (last_over_time(vantage_journey_step_latency_threshold_seconds${sel()}${inside}))`,
      end,
    ),
  ]);
  const runsOf = byKey(runs, keyOf);
  const successesOf = byKey(successes, keyOf);
  const sumOf = byKey(durSum, keyOf);
  const countOf = byKey(durCount, keyOf);
  const responsesOf = byKey(stepCounts, stepKey);
  const objectiveOf = byKey(objectives, stepKey);

  const out: JourneyFigures[] = [];
  for (const [key, { target, module, kind }] of journeys) {
    const n = runsOf.get(key) ?? 0;
    if (Math.round(n) <= 0) continue;
    const journeySel = `{target=${quote(target)}, module=${quote(module)}}`;
    const stepNames = new Set(
      [...stepSeries, ...stepCounts, ...stepFailures]
        .filter((s) => keyOf(s.metric) === key && s.metric.step !== undefined)
        .map((s) => s.metric.step!),
    );
    const stepDelta = (metric: string) => (by: string) =>
      counterDelta(`${metric}${journeySel}`, by, lenMs, exact);
    const ranSteps = [...stepNames].filter(
      (step) => Math.round(responsesOf.get(stepKey({ target, module, step })) ?? 0) > 0,
    );
    const [transaction, stepP95, vitals] = await Promise.all([
      responsePercentiles(client, {
        q: 0.95,
        end,
        lengthMs: lenMs,
        selector: journeySel,
        bucketDeltas: stepDelta('vantage_probe_duration_seconds_bucket'),
        probedTargets: [target],
        rawSampleBudget: options.rawSampleBudget,
      }),
      responsePercentiles(client, {
        q: 0.95,
        end,
        lengthMs: lenMs,
        selector: journeySel,
        bucketDeltas: stepDelta('vantage_journey_step_duration_seconds_bucket'),
        probedTargets: ranSteps,
        rawSampleBudget: options.rawSampleBudget,
        gauge: STEP_SERIES[kind].duration,
        count: 'vantage_journey_step_duration_seconds_count',
        by: 'step',
      }),
      kind === 'browser'
        ? flowVitals(client, {
            end,
            lengthMs: lenMs,
            target,
            module,
            steps: ranSteps,
            rawSampleBudget: options.rawSampleBudget,
          })
        : null,
    ]);

    const steps: JourneyStepFigures[] = [...stepNames].map((step) => {
      const reasons = stepFailures
        .filter((s) => keyOf(s.metric) === key && s.metric.step === step && s.metric.reason !== undefined)
        .map((s) => ({ reason: s.metric.reason!, n: count(s.value, exact) }))
        .filter((r) => r.n > 0)
        .sort((a, b) => b.n - a.n || (a.reason < b.reason ? -1 : 1));
      const p95 = stepP95.perTarget.get(step) ?? null;
      return {
        step,
        responses: count(responsesOf.get(stepKey({ target, module, step })), exact),
        failures: reasons.reduce((a, r) => a + r.n, 0),
        topReason: reasons[0]?.reason ?? null,
        p95Seconds: p95?.seconds ?? null,
        p95Source: p95?.source ?? null,
        latencyObjectiveSeconds: objectiveOf.get(stepKey({ target, module, step })) ?? null,
        inpP75Seconds: vitals?.inp.get(step)?.seconds ?? null,
        clsP75: vitals?.cls.get(step)?.seconds ?? null,
      };
    });
    steps.sort(
      (a, b) =>
        b.responses - a.responses ||
        Number(a.failures > 0) - Number(b.failures > 0) ||
        (a.step < b.step ? -1 : a.step > b.step ? 1 : 0),
    );

    // Steps are in journey order now, so the first of equal failure counts is the earlier step.
    let worst: JourneyStepFigures | null = null;
    for (const s of steps) if (s.failures > 0 && (worst === null || s.failures > worst.failures)) worst = s;
    const mostFailingStep: MostFailingStep | null = worst && {
      step: worst.step,
      failures: worst.failures,
      reason: worst.topReason,
      reasonFailures: count(
        stepFailures.find(
          (s) =>
            keyOf(s.metric) === key && s.metric.step === worst.step && s.metric.reason === worst.topReason,
        )?.value,
        exact,
      ),
    };

    // In journey order too, so of equal p95s the earlier step is the slowest.
    let slowestStep: SlowestStep | null = null;
    for (const { step, p95Seconds } of steps)
      if (p95Seconds !== null && (slowestStep === null || p95Seconds > slowestStep.p95Seconds))
        slowestStep = { step, p95Seconds };
    const order = steps.map((s) => s.step);

    const ok = successesOf.get(key) ?? 0;
    const countD = countOf.get(key) ?? 0;
    const sumD = sumOf.get(key);
    const p95 = transaction.perTarget.get(target) ?? null;
    out.push({
      target,
      module,
      kind,
      runs: count(n, exact),
      completed: count(ok, exact),
      completionRate: Math.min(1, Math.max(0, ok / n)),
      meanSeconds: countD > 0 && sumD !== undefined ? sumD / countD : null,
      p95Seconds: p95?.seconds ?? null,
      p95Source: p95?.source ?? null,
      mostFailingStep,
      slowestStep,
      worstInp: vitals ? worstStep(vitals.inp, order) : null,
      worstCls: vitals ? worstStep(vitals.cls, order) : null,
      steps,
    });
  }
  return out.sort((a, b) =>
    a.target !== b.target
      ? a.target < b.target
        ? -1
        : 1
      : a.module < b.module
        ? -1
        : a.module > b.module
          ? 1
          : 0,
  );
}
