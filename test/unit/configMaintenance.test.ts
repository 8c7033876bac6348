import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import type { VantageConfig } from '../../src/config/schema.js';

/** Lines joined with \n, so a test reads line numbers off the array index (+1). */
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

// Lines 1-7: two targets, so windows start at line 8.
const base = [
  'modules:',
  '  http_2xx: {prober: http}',
  'targets:',
  '  - name: homepage',
  '    url: https://example.com/',
  '  - name: checkout',
  '    url: https://example.com/checkout',
];

function errorsOf(...lines: string[]): string[] {
  const result = parseConfigText(yaml(...base, ...lines));
  if (result.ok) throw new Error('expected errors, got a valid config');
  return result.errors.map(formatConfigError);
}

function configOf(...lines: string[]): VantageConfig {
  const result = parseConfigText(yaml(...base, ...lines));
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  expect(result.warnings).toEqual([]);
  return result.config;
}

describe('maintenance_windows', () => {
  it('parses one-off and recurring windows, durations in ms, with defaults', () => {
    const config = configOf(
      'maintenance_windows:',
      '  - name: weekly-db-upgrade',
      '    description: "Postgres minor upgrades"',
      '    targets: [homepage, checkout]',
      '    time_zone: Europe/Berlin',
      '    cron: "0 2 * * SUN"',
      '    duration: 2h',
      '    until: "2027-03-01"',
      '  - name: xmas-freeze',
      '    start: "2026-12-24T22:00Z"',
      '    end: "2026-12-25T02:00+01:00"',
      '  - name: migration',
      '    start: 2026-12-28T06:00',
      '    duration: 90m',
    );
    expect(config.maintenance_windows).toEqual([
      {
        name: 'weekly-db-upgrade',
        description: 'Postgres minor upgrades',
        targets: ['homepage', 'checkout'],
        time_zone: 'Europe/Berlin',
        cron: '0 2 * * SUN',
        duration: 7_200_000,
        until: '2027-03-01',
      },
      {
        name: 'xmas-freeze',
        targets: [],
        time_zone: 'UTC',
        start: '2026-12-24T22:00Z',
        end: '2026-12-25T02:00+01:00',
      },
      { name: 'migration', targets: [], time_zone: 'UTC', start: '2026-12-28T06:00', duration: 5_400_000 },
    ]);
    expect(configOf().maintenance_windows).toEqual([]);
    expect(configOf('maintenance_windows:').maintenance_windows).toEqual([]);
  });

  it('names the field, the line and what is wrong', () => {
    expect(
      errorsOf(
        'maintenance_windows:',
        '  - name: weekly',
        '    cron: "0 25 * * SUN"', // line 10
        '    duration: 2h',
        '  - name: weekly', // line 12
        '    targets: [homepage, shop]', // line 13
        '    time_zone: Europe/Berln', // line 14
        '    cron: "0 2 * * SUN"',
        '    duration: 32d', // line 16
        '  - name: backwards',
        '    start: "2026-12-25T02:00"',
        '    end: "2026-12-24T22:00"', // line 19
        '  - name: Bad Name', // line 20
        '    start: "2026-12-24"',
        '    duration: 1h',
        '  - name: both',
        '    start: "2026-12-24T22:00"',
        '    cron: "0 2 * * *"', // line 25
        '    duration: 2h',
        '  - name: neither', // line 27
        '    duration: 2h',
        '  - name: cron-without-duration', // line 29
        '    cron: "0 2 * * *"',
        '  - name: one-off-with-until',
        '    start: "2026-12-24T22:00"',
        '    duration: 1h',
        '    until: "2027-01-01"', // line 34
        '  - name: skipped',
        '    time_zone: America/New_York',
        '    start: "2026-03-08T02:30"', // line 37
        '    end: "2026-03-08T05:00"',
        '    cron_expression: "x"', // line 39
      ),
    ).toEqual([
      'maintenance_windows[0].cron (line 10): invalid cron expression "0 25 * * SUN": hour field "25": 25 is out of range 0-23',
      'maintenance_windows[1].name (line 12): duplicate maintenance window name "weekly" (first used by maintenance_windows[0])',
      'maintenance_windows[1].targets[1] (line 13): unknown target "shop" (defined: homepage, checkout)',
      'maintenance_windows[1].time_zone (line 14): unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)',
      'maintenance_windows[1].duration (line 16): must be at most 31d for a recurring window (got 32d)',
      'maintenance_windows[2].end (line 19): end "2026-12-24T22:00" is not after start "2026-12-25T02:00"',
      'maintenance_windows[3].name (line 20): must match [a-z0-9_-]+ (got "Bad Name")',
      'maintenance_windows[4].cron (line 25): start and cron are mutually exclusive: a window is one-off (start) or recurring (cron)',
      'maintenance_windows[5] (line 27): a window needs start (a one-off window) or cron (a recurring window)',
      'maintenance_windows[6].duration (line 29): required with cron: how long each occurrence lasts (at most 31d)',
      'maintenance_windows[7].until (line 34): until applies to recurring (cron) windows only',
      'maintenance_windows[8].start (line 37): "2026-03-08T02:30" does not exist in America/New_York: the clocks skip it (write a time after the jump, such as 2026-03-08T03:30, or give a UTC offset)',
      'maintenance_windows[8].cron_expression (line 39): unknown field "cron_expression"',
    ]);
  });

  it('rejects end with cron, end and duration together, a missing end, bad date-times and types', () => {
    expect(
      errorsOf(
        'maintenance_windows:',
        '  - name: a',
        '    cron: "@daily"',
        '    duration: 0s', // line 11
        '    end: "2026-12-25T02:00"', // line 12
        '  - name: b',
        '    start: "2026-12-24T22:00"', // line 14
        '    end: "2026-12-25T02:00"',
        '    duration: 4h', // line 16
        '  - name: c',
        '    start: "2026-12-24T22:00"', // line 18
        '  - name: d',
        '    start: "24.12.2026"', // line 20
        '    duration: 2', // line 21
        '    targets: homepage', // line 22
      ),
    ).toEqual([
      'maintenance_windows[0].duration (line 11): must be greater than 0',
      'maintenance_windows[0].end (line 12): end applies to one-off windows; each occurrence of a cron window lasts for duration',
      'maintenance_windows[1].duration (line 16): end and duration are mutually exclusive: give one',
      'maintenance_windows[2].start (line 18): a one-off window needs end or duration',
      'maintenance_windows[3].start (line 20): not a date-time: "24.12.2026" (use ISO 8601: 2026-12-24T22:00, 2026-12-24T22:00Z, 2026-12-24T22:00+01:00 or 2026-12-24)',
      'maintenance_windows[3].duration (line 21): expected a duration such as 500ms, 30s or 1m30s, got 2 (add a unit, e.g. 2s)',
      'maintenance_windows[3].targets (line 22): expected a list, got a string',
    ]);
  });

  it('reports unknown targets even when another part of the config is invalid', () => {
    const result = parseConfigText(
      yaml(
        'targets:',
        '  - name: homepage',
        '    url: "htp:/x"',
        'maintenance_windows:',
        '  - name: w',
        '    targets: [homepage, nope]',
        '    cron: "* * * * *"',
        '    duration: 1m',
      ),
    );
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'targets[0] (line 2): no modules listed, and the default module "http_2xx" is not defined (defined: none)',
      'targets[0].url (line 3): not a URL: "htp:/x" (the scheme must be http or https)',
      'maintenance_windows[0].targets[1] (line 6): unknown target "nope" (defined: homepage)',
    ]);
  });
});
