import { describe, expect, it } from 'vitest';
import { parseCron, type CronSchedule } from '../../src/time/cron.js';
import { parseDateTime, resolveDateTime } from '../../src/time/dateTime.js';
import { localToUtc } from '../../src/time/zone.js';

function schedule(text: string): CronSchedule {
  const parsed = parseCron(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}
/** The allowed values of a field, as a list. */
const values = (set: readonly boolean[]) => set.flatMap((on, v) => (on ? [v] : []));

describe('parseCron', () => {
  it('reads *, lists, ranges, steps and names', () => {
    const s = schedule('*/15 9-17/4 1,15,31 JAN-MAR,dec MON-FRI');
    expect(values(s.minutes)).toEqual([0, 15, 30, 45]);
    expect(values(s.hours)).toEqual([9, 13, 17]);
    expect(values(s.daysOfMonth)).toEqual([1, 15, 31]);
    expect(values(s.months)).toEqual([1, 2, 3, 12]);
    expect(values(s.daysOfWeek)).toEqual([1, 2, 3, 4, 5]);
    expect(s.daysOfMonthRestricted && s.daysOfWeekRestricted).toBe(true);
    // `10/20` is 10 to the end of the range, every 20; 7 is Sunday like 0.
    expect(values(schedule('10/20 0 * * 5-7').minutes)).toEqual([10, 30, 50]);
    expect(values(schedule('0 0 * * 5-7').daysOfWeek)).toEqual([0, 5, 6]);
    expect(schedule('0 0 * * *')).toMatchObject({
      daysOfMonthRestricted: false,
      daysOfWeekRestricted: false,
    });
  });

  it('expands the @ shorthands', () => {
    expect(values(schedule('@weekly').daysOfWeek)).toEqual([0]);
    expect(values(schedule('@hourly').minutes)).toEqual([0]);
    expect(values(schedule('@yearly').months)).toEqual([1]);
  });

  it('says which field is wrong, with the value and why', () => {
    expect([
      parseCron('61 * * * *'),
      parseCron('* * * *'),
      parseCron('0 0 * * * 2027'),
      parseCron('0 0 * * MON-FRX'),
      parseCron('0 0 L * *'),
      parseCron('0 0 * * MON#2'),
      parseCron('*/0 * * * *'),
      parseCron('0 5-2 * * *'),
      parseCron('0 0 1,,2 * *'),
      parseCron('0 0 * 13 *'),
      parseCron('0 0 30 FEB *'),
      parseCron('@reboot'),
    ]).toEqual([
      'minute field "61": 61 is out of range 0-59',
      'expected 5 fields (minute hour day-of-month month day-of-week), got 4',
      'expected 5 fields (minute hour day-of-month month day-of-week), got 6 (vantage does not take a seconds or year field)',
      'day-of-week field "MON-FRX": unknown value "FRX" (use 0-7 or SUN-SAT)',
      'day-of-month field "L": "L" is not supported (standard cron only: *, lists, ranges, steps and names)',
      'day-of-week field "MON#2": "MON#2" is not supported (standard cron only: *, lists, ranges, steps and names)',
      'minute field "*/0": a step must be at least 1',
      'hour field "5-2": range 5-2 starts after it ends',
      'day-of-month field "1,,2": empty list item',
      'month field "13": 13 is out of range 1-12',
      '"0 0 30 FEB *" never fires: no selected month has a selected day',
      'unknown shorthand "@reboot" (supported: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
    ]);
  });
});

describe('zoned date-times', () => {
  it('parses ISO 8601 local date-times, dates and offsets', () => {
    expect(parseDateTime('2026-12-24T22:00')).toEqual({
      local: { year: 2026, month: 12, day: 24, hour: 22, minute: 0 },
      dateOnly: false,
    });
    expect(parseDateTime('2027-03-01')).toMatchObject({ dateOnly: true, local: { hour: 0, minute: 0 } });
    expect(parseDateTime('2026-12-24T22:00:00-03:30')).toMatchObject({ offsetMs: -3.5 * 3_600_000 });
    expect(parseDateTime('2026-02-30T10:00')).toBe(
      'not a valid date-time: "2026-02-30T10:00" (no such day or time)',
    );
    expect(parseDateTime('2026-12-24T22:00:30')).toBe(
      '"2026-12-24T22:00:30": seconds must be 00 (windows start on whole minutes)',
    );
    expect(parseDateTime('24.12.2026 22:00')).toMatch(/^not a date-time: "24.12.2026 22:00" \(use ISO 8601/);
  });

  it('classifies local times as unique, ambiguous (clocks go back) or skipped (clocks go forward)', () => {
    const at = (day: number, month: number, hour: number, minute = 30) => ({
      year: 2026,
      month,
      day,
      hour,
      minute,
    });
    expect(localToUtc('Europe/Berlin', at(1, 7, 12))).toEqual({
      utcMs: Date.UTC(2026, 6, 1, 10, 30),
      kind: 'unique',
    });
    expect(localToUtc('Europe/Berlin', at(25, 10, 2))).toEqual({
      utcMs: Date.UTC(2026, 9, 25, 0, 30),
      kind: 'ambiguous',
    });
    expect(localToUtc('Europe/Berlin', at(29, 3, 2))).toEqual({
      utcMs: Date.UTC(2026, 2, 29, 1, 30),
      kind: 'skipped',
    });
    expect(resolveDateTime('2026-03-29T02:30', 'Europe/Berlin')).toBe(
      '"2026-03-29T02:30" does not exist in Europe/Berlin: the clocks skip it (write a time after the jump, such as 2026-03-29T03:30, or give a UTC offset)',
    );
    // Havana skips midnight itself (00:00 -> 01:00 on 2026-03-08): a bare date is the first instant of the day.
    expect(resolveDateTime('2026-03-08', 'America/Havana')).toBe(Date.UTC(2026, 2, 8, 5));
  });
});
