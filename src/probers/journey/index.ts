/**
 * The journey prober: the steps of a transaction run in order over one cookie jar, each an HTTP
 * exchange of the http prober (same timings, checks, redirects, TLS, body limits and address
 * rules), followed by its JSON assertions and extractions. The first failing step ends the run;
 * steps after it have no series. Never throws, returns by the journey's deadline; a step's own
 * timeout bounds it within that.
 *
 * Roles: compile.ts (a step's static form, once per config), variables.ts (values and secrets
 * of one run), request.ts (a step's request), extract.ts and jsonChecks.ts (reading the response),
 * families.ts, trace.ts (debug output), summary.ts (index page).
 */
import { redactUrl } from '../../config/redact.js';
import type { JourneyModuleConfig } from '../../config/schema.js';
import { formatSeconds } from '../../format/index.js';
import {
  httpExchange,
  httpFamilies,
  ProbeCookies,
  ProbeError,
  type HttpProbeOptions,
} from '../http/index.js';
import { phaseSummary } from '../http/summary.js';
import { TraceRecorder } from '../trace.js';
import type { Observation, ProbeContext, ProbeFailure, ProbeResult, Sample } from '../types.js';
import { compileStep, type CompiledStep } from './compile.js';
import { extractValue } from './extract.js';
import { journeyFamilies as f } from './families.js';
import { failedJsonAssertion } from './jsonChecks.js';
import { stepRequest } from './request.js';
import { StepResponse } from './responseBody.js';
import { JourneyVariables, VariableError } from './variables.js';

export { journeyFamilies } from './families.js';

export interface JourneyProbeOptions extends HttpProbeOptions {
  /** The target's latency objective in seconds: a step's objective when it sets none. */
  latencyObjectiveSeconds?: number;
}

/** What one run shares between its steps. */
interface JourneyRun {
  readonly t0: number;
  readonly trace: TraceRecorder;
  readonly variables: JourneyVariables;
  readonly jar: ProbeCookies;
  readonly samples: Sample[];
  readonly observations: Observation[];
  failure?: ProbeFailure;
}

function statusOf(result: ProbeResult): number | undefined {
  return result.samples.find((s) => s.family.name === httpFamilies.statusCode.name)?.value;
}

async function runStep(
  run: JourneyRun,
  step: CompiledStep,
  journey: JourneyModuleConfig,
  base: URL,
  ctx: ProbeContext,
  stepTimeoutMs: number | undefined,
  options: HttpProbeOptions,
): Promise<ProbeFailure | undefined> {
  const failure = (phase: string, reason: ProbeFailure['reason'], message: string): ProbeFailure => ({
    phase,
    reason,
    message: `step ${step.name}: ${message}`,
    step: step.name,
  });
  let request;
  try {
    request = await stepRequest(step, run.variables, base, journey.compression);
  } catch (err) {
    if (err instanceof ProbeError) return failure(err.phase ?? 'resolve', err.reason, err.message);
    if (err instanceof VariableError) return failure('resolve', 'extraction_failed', err.message);
    // new URL() of the resolved text: the text is not echoed (it may hold credentials).
    return failure('resolve', 'protocol_error', 'the step URL is not a valid URL');
  }
  const started = performance.now();
  const deadline = Math.min(ctx.deadline, stepTimeoutMs === undefined ? Infinity : started + stepTimeoutMs);
  const outcome = await httpExchange(request.url, step.module, { signal: ctx.signal, deadline }, options, {
    prepared: request.prepared,
    jar: run.jar,
    keepBody: step.needsBody,
  });
  const offset = started - run.t0;
  for (const event of outcome.result.trace) run.trace.add(event.message, run.t0 + offset + event.atMs);
  const result = outcome.result;
  const status = statusOf(result);
  const phases = phaseSummary(result);
  run.trace.add(
    `${step.name}: ${status ? `status ${status}` : 'no response'} in ${formatSeconds(result.durationSeconds)}` +
      `${phases ? ` (${phases})` : ''}`,
  );
  if (!result.success) {
    const f0 = result.failure!;
    return { ...f0, message: `step ${step.name}: ${f0.message}`, step: step.name };
  }
  const response = new StepResponse(outcome.final?.headers ?? {}, outcome.final?.body?.content());
  const mismatch = failedJsonAssertion(step.jsonAssertions, response);
  if (mismatch !== undefined) return failure('transfer', 'json_mismatch', mismatch);
  const finalUrl = outcome.finalUrl ?? new URL(request.url);
  for (const rule of step.extractions) {
    const extracted = extractValue(rule, response, (name) => run.jar.value(finalUrl, name));
    if (!extracted.ok) return failure('extract', 'extraction_failed', extracted.error);
    run.variables.set(rule.name, extracted.value, rule.secret);
    run.trace.add(
      `extracted ${rule.name}${rule.secret ? ' (secret)' : ` = ${JSON.stringify(extracted.value)}`}`,
    );
  }
  return undefined;
}

export async function journeyProber(
  url: string,
  journey: JourneyModuleConfig,
  ctx: ProbeContext,
  options: JourneyProbeOptions,
): Promise<ProbeResult> {
  // Compiled before the clock starts: a first run's compilation is not the site's time.
  const steps = journey.steps.map((config) => ({ config, step: compileStep(journey, config) }));
  const t0 = performance.now();
  const startedAtMs = Date.now();
  let mark = t0;
  const run: JourneyRun = {
    t0,
    trace: new TraceRecorder(t0),
    variables: new JourneyVariables(),
    jar: new ProbeCookies(),
    samples: [],
    observations: [],
  };
  const counters: Sample[] = [];
  let base: URL | undefined;
  try {
    base = new URL(url);
  } catch {
    run.failure = { phase: 'resolve', reason: 'protocol_error', message: 'the target is not a valid URL' };
  }
  for (let i = 0; base !== undefined && i < steps.length; i++) {
    const { config, step } = steps[i]!;
    // Steps are contiguous: each starts where the previous one ended, so the bookkeeping between
    // them (microseconds) is counted in a step and the steps add up to the transaction time.
    const stepStart = mark;
    run.trace.add(`step ${i + 1}/${steps.length} ${step.name}`, stepStart);
    const failure = ctx.signal.aborted
      ? {
          phase: 'resolve',
          reason: 'timeout' as const,
          message: `step ${step.name}: journey timed out`,
          step: step.name,
        }
      : await runStep(run, step, journey, base, ctx, config.timeout, options);
    mark = performance.now();
    const seconds = (mark - stepStart) / 1000;
    const objectiveSeconds =
      config.slo.latency !== undefined ? config.slo.latency / 1000 : options.latencyObjectiveSeconds;
    run.samples.push(
      { family: f.stepDurationSeconds, labels: step.labels, value: seconds },
      { family: f.stepSuccess, labels: step.labels, value: failure === undefined ? 1 : 0 },
    );
    if (objectiveSeconds !== undefined) {
      run.samples.push({ family: f.stepLatencyThreshold, labels: step.labels, value: objectiveSeconds });
    }
    run.observations.push({
      family: f.stepDurationHistogram,
      labels: step.labels,
      value: seconds,
      ...(objectiveSeconds !== undefined && { boundary: objectiveSeconds }),
    });
    if (failure !== undefined) {
      run.failure = failure;
      counters.push({
        family: f.stepFailuresTotal,
        labels: { step: step.name, reason: failure.reason },
        value: 1,
      });
      run.trace.add(`failed: ${failure.reason} in ${failure.phase}: ${failure.message}`);
      break;
    }
  }
  const redact = (text: string) => redactUrl(run.variables.redact(text));
  return {
    success: run.failure === undefined,
    durationSeconds: (mark - t0) / 1000,
    startedAtMs,
    ...(run.failure && { failure: { ...run.failure, message: redact(run.failure.message) } }),
    samples: run.samples,
    counters,
    observations: run.observations,
    trace: run.trace.events.map((event) => ({ atMs: event.atMs, message: redact(event.message) })),
  };
}
