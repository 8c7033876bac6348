/**
 * Metric families that metrics/ derives itself from every ProbeResult, whatever the prober.
 * Prober-specific families (probe_http_*, lighthouse_*) live with their probers.
 */
import type { MetricFamily, ProbeFailure } from '../probers/types.js';

export const probeSuccess: MetricFamily = {
  name: 'probe_success',
  help: 'Whether the latest probe succeeded (1) or failed (0).',
  type: 'gauge',
};
export const probeDuration: MetricFamily = {
  name: 'probe_duration_seconds',
  help: 'How long the latest probe took to complete, in seconds.',
  type: 'gauge',
};
export const probeFailureInfo: MetricFamily = {
  name: 'probe_failure_info',
  help: "Set to 1 with the phase and reason (and a journey's step) of the latest probe when it failed; absent when it succeeded.",
  type: 'gauge',
};
/** The labels of probe_failure_info: phase and reason, and the step of a journey that failed. */
export function failureInfoLabels(failure: ProbeFailure): Record<string, string> {
  const labels: Record<string, string> = { phase: failure.phase, reason: failure.reason };
  if (failure.step !== undefined) labels.step = failure.step;
  return labels;
}

export const probeLastRun: MetricFamily = {
  name: 'vantage_probe_last_run_timestamp_seconds',
  help: 'Unix time at which the latest probe of this target and module started.',
  type: 'gauge',
};

/** Counter and histogram families that accumulate across probes (exact SLO arithmetic). */
export const PROBES_TOTAL = {
  name: 'vantage_probes_total',
  help: 'Probes run by the scheduler, by result (success or failure). Every probe counts; none is lost between scrapes.',
  type: 'counter',
} as const;
export const PROBE_DURATION_HISTOGRAM = {
  name: 'vantage_probe_duration_seconds',
  help: "Distribution of probe durations in seconds. The target's latency threshold is always a bucket boundary, so latency SLIs are exact.",
  type: 'histogram',
} as const;
export const FAILURES_TOTAL = {
  name: 'vantage_probe_failures_total',
  help: 'Failed probes by phase and reason, from the fixed list of failure reasons.',
  type: 'counter',
} as const;

/**
 * Buckets around typical web latencies; each target's latency threshold is added to them, so
 * the latency SLI is exact wherever the threshold lies. Kept short on purpose: with 10,000
 * checks every extra boundary is 10,000 more series per scrape.
 */
export const DEFAULT_DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
