/**
 * When scheduled reports run (nextRunAt: a daily local time, across DST changes in Berlin and
 * New York) and what they cover (dueReports: yesterday, the previous ISO week on Mondays, the
 * previous month on the 1st), and the `report:` config section with its errors.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { describeReportSection, dueReports } from '../../src/report/reportSchedule.js';
import { nextRunAt } from '../../src/time/dailyRun.js';
import { redactSecrets } from '../../src/config/redact.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('nextRunAt', () => {
  it('runs later the same day, or tomorrow once the time has passed', () => {
    expect(iso(nextRunAt(at('2025-01-14T03:00:00Z'), '06:00', 'UTC'))).toBe('2025-01-14T06:00:00.000Z');
    expect(iso(nextRunAt(at('2025-01-14T06:00:01Z'), '06:00', 'UTC'))).toBe('2025-01-15T06:00:00.000Z');
    // Berlin in winter is UTC+1: 06:00 local is 05:00 UTC.
    expect(iso(nextRunAt(at('2025-01-14T03:00:00Z'), '06:00', 'Europe/Berlin'))).toBe(
      '2025-01-14T05:00:00.000Z',
    );
  });

  it('exactly at the run time returns the next day: the run that fires there asks for the next', () => {
    expect(iso(nextRunAt(at('2025-01-14T06:00:00Z'), '06:00', 'UTC'))).toBe('2025-01-15T06:00:00.000Z');
    expect(iso(nextRunAt(at('2025-01-14T05:59:59.999Z'), '06:00', 'UTC'))).toBe('2025-01-14T06:00:00.000Z');
  });

  it('rolls over months and years, and handles a run just after midnight', () => {
    expect(iso(nextRunAt(at('2024-12-31T23:30:00Z'), '00:15', 'UTC'))).toBe('2025-01-01T00:15:00.000Z');
    expect(iso(nextRunAt(at('2025-02-28T12:00:00Z'), '06:00', 'UTC'))).toBe('2025-03-01T06:00:00.000Z');
  });

  it('Berlin spring forward: a time in the gap runs when the clocks jump, other times keep their wall time', () => {
    // 2025-03-30: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(iso(nextRunAt(at('2025-03-29T12:00:00Z'), '02:30', 'Europe/Berlin'))).toBe(
      '2025-03-30T01:00:00.000Z',
    );
    expect(iso(nextRunAt(at('2025-03-29T12:00:00Z'), '06:00', 'Europe/Berlin'))).toBe(
      '2025-03-30T04:00:00.000Z', // 06:00 CEST
    );
    // The day after the change the gap time exists again, now in CEST.
    expect(iso(nextRunAt(at('2025-03-30T01:00:00Z'), '02:30', 'Europe/Berlin'))).toBe(
      '2025-03-31T00:30:00.000Z',
    );
  });

  it('Berlin fall back: a time in the overlap runs once, at its first occurrence', () => {
    // 2025-10-26: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens at 00:30 and 01:30 UTC.
    expect(iso(nextRunAt(at('2025-10-25T12:00:00Z'), '02:30', 'Europe/Berlin'))).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    // After the first occurrence, the second one is not another run: the next is a day later.
    expect(iso(nextRunAt(at('2025-10-26T00:30:00Z'), '02:30', 'Europe/Berlin'))).toBe(
      '2025-10-27T01:30:00.000Z',
    );
    expect(iso(nextRunAt(at('2025-10-25T12:00:00Z'), '06:00', 'Europe/Berlin'))).toBe(
      '2025-10-26T05:00:00.000Z', // 06:00 CET
    );
  });

  it('New York spring forward and fall back', () => {
    // 2025-03-09: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
    expect(iso(nextRunAt(at('2025-03-08T12:00:00Z'), '02:15', 'America/New_York'))).toBe(
      '2025-03-09T07:00:00.000Z',
    );
    expect(iso(nextRunAt(at('2025-03-08T12:00:00Z'), '06:00', 'America/New_York'))).toBe(
      '2025-03-09T10:00:00.000Z', // 06:00 EDT
    );
    // 2025-11-02: 02:00 EDT becomes 01:00 EST at 06:00 UTC; 01:30 happens at 05:30 and 06:30 UTC.
    expect(iso(nextRunAt(at('2025-11-01T12:00:00Z'), '01:30', 'America/New_York'))).toBe(
      '2025-11-02T05:30:00.000Z',
    );
    expect(iso(nextRunAt(at('2025-11-02T05:30:00Z'), '01:30', 'America/New_York'))).toBe(
      '2025-11-03T06:30:00.000Z',
    );
  });

  it('refuses a malformed time', () => {
    expect(() => nextRunAt(0, '25:00', 'UTC')).toThrow(RangeError);
  });
});

describe('dueReports', () => {
  const all = ['day', 'week', 'month'] as const;

  it('on an ordinary weekday only yesterday is due', () => {
    // Wednesday 2025-01-15 06:00 Berlin.
    expect(dueReports(at('2025-01-15T05:00:00Z'), 'Europe/Berlin', all)).toEqual([
      { period: 'day', date: '2025-01-14' },
    ]);
  });

  it('on a Monday the previous ISO week is due too', () => {
    expect(dueReports(at('2025-01-20T05:00:00Z'), 'Europe/Berlin', all)).toEqual([
      { period: 'day', date: '2025-01-19' },
      { period: 'week', date: '2025-01-13' },
    ]);
  });

  it('on the 1st the previous month is due, across a year end; Monday the 1st gives all three', () => {
    expect(dueReports(at('2025-01-01T06:00:00Z'), 'UTC', all)).toEqual([
      { period: 'day', date: '2024-12-31' },
      { period: 'month', date: '2024-12-31' },
    ]);
    // 2025-12-01 is a Monday.
    expect(dueReports(at('2025-12-01T06:00:00Z'), 'UTC', all)).toEqual([
      { period: 'day', date: '2025-11-30' },
      { period: 'week', date: '2025-11-24' },
      { period: 'month', date: '2025-11-30' },
    ]);
  });

  it('judges the date in the zone, not in UTC, and only the configured periods', () => {
    // 23:30 UTC on Sunday 2025-01-19 is already Monday 00:30 in Berlin.
    expect(dueReports(at('2025-01-19T23:30:00Z'), 'Europe/Berlin', ['week'])).toEqual([
      { period: 'week', date: '2025-01-13' },
    ]);
    expect(dueReports(at('2025-01-19T23:30:00Z'), 'UTC', ['week'])).toEqual([]);
    expect(dueReports(at('2025-01-15T05:00:00Z'), 'UTC', ['month'])).toEqual([]);
  });
});

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

function errorsOf(...lines: string[]): string[] {
  const result = parseConfigText(yaml(...lines));
  if (result.ok) throw new Error('expected errors, got a valid config');
  return result.errors.map(formatConfigError);
}

function reportOf(...lines: string[]) {
  const result = parseConfigText(yaml(...lines));
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config.report;
}

describe('report config section', () => {
  it('is optional; with only prometheus_url it gets every default and no schedule', () => {
    expect(reportOf('targets: []')).toBeUndefined();
    expect(reportOf('report:', '  prometheus_url: http://prometheus:9090')).toEqual({
      prometheus_url: 'http://prometheus:9090',
      formats: ['html', 'md', 'json'],
      evaluation_window: 86_400_000,
      keep: 400,
    });
  });

  it('parses a full section: schedule defaults, durations in ms, time normalised to HH:MM', () => {
    expect(
      reportOf(
        'report:',
        '  prometheus_url: https://prometheus.example.com',
        '  external_url: https://vantage.example.com',
        '  schedule:',
        '    time: "6:30"',
        '    periods: [day, week, month]',
        '  formats: [html]',
        '  evaluation_window: 7d',
        '  keep: 30',
        '  webhook:',
        '    url: https://chat.example.com/hook',
      ),
    ).toEqual({
      prometheus_url: 'https://prometheus.example.com',
      external_url: 'https://vantage.example.com',
      schedule: { time: '06:30', time_zone: 'UTC', periods: ['day', 'week', 'month'] },
      formats: ['html'],
      evaluation_window: 7 * 86_400_000,
      keep: 30,
      webhook: { url: 'https://chat.example.com/hook', format: 'slack', timeout: 10_000 },
    });
  });

  it('names the field and says what is wrong', () => {
    expect(
      errorsOf(
        'report:',
        '  prometheus_url: prometheus:9090',
        '  schedule:',
        '    time: "25:00"',
        '    time_zone: Europe/Berln',
        '    periods: [day, year]',
        '  formats: [pdf]',
        '  evaluation_window: 8d',
        '  keep: 0',
        '  webhook:',
        '    url: https://chat.example.com/hook',
        '    format: teams',
        '    timeout: 10',
      ),
    ).toEqual([
      'report.prometheus_url (line 2): not a URL: "prometheus:9090" (the scheme must be http or https)',
      'report.schedule.time (line 4): not a time of day: "25:00" (use HH:MM from 00:00 to 23:59, e.g. "06:00")',
      'report.schedule.time_zone (line 5): unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)',
      'report.schedule.periods[1] (line 6): must be one of: day, week, month (got "year")',
      'report.formats[0] (line 7): must be one of: html, md, json (got "pdf")',
      'report.evaluation_window (line 8): must be at most 7d (got 8d)',
      expect.stringMatching(/^report\.keep \(line 9\): /),
      'report.webhook.format (line 12): must be one of: slack, json (got "teams")',
      'report.webhook.timeout (line 13): expected a duration such as 500ms, 30s or 1m30s, got 10 (add a unit, e.g. 10s)',
    ]);
  });

  it('a schedule without prometheus_url is an error naming prometheus_url; so is a schedule without time', () => {
    expect(errorsOf('report:', '  schedule:', '    time: "06:00"')).toEqual([
      'report.prometheus_url (line 1): required: the URL of the Prometheus the reports query, e.g. http://prometheus:9090',
    ]);
    expect(
      errorsOf('report:', '  prometheus_url: http://p:9090', '  schedule:', '    time_zone: UTC'),
    ).toEqual([
      'report.schedule.time (line 3): required: the local time of day the reports are made, e.g. "06:00"',
    ]);
    expect(errorsOf('report:', '  prometheus_url: http://p:9090', '  shedule: {time: "06:00"}')).toEqual([
      'report.shedule (line 3): unknown field "shedule" (did you mean "schedule"?)',
    ]);
  });

  it('keeps the webhook URL out of /config: it is a credential', () => {
    const report = reportOf(
      'report:',
      '  prometheus_url: http://p:9090',
      '  webhook: {url: "https://hooks.example.com/T000/B000/XXXX"}',
    );
    expect(JSON.stringify(redactSecrets({ report }))).not.toContain('XXXX');
  });

  it('is summed up in one line for check-config, with the next run', () => {
    const report = reportOf(
      'report:',
      '  prometheus_url: http://prometheus:9090',
      '  schedule: {time: "06:00", time_zone: Europe/Berlin, periods: [day, week]}',
      '  webhook: {url: "https://chat.example.com/hook"}',
    )!;
    expect(describeReportSection(report, at('2025-01-14T12:00:00Z'))).toBe(
      'reports from http://prometheus:9090: day, week at 06:00 Europe/Berlin (next run 2025-01-15 06:00); ' +
        'formats html, md, json; keep 400; webhook slack',
    );
  });
});
