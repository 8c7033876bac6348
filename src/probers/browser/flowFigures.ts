/**
 * Lighthouse's figures for each step of a user flow: a flow result is one LHR per step, each in the
 * mode of its step (navigation, timespan, snapshot), and each mode measures different things. Pure
 * over the JSON; the readers are the Lighthouse prober's (../lighthouse/extract.ts), so a step's
 * LCP and an audit's LCP are read the same way.
 *
 * Per mode (`lighthouse_timing_seconds{step,metric}`): a navigation has FCP, LCP, TBT and Speed
 * Index; a timespan has TBT and INP (INP only when the step had an interaction Lighthouse saw); a
 * snapshot has no timings. CLS exists for navigations and timespans. Category scores only for
 * navigations: the one mode Lighthouse scores (it shows timespans and snapshots as fractions).
 */
import {
  categoryScores,
  cumulativeLayoutShift,
  timingSeconds,
  type Lhr,
  type TimingMetric,
} from '../lighthouse/extract.js';
import type { StepFigures, StepMode } from './workerProtocol.js';

/** The audit INP comes from (timespan mode only; a navigation has no interaction). */
const INP_AUDIT = 'interaction-to-next-paint';

const MODE_TIMINGS: Record<StepMode, readonly (TimingMetric | 'interaction_to_next_paint')[]> = {
  navigation: ['first_contentful_paint', 'largest_contentful_paint', 'total_blocking_time', 'speed_index'],
  timespan: ['total_blocking_time', 'interaction_to_next_paint'],
  snapshot: [],
};

/** The parts of a Lighthouse flow result vantage reads. */
export interface FlowResultLike {
  steps: { name: string; lhr: Lhr & { gatherMode?: string } }[];
}

function isMode(mode: unknown): mode is StepMode {
  return mode === 'navigation' || mode === 'timespan' || mode === 'snapshot';
}

function inpSeconds(lhr: Lhr): number | undefined {
  const ms = lhr.audits[INP_AUDIT]?.numericValue;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms / 1000 : undefined;
}

export function flowFigures(flow: FlowResultLike): StepFigures[] {
  const out: StepFigures[] = [];
  for (const { name, lhr } of flow.steps) {
    const mode = lhr.gatherMode;
    if (!isMode(mode)) continue;
    const timings: Record<string, number> = {};
    for (const metric of MODE_TIMINGS[mode]) {
      const value = metric === 'interaction_to_next_paint' ? inpSeconds(lhr) : timingSeconds(lhr, metric);
      if (value !== undefined) timings[metric] = value;
    }
    // Only a navigation is scored: Lighthouse shows timespan and snapshot categories as passed-audit
    // fractions, and their `score` (a snapshot's performance is 0) would read as a failing grade.
    const scores = mode === 'navigation' ? categoryScores(lhr) : {};
    const figures: StepFigures = { step: name, mode, timings, scores };
    const cls = mode === 'snapshot' ? undefined : cumulativeLayoutShift(lhr);
    if (cls !== undefined) figures.cls = cls;
    out.push(figures);
  }
  return out;
}
