import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';

const base = (lighthouse: string, timeout = '') => `modules:
  mobile:
    prober: lighthouse${timeout}
    lighthouse:
${lighthouse}
targets:
  - name: home
    url: http://127.0.0.1:9/
    modules: [mobile]
`;

describe('lighthouse module options', () => {
  it('fills the documented defaults', () => {
    const r = parseConfigText(base('      form_factor: mobile'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.config.modules.mobile!;
    expect(m.prober).toBe('lighthouse');
    if (m.prober !== 'lighthouse') return;
    expect(m.timeout).toBe(120_000);
    expect(m.lighthouse).toMatchObject({
      form_factor: 'mobile',
      runs: 3,
      interval: 900_000,
      categories: ['performance', 'accessibility', 'best-practices', 'seo'],
      throttling_method: 'simulate',
      locale: 'en-US',
      headers: {},
      blocked_url_patterns: [],
      chrome_flags: [],
      report_history: 10,
    });
    expect(m.lighthouse.cpu_slowdown_multiplier).toBeUndefined();
  });

  it('reports every bad option with its path and line', () => {
    const r = parseConfigText(
      base(
        [
          '      form_factor: tablet',
          '      runs: 4',
          '      interval: often',
          '      categories: [performance, speed]',
          '      throttling_method: simulated',
          '      chrome_flags: ["no-dashes"]',
          '      cpu_slowdown_multiplier: 0',
        ].join('\n'),
        '\n    timeout: 0s',
      ),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.map(formatConfigError);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^modules\.mobile\.timeout \(line 4\): must be greater than 0/),
        expect.stringMatching(
          /^modules\.mobile\.lighthouse\.form_factor \(line 6\): must be one of: mobile, desktop/,
        ),
        expect.stringMatching(/^modules\.mobile\.lighthouse\.runs \(line 7\): must be odd/),
        expect.stringMatching(/^modules\.mobile\.lighthouse\.interval \(line 8\): .*"often"/),
        expect.stringMatching(/^modules\.mobile\.lighthouse\.categories\[1\] \(line 9\): must be one of/),
        expect.stringMatching(/^modules\.mobile\.lighthouse\.throttling_method \(line 10\): must be one of/),
        expect.stringMatching(
          /^modules\.mobile\.lighthouse\.chrome_flags\[0\] \(line 11\): must be a Chrome switch/,
        ),
        expect.stringMatching(/^modules\.mobile\.lighthouse\.cpu_slowdown_multiplier \(line 12\):/),
      ]),
    );
    expect(text).toHaveLength(8);
  });
});
