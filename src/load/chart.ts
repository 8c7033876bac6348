/**
 * The latency-against-rate chart of a load test, in plain ASCII so it reads the same in a
 * terminal, a Markdown code block and a mail: one row per step, the requested rate on the left,
 * a bar as long as the step's p95, and a `|` where the latency objective lies, so the knee is
 * where the bars cross the line. Pure.
 */
import { formatRate, formatSeconds } from '../format/index.js';
import type { LoadTestStep } from '../store/loadTests.js';

export const CHART_WIDTH = 50;

export function latencyChart(
  steps: readonly LoadTestStep[],
  sloLatencySeconds: number,
  kneeRate: number | null,
  width = CHART_WIDTH,
): string {
  if (steps.length === 0) return '(no step ran)\n';
  // The scale leaves room past the objective, so the line is never the chart's right edge.
  const top = Math.max(sloLatencySeconds * 1.5, ...steps.map((s) => s.p95Seconds));
  const column = (seconds: number) => Math.min(width, Math.round((seconds / top) * width));
  const objective = Math.min(width - 1, column(sloLatencySeconds));
  const labels = steps.map((s) => formatRate(s.requestedRate));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const lines = [`p95 latency by requested rate (| marks the ${formatSeconds(sloLatencySeconds)} objective)`];
  steps.forEach((step, i) => {
    const bar = Array.from({ length: width }, (_, c) =>
      c < column(step.p95Seconds) ? '#' : c === objective ? '|' : ' ',
    ).join('');
    const knee = kneeRate !== null && step.requestedRate === kneeRate ? '  <- knee' : '';
    lines.push(`${labels[i]!.padStart(labelWidth)} ${bar} ${formatSeconds(step.p95Seconds)}${knee}`);
  });
  return lines.join('\n') + '\n';
}
