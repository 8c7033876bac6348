import { describe, expect, it } from 'vitest';
import { detectFailurePatterns, findRecurringIncidents } from '../../src/stats/index.js';
import { localToUtc } from '../../src/time/zone.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const utc = (iso: string) => Date.parse(iso);

describe('detectFailurePatterns', () => {
  const from = utc('2024-05-01T00:00:00Z');
  const to = from + 14 * DAY;

  it('finds a daily 02:00 failure on 12 of 14 days among scattered noise', () => {
    const failures: number[] = [];
    for (let d = 0; d < 14; d++) {
      if (d === 3 || d === 9) continue;
      const base = from + d * DAY + 2 * HOUR;
      // a burst of failed probes: one observation per day, however many samples
      for (let s = 0; s < 10; s++) failures.push(base + 3 * 60_000 + s * 30_000);
    }
    // noise at other hours
    failures.push(
      from + 5 * HOUR,
      from + 2 * DAY + 14 * HOUR,
      from + 7 * DAY + 20 * HOUR,
      from + 11 * DAY + 9 * HOUR,
    );
    const patterns = detectFailurePatterns(failures, { timeZone: 'UTC', from, to });
    expect(patterns).toHaveLength(1);
    const [p] = patterns;
    expect(p).toMatchObject({ kind: 'hour-of-day', hour: 2, days: 12, totalDays: 14 });
    expect(p!.sentence).toBe('fails every day around 02:00 UTC (on 12 of 14 days)');
    expect(p!.p).toBeLessThan(1e-10);
  });

  it('bins by the nearest hour, so 01:50 and 02:10 are both "around 02:00"', () => {
    const failures = [0, 1, 2, 3, 4].map((d) => from + d * DAY + 2 * HOUR + (d % 2 ? -10 : 10) * 60_000);
    const [p] = detectFailurePatterns(failures, { timeZone: 'UTC', from, to });
    expect(p).toMatchObject({ kind: 'hour-of-day', hour: 2, days: 5 });
    expect(p!.sentence).toBe('repeatedly fails around 02:00 UTC (on 5 of 14 days)');
  });

  it('finds a Monday pattern over four weeks', () => {
    const start = utc('2024-04-01T00:00:00Z'); // a Monday
    const failures = [0, 7, 14, 21].map((d) => start + d * DAY + 10 * HOUR + 15 * 60_000);
    failures.push(start + 3 * DAY + 16 * HOUR); // one unrelated Thursday failure
    const patterns = detectFailurePatterns(failures, { timeZone: 'UTC', from: start, to: start + 28 * DAY });
    const weekly = patterns.find((p) => p.kind === 'day-of-week');
    expect(weekly).toMatchObject({ weekday: 1, days: 4, totalDays: 4 });
    expect(weekly!.sentence).toBe('fails on Mondays (4 of 4 Mondays)');
    const hourly = patterns.find((p) => p.kind === 'hour-of-day');
    expect(hourly!.sentence).toBe('repeatedly fails around 10:00 UTC (on 4 of 28 days)');
  });

  it('finds nothing when failures are spread over all hours and days', () => {
    const failures: number[] = [];
    for (let h = 0; h < 14 * 24; h += 5) failures.push(from + h * HOUR + 7 * 60_000);
    expect(detectFailurePatterns(failures, { timeZone: 'UTC', from, to })).toEqual([]);
  });

  it('needs the pattern on minDays days, and ignores failures outside the period', () => {
    const twice = [from + 2 * HOUR, from + DAY + 2 * HOUR, from - DAY + 2 * HOUR, to + 2 * HOUR];
    expect(detectFailurePatterns(twice, { timeZone: 'UTC', from, to })).toEqual([]);
    expect(detectFailurePatterns(twice, { timeZone: 'UTC', from, to, minDays: 2 })).toHaveLength(1);
  });

  it('reads hours in the given zone, across a DST change', () => {
    const zone = 'Europe/Berlin';
    const start = localToUtc(zone, { year: 2024, month: 10, day: 20, hour: 0, minute: 0 }).utcMs;
    const end = localToUtc(zone, { year: 2024, month: 11, day: 3, hour: 0, minute: 0 }).utcMs;
    const failures: number[] = [];
    for (let d = 20; d <= 31; d++) {
      failures.push(localToUtc(zone, { year: 2024, month: 10, day: d, hour: 3, minute: 5 }).utcMs);
    }
    const [p] = detectFailurePatterns(failures, { timeZone: zone, from: start, to: end });
    expect(p).toMatchObject({ kind: 'hour-of-day', hour: 3, days: 12, totalDays: 14 });
    expect(p!.sentence).toBe('fails every day around 03:00 Europe/Berlin (on 12 of 14 days)');
  });
});

describe('findRecurringIncidents', () => {
  const t0 = utc('2024-05-01T00:00:00Z');

  it('reports the same alert on the same target three times within 14 days', () => {
    const incidents = [
      { alertname: 'ProbeFailing', target: 'shop', startsAt: t0 },
      { alertname: 'ProbeFailing', target: 'shop', startsAt: t0 + 5 * DAY },
      { alertname: 'ProbeFailing', target: 'home', startsAt: t0 + 6 * DAY }, // another target
      { alertname: 'SlowResponses', target: 'shop', startsAt: t0 + 7 * DAY }, // another alert
      { alertname: 'ProbeFailing', target: 'shop', startsAt: t0 + 13 * DAY },
    ];
    expect(findRecurringIncidents(incidents)).toEqual([
      { alertname: 'ProbeFailing', target: 'shop', count: 3, firstAt: t0, lastAt: t0 + 13 * DAY, total: 3 },
    ]);
  });

  it('does not count firings spread wider than the window', () => {
    const incidents = [0, 8, 16].map((d) => ({ alertname: 'A', target: 'x', startsAt: t0 + d * DAY }));
    expect(findRecurringIncidents(incidents)).toEqual([]);
    expect(findRecurringIncidents(incidents, { windowMs: 16 * DAY })).toHaveLength(1);
    expect(findRecurringIncidents(incidents, { minCount: 2 })[0]).toMatchObject({
      count: 2,
      firstAt: t0,
      total: 3,
    });
  });

  it('picks the busiest window, keeps null targets apart, and sorts by count', () => {
    const a = [0, 20, 21, 22, 23].map((d) => ({ alertname: 'A', target: 't', startsAt: t0 + d * DAY }));
    const b = [1, 2, 3].map((d) => ({ alertname: 'A', target: null, startsAt: t0 + d * DAY }));
    const issues = findRecurringIncidents([...b, ...a]);
    expect(issues.map((i) => [i.target, i.count, i.total])).toEqual([
      ['t', 4, 5],
      [null, 3, 3],
    ]);
    expect(issues[0]!.firstAt).toBe(t0 + 20 * DAY);
    expect(issues[0]!.lastAt).toBe(t0 + 23 * DAY);
  });
});
