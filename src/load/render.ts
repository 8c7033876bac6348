/**
 * A load test for people and programs: text for the terminal, Markdown for a ticket or a wiki,
 * JSON (one document: `knee.rate` in requests/s or null, `steps[]` with each step's figures in
 * base units) for scripts. Figures for people go through src/format. Pure.
 */
import { formatRate, formatRatio, formatSeconds, NO_DATA } from '../format/index.js';
import type { LoadTestRecord, NewLoadTest } from '../store/loadTests.js';
import { latencyChart } from './chart.js';
import { stepMiss } from './knee.js';

export const LOAD_FORMATS = ['text', 'json', 'markdown'] as const;
export type LoadFormat = (typeof LOAD_FORMATS)[number];

type Run = NewLoadTest & Partial<Pick<LoadTestRecord, 'id' | 'changeId'>>;

const HEADERS = ['step', 'requested', 'achieved', 'p50', 'p95', 'p99', 'errors'];

function stepRows(run: Run): string[][] {
  return run.steps.map((s, i) => [
    String(i + 1),
    formatRate(s.requestedRate),
    formatRate(Number(s.achievedRate.toFixed(1))),
    s.requests === 0 ? NO_DATA : formatSeconds(s.p50Seconds),
    s.requests === 0 ? NO_DATA : formatSeconds(s.p95Seconds),
    s.requests === 0 ? NO_DATA : formatSeconds(s.p99Seconds),
    formatRatio(s.errorRatio),
  ]);
}

function kneeSentence(run: Run): string {
  if (run.knee)
    return `Knee: ${formatRate(run.knee.rate)} (p95 ${formatSeconds(run.knee.p95Seconds)} under the ${formatSeconds(run.sloLatencySeconds)} objective, errors under 1 %)`;
  const first = run.steps[0];
  if (!first) return 'Knee: none (no step ran)';
  const why = stepMiss(first, run.sloLatencySeconds);
  // A first step within the objective and still no knee: it was cut (Ctrl-C, max duration).
  return `Knee: none (${why ? `the first step missed: ${why}` : 'the run was stopped during its first step'})`;
}

function outcomeSentence(run: Run): string {
  const ran = `${run.steps.length} of ${run.params.steps} steps`;
  return run.outcome === 'completed'
    ? `Completed: ${ran}.`
    : `Stopped (${run.outcome}) after ${ran}: ${run.stopReason ?? 'no reason recorded'}.`;
}

function textTable(rows: string[][]): string {
  const all = [HEADERS, ...rows];
  const widths = HEADERS.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  return (
    all
      .map((r) =>
        r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
      )
      .join('\n') + '\n'
  );
}

function heading(run: Run): string {
  return `Load test of ${run.target} (${run.url}), ${new Date(run.startedAt).toISOString()}`;
}

export function renderText(run: Run): string {
  return [
    heading(run),
    '',
    textTable(stepRows(run)),
    latencyChart(run.steps, run.sloLatencySeconds, run.knee?.rate ?? null),
    kneeSentence(run),
    outcomeSentence(run),
    '',
  ].join('\n');
}

export function renderMarkdown(run: Run): string {
  const rows = stepRows(run);
  const table = [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  return [
    `## ${heading(run)}`,
    '',
    table,
    '',
    '```text',
    latencyChart(run.steps, run.sloLatencySeconds, run.knee?.rate ?? null).trimEnd(),
    '```',
    '',
    `**${kneeSentence(run)}**`,
    '',
    outcomeSentence(run),
    '',
  ].join('\n');
}

/** The JSON document: times as ISO-8601, figures in base units (seconds, ratios, requests/s). */
export function loadTestJson(run: Run): Record<string, unknown> {
  return {
    id: run.id ?? null,
    target: run.target,
    url: run.url,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(run.finishedAt).toISOString(),
    outcome: run.outcome,
    stopReason: run.stopReason,
    sloLatencySeconds: run.sloLatencySeconds,
    knee: run.knee,
    steps: run.steps.map((s) => ({ ...s, startedAt: new Date(s.startedAt).toISOString() })),
    params: run.params,
    changeId: run.changeId ?? null,
  };
}

export function renderLoadTest(run: Run, format: LoadFormat): string {
  if (format === 'json') return JSON.stringify(loadTestJson(run), null, 2) + '\n';
  return format === 'markdown' ? renderMarkdown(run) : renderText(run);
}

/** The progress line of a step, for stderr. */
export function progressLine(
  run: { params: { steps: number } },
  step: NewLoadTest['steps'][number],
  index: number,
): string {
  return (
    `step ${index}/${run.params.steps}: ${formatRate(step.requestedRate)} requested, ` +
    `${formatRate(Number(step.achievedRate.toFixed(1)))} achieved, p95 ${formatSeconds(step.p95Seconds)}, ` +
    `errors ${formatRatio(step.errorRatio)}\n`
  );
}
