/**
 * A browser flow's ProbeResult, from what its run produced: the steps the worker reported (each with
 * its own duration and, for the failing one, why), how the run ended (answer, deadline, crash,
 * launch failure), and Lighthouse's figures per step. Pure, table-tested.
 *
 * Rules:
 * - the transaction time (probe_duration_seconds) is the sum of the steps' own durations: what the
 *   user waited for, not Chrome's start nor Lighthouse's set-up, gathering and analysis;
 * - a step that did not run has no series; the failing step has its duration and success 0;
 * - a run cut off mid-step (flow deadline, Chrome gone) fails at that step, timed by vantage;
 * - a flow whose steps all passed succeeds, even if Lighthouse's analysis then failed (its figures
 *   are absent and the trace says why): the user's transaction worked.
 */
import type { BrowserStepConfig } from '../../config/browserSchema.js';
import { stepAction } from '../../config/browserSchema.js';
import type { ProbeFailure, ProbeResult, Sample, TraceEvent } from '../types.js';
import { browserFamilies as f } from './families.js';
import type { StepFailure, StepFigures } from './workerProtocol.js';

/** A step as the worker (or, when the run was cut off, vantage) reported it. */
export interface StepRecord {
  durationMs: number;
  failure?: StepFailure;
  url?: string;
}

/** How the run ended when the worker gave no answer for a step (vantage's words). */
export interface RunCutOff {
  reason: 'timeout' | 'chrome_crashed' | 'page_error';
  message: string;
  /** The step that was running, and for how long it had run (ms). */
  step?: number;
  stepElapsedMs?: number;
}

export interface FlowResultInput {
  steps: readonly BrowserStepConfig[];
  /** Default objective of a step (the target's slo.latency, seconds). */
  latencyObjectiveSeconds?: number;
  records: readonly (StepRecord | undefined)[];
  cutOff?: RunCutOff;
  figures: readonly StepFigures[];
  startedAtMs: number;
  trace: TraceEvent[];
  /** Appended to the failure message: where the evidence is (the saved run's screenshot, page). */
  evidence?: string;
}

/** The phase of a failure at a step: its action (navigate, click, ...). */
const phaseOf = (step: BrowserStepConfig): string => stepAction(step);

export function buildFlowResult(input: FlowResultInput): ProbeResult {
  const samples: Sample[] = [];
  const counters: Sample[] = [];
  const observations: NonNullable<ProbeResult['observations']> = [];
  let totalMs = 0;
  let failure: ProbeFailure | undefined;
  input.steps.forEach((step, i) => {
    if (failure) return;
    let record = input.records[i];
    if (record === undefined && input.cutOff?.step === i) {
      record = {
        durationMs: input.cutOff.stepElapsedMs ?? 0,
        failure: { reason: input.cutOff.reason, message: input.cutOff.message },
      };
    }
    if (record === undefined) {
      if (input.cutOff && i === 0) {
        // Nothing ran (Chrome did not start): the flow fails at the browser, no step has series.
        failure = {
          phase: 'browser',
          reason: input.cutOff.reason as ProbeFailure['reason'],
          message: input.cutOff.message,
        };
      }
      return;
    }
    const labels = { step: step.name };
    const seconds = record.durationMs / 1000;
    totalMs += record.durationMs;
    const objective =
      step.slo.latency !== undefined ? step.slo.latency / 1000 : input.latencyObjectiveSeconds;
    samples.push(
      { family: f.stepDurationSeconds, labels, value: seconds },
      { family: f.stepSuccess, labels, value: record.failure ? 0 : 1 },
    );
    if (objective !== undefined) samples.push({ family: f.stepLatencyThreshold, labels, value: objective });
    observations.push({
      family: f.stepDurationHistogram,
      labels,
      value: seconds,
      ...(objective !== undefined && { boundary: objective }),
    });
    if (record.failure) {
      failure = {
        phase: phaseOf(step),
        reason: record.failure.reason as ProbeFailure['reason'],
        step: step.name,
        message: `step ${step.name}: ${record.failure.message}`,
      };
      counters.push({
        family: f.stepFailuresTotal,
        labels: { step: step.name, reason: record.failure.reason },
        value: 1,
      });
    }
  });
  if (!failure && input.cutOff && input.records.length < input.steps.length) {
    // The run ended between steps (after one finished, before the next started).
    const next = input.steps[input.records.filter((r) => r !== undefined).length];
    failure = {
      phase: next ? phaseOf(next) : 'browser',
      reason: input.cutOff.reason as ProbeFailure['reason'],
      ...(next && { step: next.name }),
      message: input.cutOff.message,
    };
  }
  for (const figures of input.figures) {
    const labels = { step: figures.step };
    for (const [metric, value] of Object.entries(figures.timings)) {
      samples.push({ family: f.timingSeconds, labels: { ...labels, metric }, value });
    }
    if (figures.cls !== undefined)
      samples.push({ family: f.cumulativeLayoutShift, labels, value: figures.cls });
    for (const [category, value] of Object.entries(figures.scores)) {
      samples.push({ family: f.categoryScore, labels: { ...labels, category }, value });
    }
  }
  if (failure && input.evidence) failure.message += `; ${input.evidence}`;
  return {
    success: failure === undefined,
    durationSeconds: totalMs / 1000,
    startedAtMs: input.startedAtMs,
    ...(failure && { failure }),
    samples,
    counters,
    observations,
    trace: input.trace,
  };
}
