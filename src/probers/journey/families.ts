/**
 * The metric families of the journey prober (DESIGN.md "Metrics", journeys). probe_success,
 * probe_duration_seconds (the transaction time) and probe_failure_info (with `step`) are the
 * generic ones metrics/ derives from the result, so a journey works in every availability rule.
 */
import type { MetricFamily } from '../types.js';

export const journeyFamilies = {
  stepDurationSeconds: {
    name: 'probe_journey_step_duration_seconds',
    help: 'Duration of each step of the latest journey run, request to last byte, in seconds; a step not reached has no series',
    type: 'gauge',
  },
  stepSuccess: {
    name: 'probe_journey_step_success',
    help: 'Whether each step of the latest journey run passed its checks and extractions (1) or failed (0)',
    type: 'gauge',
  },
  stepLatencyThreshold: {
    name: 'vantage_journey_step_latency_threshold_seconds',
    help: "Each step's latency objective in seconds: its slo.latency, else the target's",
    type: 'gauge',
  },
  stepFailuresTotal: {
    name: 'vantage_journey_step_failures_total',
    help: 'Failed journey runs by the step that failed and the reason',
    type: 'counter',
  },
  stepDurationHistogram: {
    name: 'vantage_journey_step_duration_seconds',
    help: "Distribution of journey step durations in seconds; the step's latency objective is a bucket boundary",
    type: 'histogram',
  },
} as const satisfies Record<string, MetricFamily>;
