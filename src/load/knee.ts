/**
 * The knee of a load test: the highest requested rate the target served within its objective.
 * A step passes when its p95 stayed under the target's slo.latency, under 1 % of its requests
 * failed, and it reached at least 95 % of the rate it asked for (a step the generator or the
 * target could not drive to its rate did not show that the target holds that rate; k6 calls the
 * shortfall dropped iterations). 95 %: the generator itself holds a rate within 5 % (bench/load.ts
 * measures it exactly on target up to 2,000 requests/s), so a larger shortfall is the target's;
 * at 90 % a server saturated at N still passed its 1.1 N step.
 *
 * A run need not be monotonic: a step can fail and a higher one pass (a cache warming, a noisy
 * neighbour). The knee is the last passing step before the first failing one, as k6 thresholds
 * and Gatling assertions read a ramp: the rate the target held every step up to. Null when even
 * the first step failed (or no step ran). Pure.
 */
import type { LoadTestStep } from '../store/loadTests.js';

/** Errors at or above this share of a step's requests fail it for the knee. */
export const KNEE_ERROR_RATIO = 0.01;
/** A step that reached less than this share of its requested rate fails it for the knee. */
export const KNEE_MIN_ACHIEVED_SHARE = 0.95;

/** Why a step is not within the objective; null when it is. */
export function stepMiss(step: LoadTestStep, sloLatencySeconds: number): string | null {
  if (step.requests === 0) return 'no request completed';
  if (step.errorRatio >= KNEE_ERROR_RATIO) return 'errors at or above 1 %';
  if (step.p95Seconds >= sloLatencySeconds) return 'p95 at or above the latency objective';
  if (step.achievedRate < KNEE_MIN_ACHIEVED_SHARE * step.requestedRate)
    return 'reached less than 95 % of the requested rate';
  return null;
}

export function findKnee(
  steps: readonly LoadTestStep[],
  sloLatencySeconds: number,
): { rate: number; p95Seconds: number } | null {
  let knee: LoadTestStep | undefined;
  for (const step of steps) {
    if (stepMiss(step, sloLatencySeconds) !== null) break;
    knee = step;
  }
  return knee ? { rate: knee.requestedRate, p95Seconds: knee.p95Seconds } : null;
}
