/**
 * What a load test will do, decided before it sends anything: the steps' rates from the flags,
 * checked against the target's config. Pure: the config and the flags in, a plan or a refusal
 * out, so every refusal is tested without a server and a refused run cannot have sent a request.
 *
 * Choices (docs/load-testing.md says them to users):
 * - `--rate=START..END` climbs in equal increments, rounded to whole requests/s: step i of n asks
 *   for START + (END - START) * i / (n - 1). With `--steps=1` the one step runs at END (the rate
 *   the user is asking about). `--rate=R` alone is a constant rate: START = END = R, one step
 *   unless --steps says more (then n steps at R, i.e. a soak in n readings).
 * - Steps last whole seconds: autocannon's rate limit hands each connection its quota per
 *   one-second window, so a fractional step would end inside a window that already sent its
 *   whole quota and overshoot the rate.
 * - A plan longer than --max-duration is refused, not clamped: a clamped run would silently not
 *   reach END, and the user asked about END.
 * - Concurrency defaults to the target's max_concurrency (more connections keep the rate when
 *   the target slows down), never more than END: autocannon opens at most one connection per
 *   request/s.
 */
import type { TargetConfig, VantageConfig } from '../config/schema.js';
import { formatConfigDuration, readDuration } from '../config/duration.js';
import type { LoadTestRecord } from '../store/loadTests.js';

/** What the command line said, as text; undefined when a flag was not given. */
export interface LoadFlags {
  target?: string;
  rate?: string;
  steps?: string;
  'step-duration'?: string;
  concurrency?: string;
  'max-duration'?: string;
}

export interface LoadPlan {
  target: string;
  url: string;
  sloLatencySeconds: number;
  /** the rate each step asks for, requests/s, in order */
  rates: number[];
  stepDurationMs: number;
  concurrency: number;
  maxDurationMs: number;
  params: LoadTestRecord['params'];
}

/** A refusal, naming the flag (without its dashes) or the config field it is about. */
export interface PlanRefusal {
  flag: string;
  message: string;
}

export type PlanResult = { ok: true; plan: LoadPlan } | { ok: false; refusal: PlanRefusal };

export const DEFAULT_STEPS = 10;
export const DEFAULT_STEP_DURATION_MS = 30_000;
/** More readings than this is a soak test; run several. */
export const MAX_STEPS = 1000;

const WHOLE = /^\d{1,9}$/;

function refuse(flag: string, message: string): PlanResult {
  return { ok: false, refusal: { flag, message } };
}

/** `START..END` or `R`, whole requests/s from 1. */
export function parseRate(text: string): { start: number; end: number; range: boolean } | string {
  const m = /^\s*(\d{1,9})\s*(?:\.\.\s*(\d{1,9})\s*)?$/.exec(text);
  if (!m)
    return `expected START..END or a single rate in whole requests/s (e.g. 50..500 or 200), got "${text}"`;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1) return `rates start at 1 request/s, got "${text}"`;
  if (end < start) return `END must not be below START, got "${text}"`;
  return { start, end, range: m[2] !== undefined };
}

/** Each step's rate: equal increments from start to end, whole requests/s; one step is END. */
export function stepRates(start: number, end: number, steps: number): number[] {
  if (steps === 1) return [end];
  return Array.from({ length: steps }, (_, i) => Math.round(start + ((end - start) * i) / (steps - 1)));
}

/** Milliseconds, or why the text is not a duration. */
function duration(text: string): number | string {
  const parsed = readDuration(text.trim());
  return parsed.ok ? parsed.ms : `not a duration: "${text}" (use e.g. 30s, 1m, 10m)`;
}

const durationText = formatConfigDuration;

/** The plan for `flags` against `config`, or the first reason to refuse it. */
export function planLoadTest(
  flags: LoadFlags,
  config: Pick<VantageConfig, 'targets'>,
  configFile = 'the config',
): PlanResult {
  if (flags.target === undefined || flags.target.trim() === '')
    return refuse('target', 'required: the name of a configured target that allows load tests');
  const index = config.targets.findIndex((t) => t.name === flags.target);
  const target: TargetConfig | undefined = config.targets[index];
  if (!target) {
    const names = config.targets.map((t) => t.name).join(', ') || 'none';
    const what = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.target)
      ? `"${flags.target}" is a URL; load tests run against configured targets only, by name`
      : `no target named "${flags.target}"`;
    return refuse('target', `${what} in ${configFile} (configured: ${names})`);
  }
  const field = `targets[${index}].load_test`;
  const caps = target.load_test;
  if (!caps.allowed)
    return refuse(
      'target',
      `target "${target.name}" does not allow load tests: set ${field}.allowed: true in ${configFile} (and its max_rate) to allow them`,
    );
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return refuse('target', `target "${target.name}" has no usable URL: "${target.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refuse('target', `target "${target.name}" is not an http(s) URL: ${url.protocol}`);

  if (flags.rate === undefined) return refuse('rate', 'required: START..END in requests/s, e.g. 50..500');
  const rate = parseRate(flags.rate);
  if (typeof rate === 'string') return refuse('rate', rate);
  if (rate.end > caps.max_rate)
    return refuse(
      'rate',
      `${rate.end} requests/s is above ${field}.max_rate (${caps.max_rate}) of target "${target.name}"`,
    );

  let steps = rate.range ? DEFAULT_STEPS : 1;
  if (flags.steps !== undefined) {
    const n = WHOLE.test(flags.steps.trim()) ? Number(flags.steps.trim()) : NaN;
    if (!(n >= 1 && n <= MAX_STEPS))
      return refuse('steps', `expected a whole number from 1 to ${MAX_STEPS}, got "${flags.steps}"`);
    steps = n;
  }

  let stepDurationMs = DEFAULT_STEP_DURATION_MS;
  if (flags['step-duration'] !== undefined) {
    const ms = duration(flags['step-duration']);
    if (typeof ms === 'string') return refuse('step-duration', ms);
    if (ms < 1000 || ms % 1000 !== 0)
      return refuse(
        'step-duration',
        `must be whole seconds, at least 1s (autocannon holds a rate per one-second window), got "${flags['step-duration']}"`,
      );
    stepDurationMs = ms;
  }

  let maxDurationMs = caps.max_duration;
  if (flags['max-duration'] !== undefined) {
    const ms = duration(flags['max-duration']);
    if (typeof ms === 'string') return refuse('max-duration', ms);
    if (ms <= 0) return refuse('max-duration', 'must be greater than 0');
    if (ms > caps.max_duration)
      return refuse(
        'max-duration',
        `${durationText(ms)} is above ${field}.max_duration (${durationText(caps.max_duration)}) of target "${target.name}"`,
      );
    maxDurationMs = ms;
  }
  const plannedMs = steps * stepDurationMs;
  if (plannedMs > maxDurationMs)
    return refuse(
      'max-duration',
      `${steps} steps of ${durationText(stepDurationMs)} take ${durationText(plannedMs)}, longer than the ${durationText(maxDurationMs)} allowed` +
        `${flags['max-duration'] === undefined ? ` (${field}.max_duration)` : ''}: fewer --steps or a shorter --step-duration`,
    );

  let concurrency = Math.min(caps.max_concurrency, rate.end);
  if (flags.concurrency !== undefined) {
    const n = WHOLE.test(flags.concurrency.trim()) ? Number(flags.concurrency.trim()) : NaN;
    if (!(n >= 1)) return refuse('concurrency', `expected a whole number from 1, got "${flags.concurrency}"`);
    if (n > caps.max_concurrency)
      return refuse(
        'concurrency',
        `${n} connections is above ${field}.max_concurrency (${caps.max_concurrency}) of target "${target.name}"`,
      );
    concurrency = n;
  }

  return {
    ok: true,
    plan: {
      target: target.name,
      url: target.url,
      sloLatencySeconds: target.slo.latency / 1000,
      rates: stepRates(rate.start, rate.end, steps),
      stepDurationMs,
      concurrency,
      maxDurationMs,
      params: {
        rateStart: rate.start,
        rateEnd: rate.end,
        steps,
        stepDurationMs,
        concurrency,
        maxDurationMs,
      },
    },
  };
}
