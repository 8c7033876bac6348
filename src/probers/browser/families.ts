/**
 * The metric families of the browser-flow prober (DESIGN.md "Metrics", browser flows). The generic
 * probe series (probe_success, probe_duration_seconds = the transaction time, probe_failure_info
 * with `step`) come from the result as for every prober; the step objective, histogram and failure
 * counter are the HTTP journeys' own families (one VantageJourneyStepSlow for both); Lighthouse's
 * figures per step are the lighthouse_* families with a `step` label.
 */
import { journeyFamilies } from '../journey/families.js';
import { lighthouseFamilies } from '../lighthouse/families.js';
import type { MetricFamily } from '../types.js';

export const browserFamilies = {
  stepDurationSeconds: {
    name: 'browser_step_duration_seconds',
    help: "Duration of each step of the latest browser flow in seconds: its action and wait, not Lighthouse's analysis; a step not reached has no series",
    type: 'gauge',
  },
  stepSuccess: {
    name: 'browser_step_success',
    help: 'Whether each step of the latest browser flow passed (1) or failed (0)',
    type: 'gauge',
  },
  stepLatencyThreshold: journeyFamilies.stepLatencyThreshold,
  stepDurationHistogram: journeyFamilies.stepDurationHistogram,
  stepFailuresTotal: journeyFamilies.stepFailuresTotal,
  timingSeconds: lighthouseFamilies.timingSeconds,
  cumulativeLayoutShift: lighthouseFamilies.cumulativeLayoutShift,
  categoryScore: lighthouseFamilies.categoryScore,
} as const satisfies Record<string, MetricFamily>;
