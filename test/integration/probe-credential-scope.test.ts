/**
 * /probe must not send one module's credentials to a target of the requester's choice, and a
 * probe must not carry secret headers to another site on a redirect. Real servers on 127.0.0.1
 * (the configured target) and 127.0.0.2 (the third party) record what they receive.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

const TOKEN = 'internal-bearer-token-5d1a9c';
const API_KEY = 'api-key-value-2f7b';
const CUSTOM = 'custom-secret-value-8e3c';
/** target/module pairs in the config below, each of which the scheduler runs once at start. */
const SCHEDULED_CHECKS = 5;

interface Recorder {
  server: Server;
  origin: string;
  seen: { url: string; headers: IncomingHttpHeaders }[];
}

async function recorder(
  host: string,
  route: (url: string, origin: string) => string | undefined,
): Promise<Recorder> {
  const rec: Recorder = { server: createServer(), origin: '', seen: [] };
  rec.server.on('request', (req, res) => {
    rec.seen.push({ url: req.url ?? '', headers: req.headers });
    const location = route(req.url ?? '', rec.origin);
    if (location !== undefined) res.writeHead(302, { location }).end();
    else res.end('ok\n');
  });
  await new Promise<void>((r) => rec.server.listen(0, host, r));
  rec.origin = `http://${host}:${(rec.server.address() as AddressInfo).port}`;
  return rec;
}

let internal: Recorder;
let thirdParty: Recorder;
let h: Harness;

// An hour between scheduled probes: after the quick first runs (waited for in beforeAll), the
// only requests the recorders see are the ones a test makes through /probe.
const config = (extra = '') => `
global:
  interval: 1h
modules:
  http_2xx:
    prober: http
    timeout: 2s
  internal_api:
    prober: http
    timeout: 2s
    http:
      bearer_token: ${TOKEN}
  keyed:
    prober: http
    timeout: 2s
    http:
      headers:
        X-Api-Key: ${API_KEY}
        X-Custom: ${CUSTOM}
        X-Trace-Id: not-a-secret
      secret_headers: [X-Custom]
  plain_headers:
    prober: http
    timeout: 2s
    http:
      headers:
        X-Trace-Id: not-a-secret
targets:
  - name: internal
    url: ${internal.origin}/api
    modules: [internal_api, keyed]
  - name: thirdparty
    url: ${thirdParty.origin}/
    modules: [http_2xx]
  - name: hopping
    url: ${internal.origin}/to-third-party
    modules: [keyed]
  - name: roundtrip
    url: ${internal.origin}/away-and-back
    modules: [keyed]
security:
  probe_url_allowlist: ['http://127\\.0\\.0\\.2:.*']
${extra}`;

beforeAll(async () => {
  thirdParty = await recorder('127.0.0.2', (url) =>
    url === '/back' ? `${internal.origin}/landing` : undefined,
  );
  internal = await recorder('127.0.0.1', (url) => {
    if (url === '/to-third-party') return `${thirdParty.origin}/landing`;
    if (url === '/same-host') return '/landing';
    if (url === '/away-and-back') return `${thirdParty.origin}/back`;
    return undefined;
  });
  h = await startVantage(config());
  await waitFor(
    async () => {
      const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
      const runs = metrics.match(/^vantage_probe_last_run_timestamp_seconds\{/gm) ?? [];
      return runs.length === SCHEDULED_CHECKS && /^vantage_scheduler_probes_in_flight 0$/m.test(metrics);
    },
    20_000,
    'the first scheduled run of every check',
  );
});

afterAll(async () => {
  await h.close();
  for (const r of [internal, thirdParty]) {
    r.server.closeAllConnections();
    await new Promise((done) => r.server.close(done));
  }
});

beforeEach(() => {
  internal.seen.length = 0;
  thirdParty.seen.length = 0;
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(h.baseUrl + path);
  return { status: res.status, text: await res.text() };
}

function leaked(seen: Recorder['seen']): boolean {
  return seen.some(
    (s) =>
      JSON.stringify(s.headers).includes(TOKEN) ||
      JSON.stringify(s.headers).includes(API_KEY) ||
      JSON.stringify(s.headers).includes(CUSTOM),
  );
}

describe('/probe credential scope', () => {
  it.each([
    [
      'a configured target that does not list the module',
      () => '/probe?target=thirdparty&module=internal_api',
    ],
    ['the same, with a secret header module', () => '/probe?target=thirdparty&module=keyed'],
    [
      'an allowlisted raw URL',
      () => `/probe?target=${encodeURIComponent(`${thirdParty.origin}/x`)}&module=internal_api`,
    ],
  ])('refuses %s with 403 and sends nothing', async (_what, path) => {
    const { status, text } = await get(path());
    expect(status).toBe(403);
    expect(text).toContain('carries credentials');
    expect(text).toContain('security.probe_credentials_any_target');
    expect(text).toMatch(/targets? internal/);
    expect(thirdParty.seen).toEqual([]);
  });

  it('names what the module carries, without the values', async () => {
    const { text } = await get('/probe?target=thirdparty&module=keyed');
    expect(text).toContain('header x-api-key, header x-custom');
    expect(text).not.toContain(API_KEY);
  });

  it('counts refusals as module_credentials and refused', async () => {
    await get('/probe?target=thirdparty&module=internal_api');
    const metrics = (await get('/metrics')).text;
    expect(metrics).toMatch(/vantage_probe_refusals_total\{reason="module_credentials"\} [1-9]/);
    expect(metrics).toMatch(/vantage_probe_requests_total\{result="refused"\} [1-9]/);
  });

  it('allows the module with its own target, and modules without credentials anywhere', async () => {
    expect((await get('/probe?target=internal&module=internal_api')).text).toContain('probe_success 1');
    expect(internal.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect((await get('/probe?target=thirdparty&module=plain_headers')).text).toContain('probe_success 1');
    expect(leaked(thirdParty.seen)).toBe(false);
  });

  it('security.probe_credentials_any_target opts a module in', async () => {
    await h.writeConfig(config('  probe_credentials_any_target: [internal_api]'));
    expect((await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' })).status).toBe(200);
    try {
      const { status, text } = await get('/probe?target=thirdparty&module=internal_api');
      expect(status).toBe(200);
      expect(text).toContain('probe_success 1');
      expect(thirdParty.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      // Only the listed module.
      expect((await get('/probe?target=thirdparty&module=keyed')).status).toBe(403);
    } finally {
      await h.writeConfig(config());
      await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' });
    }
  });

  it('an unknown module in probe_credentials_any_target is a config error with path and line', async () => {
    await h.writeConfig(config('  probe_credentials_any_target: [nope]'));
    const res = await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /security\.probe_credentials_any_target\[0\] \(line \d+\): unknown module "nope"/,
    );
    await h.writeConfig(config());
    await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' });
  });
});

describe('secret headers across redirects', () => {
  it('are stripped on a redirect to another host; ordinary headers are kept', async () => {
    const { text } = await get('/probe?target=hopping&module=keyed');
    expect(text).toContain('probe_success 1');
    expect(internal.seen[0]?.headers['x-api-key']).toBe(API_KEY);
    expect(internal.seen[0]?.headers['x-custom']).toBe(CUSTOM);
    expect(thirdParty.seen).toHaveLength(1);
    expect(thirdParty.seen[0]?.headers['x-api-key']).toBeUndefined();
    expect(thirdParty.seen[0]?.headers['x-custom']).toBeUndefined();
    expect(thirdParty.seen[0]?.headers['x-trace-id']).toBe('not-a-secret');
  });

  it('are not sent again when the chain comes back from another host', async () => {
    const { text } = await get('/probe?target=roundtrip&module=keyed');
    expect(text).toContain('probe_success 1');
    expect(internal.seen.map((s) => s.url)).toEqual(['/away-and-back', '/landing']);
    expect(internal.seen[1]?.headers['x-api-key']).toBeUndefined();
    expect(leaked(thirdParty.seen)).toBe(false);
  });

  it('are redacted in the debug trace', async () => {
    const { text } = await get('/probe?target=internal&module=keyed&debug=true');
    expect(text).toContain('x-custom: <redacted>');
    expect(text).toContain('x-api-key: <redacted>');
    expect(text).toContain('x-trace-id: not-a-secret');
    expect(text).not.toContain(CUSTOM);
    expect(text).not.toContain(API_KEY);
  });
});
