/**
 * One finished load test as `vantage load` stores it and as the report, /metrics and the change
 * log read it back (DESIGN.md "Configuration": `targets[].load_test`). Times are epoch
 * milliseconds, latencies seconds, rates requests per second. A record is written once, when
 * the run ends for whatever reason, and never changed.
 */

/** Why the run ended. Only `completed` walked every step; the others say which cap stopped it. */
export const LOAD_TEST_OUTCOMES = [
  'completed',
  /** a step's error ratio passed the abort threshold (5 %) */
  'stopped_errors',
  /** a step's p95 passed the abort multiple (3x) of the target's latency objective */
  'stopped_latency',
  /** --max-duration (or the target's load_test.max_duration) ran out */
  'stopped_max_duration',
  /** Ctrl-C (SIGINT) or SIGTERM */
  'interrupted',
] as const;
export type LoadTestOutcome = (typeof LOAD_TEST_OUTCOMES)[number];

/** The figures of one step, at one requested rate. */
export interface LoadTestStep {
  /** the rate asked for, requests/s */
  requestedRate: number;
  /** responses (of any kind) and errors per second actually reached over the step */
  achievedRate: number;
  requests: number;
  /** non-2xx/3xx responses, timeouts and connection errors */
  errors: number;
  /** errors / requests; 0 when no request was sent */
  errorRatio: number;
  p50Seconds: number;
  p95Seconds: number;
  p99Seconds: number;
  startedAt: number;
  durationSeconds: number;
}

export interface LoadTestRecord {
  id: number;
  target: string;
  url: string;
  startedAt: number;
  finishedAt: number;
  outcome: LoadTestOutcome;
  /** a sentence for people: "step 7 (700 requests/s): 12 % errors, above the 5 % abort threshold" */
  stopReason: string | null;
  /** the target's slo.latency when the run started, seconds: the knee's and the abort's yardstick */
  sloLatencySeconds: number;
  /** the highest requested rate whose step kept p95 under the objective and errors under 1 %; null when even the first step missed */
  knee: { rate: number; p95Seconds: number } | null;
  steps: LoadTestStep[];
  /** what was asked for, after the config's caps */
  params: {
    rateStart: number;
    rateEnd: number;
    steps: number;
    stepDurationMs: number;
    concurrency: number;
    maxDurationMs: number;
  };
  /** the change log entry (kind `load_test`) that records this run on dashboards and in reports */
  changeId: number | null;
}
