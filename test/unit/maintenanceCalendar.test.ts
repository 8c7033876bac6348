import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaintenanceWindowConfig } from '../../src/config/maintenanceSchema.js';
import {
  compileWindow,
  describeWindow,
  isActive,
  windowStatus,
  type MaintenanceWindow,
  type RecurringWindow,
} from '../../src/scheduler/maintenanceCalendar.js';
import { firstStartAfter, latestStartAtOrBefore } from '../../src/time/calendar.js';
import { matchesDate } from '../../src/time/cron.js';
import { localFields } from '../../src/time/zone.js';

const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;
/** Date.UTC with a 1-based month, so instants read like the calendar. */
const utc = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

function window(config: Partial<MaintenanceWindowConfig>): MaintenanceWindow {
  return compileWindow({ name: 'w', targets: [], time_zone: 'UTC', ...config });
}
function recurring(cron: string, durationMs: number, extra: Partial<MaintenanceWindowConfig> = {}) {
  return window({ cron, duration: durationMs, ...extra }) as RecurringWindow;
}
/** Which of the instants the window covers, as a string of 1s and 0s (easier to read in a diff). */
const coverage = (w: MaintenanceWindow, instants: number[]) =>
  instants.map((t) => (isActive(w, t) ? '1' : '0')).join('');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('one-off windows', () => {
  it('reads local date-times in the time zone and covers [start, end)', () => {
    const w = window({ start: '2026-12-24T22:00', end: '2026-12-25T02:00', time_zone: 'Europe/Berlin' });
    expect(w).toMatchObject({ kind: 'one-off', startMs: utc(2026, 12, 24, 21), endMs: utc(2026, 12, 25, 1) });
    const start = utc(2026, 12, 24, 21);
    const end = utc(2026, 12, 25, 1);
    expect(coverage(w, [start - 1, start, end - 1, end])).toBe('0110');
  });

  it('ignores the time zone for a date-time with Z or an offset', () => {
    const z = window({ start: '2026-12-24T22:00Z', duration: 4 * H, time_zone: 'Europe/Berlin' });
    expect(z).toMatchObject({ startMs: utc(2026, 12, 24, 22), endMs: utc(2026, 12, 25, 2) });
    const offset = window({ start: '2026-12-24T22:00+05:30', end: '2026-12-25T01:00-01:00' });
    expect(offset).toMatchObject({ startMs: utc(2026, 12, 24, 16, 30), endMs: utc(2026, 12, 25, 2) });
  });

  it('reads a bare date as local midnight, and an ambiguous local time as its first instant', () => {
    const w = window({ start: '2026-07-01', duration: D, time_zone: 'America/New_York' });
    expect(w).toMatchObject({ startMs: utc(2026, 7, 1, 4), endMs: utc(2026, 7, 2, 4) });
    // 01:30 happens twice in New York on 2026-11-01: EDT (05:30Z) first, then EST (06:30Z).
    const fallBack = window({ start: '2026-11-01T01:30', duration: H, time_zone: 'America/New_York' });
    expect(fallBack).toMatchObject({ startMs: utc(2026, 11, 1, 5, 30) });
  });
});

describe('recurring windows', () => {
  it('fires at the cron times in UTC and lasts for the duration', () => {
    const w = recurring('0 2 * * SUN', 2 * H);
    const sunday = utc(2026, 11, 29, 2);
    expect(coverage(w, [sunday - MIN, sunday, sunday + 2 * H - 1, sunday + 2 * H, sunday + D])).toBe('01100');
  });

  it('reads lists, ranges, steps and names', () => {
    const w = recurring('*/15 9-17 * * MON-FRI', 5 * MIN);
    const thursday = utc(2026, 11, 26);
    expect(
      coverage(w, [
        thursday + 9 * H + 15 * MIN + 4 * MIN, // 09:19 within 09:15 + 5m
        thursday + 9 * H + 20 * MIN, // 09:20: the 09:15 occurrence is over
        thursday + 17 * H + 45 * MIN, // 17:45: hour 17 is in the range
        thursday + 18 * H, // 18:00: not
        thursday + 2 * D + 9 * H + 15 * MIN, // Saturday
      ]),
    ).toBe('10100');
    const stepped = recurring('1-5/2,10/20 0 * JAN,jul * ', MIN);
    const july = utc(2026, 7, 4);
    expect(
      coverage(
        stepped,
        [1, 2, 3, 5, 10, 30, 50, 51].map((m) => july + m * MIN),
      ),
    ).toBe('10111110');
    expect(isActive(stepped, utc(2026, 8, 4, 0, 1))).toBe(false);
    // 7 and 0 are both Sunday.
    expect(isActive(recurring('0 0 * * 7', H), utc(2026, 11, 29, 0, 30))).toBe(true);
  });

  it('ORs day-of-month and day-of-week when both are restricted, as cron does', () => {
    const either = recurring('0 12 13 * FRI', H);
    const at = (day: number) => utc(2026, 12, day, 12, 30);
    // Sunday the 13th (day of month), Friday the 4th (day of week), Thursday the 3rd (neither).
    expect(coverage(either, [at(13), at(4), at(3)])).toBe('110');
    expect(coverage(recurring('0 12 13 * *', H), [at(13), at(4)])).toBe('10');
    expect(coverage(recurring('0 12 * * FRI', H), [at(13), at(4)])).toBe('01');
    // */2 restricts the days of the month (odd days), so it ORs with Friday too.
    expect(coverage(recurring('0 12 */2 * FRI', H), [at(4), at(3), at(2)])).toBe('110');
  });

  it('reads the expression in the time zone, including zones with half-hour offsets', () => {
    const newYork = recurring('0 9 * * *', H, { time_zone: 'America/New_York' });
    expect(coverage(newYork, [utc(2026, 12, 1, 14, 30), utc(2026, 12, 1, 9, 30)])).toBe('10');
    const kolkata = recurring('0 0 * * *', 30 * MIN, { time_zone: 'Asia/Kolkata' });
    expect(
      coverage(kolkata, [utc(2026, 12, 1, 18, 29), utc(2026, 12, 1, 18, 30), utc(2026, 12, 1, 19)]),
    ).toBe('010');
  });

  it('does not fire at local times the clocks skip (Europe/Berlin, 2026-03-29)', () => {
    const w = recurring('30 2 * * *', 30 * MIN, { time_zone: 'Europe/Berlin' });
    expect(isActive(w, utc(2026, 3, 28, 1, 45))).toBe(true); // 02:45 CET
    for (let t = utc(2026, 3, 28, 23); t < utc(2026, 3, 29, 23); t += 5 * MIN)
      expect(isActive(w, t)).toBe(false);
    expect(isActive(w, utc(2026, 3, 30, 0, 45))).toBe(true); // 02:45 CEST
    expect(firstStartAfter(w, utc(2026, 3, 28, 3), utc(2026, 4, 30))).toBe(utc(2026, 3, 30, 0, 30));
    expect(latestStartAtOrBefore(w, utc(2026, 3, 30, 0), utc(2026, 3, 20))).toBe(utc(2026, 3, 28, 1, 30));
  });

  it('skips a whole occurrence whose start the clocks skip, however long it would have lasted', () => {
    const weekly = recurring('0 2 * * SUN', 7 * D - MIN, { time_zone: 'Europe/Berlin' });
    expect(isActive(weekly, utc(2026, 3, 28, 20))).toBe(true); // from Sunday the 22nd
    expect(isActive(weekly, utc(2026, 4, 4, 20))).toBe(false); // no 02:00 on the 29th
    expect(isActive(weekly, utc(2026, 4, 5, 1))).toBe(true); // 03:00 CEST on the 5th
  });

  it('does not fire at 02:30 on the spring-forward day in America/New_York either', () => {
    const w = recurring('30 2 * * *', 30 * MIN, { time_zone: 'America/New_York' });
    expect(firstStartAfter(w, utc(2026, 3, 7, 8), utc(2026, 4, 1))).toBe(utc(2026, 3, 9, 6, 30));
    expect(isActive(w, utc(2026, 3, 7, 7, 45))).toBe(true); // 02:45 EST on the 7th
  });

  it('fires at both instants of a local time that happens twice (Europe/Berlin, 2026-10-25)', () => {
    const w = recurring('30 2 * * *', 15 * MIN, { time_zone: 'Europe/Berlin' });
    // 02:30 CEST is 00:30Z; 02:30 CET is 01:30Z.
    const times = [
      utc(2026, 10, 25, 0, 40),
      utc(2026, 10, 25, 1),
      utc(2026, 10, 25, 1, 40),
      utc(2026, 10, 25, 1, 45),
    ];
    expect(coverage(w, times)).toBe('1010');
    // So a weekly 02:00-04:00 window covers the whole wall-clock span that night: three hours.
    const weekly = recurring('0 2 * * SUN', 2 * H, { time_zone: 'Europe/Berlin' });
    expect(windowStatus(weekly, utc(2026, 10, 25, 0, 30))).toEqual({
      active: true,
      endsAt: utc(2026, 10, 25, 3),
    });
    expect(
      coverage(weekly, [utc(2026, 10, 24, 23, 59), utc(2026, 10, 25, 2, 59), utc(2026, 10, 25, 3)]),
    ).toBe('010');
  });

  it('starts no occurrence at or after until, and lets one that started before it run its course', () => {
    const nov29 = utc(2026, 11, 29, 2, 30);
    const dec6 = utc(2026, 12, 6, 2, 30);
    expect(coverage(recurring('0 2 * * SUN', 2 * H, { until: '2026-12-06' }), [nov29, dec6])).toBe('10');
    expect(isActive(recurring('0 2 * * SUN', 2 * H, { until: '2026-12-06T02:00' }), dec6)).toBe(false);
    expect(isActive(recurring('0 2 * * SUN', 2 * H, { until: '2026-12-06T02:01' }), dec6)).toBe(true);
    const cutShort = recurring('0 2 * * SUN', 2 * H, { until: '2026-11-29T03:00' });
    expect(isActive(cutShort, utc(2026, 11, 29, 3, 30))).toBe(true);
    // until is local time in the window's zone: 01:00 CET (00:00Z) is before 02:00 CET (01:00Z).
    const local = recurring('0 1 * * SUN', 2 * H, { until: '2026-12-06T02:00', time_zone: 'Europe/Berlin' });
    expect(isActive(local, utc(2026, 12, 6, 0, 30))).toBe(true);
    const tooLate = recurring('0 1 * * SUN', 2 * H, {
      until: '2026-12-06T01:00',
      time_zone: 'Europe/Berlin',
    });
    expect(isActive(tooLate, utc(2026, 12, 6, 0, 30))).toBe(false);
  });

  it('spans midnight, and weeks', () => {
    const nightly = recurring('0 22 * * *', 4 * H, { time_zone: 'Europe/Berlin' });
    // 22:00 CET = 21:00Z, so it runs to 01:00Z.
    expect(
      coverage(nightly, [
        utc(2026, 12, 1, 20, 59),
        utc(2026, 12, 1, 21),
        utc(2026, 12, 2, 0, 59),
        utc(2026, 12, 2, 1),
      ]),
    ).toBe('0110');
    const tenDays = recurring('0 0 1 * *', 10 * D);
    expect(coverage(tenDays, [utc(2026, 12, 10, 23, 59), utc(2026, 12, 11), utc(2026, 11, 30)])).toBe('100');
    const weekAndAHalf = recurring('0 0 * * MON', 10 * D);
    expect(windowStatus(weekAndAHalf, utc(2026, 12, 1))).toEqual({ active: true, endsAt: undefined });
  });

  it('walks back a week-long window in a few dozen time-zone lookups, not one per minute', () => {
    const w = recurring('0 2 * * SUN', 7 * D - MIN, { time_zone: 'Europe/Berlin' });
    const lookups = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    // Saturday evening: the latest occurrence is six days back.
    expect(isActive(w, utc(2026, 12, 5, 20))).toBe(true);
    expect(lookups.mock.calls.length).toBeLessThan(60);
    lookups.mockClear();
    // Across the spring-forward transition too (Saturday 01:00 CET to Friday evening CEST).
    const saturdays = recurring('0 1 * * SAT', 7 * D - MIN, { time_zone: 'Europe/Berlin' });
    expect(isActive(saturdays, utc(2026, 4, 3, 20))).toBe(true);
    expect(lookups.mock.calls.length).toBeLessThan(80);
  });
});

describe('windowStatus and describeWindow', () => {
  it('gives the next start and end of an inactive window, and the end of an active one', () => {
    const w = recurring('0 2 * * SUN', 2 * H, { time_zone: 'Europe/Berlin' });
    const thursday = utc(2026, 11, 26, 12);
    expect(windowStatus(w, thursday)).toEqual({
      active: false,
      startsAt: utc(2026, 11, 29, 1),
      endsAt: utc(2026, 11, 29, 3),
    });
    expect(describeWindow(w, thursday)).toBe('next 2026-11-29 02:00 to 2026-11-29 04:00 Europe/Berlin');
    expect(describeWindow(w, utc(2026, 11, 29, 2))).toBe('active now, until 2026-11-29 04:00 Europe/Berlin');
  });

  it('treats overlapping occurrences as one run', () => {
    const w = recurring('0 0,1 * * *', 90 * MIN);
    expect(windowStatus(w, utc(2026, 12, 1, 0, 10))).toEqual({
      active: true,
      endsAt: utc(2026, 12, 1, 2, 30),
    });
    expect(windowStatus(w, utc(2026, 12, 1, 3))).toEqual({
      active: false,
      startsAt: utc(2026, 12, 2),
      endsAt: utc(2026, 12, 2, 2, 30),
    });
    const always = recurring('* * * * *', 2 * MIN);
    expect(describeWindow(always, utc(2026, 12, 1))).toBe(
      'active now, with no end in sight (its occurrences overlap)',
    );
  });

  it('describes one-off windows before, during and after', () => {
    const w = window({ start: '2026-12-24T22:00', end: '2026-12-25T02:00', time_zone: 'Europe/Berlin' });
    expect(windowStatus(w, utc(2026, 12, 1))).toEqual({
      active: false,
      startsAt: utc(2026, 12, 24, 21),
      endsAt: utc(2026, 12, 25, 1),
    });
    expect(windowStatus(w, utc(2026, 12, 24, 23))).toEqual({ active: true, endsAt: utc(2026, 12, 25, 1) });
    expect(describeWindow(w, utc(2027, 1, 1))).toBe('over (ended 2026-12-25 02:00 Europe/Berlin)');
    const ended = recurring('0 2 * * SUN', H, { until: '2026-12-01' });
    expect(describeWindow(ended, utc(2026, 12, 2))).toBe(
      'over (no occurrence starts from 2026-12-01 00:00 UTC)',
    );
    expect(describeWindow(recurring('0 0 29 2 *', H), utc(2026, 3, 1))).toBe('no occurrence within a year');
  });
});

describe('agreement with a minute-by-minute walk', () => {
  /** The obvious, slow definition: some minute in (t - duration, t] whose local time matches. */
  function bruteActive(w: RecurringWindow, t: number): boolean {
    const end = Math.floor(t / MIN) * MIN;
    for (let u = end; u > t - w.durationMs; u -= MIN) {
      if (w.untilMs !== undefined && u >= w.untilMs) continue;
      const f = localFields(w.timeZone, u);
      if (matchesDate(w.schedule, f) && w.schedule.hours[f.hour] && w.schedule.minutes[f.minute]) return true;
    }
    return false;
  }

  function bruteNext(w: RecurringWindow, t: number, notAfter: number): number | undefined {
    for (let u = Math.floor(t / MIN) * MIN + MIN; u <= notAfter; u += MIN) {
      const f = localFields(w.timeZone, u);
      if (matchesDate(w.schedule, f) && w.schedule.hours[f.hour] && w.schedule.minutes[f.minute]) return u;
    }
    return undefined;
  }

  // A small deterministic generator, so a failure reproduces.
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

  it('matches on random instants around DST transitions, in several zones', () => {
    const crons = [
      '30 2 * * *',
      '*/20 1-3 * * SUN',
      '0 0,2,23 * * *',
      '15 * 25 10 *',
      '45 1 * 3,10 0',
      '0 2 * * *',
    ];
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    const around = [utc(2026, 3, 29), utc(2026, 10, 25), utc(2026, 3, 8), utc(2026, 11, 1), utc(2026, 4, 5)];
    for (let i = 0; i < 300; i++) {
      const w = recurring(pick(crons), pick([15 * MIN, H, 3 * H]), { time_zone: pick(zones) });
      const t = pick(around) - D + Math.floor(random() * 3 * D);
      expect(isActive(w, t), `${w.schedule.source} ${w.timeZone} ${new Date(t).toISOString()}`).toBe(
        bruteActive(w, t),
      );
      if (i % 5 === 0) expect(firstStartAfter(w, t, t + 2 * D)).toBe(bruteNext(w, t, t + 2 * D));
    }
  });
});
