/**
 * When a load test stops on its own: a step whose error ratio passes 5 % or whose p95 passes
 * three times the target's latency objective. The runner asks while the step runs (four times a
 * second, on the step so far), not only at its end, so a target that starts failing mid-run is
 * abandoned within the step where it started failing rather than hammered to the end of the run.
 *
 * The step so far must hold a few requests before it is judged: one slow first response (a cold
 * connection, a JIT warming) is not a p95. Pure.
 */
import { formatRate, formatRatio, formatSeconds } from '../format/index.js';
import type { LoadTestOutcome } from '../store/loadTests.js';

export const ABORT_ERROR_RATIO = 0.05;
export const ABORT_LATENCY_MULTIPLE = 3;
/** Fewer requests than this in the step so far are not judged. */
export const MIN_REQUESTS_TO_JUDGE = 20;

/** The step so far, as the runner counts it. */
export interface StepSoFar {
  /** 1-based */
  index: number;
  requestedRate: number;
  requests: number;
  errors: number;
  p95Seconds: number;
}

export interface AbortDecision {
  outcome: Extract<LoadTestOutcome, 'stopped_errors' | 'stopped_latency'>;
  reason: string;
}

/** Whether to stop now, and why; null to go on. */
export function judgeStep(step: StepSoFar, sloLatencySeconds: number): AbortDecision | null {
  if (step.requests < MIN_REQUESTS_TO_JUDGE) return null;
  const where = `step ${step.index} (${formatRate(step.requestedRate)})`;
  const errorRatio = step.errors / step.requests;
  if (errorRatio > ABORT_ERROR_RATIO)
    return {
      outcome: 'stopped_errors',
      reason: `${where}: ${formatRatio(errorRatio, 1)} errors, above the ${formatRatio(ABORT_ERROR_RATIO, 0)} abort threshold`,
    };
  const limit = ABORT_LATENCY_MULTIPLE * sloLatencySeconds;
  if (step.p95Seconds > limit)
    return {
      outcome: 'stopped_latency',
      reason: `${where}: p95 ${formatSeconds(step.p95Seconds)}, above ${ABORT_LATENCY_MULTIPLE}x the ${formatSeconds(sloLatencySeconds)} latency objective (${formatSeconds(limit)})`,
    };
  return null;
}
