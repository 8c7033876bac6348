/**
 * The browser-flow prober against real Chromium, real Lighthouse user flows and the demo shop's
 * browser pages on 127.0.0.1: INP of the slow add-to-cart click (and of the same click made fast),
 * the transaction time as the sum of the steps, each failure reason with its evidence kept, and
 * nothing left behind after success, failure, the flow deadline, an abort, or a SIGKILLed vantage.
 *
 * Everything that launches Chrome runs sequentially in this file (the `chrome` project).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserModuleSchema } from '../../src/config/browserSchema.js';
import type { BrowserModule } from '../../src/config/schema.js';
import { shopRouter } from '../../src/demo/shop.js';
import { browserProber } from '../../src/probers/browser/index.js';
import { cleanupStaleProfiles, ReportStore } from '../../src/probers/lighthouse/index.js';
import type { ProbeResult } from '../../src/probers/types.js';
import { chromeLeftovers, waitForValue } from '../helpers/chromeLeftovers.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const never = new AbortController().signal;

function flowModule(settings: Record<string, unknown>, timeoutMs = 120_000): BrowserModule {
  return { prober: 'browser', timeout: timeoutMs, browser: browserModuleSchema.parse(settings) };
}

const DEMO_STEPS = [
  { name: 'home', navigate: '/demo/shop/' },
  {
    name: 'search',
    type: { selector: '#q', text: 'mug' },
    then: { press: 'Enter' },
    wait_for: { selector: '.results li' },
  },
  { name: 'product', click: '.results li:first-child a', wait_for: { navigation: true } },
  { name: 'add_to_cart', click: '#add', wait_for: { text: 'Added to cart' } },
];

function value(result: ProbeResult, name: string, labels: Record<string, string> = {}): number | undefined {
  return result.samples.find(
    (s) => s.family.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v),
  )?.value;
}
const stepsWith = (result: ProbeResult, name: string) =>
  result.samples.filter((s) => s.family.name === name).map((s) => s.labels?.step);

const { ourChromes, ourWorkers, profileDirs, browserProcess, expectNothingLeft } =
  chromeLeftovers('probers/browser/worker.js');
const waitFor = waitForValue;

/** The demo shop (blocking or not) plus a page that never answers and one that loads but lacks things. */
async function startSite(addToCartBlockMs?: number): Promise<TestServer> {
  const app = express();
  app.use((req, _res, next) => {
    hits.push(req.path);
    next();
  });
  app.use(shopRouter(addToCartBlockMs === undefined ? {} : { addToCartBlockMs }));
  app.get('/never', () => undefined); // never answers
  app.get('/plain', (_req, res) => {
    res
      .type('html')
      .send(
        '<!doctype html><html lang="en"><head><title>plain</title></head><body><h1 id="title">Plain page</h1>' +
          '<p id="price">price: soon</p><script>console.error("plain page: widget failed")</script></body></html>',
      );
  });
  app.get('/gone', (_req, res) =>
    res.status(404).type('html').send('<!doctype html><title>gone</title><p>gone'),
  );
  return startHttpServer(app);
}

/** Paths the sites were asked for, in order: when a flow reached a step. */
const hits: string[] = [];
let site: TestServer;
let fastSite: TestServer;
let storeDir: string;
const savedTmpdir = process.env.TMPDIR;
let privateTmp: string;

beforeAll(async () => {
  // A private TMPDIR: run dirs and Chrome processes of other vantage instances are not ours to count.
  privateTmp = await mkdtemp(join(tmpdir(), 'vantage-browser-test-'));
  process.env.TMPDIR = privateTmp;
  site = await startSite();
  fastSite = await startSite(0);
  storeDir = await mkdtemp(join(tmpdir(), 'vantage-browser-store-'));
});

afterAll(async () => {
  await site?.close();
  await fastSite?.close();
  try {
    await expectNothingLeft();
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    await rm(privateTmp, { recursive: true, force: true });
    await rm(storeDir, { recursive: true, force: true });
  }
});

describe('browser prober (real Chromium, Lighthouse user flows)', { timeout: 180_000 }, () => {
  it('measures the slow add-to-cart click as INP of at least 0.3 s, and keeps the flow report', async () => {
    const store = new ReportStore(storeDir);
    const result = await browserProber(
      `${site.origin}/demo/shop`,
      flowModule({ form_factor: 'desktop', steps: DEMO_STEPS }),
      { signal: never },
      { target: 'shop', module: 'flow', reportStore: store, latencyObjectiveSeconds: 1 },
    );
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    expect(stepsWith(result, 'browser_step_success')).toEqual(['home', 'search', 'product', 'add_to_cart']);
    const inp = value(result, 'lighthouse_timing_seconds', {
      step: 'add_to_cart',
      metric: 'interaction_to_next_paint',
    });
    expect(inp).toBeGreaterThanOrEqual(0.3);
    // The click blocks ~300 ms and the step waits for its text: its own time includes the block.
    expect(value(result, 'browser_step_duration_seconds', { step: 'add_to_cart' })).toBeGreaterThanOrEqual(
      0.3,
    );
    // The transaction time is the sum of the steps, not Lighthouse's minutes of analysis.
    const sum = ['home', 'search', 'product', 'add_to_cart']
      .map((step) => value(result, 'browser_step_duration_seconds', { step })!)
      .reduce((a, b) => a + b, 0);
    expect(result.durationSeconds).toBeCloseTo(sum, 6);
    expect(result.durationSeconds).toBeLessThan(10);
    // Navigation figures on the navigation step, a score only where Lighthouse scores (navigations).
    expect(
      value(result, 'lighthouse_timing_seconds', { step: 'home', metric: 'largest_contentful_paint' }),
    ).toBeGreaterThan(0);
    expect(
      value(result, 'lighthouse_category_score', { step: 'home', category: 'performance' }),
    ).toBeGreaterThan(0);
    expect(
      value(result, 'lighthouse_category_score', { step: 'add_to_cart', category: 'performance' }),
    ).toBeUndefined();
    expect(value(result, 'lighthouse_cumulative_layout_shift', { step: 'search' })).toBeDefined();
    expect(value(result, 'vantage_journey_step_latency_threshold_seconds', { step: 'home' })).toBe(1);
    expect(result.observations?.map((o) => o.labels?.step)).toEqual([
      'home',
      'search',
      'product',
      'add_to_cart',
    ]);
    // The kept run: Lighthouse's own flow report and the run record.
    const [kept] = await store.list('shop', 'flow');
    const html = await readFile((await store.path('shop', 'flow', kept!.timestamp, 'html'))!, 'utf8');
    expect(html).toContain('add_to_cart');
    expect(html).toMatch(/__LIGHTHOUSE_FLOW_JSON__/);
    const record = JSON.parse(
      await readFile((await store.path('shop', 'flow', kept!.timestamp, 'json'))!, 'utf8'),
    );
    expect(record).toMatchObject({ kind: 'browser_flow', success: true, lighthouseReport: true });
    expect(record.steps).toHaveLength(4);
    await expectNothingLeft();
  });

  it('measures the same click under 0.1 s INP when its handler does not block', async () => {
    // The product page and the click only: the two steps that matter to INP, in half the time.
    const result = await browserProber(
      `${fastSite.origin}/demo/shop`,
      flowModule({
        form_factor: 'desktop',
        steps: [{ name: 'product', navigate: '/demo/shop/catalogue/mug' }, DEMO_STEPS[3]],
      }),
      { signal: never },
      { target: 'shop', module: 'flow' },
    );
    expect(result.failure).toBeUndefined();
    const inp = value(result, 'lighthouse_timing_seconds', {
      step: 'add_to_cart',
      metric: 'interaction_to_next_paint',
    });
    expect(inp).toBeDefined();
    expect(inp).toBeLessThan(0.1);
    await expectNothingLeft();
  });

  it('fails a missing selector with selector_not_found after the step timeout, keeps a screenshot, and gives later steps no series', async () => {
    const store = new ReportStore(storeDir);
    const started = performance.now();
    const result = await browserProber(
      `${site.origin}/plain`,
      flowModule({
        lighthouse: false,
        steps: [
          { name: 'open', navigate: '/plain' },
          { name: 'buy', click: '#buy-now', timeout: '2s' },
          { name: 'after', assert: { selector: '#title' } },
        ],
      }),
      { signal: never },
      { target: 'plain', module: 'flow', reportStore: store },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
    expect(result.success).toBe(false);
    expect(result.failure).toMatchObject({ phase: 'click', reason: 'selector_not_found', step: 'buy' });
    expect(result.failure?.message).toContain('"#buy-now"');
    expect(stepsWith(result, 'browser_step_success')).toEqual(['open', 'buy']);
    expect(value(result, 'browser_step_success', { step: 'buy' })).toBe(0);
    expect(value(result, 'browser_step_duration_seconds', { step: 'buy' })).toBeGreaterThanOrEqual(1.9);
    expect(result.counters).toEqual([
      expect.objectContaining({ labels: { step: 'buy', reason: 'selector_not_found' }, value: 1 }),
    ]);
    // No Lighthouse with lighthouse: false.
    expect(result.samples.some((s) => s.family.name.startsWith('lighthouse_'))).toBe(false);
    const [kept] = await store.list('plain', 'flow');
    expect(result.failure?.message).toContain(`/lighthouse/plain/flow/${kept!.timestamp}.png`);
    const png = await readFile((await store.path('plain', 'flow', kept!.timestamp, 'png'))!);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const record = JSON.parse(
      await readFile((await store.path('plain', 'flow', kept!.timestamp, 'json'))!, 'utf8'),
    );
    expect(record.page.url).toBe(`${site.origin}/plain`);
    expect(record.page.consoleErrors).toContain('plain page: widget failed');
    expect(record.page.requests.map((r: { url: string }) => r.url)).toContain(`${site.origin}/plain`);
    expect(record.lighthouseReport).toBe(false);
    // Without a flow report, the kept page is vantage's own page of the run.
    const html = await readFile((await store.path('plain', 'flow', kept!.timestamp, 'html'))!, 'utf8');
    expect(html).toContain('selector_not_found');
    expect(html).toContain(`${kept!.timestamp}.png`);
    await expectNothingLeft();
  });

  it.each([
    [
      'a text that does not match',
      { name: 'price', assert: { selector: '#price', matches: '^\\$\\d+\\.\\d\\d$' }, timeout: '1s' },
      { phase: 'assert', reason: 'assertion_failed' },
      /"#price" has text "price: soon", expected to match/,
    ],
    [
      'a page answering 404',
      { name: 'price', navigate: '/gone' },
      { phase: 'navigate', reason: 'status_code' },
      /answered 404/,
    ],
    [
      'a page that never loads',
      { name: 'price', navigate: '/never', timeout: '2s' },
      { phase: 'navigate', reason: 'navigation_timeout' },
      /did not load within 2/,
    ],
    [
      'a text that never appears',
      { name: 'price', wait_for: { text: 'In stock' }, timeout: '1s' },
      { phase: 'wait_for', reason: 'timeout' },
      /the text "In stock" did not appear/,
    ],
  ])('fails %s with its reason', async (_what, step, failure, message) => {
    const result = await browserProber(
      `${site.origin}/plain`,
      flowModule({ lighthouse: false, steps: [{ name: 'open', navigate: '/plain' }, step] }),
      { signal: never },
      { target: 'plain', module: 'flow' },
    );
    expect(result.failure).toMatchObject({ ...failure, step: 'price' });
    expect(result.failure?.message).toMatch(message);
    await expectNothingLeft();
  });

  it('ends at the flow deadline with the steps it finished: Lighthouse cut off, no figures, nothing left', async () => {
    // 14 s: enough for the four steps (about 1 s plus Lighthouse's gathering), not for all the analysis.
    const result = await browserProber(
      `${site.origin}/demo/shop`,
      flowModule({ form_factor: 'desktop', steps: DEMO_STEPS }, 14_000),
      { signal: never },
      { target: 'shop', module: 'flow' },
    );
    const ran = stepsWith(result, 'browser_step_success');
    expect(ran.length).toBeLessThan(4 + 1);
    if (result.success) {
      // Every step passed: the transaction worked, only Lighthouse's figures are missing.
      expect(ran.length).toBe(4);
    } else {
      // Cut by the flow's timeout: mid-step by the worker's budget, or by vantage's deadline;
      // the step it cut has its series too (failed), so up to all four may have run.
      expect(result.failure?.reason).toBe('timeout');
      expect(result.failure?.message).toMatch(/timeout of 14|flow's timeout ran out/);
    }
    // Either vantage's deadline ended the run, or the worker's budget ran out inside a step
    // (Lighthouse's gathering counts against the flow's timeout, not against the step's time).
    expect(result.trace.map((e) => e.message).join('\n')).toMatch(
      /run ended.*timeout|flow's timeout ran out/,
    );
    await expectNothingLeft();
  });

  it('resolves within 2 s of an abort mid-flow and leaves no Chrome and no profile dir', async () => {
    const controller = new AbortController();
    const pending = browserProber(
      `${site.origin}/demo/shop`,
      flowModule({ form_factor: 'desktop', steps: DEMO_STEPS }),
      { signal: controller.signal },
      { target: 'shop', module: 'flow' },
    );
    await waitFor(browserProcess, 15_000);
    await new Promise((r) => setTimeout(r, 3000));
    const aborted = performance.now();
    controller.abort(new Error('service shutdown'));
    const result = await pending;
    expect(performance.now() - aborted).toBeLessThan(2000);
    expect(result.success).toBe(false);
    await expectNothingLeft();
  });

  it('reports a Chrome killed mid-flow as chrome_crashed at the running step', async () => {
    const pending = browserProber(
      `${site.origin}/plain`,
      flowModule({
        lighthouse: false,
        steps: [
          { name: 'open', navigate: '/plain' },
          { name: 'wait', wait_for: { duration: '20s' } },
        ],
      }),
      { signal: never },
      { target: 'plain', module: 'flow' },
    );
    const browser = await waitFor(browserProcess, 15_000);
    hits.length = 0;
    await waitFor(() => (hits.includes('/plain') ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 1000)); // inside the 20 s wait
    process.kill(browser.pid, 'SIGKILL');
    const result = await pending;
    expect(result.failure).toMatchObject({ reason: 'chrome_crashed', step: 'wait' });
    await expectNothingLeft();
  });

  it('leaves no Chrome when vantage itself is SIGKILLed mid-flow; cleanupStaleProfiles removes its dir', async () => {
    const script = `
      const { browserProber } = await import(${JSON.stringify(join(ROOT, 'dist/probers/browser/index.js'))});
      const module = ${JSON.stringify(flowModule({ form_factor: 'desktop', steps: DEMO_STEPS }))};
      await browserProber(${JSON.stringify(`${site.origin}/demo/shop`)}, module, { signal: new AbortController().signal }, { target: 'k', module: 'm' });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    try {
      await waitFor(browserProcess, 15_000);
      await new Promise((r) => setTimeout(r, 3000));
      child.kill('SIGKILL');
      await waitFor(
        () => (ourChromes().length === 0 && ourWorkers().length === 0 ? true : undefined),
        10_000,
      );
      expect((await profileDirs()).length).toBe(1);
      expect(await cleanupStaleProfiles()).toBe(1);
      await expectNothingLeft();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
