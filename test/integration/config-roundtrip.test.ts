/**
 * GET /config pastes back (issue 12, point 7): what it prints is vantage.yml as a user writes it
 * (durations "15s", sizes "10MiB"), so saved to a file it passes `vantage check-config` and loads
 * to the same config as the file the service runs. The debug probe's module view says the same.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { renderConfigYaml } from '../../src/config/render.js';
import { demoConfigYaml } from '../../src/demo/demoConfig.js';
import { runCliAsync } from '../helpers/cliProcess.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const PASSWORD = 'roundtrip-password-1234';
const WEBHOOK = 'https://hooks.example.com/services/T000/B000/roundtrip';

const RICH_CONFIG = `
global:
  interval: 1h
  scrape_timeout: 10s
  jitter: 0
modules:
  api:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200, 204]
      method: POST
      headers: {Accept: application/json}
      body: '{"ping": true}'
      body_size_limit: 10MB
      fail_if_body_not_matches_regexp: ['"status":\\s*"ok"']
      basic_auth: {username: probe, password: ${PASSWORD}}
  small:
    prober: http
    timeout: 1m30s
    http:
      body_size_limit: 1500
  mobile:
    prober: lighthouse
    timeout: 90s
    lighthouse: {runs: 1, interval: 6h, categories: [performance]}
targets:
  - name: shop
    url: http://127.0.0.1:1/shop
    modules: [api, small]
    interval: 1h
    labels: {team: web}
    slo: {availability: 0.995, latency: 500ms}
  - name: home
    url: http://127.0.0.1:1/
    modules: [small]
    slo: {latency: 2d}
security:
  probe_url_allowlist: ['https://status\\.example\\.com/.*']
  allowed_networks: [10.0.0.0/8]
maintenance_windows:
  - name: migration
    targets: [shop]
    time_zone: Europe/Berlin
    start: 2026-12-24T22:00
    duration: 1h30m
  - name: nightly
    cron: '0 2 * * SUN'
    duration: 2h
    until: 2027-06-01
report:
  prometheus_url: http://127.0.0.1:1
  schedule: {time: '6:00', time_zone: Europe/Berlin, periods: [week]}
  evaluation_window: 2d
  keep: 50
  webhook: {url: '${WEBHOOK}', timeout: 5s}
`;

// A duration field holding a bare number: the form vantage.yml refuses.
const BARE_DURATION =
  /^\s*(-\s+)?(interval|timeout|scrape_timeout|latency|duration|evaluation_window):\s*\d+\s*$/m;

async function checkConfig(yaml: string) {
  const dir = await mkdtemp(join(tmpdir(), 'vantage-roundtrip-'));
  try {
    const file = join(dir, 'vantage.yml');
    await writeFile(file, yaml);
    return await runCliAsync(['check-config', `--config.file=${file}`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parsed(yaml: string) {
  const result = parseConfigText(yaml);
  if (!result.ok) throw new Error(`does not load:\n${JSON.stringify(result.errors, null, 2)}\n${yaml}`);
  return result.config;
}

describe('GET /config round-trips', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(RICH_CONFIG);
  });
  afterAll(async () => h?.close());

  it('prints durations and sizes as vantage.yml says them', async () => {
    const text = await (await fetch(`${h.baseUrl}/config`)).text();
    expect(text).not.toMatch(BARE_DURATION);
    for (const line of [
      'interval: 1h',
      'scrape_timeout: 10s',
      'timeout: 5s',
      'timeout: 1m30s',
      'latency: 500ms',
      'latency: 2d',
      'interval: 6h',
      'duration: 1h30m',
      'duration: 2h',
      'evaluation_window: 2d',
      'body_size_limit: 10MiB',
      'body_size_limit: 1500',
      'time: 06:00',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain('password: <secret>');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(WEBHOOK);
  });

  it('saved to a file, passes check-config and loads to the same config (secrets put back)', async () => {
    const text = await (await fetch(`${h.baseUrl}/config`)).text();
    const withSecrets = text
      .replace('password: <secret>', `password: ${PASSWORD}`)
      .replace('url: <secret>', `url: ${WEBHOOK}`);
    expect(withSecrets).not.toContain('<secret>');
    const check = await checkConfig(withSecrets);
    expect(check.stderr).not.toMatch(/error/i);
    expect(check.status).toBe(0);
    expect(parsed(withSecrets)).toEqual(parsed(RICH_CONFIG));
  }, 90_000);

  it("the debug probe's module view shows the module as written", async () => {
    const text = await (await fetch(`${h.baseUrl}/probe?target=shop&module=api&debug=true`)).text();
    const view = text.slice(text.indexOf('Module configuration:'));
    expect(view).toContain('timeout: 5s');
    expect(view).toContain('body_size_limit: 10MiB');
    expect(view).not.toMatch(BARE_DURATION);
  });
});

describe('the demo config round-trips', () => {
  // The service without a config file runs the demo config (with Lighthouse audits, so not
  // started here): /config prints renderConfigYaml of it, which must load back the same.
  it('passes check-config and loads to the same config', async () => {
    const original = demoConfigYaml('http://127.0.0.1:1');
    const rendered = renderConfigYaml(parsed(original));
    expect(rendered).toContain('interval: 15s');
    expect(rendered).not.toMatch(BARE_DURATION);
    const check = await checkConfig(rendered);
    expect(check.status).toBe(0);
    expect(parsed(rendered)).toEqual(parsed(original));
  }, 90_000);
});
