/**
 * The window and grid of the report's hourly charts (targets' response time and uptime, hosts'
 * CPU and memory): the 7 days up to the period's end, one point an hour, an hour without data
 * null (a gap in the line, not a drop to zero). One place, so every chart of a report covers the
 * same hours. Pure.
 */
import type { SeriesPoint } from './model.js';

const HOUR_MS = 3_600_000;
export const CHART_HISTORY_MS = 7 * 24 * HOUR_MS;
export const CHART_STEP_MS = HOUR_MS;

export interface ChartHours {
  /** the first hour's end, Unix ms: the range query's start */
  start: number;
  /** every hour's timestamp, start to end */
  steps: number[];
}

export function chartHours(end: number): ChartHours {
  const start = end - CHART_HISTORY_MS + CHART_STEP_MS;
  const steps: number[] = [];
  for (let t = start; t <= end; t += CHART_STEP_MS) steps.push(t);
  return { start, steps };
}

/** One series' values on the grid: by timestamp, non-finite and missing hours null. */
export function hourlyPoints(
  steps: readonly number[],
  samples: readonly { timestampMs: number; value: number }[] | undefined,
): SeriesPoint[] {
  const values = new Map((samples ?? []).map((p) => [p.timestampMs, p.value]));
  return steps.map((t) => {
    const v = values.get(t);
    return { t, value: v !== undefined && Number.isFinite(v) ? v : null };
  });
}
