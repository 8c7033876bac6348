import { describe, expect, it } from 'vitest';
import {
  changeRatio,
  percentChange,
  percentagePointChange,
  predictCrossing,
  type TrendPoint,
} from '../../src/stats/index.js';
import { reportPeriods } from '../../src/time/period.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('reportPeriods', () => {
  it('gives a UTC day, yesterday and the same weekday last week', () => {
    const p = reportPeriods('2024-05-15', 'day', 'UTC');
    expect(iso(p.current.start)).toBe('2024-05-15T00:00:00.000Z');
    expect(iso(p.current.end)).toBe('2024-05-16T00:00:00.000Z');
    expect(p.current.label).toBe('2024-05-15');
    expect(p.previous).toEqual({
      start: utc('2024-05-14T00:00:00Z'),
      end: utc('2024-05-15T00:00:00Z'),
      label: '2024-05-14',
    });
    expect(p.weekEarlier.label).toBe('2024-05-08');
    expect(iso(p.weekEarlier.start)).toBe('2024-05-08T00:00:00.000Z');
  });

  it('makes the spring-forward day 23 hours and the fall-back day 25 hours long', () => {
    const spring = reportPeriods('2024-03-31', 'day', 'Europe/Berlin');
    expect(iso(spring.current.start)).toBe('2024-03-30T23:00:00.000Z');
    expect(spring.current.end - spring.current.start).toBe(23 * HOUR);
    expect(spring.previous.end - spring.previous.start).toBe(24 * HOUR);
    expect(iso(spring.weekEarlier.start)).toBe('2024-03-23T23:00:00.000Z');
    const fall = reportPeriods('2024-10-27', 'day', 'Europe/Berlin');
    expect(fall.current.end - fall.current.start).toBe(25 * HOUR);
    expect(iso(fall.current.end)).toBe('2024-10-27T23:00:00.000Z');
  });

  it('starts a day at the first existing time where midnight is skipped', () => {
    // Santiago jumps from 00:00 to 01:00 on 2024-09-08.
    const p = reportPeriods('2024-09-08', 'day', 'America/Santiago');
    expect(iso(p.current.start)).toBe('2024-09-08T04:00:00.000Z');
    expect(p.current.end - p.current.start).toBe(23 * HOUR);
    expect(p.previous.end).toBe(p.current.start);
  });

  it('gives the ISO week (Monday start) containing the date', () => {
    const p = reportPeriods('2024-03-31', 'week', 'Europe/Berlin'); // a Sunday
    expect(p.current.label).toBe('2024-W13');
    expect(iso(p.current.start)).toBe('2024-03-24T23:00:00.000Z'); // Monday 25 March, 00:00 CET
    expect(iso(p.current.end)).toBe('2024-03-31T22:00:00.000Z'); // Monday 1 April, 00:00 CEST
    expect(p.current.end - p.current.start).toBe(167 * HOUR);
    expect(p.previous.label).toBe('2024-W12');
    expect(p.weekEarlier).toEqual(p.previous);
  });

  it('labels ISO weeks that belong to a neighbouring year', () => {
    expect(reportPeriods('2021-01-03', 'week', 'UTC').current.label).toBe('2020-W53');
    expect(reportPeriods('2024-12-30', 'week', 'UTC').current.label).toBe('2025-W01');
    expect(reportPeriods('2024-01-01', 'week', 'UTC').current.label).toBe('2024-W01');
  });

  it('gives the calendar month, the previous month, and the month shifted back 7 days', () => {
    const p = reportPeriods('2024-03-13', 'month', 'Europe/Berlin');
    expect(p.current.label).toBe('2024-03');
    expect(iso(p.current.start)).toBe('2024-02-29T23:00:00.000Z');
    expect(iso(p.current.end)).toBe('2024-03-31T22:00:00.000Z');
    expect(p.previous.label).toBe('2024-02');
    expect(iso(p.previous.start)).toBe('2024-01-31T23:00:00.000Z');
    expect(p.previous.end).toBe(p.current.start);
    expect(p.weekEarlier.label).toBe('2024-02-23..2024-03-24');
    expect(iso(p.weekEarlier.start)).toBe('2024-02-22T23:00:00.000Z');
    expect(iso(p.weekEarlier.end)).toBe('2024-03-24T23:00:00.000Z');
    const jan = reportPeriods('2024-01-31', 'month', 'UTC');
    expect(jan.previous.label).toBe('2023-12');
  });

  it('rejects malformed dates, impossible dates and unknown zones', () => {
    expect(() => reportPeriods('2024-5-1', 'day', 'UTC')).toThrow(RangeError);
    expect(() => reportPeriods('2023-02-29', 'day', 'UTC')).toThrow(/no such date/);
    expect(() => reportPeriods('2024-02-29', 'day', 'Mars/Olympus')).toThrow(/unknown time zone/);
  });
});

describe('percent change', () => {
  it('handles zero and absent figures', () => {
    expect(percentChange(120, 100)).toBeCloseTo(20, 12);
    expect(percentChange(80, 100)).toBeCloseTo(-20, 12);
    expect(percentChange(0, 0)).toBe(0);
    expect(percentChange(5, 0)).toBeNull();
    expect(percentChange(null, 3)).toBeNull();
    expect(percentChange(3, undefined)).toBeNull();
    expect(percentChange(NaN, 3)).toBeNull();
    expect(changeRatio(-2, -4)).toBeCloseTo(0.5, 12); // magnitude of the base, so the sign follows the figures
    expect(percentagePointChange(0.995, 0.999)).toBeCloseTo(-0.4, 12);
    expect(percentagePointChange(null, 0.999)).toBeNull();
  });
});

describe('predictCrossing', () => {
  const t0 = utc('2024-05-01T00:00:00Z');
  const daily = (n: number, f: (d: number) => number): TrendPoint[] =>
    Array.from({ length: n }, (_, d) => ({ t: t0 + d * DAY, value: f(d) }));

  it('predicts when a rising response time crosses its target', () => {
    // 1.0 s + 0.05 s/day over 14 days: 1.65 s on day 13, 2.0 s on day 20.
    const r = predictCrossing(
      daily(14, (d) => 1 + 0.05 * d),
      { threshold: 2, direction: 'above' },
    );
    expect(r.status).toBe('will-cross');
    expect(r.slopePerDay).toBeCloseTo(0.05, 10);
    expect(r.rSquared).toBeCloseTo(1, 10);
    expect(r.daysUntil).toBeCloseTo(7, 6);
    expect(r.crossesAt).toBeCloseTo(t0 + 20 * DAY, -1);
  });

  it('predicts a falling uptime crossing below its objective, from a given now', () => {
    const r = predictCrossing(
      daily(10, (d) => 1 - 0.0001 * d),
      {
        threshold: 0.999,
        direction: 'below',
        now: t0 + 9 * DAY + 12 * HOUR,
      },
    );
    expect(r.status).toBe('will-cross');
    expect(r.daysUntil).toBeCloseTo(0.5, 6);
  });

  it('fits noisy data by least squares (known slope and R²)', () => {
    // y = 2x + e with e = +1, -1, ... alternating: slope 2 - small bias, R² high.
    const points = daily(8, (d) => 2 * d + (d % 2 ? -1 : 1));
    const r = predictCrossing(points, { threshold: 100, direction: 'above' });
    // Closed form: sxy = sum (x - 3.5)(y - mean) = 2 * 42 + sum (x - 3.5) e = 84 - 4 = 80; sxx = 42.
    expect(r.slopePerDay).toBeCloseTo(80 / 42, 10);
    expect(r.rSquared).toBeCloseTo((80 * 80) / (42 * (4 * 42 - 2 * 2 * 4 + 8)), 10);
    expect(r.status).toBe('not-within-horizon');
  });

  it('refuses too few points, too short a span and a poor fit', () => {
    expect(
      predictCrossing(
        daily(5, (d) => d),
        { threshold: 10, direction: 'above' },
      ).status,
    ).toBe('insufficient-data');
    const hourly = Array.from({ length: 30 }, (_, h) => ({ t: t0 + h * HOUR, value: h }));
    expect(predictCrossing(hourly, { threshold: 100, direction: 'above' }).status).toBe('insufficient-data');
    const zigzag = daily(14, (d) => (d % 2 ? 1 : 0) + d * 0.001);
    const r = predictCrossing(zigzag, { threshold: 1.5, direction: 'above' });
    expect(r.status).toBe('poor-fit');
    expect(r.rSquared!).toBeLessThan(0.5);
    expect(r.crossesAt).toBeNull();
  });

  it('says already crossed, not approaching, or too far off', () => {
    expect(
      predictCrossing(
        daily(14, (d) => 3 + d * 0.1),
        { threshold: 2, direction: 'above' },
      ).status,
    ).toBe('already-crossed');
    expect(
      predictCrossing(
        daily(14, (d) => 1.5 - d * 0.01),
        { threshold: 2, direction: 'above' },
      ).status,
    ).toBe('not-approaching');
    const flat = predictCrossing(
      daily(14, () => 1),
      { threshold: 2, direction: 'above' },
    );
    expect(flat.status).toBe('not-approaching');
    expect(flat.rSquared).toBe(1);
    expect(
      predictCrossing(
        daily(14, (d) => 1 + d * 0.01),
        { threshold: 2, direction: 'above' },
      ).status,
    ).toBe('not-within-horizon');
  });

  it('ignores non-finite points', () => {
    const points = [...daily(14, (d) => 1 + 0.05 * d), { t: t0 + 3 * DAY, value: NaN }];
    const r = predictCrossing(points, { threshold: 2, direction: 'above' });
    expect(r.n).toBe(14);
    expect(r.daysUntil).toBeCloseTo(7, 6);
  });
});
