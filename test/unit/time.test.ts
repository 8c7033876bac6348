import { describe, expect, it } from 'vitest';
import { firstStartAfter, latestStartAtOrBefore, type Recurrence } from '../../src/time/calendar.js';
import { parseCron, type CronSchedule } from '../../src/time/cron.js';
import { nextRunAt, runInstant } from '../../src/time/dailyRun.js';
import { resolveDateTime } from '../../src/time/dateTime.js';
import {
  addDays,
  localMidnights,
  parseCivilDate,
  reportPeriods,
  type PeriodKind,
} from '../../src/time/period.js';
import { endOfGap, formatLocal, localFields, localToUtc, offsetAt } from '../../src/time/zone.js';

const H = 3_600_000;
const MIN = 60_000;
/** An ISO instant, so the tables read like a calendar. */
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 16);
const local = (text: string) => {
  const [date, time = '00:00'] = text.split('T') as [string, string?];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return { year, month, day, hour, minute };
};
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('zone: local time -> UTC, with gaps and overlaps', () => {
  // Berlin: 2026-03-29 02:00 CET -> 03:00 CEST, 2026-10-25 03:00 CEST -> 02:00 CET.
  // New York: 2026-03-08 02:00 EST -> 03:00 EDT, 2026-11-01 02:00 EDT -> 01:00 EST.
  it.each([
    [BERLIN, '2026-01-15T12:00', 'unique', '2026-01-15T11:00'],
    [BERLIN, '2026-07-15T12:00', 'unique', '2026-07-15T10:00'],
    [BERLIN, '2026-03-29T01:59', 'unique', '2026-03-29T00:59'],
    [BERLIN, '2026-03-29T02:00', 'skipped', '2026-03-29T01:00'],
    [BERLIN, '2026-03-29T02:30', 'skipped', '2026-03-29T01:30'],
    [BERLIN, '2026-03-29T03:00', 'unique', '2026-03-29T01:00'],
    [BERLIN, '2026-10-25T01:59', 'unique', '2026-10-24T23:59'],
    [BERLIN, '2026-10-25T02:00', 'ambiguous', '2026-10-25T00:00'],
    [BERLIN, '2026-10-25T02:59', 'ambiguous', '2026-10-25T00:59'],
    [BERLIN, '2026-10-25T03:00', 'unique', '2026-10-25T02:00'],
    [NEW_YORK, '2026-03-08T02:30', 'skipped', '2026-03-08T07:30'],
    [NEW_YORK, '2026-03-08T03:00', 'unique', '2026-03-08T07:00'],
    [NEW_YORK, '2026-11-01T01:30', 'ambiguous', '2026-11-01T05:30'],
    [NEW_YORK, '2026-11-01T02:00', 'unique', '2026-11-01T07:00'],
    [NEW_YORK, '2024-02-29T00:00', 'unique', '2024-02-29T05:00'],
  ])('%s %s is %s at %s UTC', (zone, text, kind, utc) => {
    const resolved = localToUtc(zone, local(text));
    expect({ kind: resolved.kind, utc: iso(resolved.utcMs) }).toEqual({ kind, utc });
  });

  it.each([
    [BERLIN, '2026-03-29T00:59', 1],
    [BERLIN, '2026-03-29T01:00', 2],
    [BERLIN, '2026-10-25T00:59', 2],
    [BERLIN, '2026-10-25T01:00', 1],
    [NEW_YORK, '2026-03-08T06:59', -5],
    [NEW_YORK, '2026-03-08T07:00', -4],
    [NEW_YORK, '2026-11-01T05:59', -4],
    [NEW_YORK, '2026-11-01T06:00', -5],
  ])('offset in %s at %s UTC is %i h', (zone, utc, hours) => {
    expect(offsetAt(zone, at(`${utc}Z`))).toBe(hours * H);
  });

  it.each([
    // The instant the clocks jump, for a time inside the gap; the time itself otherwise.
    [BERLIN, '2026-03-29T02:30', '2026-03-29T01:00'],
    [NEW_YORK, '2026-03-08T02:59', '2026-03-08T07:00'],
    [NEW_YORK, '2026-11-01T01:30', '2026-11-01T05:30'],
    // Havana skips midnight itself (00:00 -> 01:00 on 2026-03-08).
    ['America/Havana', '2026-03-08T00:00', '2026-03-08T05:00'],
  ])('endOfGap in %s of %s is %s UTC', (zone, text, utc) => {
    expect(iso(endOfGap(zone, local(text)))).toBe(utc);
  });

  it.each([
    // Twice 02:30 in Berlin on the fall-back night: the first reads CEST, the second CET.
    [BERLIN, '2026-10-25T00:30', '2026-10-25 02:30', 0],
    [BERLIN, '2026-10-25T01:30', '2026-10-25 02:30', 0],
    [NEW_YORK, '2024-02-29T12:00', '2024-02-29 07:00', 4],
    [NEW_YORK, '2026-03-01T04:59', '2026-02-28 23:59', 6],
    ['UTC', '2026-03-01T00:00', '2026-03-01 00:00', 0],
  ])('in %s, %s UTC reads %s (weekday %i)', (zone, utc, shown, weekday) => {
    expect(formatLocal(zone, at(`${utc}Z`))).toBe(shown);
    expect(localFields(zone, at(`${utc}Z`)).weekday).toBe(weekday);
  });

  it('refuses a written time the clocks skip, and names one that exists', () => {
    expect(resolveDateTime('2026-03-08T02:30', NEW_YORK)).toBe(
      '"2026-03-08T02:30" does not exist in America/New_York: the clocks skip it (write a time after the jump, such as 2026-03-08T03:30, or give a UTC offset)',
    );
    expect(resolveDateTime('2026-11-01T01:30', NEW_YORK)).toBe(at('2026-11-01T05:30Z'));
    expect(resolveDateTime('2024-02-29T24:00', 'UTC')).toMatch(/no such day or time/);
    expect(resolveDateTime('2023-02-29', 'UTC')).toMatch(/no such day or time/);
  });
});

describe('period: civil dates and report periods', () => {
  it.each([
    ['2024-02-28', 1, '2024-02-29'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2024-12-31', 1, '2025-01-01'],
    ['2026-03-29', -7, '2026-03-22'],
  ])('%s plus %i day(s) is %s', (from, days, to) => {
    const d = addDays(parseCivilDate(from), days);
    expect(`${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`).toBe(to);
  });

  it.each(['2023-02-29', '2100-02-29', '2026-04-31', '2026-13-01', '2026-3-1'])('%s is refused', (text) => {
    expect(() => parseCivilDate(text)).toThrow(RangeError);
  });

  it('takes leap days that exist', () => {
    expect(parseCivilDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 });
    expect(parseCivilDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it.each<[string, PeriodKind, string, string, string, number]>([
    // zone, kind, date -> label, start (UTC), length in hours
    [BERLIN, 'day', '2026-03-29', '2026-03-29', '2026-03-28T23:00', 23],
    [BERLIN, 'day', '2026-10-25', '2026-10-25', '2026-10-24T22:00', 25],
    [NEW_YORK, 'day', '2026-03-08', '2026-03-08', '2026-03-08T05:00', 23],
    [NEW_YORK, 'day', '2026-11-01', '2026-11-01', '2026-11-01T04:00', 25],
    [NEW_YORK, 'day', '2024-02-29', '2024-02-29', '2024-02-29T05:00', 24],
    // Weeks start on Monday; the ISO week-year is the Thursday's.
    [BERLIN, 'week', '2026-03-29', '2026-W13', '2026-03-22T23:00', 167],
    [BERLIN, 'week', '2026-03-23', '2026-W13', '2026-03-22T23:00', 167],
    [NEW_YORK, 'week', '2026-11-04', '2026-W45', '2026-11-02T05:00', 168],
    [NEW_YORK, 'week', '2026-11-01', '2026-W44', '2026-10-26T04:00', 169],
    ['UTC', 'week', '2026-01-01', '2026-W01', '2025-12-29T00:00', 168],
    ['UTC', 'week', '2027-01-01', '2026-W53', '2026-12-28T00:00', 168],
    // Month ends, leap February.
    ['UTC', 'month', '2024-02-29', '2024-02', '2024-02-01T00:00', 29 * 24],
    ['UTC', 'month', '2023-02-15', '2023-02', '2023-02-01T00:00', 28 * 24],
    [BERLIN, 'month', '2026-03-31', '2026-03', '2026-02-28T23:00', 31 * 24 - 1],
    [NEW_YORK, 'month', '2026-11-30', '2026-11', '2026-11-01T04:00', 30 * 24 + 1],
    ['UTC', 'month', '2026-12-31', '2026-12', '2026-12-01T00:00', 31 * 24],
  ])('%s %s of %s is %s from %s UTC, %i h', (zone, kind, date, label, start, hours) => {
    const { current } = reportPeriods(date, kind, zone);
    expect({
      label: current.label,
      start: iso(current.start),
      hours: (current.end - current.start) / H,
    }).toEqual({ label, start, hours });
  });

  it.each<[PeriodKind, string, string, string, string]>([
    // kind, date -> previous label, week-earlier label, previous start (UTC, Berlin)
    ['day', '2026-03-01', '2026-02-28', '2026-02-22', '2026-02-27T23:00'],
    ['week', '2026-01-01', '2025-W52', '2025-W52', '2025-12-21T23:00'],
    ['month', '2026-03-15', '2026-02', '2026-02-22..2026-03-24', '2026-01-31T23:00'],
    ['month', '2024-03-01', '2024-02', '2024-02-23..2024-03-24', '2024-01-31T23:00'],
  ])('%s of %s: previous %s, a week earlier %s', (kind, date, previous, weekEarlier, previousStart) => {
    const p = reportPeriods(date, kind, BERLIN);
    expect([p.previous.label, p.weekEarlier.label, iso(p.previous.start)]).toEqual([
      previous,
      weekEarlier,
      previousStart,
    ]);
  });
});

describe('period: local midnights for day ticks', () => {
  it.each([
    // zone, from, to (UTC) -> midnights (UTC)
    [
      BERLIN,
      '2026-03-28T12:00',
      '2026-03-30T23:00',
      ['2026-03-28T23:00', '2026-03-29T22:00', '2026-03-30T22:00'],
    ],
    [
      NEW_YORK,
      '2026-10-31T04:00',
      '2026-11-02T05:00',
      ['2026-10-31T04:00', '2026-11-01T04:00', '2026-11-02T05:00'],
    ],
    ['UTC', '2024-02-28T00:01', '2024-03-01T00:00', ['2024-02-29T00:00', '2024-03-01T00:00']],
  ])('in %s from %s to %s', (zone, from, to, expected) => {
    expect(localMidnights(at(`${from}Z`), at(`${to}Z`), zone).map(iso)).toEqual(expected);
  });
});

describe('dailyRun: the next daily local time', () => {
  it.each([
    // now (UTC), time, zone -> next run (UTC)
    ['2026-03-28T12:00', '02:30', BERLIN, '2026-03-29T01:00'], // skipped: runs when the clocks jump
    ['2026-03-29T01:00', '02:30', BERLIN, '2026-03-30T00:30'], // strictly after the run itself
    ['2026-10-24T12:00', '02:30', BERLIN, '2026-10-25T00:30'], // twice: the first
    ['2026-10-25T00:30', '02:30', BERLIN, '2026-10-26T01:30'], // and only once
    ['2026-03-07T12:00', '02:15', NEW_YORK, '2026-03-08T07:00'],
    ['2026-10-31T12:00', '01:30', NEW_YORK, '2026-11-01T05:30'],
    ['2026-11-01T05:30', '01:30', NEW_YORK, '2026-11-02T06:30'],
    ['2024-02-28T23:59', '00:00', 'UTC', '2024-02-29T00:00'],
  ])('after %s UTC, %s in %s runs at %s UTC', (now, time, zone, next) => {
    expect(iso(nextRunAt(at(`${now}Z`), time, zone))).toBe(next);
  });

  it('runs a time that exists at that very time', () => {
    expect(runInstant(BERLIN, local('2026-07-01T06:00'))).toBe(at('2026-07-01T04:00Z'));
  });
});

function cron(text: string): CronSchedule {
  const parsed = parseCron(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}
const values = (set: readonly boolean[]) => set.flatMap((on, v) => (on ? [v] : []));

describe('cron: the vantage.yml dialect', () => {
  it.each([
    ['0 0 * * 6/1', [0, 6]], // Vixie cron: 6 to 7, and 7 is Sunday
    ['0 0 * * 1-7/2', [0, 1, 3, 5]],
    ['0 0 * * */2', [0, 2, 4, 6]],
    ['0 0 * * sat,SUN', [0, 6]],
    ['0 0 * * 7', [0]],
  ])('%s fires on weekdays %j', (text, weekdays) => {
    expect(values(cron(text).daysOfWeek)).toEqual(weekdays);
  });

  it.each([
    ['0 0 2/10 * *', 'daysOfMonth', [2, 12, 22]],
    ['0 0 29 2 *', 'daysOfMonth', [29]],
    ['0 0 L-1 * *', undefined, undefined],
    ['5-59/20 * * * *', 'minutes', [5, 25, 45]],
    ['0 0 1 jan/3 *', 'months', [1, 4, 7, 10]],
  ] as const)('%s', (text, field, expected) => {
    const parsed = parseCron(text);
    if (field === undefined) expect(parsed).toMatch(/^day-of-month field "L-1": /);
    else expect(values((parsed as CronSchedule)[field])).toEqual(expected);
  });

  // What croner would accept but a crontab user does not expect: refused, naming the field.
  it.each([
    ['0 0 0 * * *', /^expected 5 fields .* got 6 \(vantage does not take a seconds or year field\)$/],
    ['0 0 ? * *', /^day-of-month field "\?": "\?" is not supported/],
    ['0 0 15W * *', /^day-of-month field "15W": "15W" is not supported/],
    ['0 0 * * 5L', /^day-of-week field "5L": "5L" is not supported/],
    ['0 0 * * FRI#2', /^day-of-week field "FRI#2": "FRI#2" is not supported/],
    ['0 0 * * FRI-SUN', /^day-of-week field "FRI-SUN": range FRI-SUN starts after it ends$/],
    ['0 0 * * 8', /^day-of-week field "8": 8 is out of range 0-7$/],
    ['0 24 * * *', /^hour field "24": 24 is out of range 0-23$/],
    ['0 0 31 4,6,9,11 *', /never fires/],
  ])('refuses %s', (text, message) => {
    expect(parseCron(text)).toMatch(message);
  });
});

describe('calendar: cron occurrences in a zone', () => {
  const every = (text: string, timeZone: string, untilMs?: number): Recurrence => ({
    schedule: cron(text),
    timeZone,
    untilMs,
  });
  /** The occurrences in (from, to], walking forward. */
  const occurrences = (r: Recurrence, from: string, to: string) => {
    const found: (string | undefined)[] = [];
    for (let t = at(`${from}Z`); ;) {
      const next = firstStartAfter(r, t, at(`${to}Z`));
      if (next === undefined) return found;
      found.push(iso(next));
      t = next;
    }
  };

  it.each([
    // Fall-back night: 02:00 and 02:30 happen twice, and fire twice.
    [
      '*/30 * * * *',
      BERLIN,
      '2026-10-24T23:10',
      '2026-10-25T02:00',
      [
        '2026-10-24T23:30',
        '2026-10-25T00:00',
        '2026-10-25T00:30',
        '2026-10-25T01:00',
        '2026-10-25T01:30',
        '2026-10-25T02:00',
      ],
    ],
    // Spring-forward night: 02:30 does not exist and does not fire.
    ['30 2 * * *', BERLIN, '2026-03-28T00:00', '2026-03-31T00:00', ['2026-03-28T01:30', '2026-03-30T00:30']],
    [
      '30 2 * * *',
      NEW_YORK,
      '2026-03-07T00:00',
      '2026-03-10T00:00',
      ['2026-03-07T07:30', '2026-03-09T06:30'],
    ],
    [
      '30 1 * * *',
      NEW_YORK,
      '2026-11-01T00:00',
      '2026-11-01T12:00',
      ['2026-11-01T05:30', '2026-11-01T06:30'],
    ],
    // Month ends and the leap day.
    [
      '0 0 31 * *',
      NEW_YORK,
      '2026-04-01T00:00',
      '2026-08-01T00:00',
      ['2026-05-31T04:00', '2026-07-31T04:00'],
    ],
    ['0 12 29 2 *', 'UTC', '2025-01-01T00:00', '2029-01-01T00:00', ['2028-02-29T12:00']],
    // Day fields both restricted: either matches (the 1st, or a Monday).
    ['0 9 1 6 MON', 'UTC', '2026-05-31T00:00', '2026-06-09T00:00', ['2026-06-01T09:00', '2026-06-08T09:00']],
  ])('%s in %s from %s to %s', (text, zone, from, to, expected) => {
    expect(occurrences(every(text, zone), from, to)).toEqual(expected);
  });

  it.each([
    // t (UTC), after (UTC) -> latest occurrence of */30 in Berlin, walking back over the fall-back hour
    ['2026-10-25T01:10', '2026-10-24T00:00', '2026-10-25T01:00'],
    ['2026-10-25T00:59', '2026-10-24T00:00', '2026-10-25T00:30'],
    ['2026-10-25T00:29', '2026-10-25T00:00', undefined],
  ])('latest */30 at or before %s after %s is %s', (t, after, expected) => {
    expect(iso(latestStartAtOrBefore(every('*/30 * * * *', BERLIN), at(`${t}Z`), at(`${after}Z`)))).toBe(
      expected,
    );
  });

  it('starts nothing at or after until', () => {
    const r = every('0 * * * *', 'UTC', at('2026-01-01T03:00Z'));
    expect(occurrences(r, '2026-01-01T00:00', '2026-01-02T00:00')).toEqual([
      '2026-01-01T01:00',
      '2026-01-01T02:00',
    ]);
    expect(iso(latestStartAtOrBefore(r, at('2026-01-01T05:00Z'), at('2026-01-01T00:00Z') - MIN))).toBe(
      '2026-01-01T02:00',
    );
  });
});
