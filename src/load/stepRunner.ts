/**
 * One step of a load test: `rate` requests/s for `durationMs` against one URL, with autocannon
 * generating the requests.
 *
 * Why a step is several autocannon runs: autocannon's rate limit gives each connection its
 * per-second quota at the start of the connection's one-second window, and all connections of
 * one run open their windows together, so a run at 1,000 requests/s sends its 1,000 requests in
 * one burst each second. A target that could serve the rate evenly spread queues that burst, and
 * its p95 shows the burst, not the rate. The step therefore starts PHASES runs 1/PHASES s apart,
 * each with its share of the connections and of the rate: the bursts are PHASES times smaller
 * and evenly spaced, as k6's constant-arrival-rate spreads its iterations.
 *
 * Each connection sends exactly its quota (rate x seconds, autocannon's maxOverallRequests), so
 * a step asks for exactly `rate` x seconds requests. The step ends when every run has had its
 * answers, or at `durationMs` plus a grace (3x the latency objective, 1 to 10 s): requests still
 * unanswered then count as errors. The runner judges the step so far four times a second with
 * the injected `judge` and stops at once when it says so, or when `signal` aborts (Ctrl-C, the
 * run's deadline); requests in flight at such a stop are not counted.
 */
import autocannon from 'autocannon';
import type { LoadTestStep } from '../store/loadTests.js';
import type { AbortDecision, StepSoFar } from './abortRules.js';
import { StepStats } from './stepStats.js';

/** Runs per step; enough to smooth a step, few enough that their timers and histograms are cheap. */
export const PHASES = 20;
const JUDGE_EVERY_MS = 250;
/** autocannon's tick: how soon a run notices that it is done or told to stop. */
const SAMPLE_MS = 100;

export interface StepInput {
  url: string;
  /** 1-based */
  index: number;
  rate: number;
  connections: number;
  durationMs: number;
  sloLatencySeconds: number;
  judge: (soFar: StepSoFar) => AbortDecision | null;
  signal: AbortSignal;
}

export interface StepOutcome {
  step: LoadTestStep;
  /** the judge's decision when it stopped the step */
  abort: AbortDecision | null;
  /** the step was stopped by `signal` before its end */
  cut: boolean;
}

/** `total` split into `parts` whole shares that differ by at most one; share i. */
function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

export function graceMs(sloLatencySeconds: number): number {
  return Math.min(10_000, Math.max(1000, 3 * sloLatencySeconds * 1000));
}

export async function runStep(input: StepInput): Promise<StepOutcome> {
  const stats = new StepStats();
  const seconds = input.durationMs / 1000;
  const phases = Math.max(1, Math.min(PHASES, input.connections, input.rate));
  const grace = graceMs(input.sloLatencySeconds);
  const runs: autocannon.Instance[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  let abort: AbortDecision | null = null;
  let cutUnanswered = false;
  /** every request of the step has ended (answered or failed) */
  let complete = false;
  const planned = input.rate * seconds;

  const startedAt = Date.now();
  const t0 = performance.now();
  let lastAnswerAt = t0;
  const answer = (status: number | null, ms: number) => {
    if (status === null) stats.failure();
    else stats.response(status, ms);
    lastAnswerAt = performance.now();
    // autocannon ends a connection only when it next asks to send, a window after its quota's
    // last answer: the step ends at its last answer instead.
    if (stats.requests >= planned && !stopping) {
      complete = true;
      stopAll();
    }
  };
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  let phasesStarted = 0;
  let runsSettled = 0;
  // Done when no phase is still to start and every run started has finished.
  const settled = () => {
    if ((stopping || phasesStarted === phases) && runsSettled === runs.length) allDone();
  };

  let stoppedAt = 0;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    stoppedAt = performance.now();
    for (const t of timers) clearTimeout(t);
    for (const run of runs) run.stop();
    settled();
  };

  /** One autocannon run: `connections` connections sending `perConnection` requests/s each. */
  const startRun = (connections: number, perConnection: number) => {
    const run = autocannon({
      url: input.url,
      connections,
      connectionRate: perConnection,
      maxConnectionRequests: perConnection * seconds,
      duration: seconds + grace / 1000 + 1,
      timeout: 10,
      sampleInt: SAMPLE_MS,
      setupClient: (client: NodeJS.EventEmitter) => client.on('request', () => (stats.sent += 1)),
      // Without a callback autocannon returns its tracker, which is also a promise of the result.
    }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
    run.on('response', (_client, status, _bytes, ms) => answer(status, ms));
    run.on('reqError', () => answer(null, 0));
    runs.push(run);
    const settle = () => {
      runsSettled += 1;
      settled();
    };
    Promise.resolve(run).then(settle, settle);
  };

  // A phase's connections share its rate evenly: autocannon splits a run's quota (rate x
  // seconds) and its rate over the connections separately, and a connection whose quota is not
  // its rate x seconds would run past the step. So a phase whose rate does not divide by its
  // connections is two runs, one a request/s faster per connection than the other.
  const startPhase = (i: number) => {
    if (stopping) return;
    const rate = share(input.rate, phases, i);
    const connections = Math.min(rate, share(input.connections, phases, i));
    const slow = Math.floor(rate / connections);
    const fast = rate - slow * connections;
    if (connections - fast > 0) startRun(connections - fast, slow);
    if (fast > 0) startRun(fast, slow + 1);
    phasesStarted += 1;
  };

  for (let i = 0; i < phases; i++) {
    const delay = (i * 1000) / phases;
    if (i === 0) startPhase(0);
    else timers.push(setTimeout(() => startPhase(i), delay));
  }
  const judging = setInterval(() => {
    const decision = input.judge({
      index: input.index,
      requestedRate: input.rate,
      requests: stats.requests,
      errors: stats.errors,
      p95Seconds: stats.percentileSeconds(95),
    });
    if (decision) {
      abort = decision;
      stopAll();
    }
  }, JUDGE_EVERY_MS);
  const hardEnd = setTimeout(() => {
    cutUnanswered = true;
    stopAll();
  }, input.durationMs + grace);
  const onSignal = () => stopAll();
  input.signal.addEventListener('abort', onSignal);
  if (input.signal.aborted) stopAll();

  try {
    await done;
  } finally {
    clearInterval(judging);
    clearTimeout(hardEnd);
    input.signal.removeEventListener('abort', onSignal);
  }
  const stoppedEarly = stopping && !cutUnanswered && !complete;
  if (cutUnanswered) stats.unanswered += Math.max(0, stats.sent - stats.requests);
  // The figures at the end: a step stopped between two judgements is judged on all it saw.
  abort ??= input.signal.aborted
    ? null
    : input.judge({
        index: input.index,
        requestedRate: input.rate,
        requests: stats.requests,
        errors: stats.errors,
        p95Seconds: stats.percentileSeconds(95),
      });
  // A full step's rate is over its planned length, or until its last answer when the target
  // took longer; not over autocannon's tick after it (up to SAMPLE_MS). A step stopped early is
  // measured until the stop.
  const measuredSeconds = stoppedEarly
    ? (stoppedAt - t0) / 1000
    : cutUnanswered
      ? (input.durationMs + grace) / 1000
      : Math.max(seconds, (lastAnswerAt - t0) / 1000);
  const step = stats.figures(input.rate, startedAt, Number(measuredSeconds.toFixed(3)));
  stats.destroy();
  return { step, abort, cut: input.signal.aborted };
}
