/**
 * Load test records for tests, built from the few figures a test is about: a step from its rate,
 * p95, error ratio and the rate it reached; a stored run from its target and finish time, the
 * rest a plain run unless given. The shapes are the store's (src/store/loadTests.ts).
 */
import type { LoadTestStep, NewLoadTest } from '../../src/store/loadTests.js';

export function loadTestStep(
  requestedRate: number,
  p95Seconds: number,
  errorRatio = 0,
  achievedRate = requestedRate,
): LoadTestStep {
  const requests = Math.round(achievedRate * 10);
  return {
    requestedRate,
    achievedRate,
    requests,
    errors: Math.round(requests * errorRatio),
    errorRatio,
    p50Seconds: p95Seconds / 2,
    p95Seconds,
    p99Seconds: p95Seconds * 1.2,
    startedAt: 1_700_000_000_000,
    durationSeconds: 10,
  };
}

export function newLoadTest(
  target: string,
  finishedAt: number,
  fields: Partial<NewLoadTest> = {},
): NewLoadTest {
  return {
    target,
    url: `http://127.0.0.1:8080/${target}`,
    startedAt: finishedAt - 60_000,
    finishedAt,
    outcome: 'completed',
    stopReason: null,
    sloLatencySeconds: 0.5,
    knee: null,
    steps: [],
    params: {
      rateStart: 100,
      rateEnd: 500,
      steps: 5,
      stepDurationMs: 10_000,
      concurrency: 50,
      maxDurationMs: 600_000,
    },
    ...fields,
  };
}
