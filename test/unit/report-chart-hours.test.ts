/** The report charts' hourly grid: 7 days of hours ending at the period's end, gaps null. */
import { describe, expect, it } from 'vitest';
import { CHART_HISTORY_MS, chartHours, hourlyPoints } from '../../src/report/chartHours.js';

const HOUR = 3_600_000;

describe('chartHours', () => {
  it('gives the 168 hours up to the end, the first an hour after the window opens', () => {
    const end = Date.UTC(2026, 11, 6);
    const { start, steps } = chartHours(end);
    expect(start).toBe(end - CHART_HISTORY_MS + HOUR);
    expect(steps).toHaveLength(168);
    expect(steps.at(-1)).toBe(end);
  });

  it('puts each sample on its hour and leaves missing and non-finite hours null', () => {
    const steps = [0, HOUR, 2 * HOUR, 3 * HOUR];
    const samples = [
      { timestampMs: 0, value: 0.5 },
      { timestampMs: 2 * HOUR, value: Number.NaN },
      { timestampMs: 3 * HOUR, value: 0 },
    ];
    expect(hourlyPoints(steps, samples).map((p) => p.value)).toEqual([0.5, null, null, 0]);
    expect(hourlyPoints(steps, undefined).map((p) => p.value)).toEqual([null, null, null, null]);
  });
});
