/**
 * Journeys in the running service: scheduled by interval, a failing third step in /metrics
 * (probe_failure_info with its step, no series for the steps after it, the step histogram and
 * failure counter), check-config's errors with path and line, and secrets given by env and by
 * file absent from everything vantage shows: /config, /probe?debug=true, `vantage probe`, the
 * debug logs and a report made from a real Prometheus that scraped it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigText, runCliAsync } from '../helpers/cliProcess.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

const ENV_SECRET = 'env-Secret-4c81aa0f';
const FILE_SECRET = 'file-Secret-77d2b9e1';
const ENV_NAME = 'VANTAGE_TEST_JOURNEY_PASSWORD';

let site: TestServer;
let h: Harness;
let dir: string;
let secretFile: string;
const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];

const journeyConfig = () => `
global:
  interval: 1s
  jitter: 0
modules:
  checkout:
    prober: journey
    timeout: 5s
    journey:
      steps:
        - name: login
          request:
            method: POST
            url: /login
            json: { user: demo, password: '\${env:${ENV_NAME}}' }
          extract:
            session: { header: X-Session, secret: true }
        - name: product
          request:
            url: /product?key=\${file:${secretFile}}
            headers: { X-Api-Key: '\${file:${secretFile}}' }
        - name: pay
          request: { method: POST, url: /pay, headers: { X-Session: '\${session}' } }
        - name: receipt
          request: { url: /receipt }
        - name: bye
          request: { url: /bye }
targets:
  - name: shop
    url: ${site.origin}/
    modules: [checkout]
    slo: { availability: 0.99, latency: 750ms }
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantage-journey-'));
  secretFile = join(dir, 'api-key');
  writeFileSync(secretFile, `${FILE_SECRET}\n`);
  process.env[ENV_NAME] = ENV_SECRET;
  site = await startHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/login') res.writeHead(200, { 'x-session': 'sess-Secret-0b5e2c' }).end('{}');
      else if (req.url === '/pay') res.writeHead(500).end('payment backend down');
      else res.end('ok');
    });
  });
  h = await startVantage(journeyConfig());
}, 30_000);

afterAll(async () => {
  await h?.close();
  await site?.close();
  delete process.env[ENV_NAME];
  rmSync(dir, { recursive: true, force: true });
});

const metrics = async () => (await fetch(`${h.baseUrl}/metrics`)).text();
const leaks = (text: string) =>
  [ENV_SECRET, FILE_SECRET, 'sess-Secret-0b5e2c'].filter((s) => text.includes(s));

describe('a scheduled journey whose third step answers 500', () => {
  it('shows probe_success 0 and the failing step within one interval, and nothing of steps 4 and 5', async () => {
    const text = await waitFor(async () => {
      const t = await metrics();
      return t.includes('probe_failure_info{target="shop"') ? t : undefined;
    }, 5000);
    expect(text).toContain('probe_success{target="shop",module="checkout"} 0');
    expect(text).toMatch(
      /probe_failure_info\{target="shop",module="checkout",phase="processing",reason="status_code",step="pay"\} 1/,
    );
    expect(text).toContain('probe_journey_step_success{target="shop",module="checkout",step="login"} 1');
    expect(text).toContain('probe_journey_step_success{target="shop",module="checkout",step="pay"} 0');
    expect(text).not.toMatch(/step="(receipt|bye)"/);
    expect(text).toMatch(
      /vantage_journey_step_failures_total\{target="shop",module="checkout",step="pay",reason="status_code"\} [1-9]/,
    );
    // The target's objective is a bucket boundary of the step histogram, and its threshold series.
    expect(text).toMatch(
      /vantage_journey_step_duration_seconds_bucket\{target="shop",module="checkout",step="login",le="0.75"\} [1-9]/,
    );
    expect(text).toContain(
      'vantage_journey_step_latency_threshold_seconds{target="shop",module="checkout",step="login"} 0.75',
    );
    expect(text).toMatch(/vantage_probes_total\{target="shop",module="checkout",result="failure"\} [1-9]/);
    // The secrets reached the site.
    const login = received.find((r) => r.url === '/login')!;
    expect(JSON.parse(login.body)).toEqual({ user: 'demo', password: ENV_SECRET });
    const product = received.find((r) => r.url.startsWith('/product'))!;
    expect(product.headers['x-api-key']).toBe(FILE_SECRET);
    expect(received.find((r) => r.url === '/pay')!.headers['x-session']).toBe('sess-Secret-0b5e2c');
  });
});

describe('secrets given by env and by file', () => {
  it('are absent from /config, /probe?debug=true, /metrics and the debug logs', async () => {
    const config = await (await fetch(`${h.baseUrl}/config`)).text();
    expect(config).toContain(`/product?key=\${file:${secretFile}}`);
    const debug = await (await fetch(`${h.baseUrl}/probe?target=shop&module=checkout&debug=true`)).text();
    expect(debug).toContain('Journey failed: status_code in phase processing of step pay');
    expect(debug).toContain('/product?key=<secret>');
    expect(debug).toContain('extracted session (secret)');
    for (const text of [config, debug, await metrics(), h.logs.join('\n')]) expect(leaks(text)).toEqual([]);
    // The harness logs at debug level; the failing journey's warning quotes its failure message.
    await waitFor(() => h.logs.some((line) => line.includes('probe of shop with checkout failed')), 5000);
    expect(leaks(h.logs.join('\n'))).toEqual([]);
  });

  it('are absent from `vantage probe` output', async () => {
    const run = await runCliAsync(
      ['probe', `--config.file=${h.configFile}`, '--target=shop', '--module=checkout'],
      {
        ...process.env,
        [ENV_NAME]: ENV_SECRET,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('pay');
    expect(run.stdout).toContain('FAILED');
    expect(leaks(run.stdout + run.stderr)).toEqual([]);
  });

  it('are absent from a report made from a Prometheus that scraped the journey', async () => {
    let prom: Prometheus | undefined;
    const out = mkdtempSync(join(tmpdir(), 'vantage-journey-report-'));
    try {
      prom = await startPrometheus({ vantage: [h.baseUrl], intervals: { scrape: '1s', evaluation: '1s' } });
      await prom.waitForTargets();
      await prom.waitForQuery('increase(vantage_probes_total{target="shop"}[1m]) > 0', undefined, 30_000);
      const run = await runCliAsync([
        'report',
        `--prometheus.url=${prom.url}`,
        '--period=day',
        `--date=${new Date().toISOString().slice(0, 10)}`,
        '--timezone=UTC',
        `--out=${out}`,
        `--storage.path=${dirname(h.configFile)}`,
      ]);
      expect(run.status).toBe(0);
      const files = readdirSync(out);
      expect(files.length).toBeGreaterThan(0);
      const text = files.map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
      // The report has the journey (its Journeys section names the module and the failing step).
      expect(text).toContain('checkout');
      expect(text).toContain('pay');
      expect(leaks(text + run.stdout)).toEqual([]);
    } finally {
      await prom?.stop();
      rmSync(out, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('check-config on journeys', () => {
  const module = (steps: string) => `
modules:
  j:
    prober: journey
    journey:
      steps:
${steps}
targets:
  - name: t
    url: http://127.0.0.1:1/
    modules: [j]
`;
  it.each([
    [
      'a duplicate step name',
      `        - name: a\n          request: { url: / }\n        - name: a\n          request: { url: / }`,
      /modules\.j\.journey\.steps\[1\]\.name \(line 9\): duplicate step name "a" \(first used by steps\[0\]\)/,
    ],
    [
      'an unknown variable',
      `        - name: a\n          request: { url: '/x/\${missing}' }`,
      /modules\.j\.journey\.steps\[0\]\.request\.url \(line 8\): unknown variable "\$\{missing\}": no earlier step extracts it/,
    ],
    [
      'a variable used before the step that extracts it',
      `        - name: a\n          request: { url: '/\${id}' }\n        - name: b\n          request: { url: / }\n          extract: { id: { header: X-Id } }`,
      /steps\[0\]\.request\.url \(line 8\): unknown variable "\$\{id\}"/,
    ],
    [
      'a malformed JSON path',
      `        - name: a\n          request: { url: / }\n          extract: { t: { json: '$.items[' } }`,
      /modules\.j\.journey\.steps\[0\]\.extract\.t\.json \(line 9\): not a valid JSON path/,
    ],
    [
      'an unset environment variable',
      `        - name: a\n          request: { url: /, headers: { X-Key: '\${env:VANTAGE_TEST_UNSET_VARIABLE}' } }`,
      /steps\[0\]\.request\.headers\.X-Key \(line 8\): environment variable VANTAGE_TEST_UNSET_VARIABLE is not set/,
    ],
  ])('refuses %s with its path and line', (_what, steps, message) => {
    const run = checkConfigText(module(steps));
    expect(run.status).toBe(1);
    expect(run.stderr + run.stdout).toMatch(message);
  });
});
