/**
 * The metric families the Lighthouse prober emits (names and labels: DESIGN.md "Metrics", a contract).
 * Gauges describe the latest batch's median run; the two `_total` counters are incremented per run, so
 * no run is lost between scrapes (ProbeResult.counters).
 */
import type { MetricFamily } from '../types.js';

export const lighthouseFamilies = {
  up: {
    name: 'lighthouse_up',
    help: 'Whether the latest Lighthouse batch produced at least one valid run (1) or none (0)',
    type: 'gauge',
  },
  categoryScore: {
    name: 'lighthouse_category_score',
    help: "Lighthouse category score, 0..1: of an audit's median run, or of a browser flow's step (`step`)",
    type: 'gauge',
  },
  timingSeconds: {
    name: 'lighthouse_timing_seconds',
    help: "Lab timing in seconds, by metric: of an audit's median run, or of a browser flow's step (`step`)",
    type: 'gauge',
  },
  cumulativeLayoutShift: {
    name: 'lighthouse_cumulative_layout_shift',
    help: "Cumulative Layout Shift (unitless): of an audit's median run, or of a browser flow's step (`step`)",
    type: 'gauge',
  },
  transferBytes: {
    name: 'lighthouse_transfer_bytes',
    help: 'Bytes transferred during the median run, by resource type',
    type: 'gauge',
  },
  requests: {
    name: 'lighthouse_requests',
    help: 'Requests made during the median run, by resource type',
    type: 'gauge',
  },
  opportunitySavingsSeconds: {
    name: 'lighthouse_opportunity_savings_seconds',
    help: 'Estimated load time savings of a Lighthouse opportunity audit in the median run, in seconds',
    type: 'gauge',
  },
  opportunitySavingsBytes: {
    name: 'lighthouse_opportunity_savings_bytes',
    help: 'Estimated transfer savings of a Lighthouse opportunity audit in the median run, in bytes',
    type: 'gauge',
  },
  runs: {
    name: 'lighthouse_runs',
    help: 'Valid runs in the latest Lighthouse batch',
    type: 'gauge',
  },
  timingSpreadRatio: {
    name: 'lighthouse_timing_spread_ratio',
    help: '(max - min) / median of a timing across the valid runs of the latest batch',
    type: 'gauge',
  },
  benchmarkIndex: {
    name: 'lighthouse_benchmark_index',
    help: "Lighthouse's benchmark index of the machine during the median run (higher is faster)",
    type: 'gauge',
  },
  runDurationSeconds: {
    name: 'lighthouse_run_duration_seconds',
    help: 'Wall time of the median run, Chrome launch to Lighthouse result, in seconds',
    type: 'gauge',
  },
  lastRunTimestampSeconds: {
    name: 'lighthouse_last_run_timestamp_seconds',
    help: 'When the latest Lighthouse batch finished, in seconds since the epoch',
    type: 'gauge',
  },
  targetInfo: {
    name: 'lighthouse_target_info',
    help: 'Audited URL and audit settings of the latest batch; always 1',
    type: 'gauge',
  },
  failureInfo: {
    name: 'lighthouse_failure_info',
    help: 'Why the latest Lighthouse batch produced no valid run; always 1',
    type: 'gauge',
  },
  runsTotal: {
    name: 'lighthouse_runs_total',
    help: 'Lighthouse runs, by result (success = a valid run)',
    type: 'counter',
  },
  cwvRunsTotal: {
    name: 'lighthouse_cwv_runs_total',
    help: 'Valid Lighthouse runs by Core Web Vitals rating (good, needs_improvement, poor) of each metric',
    type: 'counter',
  },
} as const satisfies Record<string, MetricFamily>;
