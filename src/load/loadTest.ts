/**
 * A whole load test: the plan's steps one after the other, each judged by the abort rules while
 * it runs, within the plan's max duration, until the last step, an abort, or the caller's signal
 * (Ctrl-C). Returns the run as the store keeps it and its change log entry; storing and printing
 * are the caller's. The step runner is injected, so the sequencing is tested without a network.
 */
import { redactUrl } from '../config/redact.js';
import { formatRate } from '../format/index.js';
import type { NewChange } from '../store/changes.js';
import type { LoadTestOutcome, LoadTestStep, NewLoadTest } from '../store/loadTests.js';
import { judgeStep } from './abortRules.js';
import { findKnee } from './knee.js';
import type { LoadPlan } from './plan.js';
import { runStep, type StepInput, type StepOutcome } from './stepRunner.js';

export interface LoadTestOptions {
  plan: LoadPlan;
  /** aborts the run (Ctrl-C, SIGTERM); its reason, when a string, names the signal */
  signal: AbortSignal;
  /** after each step, with its 1-based index */
  onStep?: (step: LoadTestStep, index: number) => void;
  runStep?: (input: StepInput) => Promise<StepOutcome>;
}

export interface FinishedLoadTest {
  run: NewLoadTest;
  change: NewChange;
}

const OUTCOME_TITLES: Record<LoadTestOutcome, string | null> = {
  completed: null,
  stopped_errors: 'stopped: errors above 5 %',
  stopped_latency: 'stopped: p95 above 3x the objective',
  stopped_max_duration: 'stopped: max duration reached',
  interrupted: 'stopped: interrupted',
};

/** The change log entry's title: what a dashboard annotation shows. */
export function loadTestTitle(run: Pick<NewLoadTest, 'target' | 'knee' | 'outcome'>): string {
  const knee = run.knee ? `knee ${formatRate(run.knee.rate)}` : 'no knee';
  const stopped = OUTCOME_TITLES[run.outcome];
  return `Load test of ${run.target}: ${knee}${stopped ? ` (${stopped})` : ''}`;
}

export async function runLoadTest(options: LoadTestOptions): Promise<FinishedLoadTest> {
  const { plan } = options;
  const step = options.runStep ?? runStep;
  const startedAt = Date.now();
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort('max-duration'), plan.maxDurationMs);
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  const steps: LoadTestStep[] = [];
  let outcome: LoadTestOutcome = 'completed';
  let stopReason: string | null = null;
  // A step cut by Ctrl-C or the deadline is kept, but its figures are not a full step's.
  let lastStepCut = false;
  try {
    for (const [i, rate] of plan.rates.entries()) {
      if (signal.aborted) break;
      const result = await step({
        url: plan.url,
        index: i + 1,
        rate,
        connections: plan.concurrency,
        durationMs: plan.stepDurationMs,
        sloLatencySeconds: plan.sloLatencySeconds,
        judge: (soFar) => judgeStep(soFar, plan.sloLatencySeconds),
        signal,
      });
      steps.push(result.step);
      options.onStep?.(result.step, i + 1);
      if (result.abort) {
        outcome = result.abort.outcome;
        stopReason = result.abort.reason;
        break;
      }
      if (result.cut) {
        lastStepCut = true;
        break;
      }
    }
  } finally {
    clearTimeout(deadlineTimer);
  }
  if (outcome === 'completed' && signal.aborted) {
    const where = steps.length > 0 ? ` during step ${steps.length} of ${plan.rates.length}` : '';
    if (options.signal.aborted) {
      outcome = 'interrupted';
      const by = typeof options.signal.reason === 'string' ? options.signal.reason : 'a signal';
      stopReason = `interrupted by ${by}${where}`;
    } else {
      outcome = 'stopped_max_duration';
      stopReason = `the max duration ran out${where}`;
    }
  }
  const finishedAt = Date.now();
  const knee = findKnee(lastStepCut ? steps.slice(0, -1) : steps, plan.sloLatencySeconds);
  const run: NewLoadTest = {
    target: plan.target,
    // Stored and printed: without the password a target URL may carry.
    url: redactUrl(plan.url),
    startedAt,
    finishedAt,
    outcome,
    stopReason,
    sloLatencySeconds: plan.sloLatencySeconds,
    knee,
    steps,
    params: plan.params,
  };
  const rates = `${formatRate(plan.params.rateStart)} to ${formatRate(plan.params.rateEnd)}`;
  const change: NewChange = {
    title: loadTestTitle(run),
    kind: 'load_test',
    target: plan.target,
    at: startedAt,
    description:
      `vantage load: ${steps.length} of ${plan.rates.length} steps from ${rates}, ` +
      `${plan.params.concurrency} connections.${stopReason ? ` ${stopReason}.` : ''}`,
  };
  return { run, change };
}
