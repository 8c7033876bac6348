/**
 * Config messages as a newcomer meets them (issue 12, points 5 and 11): no false interval warning
 * for Lighthouse modules, one quoted error per YAML problem, and suggestions for a percentage
 * written as the availability ratio and for a URL without its scheme.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { demoConfigYaml } from '../../src/demo/demoConfig.js';
import { runCli } from '../helpers/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'vantage-config-messages-'));
const lines = (...l: string[]) => l.join('\n') + '\n';

function checkConfig(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return runCli(['check-config', `--config.file=${file}`]);
}

function warningsOf(text: string): string[] {
  const result = parseConfigText(text);
  if (!result.ok) throw new Error(`expected a valid config: ${JSON.stringify(result.errors)}`);
  return result.warnings;
}

// The README's Lighthouse module, on a target of a config whose global interval is 15 s.
const readmeLighthouse = lines(
  'global:',
  '  interval: 15s',
  'modules:',
  '  mobile:',
  '    prober: lighthouse',
  '    timeout: 120s',
  '    lighthouse: { form_factor: mobile, runs: 3, interval: 15m }',
  'targets:',
  '  - name: shop',
  '    url: http://127.0.0.1:9/',
  '    modules: [mobile]',
);

describe('interval warnings judge the interval that applies to each check', () => {
  it("check-config gives no warning for the README's Lighthouse example", { timeout: 60_000 }, () => {
    const run = checkConfig('readme-lighthouse.yml', readmeLighthouse);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('warning');
  });

  it('the embedded demo config loads without warnings (nobody can see its lines)', () => {
    expect(warningsOf(demoConfigYaml('http://127.0.0.1:9470'))).toEqual([]);
    expect(warningsOf(demoConfigYaml('http://127.0.0.1:9470', 'http://127.0.0.1:9090'))).toEqual([]);
  });

  it('warns when a Lighthouse batch (runs x per-run timeout) may outlast lighthouse.interval', () => {
    const text = readmeLighthouse.replace('interval: 15m', 'interval: 5m');
    expect(warningsOf(text)).toEqual([
      'modules.mobile.lighthouse.interval (line 7): lighthouse.interval 5m is shorter than a batch of module ' +
        '"mobile" may take (3 runs x timeout 2m = 6m): a slow batch is still running when the next is due',
    ]);
  });

  it('still warns when an http timeout is longer than the interval it runs on', () => {
    const text = lines(
      'global: {interval: 10s}',
      'modules:',
      '  slow: {prober: http, timeout: 20s}',
      '  mobile: {prober: lighthouse, timeout: 60s}',
      'targets:',
      '  - {name: a, url: "http://127.0.0.1:9/", modules: [slow, mobile]}',
    );
    expect(warningsOf(text)).toEqual([
      'targets[0] (line 6): interval 10s (global.interval) is shorter than the timeout of module "slow" (20s): ' +
        'a slow probe is still running when the next is due',
    ]);
  });
});

describe('check-config error messages', () => {
  it('gives one error per YAML problem, quoting the line with a caret', { timeout: 60_000 }, () => {
    const run = checkConfig(
      'indent.yml',
      lines('targets:', '  - name: a', '  url: http://127.0.0.1:9/', '   modules: [x]'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(': 1 error\n');
    expect(run.stderr).toContain(
      '  line 3, column 1: All mapping items must start at the same column\n' +
        '    3 |   url: http://127.0.0.1:9/\n' +
        '      | ^\n',
    );
  });

  it('puts the caret under the column the parser names', () => {
    const result = parseConfigText(
      lines('modules:', '  m:', '    prober: http', '  timeout: 5s', '    http: {}'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 4, column: 12 });
    expect(result.errors[0]!.excerpt).toBe('    4 |   timeout: 5s\n      |            ^');
  });

  it('suggests the ratio for an availability written as a percentage', () => {
    const result = parseConfigText(
      lines(
        'modules: {http_2xx: {prober: http}}',
        'targets:',
        '  - name: a',
        '    url: http://127.0.0.1:9/',
        '    slo: {availability: 99.9}',
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.message)).toEqual([
      'must be a ratio below 1 (an objective of 100% leaves no error budget); 99.9 looks like a percentage: did you mean 0.999?',
    ]);
  });

  it('suggests http:// for a URL written without its scheme', { timeout: 60_000 }, () => {
    const run = checkConfig(
      'no-scheme.yml',
      lines(
        'modules: {http_2xx: {prober: http}}',
        'targets:',
        '  - {name: a, url: "127.0.0.1:18599"}',
        '  - {name: b, url: "[::1]:8080/health"}',
      ),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'targets[0].url (line 3): not a URL: "127.0.0.1:18599" (no scheme: did you mean "http://127.0.0.1:18599"?)',
    );
    expect(run.stderr).toContain(
      'targets[1].url (line 4): not a URL: "[::1]:8080/health" (no scheme: did you mean "http://[::1]:8080/health"?)',
    );
  });
});
