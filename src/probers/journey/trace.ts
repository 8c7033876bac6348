/**
 * A journey's (or a browser flow's) debug trace as text, for /probe?debug=true and `vantage probe`: the outcome, the
 * steps that ran with their result and time, then every event (each step's request line, response,
 * phases, extracted variable names, and the check that failed). Secret values were replaced when
 * the result was built; URLs' userinfo is redacted here too.
 */
import { redactUrl } from '../../config/redact.js';
import { formatSeconds } from '../../format/index.js';
import type { MetricFamily, ProbeResult } from '../types.js';
import { journeyFamilies } from './families.js';

/** The two per-step gauges a step-by-step prober (journey, browser flow) publishes. */
export interface StepFamilies {
  stepDurationSeconds: MetricFamily;
  stepSuccess: MetricFamily;
}

/** The steps of a result, in order, with their time and outcome. */
export function stepsOf(
  result: ProbeResult,
  families: StepFamilies = journeyFamilies,
): { step: string; seconds: number; success: boolean }[] {
  const success = new Map<string, boolean>();
  for (const s of result.samples) {
    if (s.family.name === families.stepSuccess.name) success.set(s.labels?.step ?? '', s.value === 1);
  }
  return result.samples
    .filter((s) => s.family.name === families.stepDurationSeconds.name)
    .map((s) => {
      const step = s.labels?.step ?? '';
      return { step, seconds: s.value, success: success.get(step) ?? false };
    });
}

export const formatJourneyTrace = (result: ProbeResult): string => formatStepsTrace(result, 'Journey');

/** The trace of a step-by-step prober: `title` ("Journey", "Browser flow") and its step families. */
export function formatStepsTrace(
  result: ProbeResult,
  title: string,
  families: StepFamilies = journeyFamilies,
): string {
  const lines: string[] = [];
  const f = result.failure;
  if (result.success) lines.push(`${title} succeeded`);
  else if (f)
    lines.push(
      `${title} failed: ${f.reason} in phase ${f.phase}${f.step ? ` of step ${f.step}` : ''}`,
      `  ${f.message}`,
    );
  else lines.push(`${title} failed`);
  lines.push(`Duration: ${result.durationSeconds.toFixed(6)}s (transaction time)`);
  lines.push(`Started: ${new Date(result.startedAtMs).toISOString()}`, '');
  lines.push('Steps:');
  const steps = stepsOf(result, families);
  const width = Math.max(4, ...steps.map((s) => s.step.length));
  for (const s of steps) {
    lines.push(`  ${s.step.padEnd(width)}  ${s.success ? 'ok    ' : 'FAILED'}  ${formatSeconds(s.seconds)}`);
  }
  if (steps.length === 0) lines.push('  (none ran)');
  // A kept result (a scheduled flow's, served by /probe) has no trace: no empty heading then.
  if (result.trace.length > 0) lines.push('', 'Trace:');
  for (const event of result.trace) {
    lines.push(`  ${event.atMs.toFixed(1).padStart(9)}ms  ${event.message}`);
  }
  return redactUrl(lines.join('\n'));
}

/** The index page's one line: steps passed, the slowest step, and where it failed. */
export function journeySummary(result: ProbeResult, families: StepFamilies = journeyFamilies): string {
  const steps = stepsOf(result, families);
  if (steps.length === 0)
    return result.failure ? `failed before the first step (${result.failure.reason})` : '';
  const passed = steps.filter((s) => s.success).length;
  const slowest = steps.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const failed = result.failure?.step;
  return (
    `${passed} of ${steps.length} steps passed` +
    (failed ? `, failed at ${failed} (${result.failure!.reason})` : '') +
    `; slowest ${slowest.step} ${formatSeconds(slowest.seconds)}`
  );
}
