/**
 * Browser flows in the running service: scheduled in the audit queue, a failing step in /metrics
 * (the generic probe series with `step`, no series for the later steps), the failure's evidence
 * served and linked (history page, screenshot, run record, index page), a typed secret absent from
 * everything vantage shows and keeps, SIGTERM mid-flow leaving nothing behind, and check-config's
 * errors with path and line. Real Chromium throughout (the `chrome` project, one file at a time).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcesses, PROFILE_PREFIX } from '../../src/probers/lighthouse/index.js';
import { checkConfigText } from '../helpers/cliProcess.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'vantage.js');
const SECRET = 'typed-Secret-5e0c7a91';
const ENV_NAME = 'VANTAGE_TEST_BROWSER_PASSWORD';

const PAGES: Record<string, string> = {
  '/login':
    '<!doctype html><html lang="en"><head><title>login</title></head><body><form id="f" action="/account">' +
    '<input type="password" id="password" name="password"><button id="sign-in">Sign in</button></form></body></html>',
  '/account':
    '<!doctype html><html lang="en"><head><title>account</title></head><body><h1 id="account">Hello</h1></body></html>',
  '/shop':
    '<!doctype html><html lang="en"><head><title>shop</title></head><body><h1>Shop</h1><p id="total">$12.50</p></body></html>',
};

let site: TestServer;
let h: Harness;
const seenPasswords: string[] = [];

const config = () => `
global:
  interval: 1s
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: 2s
  login_flow:
    prober: browser
    timeout: 60s
    browser:
      lighthouse: false
      interval: 5s
      steps:
        - { name: open, navigate: /login }
        - { name: login, type: { selector: '#password', text: '\${env:${ENV_NAME}}' }, then: { click: '#sign-in' }, wait_for: { navigation: true } }
        - { name: buy, click: '#buy-now', timeout: 2s }
        - { name: total, assert: { selector: '#total', matches: '^\\$\\d+\\.\\d\\d$' } }
targets:
  - name: shop
    url: ${site.origin}/
    modules: [http_2xx, login_flow]
    slo: { availability: 0.99, latency: 750ms }
`;

beforeAll(async () => {
  process.env[ENV_NAME] = SECRET;
  site = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const password = url.searchParams.get('password');
    if (password) seenPasswords.push(password);
    const page = PAGES[url.pathname];
    if (page) res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  h = await startVantage(config());
}, 30_000);

afterAll(async () => {
  await h?.close();
  await site?.close();
  delete process.env[ENV_NAME];
});

const get = async (path: string) => {
  const res = await fetch(`${h.baseUrl}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
};
const metrics = async () => (await get('/metrics')).body.toString();

describe('a scheduled browser flow whose third step finds no element', () => {
  let text = '';
  beforeAll(async () => {
    text = await waitFor(async () => {
      const t = await metrics();
      return t.includes('probe_failure_info{target="shop",module="login_flow"') ? t : '';
    }, 60_000);
  }, 70_000);

  it('publishes the generic probe series and the failing step; nothing of the step after it', () => {
    expect(text).toContain('probe_success{target="shop",module="login_flow"} 0');
    expect(text).toMatch(
      /probe_failure_info\{target="shop",module="login_flow",phase="click",reason="selector_not_found",step="buy"\} 1/,
    );
    expect(text).toContain('browser_step_success{target="shop",module="login_flow",step="login"} 1');
    expect(text).toContain('browser_step_success{target="shop",module="login_flow",step="buy"} 0');
    expect(text).not.toMatch(/step="total"/);
    expect(text).toMatch(/vantage_probes_total\{target="shop",module="login_flow",result="failure"\} [1-9]/);
    expect(text).toMatch(
      /vantage_journey_step_failures_total\{target="shop",module="login_flow",step="buy",reason="selector_not_found"\} [1-9]/,
    );
    expect(text).toContain(
      'vantage_journey_step_latency_threshold_seconds{target="shop",module="login_flow",step="open"} 0.75',
    );
    // The typed password reached the site, and the HTTP check kept probing beside the flow.
    expect(seenPasswords).toContain(SECRET);
    expect(text).toMatch(/vantage_probes_total\{target="shop",module="http_2xx",result="success"\} [1-9]/);
  });

  it("serves the failing page's screenshot and run record, linked from the history, the index page and the message", async () => {
    const history = (await get('/lighthouse/shop/login_flow/')).body.toString();
    expect(history).toContain('failed</strong> at buy (selector_not_found)');
    const shot = /href="(\d{8}T\d{6}Z\.png)">failure screenshot/.exec(history)?.[1] ?? 'none';
    expect(shot).toMatch(/\.png$/);
    const png = await get(`/lighthouse/shop/login_flow/${shot}`);
    expect(png.status).toBe(200);
    expect(png.type).toBe('image/png');
    expect(png.body.subarray(1, 4).toString()).toBe('PNG');
    const record = JSON.parse((await get('/lighthouse/shop/login_flow/latest.json')).body.toString());
    expect(record.failure).toMatchObject({ reason: 'selector_not_found', step: 'buy' });
    expect(record.page.url).toContain('/account');
    const index = (await get('/')).body.toString();
    expect(index).toContain('lighthouse/shop/login_flow/latest.html');
    const probe = (await get('/probe?target=shop&module=login_flow&debug=true')).body.toString();
    expect(probe).toContain('Browser flow failed: selector_not_found in phase click of step buy');
    expect(probe).toMatch(/screenshot \/lighthouse\/shop\/login_flow\/\d{8}T\d{6}Z\.png/);
    expect((await get('/lighthouse/')).body.toString()).toContain('Browser flows');
  });

  it('keeps the typed secret out of /config, /probe, /metrics, the logs and the kept run', async () => {
    const config = (await get('/config')).body.toString();
    expect(config).toContain(`\${env:${ENV_NAME}}`);
    const store = join(h.configFile, '..', 'lighthouse', 'shop', 'login_flow');
    const kept = readdirSync(store)
      .filter((f) => !f.endsWith('.png'))
      .map((f) => readFileSync(join(store, f), 'utf8'));
    expect(kept.length).toBeGreaterThan(0);
    const texts = [
      config,
      await metrics(),
      (await get('/probe?target=shop&module=login_flow&debug=true')).body.toString(),
      h.logs.join('\n'),
      ...kept,
    ];
    for (const t of texts) expect(t).not.toContain(SECRET);
    // The login step's URL carried the password as a query (a GET form): kept runs show it redacted.
    expect(kept.join('\n')).toContain('<secret>');
  });
});

describe('SIGTERM mid-flow', () => {
  // The child gets a TMPDIR of its own: the harness above keeps running its flow meanwhile.
  let childTmp = '';
  const leftovers = () => ({
    chrome: listProcesses().filter(
      (p) => p.cmdline.includes(join(childTmp, PROFILE_PREFIX)) && p.state !== 'Z',
    ).length,
    profiles: readdirSync(childTmp).filter((name) => name.startsWith(PROFILE_PREFIX)),
  });

  it('stops within 5 s and leaves no Chrome and no profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-browser-sigterm-'));
    childTmp = join(dir, 'tmp');
    mkdirSync(childTmp);
    const file = join(dir, 'vantage.yml');
    writeFileSync(
      file,
      `modules:\n  flow:\n    prober: browser\n    timeout: 90s\n    browser:\n      steps:\n` +
        `        - { name: open, navigate: /shop }\n        - { name: wait, wait_for: { duration: 60s }, timeout: 70s }\n` +
        `targets:\n  - name: t\n    url: ${site.origin}/\n    modules: [flow]\n`,
    );
    const child = spawn(
      process.execPath,
      [
        BIN,
        `--config.file=${file}`,
        '--web.listen-address=127.0.0.1:0',
        `--storage.path=${dir}/data`,
        '--log.format=json',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TMPDIR: childTmp },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => leftovers().chrome > 0, 20_000, 'Chrome to start');
      await new Promise((r) => setTimeout(r, 5000)); // inside the flow (Lighthouse's navigation, or the wait)
      const t = Date.now();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(Date.now() - t).toBeLessThan(5_000);
      expect(code).toBe(0);
      expect(out).toContain('"msg":"stopped"');
      expect(leftovers()).toEqual({ chrome: 0, profiles: [] });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('check-config on browser flows', () => {
  const module = (steps: string) => `
modules:
  b:
    prober: browser
    browser:
      steps:
${steps}
targets:
  - name: t
    url: http://127.0.0.1:1/
    modules: [b]
`;
  it.each([
    [
      'an unknown action',
      `        - { name: a, hover: '#menu' }`,
      /modules\.b\.browser\.steps\[0\]\.hover \(line 7\): unknown action "hover" \(actions: navigate, click/,
    ],
    [
      'a step without a name',
      `        - { navigate: / }`,
      /modules\.b\.browser\.steps\[0\]\.name \(line 7\): every step needs a name/,
    ],
    [
      'a duplicate step name',
      `        - { name: a, navigate: / }\n        - { name: a, click: '#x' }`,
      /modules\.b\.browser\.steps\[1\]\.name \(line 8\): duplicate step name "a" \(first used by steps\[0\]\)/,
    ],
    [
      'a selector that is not valid CSS',
      `        - { name: a, click: '#add[' }`,
      /modules\.b\.browser\.steps\[0\]\.click \(line 7\): not a valid CSS selector/,
    ],
    [
      'a selector with two combinators in a row',
      `        - { name: a, wait_for: { selector: '.results >> li' } }`,
      /modules\.b\.browser\.steps\[0\]\.wait_for\.selector \(line 7\): not a valid CSS selector/,
    ],
    [
      'two actions in one step',
      `        - { name: a, navigate: /, click: '#x' }`,
      /modules\.b\.browser\.steps\[0\]\.click \(line 7\): navigate and click are separate actions/,
    ],
    [
      'a step with no action',
      `        - { name: a }`,
      /modules\.b\.browser\.steps\[0\] \(line 7\): a step needs an action/,
    ],
  ])('refuses %s with its path and line', (_what, steps, message) => {
    const run = checkConfigText(module(steps));
    expect(run.status).toBe(1);
    expect(run.stderr + run.stdout).toMatch(message);
  });
});
