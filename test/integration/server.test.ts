/**
 * The running service end to end on 127.0.0.1: scheduled probes against real local servers,
 * /metrics (checked by the real promtool), /probe and its refusals, reload, auth, secrets.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

let target: Server;
let targetUrl = '';
let closedPortUrl = '';
const hits = { ok: 0, secret: 0 };
const SECRET_PASSWORD = 's3cr3t-pa55word-value';
const SECRET_TOKEN = 'tok-abcdefghijklmnopqrstuvwxyz';

beforeAll(async () => {
  target = createServer((req, res) => {
    if (req.url === '/ok') {
      hits.ok++;
      res.end('status: ok\n');
    } else if (req.url === '/auth') {
      hits.secret++;
      const expected = 'Basic ' + Buffer.from(`probe:${SECRET_PASSWORD}`).toString('base64');
      res.statusCode = req.headers.authorization === expected ? 200 : 401;
      res.end('status: ok\n');
    } else if (req.url === '/to-metadata') {
      res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (req.url === '/silent') {
      // never answers
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  // A port that was just free: connection refused for real.
  const tmp = createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPortUrl = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}/`;
  await new Promise((r) => tmp.close(r));
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

const config = (extra = '') => `
global:
  interval: 1s
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: 2s
    http:
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ["status: ok"]
  with_auth:
    prober: http
    timeout: 2s
    http:
      basic_auth: {username: probe, password: "${SECRET_PASSWORD}"}
  with_token:
    prober: http
    timeout: 2s
    http:
      bearer_token: "${SECRET_TOKEN}"
targets:
  - name: web
    url: ${targetUrl}/ok
    modules: [http_2xx]
    labels: {team: web}
    slo: {availability: 0.995, latency: 750ms}
    hosts: [web-1:9100, '[2001:db8::1]:9100']
  - name: down
    url: ${closedPortUrl}
    modules: [http_2xx]
  - name: private
    url: ${targetUrl}/auth
    modules: [with_auth, with_token]
  - name: metadata
    url: ${targetUrl}/to-metadata
    modules: [http_2xx]
${extra}`;

const get = async (h: Harness, path: string, init?: RequestInit) => {
  const res = await fetch(h.baseUrl + path, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
};

describe('vantage service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(config());
    await waitFor(() => h.service.results.totals('metadata/http_2xx')?.failure, 10_000, 'first probes');
    await waitFor(() => h.service.results.totals('private/with_token')?.failure, 10_000, 'first probes');
  });
  afterAll(() => h.close());

  it('exposes every check with target, module and static labels, and failure reasons', async () => {
    const { status, text, headers } = await get(h, '/metrics');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(text).toContain('probe_success{target="web",module="http_2xx",team="web"} 1');
    expect(text).toContain('probe_success{target="down",module="http_2xx"} 0');
    expect(text).toContain(
      'probe_failure_info{target="down",module="http_2xx",phase="connect",reason="connection_refused"} 1',
    );
    expect(text).toContain(
      'probe_failure_info{target="metadata",module="http_2xx",phase="resolve",reason="forbidden_address"} 1',
    );
    expect(text).toContain('probe_success{target="private",module="with_auth"} 1');
    expect(text).toContain(
      'probe_failure_info{target="private",module="with_token",phase="processing",reason="status_code"} 1',
    );
    expect(text).toMatch(
      /probe_http_duration_seconds\{target="web",module="http_2xx",team="web",phase="processing"\} [\d.e-]+/,
    );
    expect(text).toContain(
      `vantage_target_info{target="web",team="web",url="${targetUrl}/ok",modules="http_2xx"} 1`,
    );
    expect(text).toContain('vantage_target_slo_objective{target="web",team="web"} 0.995');
    expect(text).toContain('vantage_target_latency_threshold_seconds{target="web",team="web"} 0.75');
    // One series per configured host, target and host only (no static labels), and none for a
    // target without hosts.
    expect(text).toContain('vantage_target_host_info{target="web",host="web-1:9100"} 1');
    expect(text).toContain('vantage_target_host_info{target="web",host="[2001:db8::1]:9100"} 1');
    expect(text.match(/^vantage_target_host_info/gm)).toHaveLength(2);
    expect(text).toContain(
      'vantage_probe_duration_seconds_bucket{target="web",module="http_2xx",team="web",le="0.75"}',
    );
    expect(text).toContain('vantage_config_last_reload_successful 1');
    expect(text).toMatch(/vantage_scheduler_lag_seconds [\d.e-]+/);
    expect(text).toContain('vantage_build_info{version="');
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('passes promtool check metrics with nothing reported', async () => {
    const { text } = await get(h, '/metrics');
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('never probes during a scrape: target hits equal counted probes', async () => {
    for (let i = 0; i < 20; i++) await get(h, '/metrics');
    // Read the counter and the hit count at the same instant (no probe in between).
    const { text } = await get(h, '/metrics');
    const hitsNow = hits.ok;
    const counted = Number(
      /vantage_probes_total\{target="web",module="http_2xx",team="web",result="success"\} (\d+)/.exec(
        text,
      )![1],
    );
    // A scheduled probe may have hit the server and not yet been recorded: at most one.
    expect(hitsNow - counted).toBeGreaterThanOrEqual(0);
    expect(hitsNow - counted).toBeLessThanOrEqual(1);
    expect(hitsNow).toBeLessThan(20);
  });

  it('answers /probe for a configured target without target or module labels', async () => {
    const { status, text } = await get(h, '/probe?target=web&module=http_2xx');
    expect(status).toBe(200);
    expect(text).toContain('probe_success 1\n');
    expect(text).toMatch(/probe_http_duration_seconds\{phase="connect"\} /);
    expect(text).not.toContain('target=');
    // The URL of a configured target works too, as a blackbox scrape config sends it.
    const byUrl = await get(h, `/probe?target=${encodeURIComponent(targetUrl + '/ok')}&module=http_2xx`);
    expect(byUrl.text).toContain('probe_success 1\n');
    // A target with one module needs no module parameter.
    expect((await get(h, '/probe?target=web')).text).toContain('probe_success 1\n');
  });

  it('refuses raw URLs that are not allowlisted, and counts the refusal', async () => {
    const { status, text } = await get(
      h,
      `/probe?target=${encodeURIComponent(targetUrl + '/elsewhere')}&module=http_2xx`,
    );
    expect(status).toBe(403);
    expect(text).toContain('security.probe_url_allowlist');
    const metrics = (await get(h, '/metrics')).text;
    expect(metrics).toMatch(/vantage_probe_refusals_total\{reason="not_allowlisted"\} [1-9]/);
  });

  it('refuses a redirect to a metadata address with 403 and counts it', async () => {
    const { status, text } = await get(h, '/probe?target=metadata&module=http_2xx');
    expect(status).toBe(403);
    expect(text).toContain('169.254.169.254');
    const metrics = (await get(h, '/metrics')).text;
    expect(metrics).toMatch(/vantage_probe_refusals_total\{reason="forbidden_address"\} [1-9]/);
  });

  it('rejects bad /probe requests with 400 and a reason', async () => {
    expect((await get(h, '/probe')).status).toBe(400);
    const unknown = await get(h, '/probe?target=web&module=nope');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('unknown module "nope"');
    const ambiguous = await get(h, '/probe?target=private');
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.text).toContain('with_auth, with_token');
  });

  it('prints a readable trace with debug=true, without secrets', async () => {
    const { status, text } = await get(h, '/probe?target=private&module=with_auth&debug=true');
    expect(status).toBe(200);
    expect(text).toContain('Probe of target "private"');
    expect(text).toMatch(/processing/);
    expect(text).toContain('probe_success 1');
    expect(text).toContain('Module configuration:');
    expect(text).not.toContain(SECRET_PASSWORD);
    const down = await get(h, '/probe?target=down&module=http_2xx&debug=true');
    expect(down.text).toContain('connection_refused');
  });

  it('honours the scrape timeout header, and probes allowlisted raw URLs', async () => {
    const h2 = await startVantage(
      config(`  - name: silent\n    url: ${targetUrl}/silent\n    modules: [http_2xx]\n    interval: 1h\n`) +
        `security:\n  probe_url_allowlist: ['http://127\\.0\\.0\\.1:\\d+/ok', 'http://127\\.0\\.0\\.1:\\d+/to-metadata']\n`,
    );
    try {
      const allowed = await get(h2, `/probe?target=${encodeURIComponent(targetUrl + '/ok')}&module=http_2xx`);
      expect(allowed.status).toBe(200);
      expect(allowed.text).toContain('probe_success 1\n');
      // Allowlisting a URL does not allowlist where it redirects to.
      const redirected = await get(
        h2,
        `/probe?target=${encodeURIComponent(targetUrl + '/to-metadata')}&module=http_2xx`,
      );
      expect(redirected.status).toBe(403);
      expect(
        (await get(h2, `/probe?target=${encodeURIComponent(targetUrl + '/okx')}&module=http_2xx`)).status,
      ).toBe(403);

      const t = Date.now();
      const res = await get(h2, '/probe?target=silent&module=http_2xx', {
        headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' },
      });
      const elapsed = Date.now() - t;
      expect(res.text).toContain('probe_failure_info{phase="processing",reason="timeout"} 1');
      // 1.5 s scrape timeout minus blackbox's 0.5 s offset: about 1 s, well before the module's 2 s.
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(1500);
    } finally {
      await h2.close();
    }
  });

  it('lists every check on the index page with its reason and a debug link', async () => {
    const { text } = await get(h, '/');
    expect(text).toContain('probe?target=down&amp;module=http_2xx&amp;debug=true');
    expect(text).toContain('connection_refused');
    expect(text).toMatch(/<td>web<\/td><td>http_2xx<\/td>/);
  });

  it('serves health, readiness and the running config with secrets redacted', async () => {
    expect((await get(h, '/-/healthy')).status).toBe(200);
    expect((await get(h, '/-/ready')).status).toBe(200);
    const cfg = await get(h, '/config');
    expect(cfg.text).toContain('password: <secret>');
    expect(cfg.text).not.toContain(SECRET_PASSWORD);
    expect(cfg.text).not.toContain(SECRET_TOKEN);
  });

  it('never writes secrets into metrics or logs', async () => {
    const metrics = (await get(h, '/metrics')).text;
    const logs = h.logs.join('\n');
    for (const secret of [SECRET_PASSWORD, SECRET_TOKEN]) {
      expect(metrics).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(logs).toContain('"reason":"connection_refused"');
  });
});

describe('reload', () => {
  it('keeps the running config on a bad reload, reports every error, and applies a good one', async () => {
    const h = await startVantage(config());
    try {
      await h.writeConfig(
        config().replace(`url: ${closedPortUrl}`, 'url: "htp:/x"').replace('interval: 1s', 'interval: soon'),
      );
      const bad = await get(h, '/-/reload', { method: 'POST' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('global.interval (line 3): not a duration: "soon"');
      expect(bad.text).toMatch(/targets\[1\]\.url \(line \d+\): not a URL: "htp:\/x"/);
      const afterBad = (await get(h, '/metrics')).text;
      expect(afterBad).toContain('vantage_config_last_reload_successful 0');
      expect(afterBad).toContain(`url="${closedPortUrl}"`);
      expect(h.service.config.global.interval).toBe(1000);
      expect(h.logs.some((l) => l.includes('not a duration'))).toBe(true);

      await h.writeConfig(
        config(
          `  - name: added\n    url: ${targetUrl}/ok\n    modules: [http_2xx]\n    hosts: [db-1:9100]\n`,
        ),
      );
      const good = await get(h, '/-/reload', { method: 'POST' });
      expect(good.status).toBe(200);
      await waitFor(() => h.service.results.latest('added/http_2xx'), 10_000, 'probe of the added target');
      const afterGood = (await get(h, '/metrics')).text;
      expect(afterGood).toContain('vantage_config_last_reload_successful 1');
      expect(afterGood).toContain('probe_success{target="added",module="http_2xx"} 1');
      expect(afterGood).toContain('vantage_config_reloads_total{result="failure"} 1');
      expect(afterGood).toContain('vantage_target_host_info{target="added",host="db-1:9100"} 1');
    } finally {
      await h.close();
    }
  });

  it('requires the admin bearer token when one is configured', async () => {
    const h = await startVantage(config() + 'security:\n  admin_token: "a-very-long-admin-token-1234"\n');
    try {
      expect((await get(h, '/-/reload', { method: 'POST' })).status).toBe(401);
      expect(
        (await get(h, '/-/reload', { method: 'POST', headers: { Authorization: 'Bearer wrong-token' } }))
          .status,
      ).toBe(401);
      const ok = await get(h, '/-/reload', {
        method: 'POST',
        headers: { Authorization: 'Bearer a-very-long-admin-token-1234' },
      });
      expect(ok.status).toBe(200);
      expect((await get(h, '/-/reload')).status).toBe(405);
    } finally {
      await h.close();
    }
  });
});
