/**
 * Lighthouse inside the running service: scheduled audits through the queue, their metrics on
 * /metrics and /probe, reports served, HTTP checks keeping their interval meanwhile, and no
 * Chrome or profile left behind, including after SIGTERM mid-audit. Real Chromium throughout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcesses, PROFILE_PREFIX } from '../../src/probers/lighthouse/index.js';
import { isZombie } from '../../src/probers/lighthouse/processTree.js';
import { startLighthousePages, type LighthousePagesServer } from '../helpers/lighthousePages.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');

function leftovers(): { chrome: number; profiles: string[] } {
  // Zombies hold no memory; in a container an init process reaps them (compose sets init: true).
  const chrome = listProcesses().filter(
    (p) => p.cmdline.includes(PROFILE_PREFIX) && p.pid !== process.pid && !isZombie(p),
  ).length;
  const profiles = readdirSync(tmpdir()).filter((name) => name.startsWith(PROFILE_PREFIX));
  return { chrome, profiles };
}

let pages: LighthousePagesServer;
let ticker: Server;
let tickerUrl = '';
const tickHits: number[] = [];

beforeAll(async () => {
  pages = await startLighthousePages();
  ticker = createServer((_req, res) => {
    tickHits.push(Date.now());
    res.end('status: ok\n');
  });
  await new Promise<void>((r) => ticker.listen(0, '127.0.0.1', r));
  tickerUrl = `http://127.0.0.1:${(ticker.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await pages.close();
  ticker.closeAllConnections();
  await new Promise((r) => ticker.close(r));
});

describe('Lighthouse in the service', () => {
  let h: Harness;
  let auditWindow: [number, number] = [0, 0];
  /** What a user sees before the first audit of a check has finished. */
  let pending = { status: 0, type: '', page: '', index: '', listing: '' };

  beforeAll(async () => {
    h = await startVantage(`
global: {interval: 1s, jitter: 0}
modules:
  http_2xx:
    prober: http
    timeout: 2s
  desktop:
    prober: lighthouse
    timeout: 60s
    lighthouse: {form_factor: desktop, runs: 1, categories: [performance, seo], report_history: 2}
targets:
  - name: ticker
    url: ${tickerUrl}
    modules: [http_2xx]
  - name: light
    url: ${pages.lightUrl}
    modules: [desktop]
    labels: {team: web}
  - name: heavy
    url: ${pages.heavyUrl}
    modules: [desktop]
`);
    const start = Date.now();
    // Both audits are due at once; one runs, the other waits its turn in the queue.
    await waitFor(() => h.service.audits.running !== undefined, 10_000, 'an audit to start');
    expect(h.service.audits.length).toBe(1);
    const early = await fetch(`${h.baseUrl}/lighthouse/heavy/desktop/latest.html`);
    pending = {
      status: early.status,
      type: early.headers.get('content-type') ?? '',
      page: await early.text(),
      index: await (await fetch(`${h.baseUrl}/`)).text(),
      listing: await (await fetch(`${h.baseUrl}/lighthouse/`)).text(),
    };
    await waitFor(
      () => h.service.results.latest('light/desktop') && h.service.results.latest('heavy/desktop'),
      150_000,
      'both audits',
    );
    auditWindow = [start, Date.now()];
  }, 180_000);

  afterAll(async () => {
    await h.close();
  });

  it('exports the median run as lighthouse_* series, not as probe series', async () => {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(text).toContain('lighthouse_up{target="light",module="desktop",team="web"} 1');
    expect(text).toMatch(
      /lighthouse_category_score\{target="light",module="desktop",team="web",category="performance"\} (0\.\d+|1)\n/,
    );
    expect(text).toMatch(
      /lighthouse_timing_seconds\{target="heavy",module="desktop",metric="total_blocking_time"\} [\d.]+/,
    );
    expect(text).toContain(
      'lighthouse_runs_total{target="light",module="desktop",team="web",result="success"} 1',
    );
    expect(text).toMatch(
      /lighthouse_cwv_runs_total\{target="light",module="desktop",team="web",metric="largest_contentful_paint",rating="good"\} 1/,
    );
    expect(text).toMatch(
      /lighthouse_target_info\{target="light",module="desktop",team="web",url="[^"]+",form_factor="desktop",throttling_method="simulate",lighthouse_version="12\.[\d.]+",chrome_version="[^"]+"\} 1/,
    );
    expect(text).toMatch(/vantage_lighthouse_queue_length 0/);
    expect(text).not.toContain('probe_success{target="light"');
    expect(text).not.toContain('vantage_probes_total{target="heavy"');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('logs each audit as it starts and ends (target, duration, score), and its runs at debug', () => {
    const records = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const light = records.filter((r) => r.target === 'light' && r.module === 'desktop');
    const started = light.findIndex((r) => r.msg === 'Lighthouse audit started: 1 run');
    const finished = light.findIndex((r) => String(r.msg).startsWith('Lighthouse audit finished in '));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(finished).toBeGreaterThan(started);
    expect(light[started]).toMatchObject({ level: 'info', runs: 1 });
    expect(light[finished]).toMatchObject({ level: 'info', success: true });
    expect(light[finished]!.msg).toMatch(/^Lighthouse audit finished in \d+\.\d s: performance (0\.\d+|1)$/);
    expect(light[finished]!.duration_seconds).toBeGreaterThan(0);
    expect(light[finished]!.performance_score).toBeGreaterThan(0);
    // The runs in between, at debug: the first start is not silent while Chrome works.
    expect(light.slice(started, finished).map((r) => [r.level, r.msg])).toEqual(
      expect.arrayContaining([
        ['debug', 'Lighthouse run 1/1 for light…'],
        ['debug', expect.stringMatching(/^Lighthouse run 1\/1 for light: Chrome launched/)],
        ['debug', expect.stringMatching(/^Lighthouse run 1\/1 for light: done in \d+\.\d s, performance /)],
      ]),
    );
  });

  it('keeps HTTP checks on their 1 s interval while audits run', () => {
    const during = tickHits.filter((t) => t >= auditWindow[0] && t <= auditWindow[1]);
    expect(during.length).toBeGreaterThan(5);
    const gaps = during.slice(1).map((t, i) => t - during[i]!);
    // A 1 s interval; an audit in the same process would stall the event loop for seconds.
    expect(Math.max(...gaps)).toBeLessThan(1_600);
  });

  it('answers /probe for a Lighthouse module with the latest audit, never a new one', async () => {
    const before = h.service.results.latest('light/desktop')!.startedAtMs;
    const res = await fetch(`${h.baseUrl}/probe?target=light&module=desktop`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('lighthouse_up 1');
    expect(text).toMatch(/lighthouse_last_run_timestamp_seconds [\d.e+]+/);
    expect(text).not.toContain('target=');
    expect(h.service.audits.running).toBeUndefined();
    expect(h.service.results.latest('light/desktop')!.startedAtMs).toBe(before);
  });

  it('serves the median run reports and links them from the index page', async () => {
    const html = await fetch(`${h.baseUrl}/lighthouse/light/desktop/latest.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('Lighthouse');
    const json = (await (await fetch(`${h.baseUrl}/lighthouse/heavy/desktop/latest.json`)).json()) as {
      categories: { performance: { score: number } };
    };
    expect(json.categories.performance.score).toBeGreaterThanOrEqual(0);
    const history = await (await fetch(`${h.baseUrl}/lighthouse/light/desktop/`)).text();
    const stamp = /href="(\d{8}T\d{6}\d*Z)\.html"/.exec(history)?.[1];
    expect(stamp).toBeDefined();
    expect((await fetch(`${h.baseUrl}/lighthouse/light/desktop/${stamp}.json`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/lighthouse/light/desktop/..%2F..%2Fetc.html`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/lighthouse/nope/desktop/latest.html`)).status).toBe(404);
    const index = await (await fetch(`${h.baseUrl}/`)).text();
    expect(index).toContain('lighthouse/light/desktop/latest.html');
    expect(index).toMatch(/performance \d+/);
  });

  it('says the first audit is pending instead of linking a bare 404', () => {
    expect(pending.status).toBe(404);
    expect(pending.type).toContain('text/html');
    expect(pending.page).toContain('No audit of this check has finished yet');
    expect(pending.page).toContain('<meta http-equiv="refresh" content="15">');
    expect(pending.index).toContain('first audit pending');
    expect(pending.index).not.toContain('lighthouse/heavy/desktop/latest.html');
    expect(pending.listing).toContain('first audit pending');
  });

  it('lists every report with its scores, and durations in units people read', async () => {
    const listing = await (await fetch(`${h.baseUrl}/lighthouse/`)).text();
    // Target, module, then performance (0..100), three categories not audited (—), LCP in ms or s.
    expect(listing).toMatch(
      /<td>light<\/td><td>desktop<\/td><td>\d{1,3}<\/td><td>—<\/td><td>—<\/td><td>\d{1,3}<\/td><td>[\d.]+ m?s<\/td>/,
    );
    expect(listing).toContain('href="light/desktop/latest.html"');
    const history = await (await fetch(`${h.baseUrl}/lighthouse/heavy/desktop/`)).text();
    expect(history).toMatch(/<tr><td>\d{4}-\d\d-\d\dT[\d:.]+Z<\/td><td>\d{1,3}<\/td>/);
    const index = await (await fetch(`${h.baseUrl}/`)).text();
    // An audit batch takes seconds: "12.3 s", never "12345.6 ms".
    expect(index).not.toMatch(/\d{4,}(\.\d)? ms/);
    expect(index).toMatch(/<td>\d+(\.\d+)? s<\/td>/);
  });

  it('leaves no Chrome process or profile directory once audits are done', async () => {
    const left = await waitFor(
      () => {
        const l = leftovers();
        return l.chrome === 0 && l.profiles.length === 0 ? l : undefined;
      },
      5_000,
      'no leftovers',
    );
    expect(left).toEqual({ chrome: 0, profiles: [] });
  });
});

describe('SIGTERM mid-audit', () => {
  it('stops within 5 s and leaves no Chrome and no profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-lh-sigterm-'));
    const file = join(dir, 'vantage.yml');
    writeFileSync(
      file,
      `modules:\n  mobile:\n    prober: lighthouse\n    timeout: 90s\n    lighthouse: {runs: 1}\n` +
        `targets:\n  - name: never\n    url: ${pages.neverUrl}\n    modules: [mobile]\n`,
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
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // Wait until Chrome is up and loading the page that never finishes.
      await waitFor(() => leftovers().chrome > 0, 20_000, 'Chrome to start');
      await new Promise((r) => setTimeout(r, 1500));
      const t = Date.now();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(Date.now() - t).toBeLessThan(5_000);
      expect(code).toBe(0);
      expect(out).toContain('"msg":"stopped"');
      expect(leftovers()).toEqual({ chrome: 0, profiles: [] });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
