/**
 * Every duration of vantage.yml is bounded (config/duration.ts DURATION_LIMITS): a value a
 * timer cannot hold, or one that a double cannot hold exactly, is refused at load with its
 * YAML path and line instead of overflowing Node's timers at run time.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { readDuration, MAX_TIMER_MS, MAX_TIMER_DURATION_MS } from '../../src/config/duration.js';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

function errorsOf(text: string): string[] {
  const result = parseConfigText(text);
  if (result.ok) throw new Error('expected errors, got a valid config');
  return result.errors.map(formatConfigError);
}

describe('readDuration', () => {
  it.each([
    ['0', { ok: true, ms: 0 }],
    ['1m30s', { ok: true, ms: 90_000 }],
    ['24d', { ok: true, ms: 24 * 86_400_000 }],
    ['1y', { ok: true, ms: 31_536_000_000 }],
    ['9007199254740991ms', { ok: true, ms: Number.MAX_SAFE_INTEGER }],
    // One more than 2^53 - 1 would be rounded: refused rather than read as a nearby number.
    ['9007199254740993ms', { ok: false, reason: 'unrepresentable' }],
    ['99999999999999999999y', { ok: false, reason: 'unrepresentable' }],
    ['285000y', { ok: true, ms: 285_000 * 31_536_000_000 }],
    ['286000y', { ok: false, reason: 'unrepresentable' }],
    ['5 seconds', { ok: false, reason: 'syntax' }],
    ['', { ok: false, reason: 'syntax' }],
  ])('%s', (text, expected) => {
    expect(readDuration(text)).toEqual(expected);
  });

  it('the interval and timeout limit fits in one timer', () => {
    expect(MAX_TIMER_DURATION_MS).toBeLessThanOrEqual(MAX_TIMER_MS);
  });
});

describe('duration limits in vantage.yml', () => {
  it('refuses every duration beyond its field, naming path and line', () => {
    expect(
      errorsOf(
        yaml(
          'global:',
          '  interval: 1y', // line 2
          '  scrape_timeout: 25d', // line 3
          'modules:',
          '  http_2xx:',
          '    prober: http',
          '    timeout: 30d', // line 7
          '  mobile:',
          '    prober: lighthouse',
          '    timeout: 9007199254740993ms', // line 10
          '    lighthouse:',
          '      interval: 4w', // line 12
          'targets:',
          '  - name: home',
          '    url: http://127.0.0.1:9/',
          '    interval: 99999999999999999999y', // line 16
          '    slo: {latency: 1000d}', // line 17
          'maintenance_windows:',
          '  - name: forever',
          '    start: "2026-12-24T22:00Z"',
          '    duration: 100001y', // line 21
          'report:',
          '  prometheus_url: http://127.0.0.1:9090',
          '  evaluation_window: 8d', // line 24
          '  webhook:',
          '    url: http://127.0.0.1:9/hook',
          '    timeout: 1y', // line 27
        ),
      ),
    ).toEqual([
      'global.interval (line 2): 1y is longer than the longest supported interval, 24d',
      'global.scrape_timeout (line 3): 25d is longer than the longest supported timeout, 24d',
      'modules.http_2xx.timeout (line 7): 30d is longer than the longest supported timeout, 24d',
      'modules.mobile.timeout (line 10): 9007199254740993ms is too long to represent exactly in milliseconds (at most 24d)',
      'modules.mobile.lighthouse.interval (line 12): 28d is longer than the longest supported interval, 24d',
      'targets[0].interval (line 16): 99999999999999999999y is too long to represent exactly in milliseconds (at most 24d)',
      'targets[0].slo.latency (line 17): 1000d is longer than the longest supported latency threshold, 24d',
      'maintenance_windows[0].duration (line 21): 100001y is longer than the longest supported maintenance window, 100000y',
      'report.evaluation_window (line 24): must be at most 7d (got 8d)',
      'report.webhook.timeout (line 27): 1y is longer than the longest supported timeout, 24d',
    ]);
  });

  it('accepts each field at its limit', () => {
    const result = parseConfigText(
      yaml(
        'global:',
        '  interval: 24d',
        '  scrape_timeout: 24d',
        'modules:',
        '  http_2xx:',
        '    prober: http',
        '    timeout: 24d',
        'targets:',
        '  - name: home',
        '    url: http://127.0.0.1:9/',
        '    slo: {latency: 24d}',
        'maintenance_windows:',
        '  - name: long',
        '    start: "2026-12-24T22:00Z"',
        '    duration: 100000y',
      ),
    );
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([]);
    if (result.ok) expect(result.config.global.interval).toBe(24 * 86_400_000);
  });
});
