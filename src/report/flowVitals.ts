/**
 * A browser flow's Lighthouse lab figures per step for a period, for the report's journey
 * table: each step's 75th percentile of interaction to next paint (timespan steps that had an
 * interaction) and of cumulative layout shift (navigation and timespan steps), and the worst
 * step of each.
 *
 * The values are the flow's lighthouse_* series WITH a `step` label (a Lighthouse audit
 * module's have none, `step=""`): lighthouse_timing_seconds{metric="interaction_to_next_paint"}
 * and lighthouse_cumulative_layout_shift. Like the step durations they are gauges holding the
 * latest run's value, so they are read as percentiles.ts reads durations: the raw samples in
 * the period, each weighed by the runs that reached the step since the previous scrape
 * (vantage_journey_step_duration_seconds_count of the step), so a run's value counts once
 * however many scrapes saw it (beyond the raw-sample budget, Prometheus's quantile_over_time
 * over the scrapes, where a run weighs the time it stayed the latest: nearly the same for runs
 * at a steady interval). The 75th percentile is the one Core Web Vitals are judged on.
 * A step without Lighthouse values in the period (a flow with `lighthouse: false`, a step
 * without an interaction) has none, and a flow without any has no worst step.
 */
import { responsePercentiles, type Percentile } from './percentiles.js';
import type { PrometheusClient } from './prometheusClient.js';

/** Core Web Vitals' "good" limits (web.dev): above them a figure needs improvement. */
export const GOOD_INP_SECONDS = 0.2;
export const GOOD_CLS = 0.1;

/** The quantile the figures are taken at. */
const Q = 0.75;

/** One step's 75th percentile of a Lighthouse figure over the period's runs. */
export interface StepVital {
  step: string;
  /** Seconds for INP, unitless for CLS. */
  p75: number;
  /** Runs the figure rests on. */
  runs: number;
}

export interface FlowVitals {
  /** Per step that had values: INP p75 in seconds and CLS p75. */
  inp: Map<string, Percentile>;
  cls: Map<string, Percentile>;
}

/**
 * The per-step figures of one flow (the `module` of `target`) over the period of `lengthMs`
 * ending at `end`; `steps` are the flow's steps that ran in the period. Percentile's `seconds`
 * holds the CLS value for CLS.
 */
export async function flowVitals(
  client: PrometheusClient,
  query: {
    end: number;
    lengthMs: number;
    target: string;
    module: string;
    steps: readonly string[];
    rawSampleBudget?: number;
  },
): Promise<FlowVitals> {
  const labels = `target=${JSON.stringify(query.target)}, module=${JSON.stringify(query.module)}`;
  const percentiles = (gauge: string, extra: string) =>
    responsePercentiles(client, {
      q: Q,
      end: query.end,
      lengthMs: query.lengthMs,
      selector: `{${labels}, step!=""${extra}}`,
      countSelector: `{${labels}}`,
      gauge,
      count: 'vantage_journey_step_duration_seconds_count',
      by: 'step',
      probedTargets: query.steps,
      pairIgnoring: extra ? ['metric'] : [],
      rawSampleBudget: query.rawSampleBudget,
    });
  const [inp, cls] = await Promise.all([
    percentiles('lighthouse_timing_seconds', ', metric="interaction_to_next_paint"'),
    percentiles('lighthouse_cumulative_layout_shift', ''),
  ]);
  return { inp: inp.perTarget, cls: cls.perTarget };
}

/**
 * The step with the highest figure; ties go to the earlier step of `order` (the flow's order).
 * Null when no step has one.
 */
export function worstStep(
  values: ReadonlyMap<string, Percentile>,
  order: readonly string[],
): StepVital | null {
  let worst: StepVital | null = null;
  for (const step of order) {
    const p = values.get(step);
    if (p && (worst === null || p.seconds > worst.p75))
      worst = { step, p75: p.seconds, runs: p.source.samples };
  }
  return worst;
}
