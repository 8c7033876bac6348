/**
 * Patterns RE2 cannot run, met where a user meets them: `vantage check-config` (the built CLI) and
 * a reload of a running service. Backreferences and lookaround compile in JavaScript, which vantage
 * used before RE2; they must now be refused with the YAML path and line, and a reload that brings
 * one in must leave the running config probing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, waitFor } from '../helpers/vantageHarness.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');
const dir = mkdtempSync(join(tmpdir(), 'vantage-regex-config-'));

let target: TestServer;
beforeAll(async () => {
  target = await startHttpServer((_req, res) => res.end('status: ok\n'));
});
afterAll(async () => {
  await target?.close();
});

function configWith(bodyPattern: string, allowlistPattern = 'https://status\\.example\\.com/.*'): string {
  return [
    'global: {interval: 1s}',
    'security:',
    '  probe_url_allowlist:',
    `    - '${allowlistPattern}'`,
    'modules:',
    '  http_2xx:',
    '    prober: http',
    '    http:',
    '      fail_if_body_not_matches_regexp:',
    "        - 'status: ok'",
    `        - '${bodyPattern}'`,
    '      fail_if_header_matches:',
    "        - {header: X-Debug, regexp: '(?i)on', allow_missing: true}",
    'targets:',
    `  - {name: app, url: "${target.origin}/", modules: [http_2xx]}`,
    '',
  ].join('\n');
}

function checkConfig(yaml: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  return spawnSync(process.execPath, [BIN, 'check-config', `--config.file=${file}`], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('patterns RE2 cannot compile', () => {
  it('check-config accepts blackbox syntax and refuses a backreference or lookaround with path and line', () => {
    // Go RE2 forms that JavaScript's RegExp does not know, as pasted from a blackbox module.
    const ok = checkConfig(
      configWith('(?s)\\pL+.*(?P<state>up|ok)\\z', '(?i)https://[[:alpha:]]+\\.example\\.com/.*'),
    );
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const backref = checkConfig(configWith('(ok)\\1'));
    expect(backref.status).toBe(1);
    expect(backref.stderr).toContain(
      'modules.http_2xx.http.fail_if_body_not_matches_regexp[1] (line 11): not a valid regular expression: invalid escape sequence: \\1',
    );
    expect(backref.stderr).toContain('no backreferences');

    const lookahead = checkConfig(configWith('status: ok', 'https://(?=internal).*'));
    expect(lookahead.status).toBe(1);
    expect(lookahead.stderr).toMatch(
      /security\.probe_url_allowlist\[0\] \(line 4\): not a valid regular expression: invalid perl operator: \(\?=/,
    );
  });

  it('a reload bringing one in is refused and the running config keeps probing', async () => {
    const h = await startVantage(configWith('ok'));
    try {
      await waitFor(() => h.service.results.latest('app/http_2xx'), 10_000, 'first probe');
      await h.writeConfig(configWith('(?<!not )ok'));
      const reload = await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' });
      expect(reload.status).toBe(400);
      const text = await reload.text();
      expect(text).toContain(
        'modules.http_2xx.http.fail_if_body_not_matches_regexp[1] (line 11): not a valid regular expression',
      );
      expect(text).toContain('invalid perl operator: (?<');

      const runsBefore = h.service.results.latest('app/http_2xx')!;
      await waitFor(
        () => h.service.results.latest('app/http_2xx') !== runsBefore || undefined,
        10_000,
        'a probe after the refused reload',
      );
      const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
      expect(metrics).toContain('vantage_config_last_reload_successful 0');
      expect(metrics).toContain('probe_success{target="app",module="http_2xx"} 1');
      expect(h.service.config.modules.http_2xx).toBeDefined();
    } finally {
      await h.close();
    }
  }, 60_000);
});
