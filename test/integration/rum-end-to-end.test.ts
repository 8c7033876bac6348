/**
 * The acceptance, end to end: a real Chromium loads a page (served by a test server, its
 * own origin) that carries vantage's snippet from a real vantage, clicks a button whose handler
 * blocks 250 ms and navigates away; the one beacon reaches vantage, which shows INP >= 0.25 s in
 * /metrics. And the same visit to a site that does not accept synthetic visits (the default) is
 * dropped and counted as `headless`: this browser is automated and says so.
 */
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue } from '../helpers/beacons.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';
import { launchTestChrome, type TestChrome } from '../helpers/testChrome.js';

const BLOCK_MS = 250;
let site: TestServer;
let vantage: Harness;
let browser: Browser;
let chrome: TestChrome;

function pageHtml(siteName: string, n: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Product ${n}</title>
<script src="${vantage.baseUrl}/rum/v1/vantage-rum.js" data-site="${siteName}" defer></script></head>
<body><h1>Product ${n}</h1><p style="font-size:28px">A paragraph large enough to be this page's largest contentful paint.</p>
<button id="add" type="button">Add to cart</button> <a id="next" href="/${siteName}/thanks">next</a>
<script>
document.getElementById('add').addEventListener('click', () => {
  const end = performance.now() + ${BLOCK_MS};
  while (performance.now() < end) {}
  document.body.dataset.clicked = 'yes';
});
</script></body></html>`;
}

beforeAll(async () => {
  site = await startHttpServer((req, res) => {
    // Product pages, and a "thanks" page (page group other) to leave them for.
    const m = /^\/([a-z]+)\/(?:p\/(\d+)|thanks)$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(pageHtml(m[1]!, Number(m[2] ?? 0)));
  });
  vantage = await startVantage(`
targets: []
rum:
  sites:
    - name: shop
      origins: [${site.origin}]
      page_groups: [{name: product, pattern: '^/shop/p/'}]
      # This browser is headless and automated: a synthetic visit, counted only where accepted.
      accept_synthetic: true
    - name: real
      origins: [${site.origin}]
      page_groups: [{name: product, pattern: '^/real/p/'}]
`);
  chrome = await launchTestChrome('rum-e2e');
  browser = chrome.browser;
}, 60_000);

afterAll(async () => {
  await chrome?.close();
  await vantage?.close();
  await site?.close();
});

const metrics = async () => (await fetch(`${vantage.baseUrl}/metrics`)).text();

/** /metrics once `until` holds of it (the beacon is sent as the page goes, and travels). */
async function metricsOnce(until: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await metrics();
    if (until(text)) return text;
    if (Date.now() > deadline) throw new Error('the beacon did not arrive within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Load product 1 of `siteName`, click the slow button, follow the link to product 2. */
async function visit(siteName: string): Promise<void> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.goto(`${site.origin}/${siteName}/p/1`, { waitUntil: 'load' });
    await page.waitForFunction('window.vantageRum !== undefined', { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    await page.click('#add', { delay: 80 });
    await page.waitForFunction("document.body.dataset.clicked === 'yes'");
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#next')]);
  } finally {
    await context.close();
  }
}

describe('a real visit through vantage', () => {
  it('shows the blocking click as INP >= 0.25 s in /metrics, from one beacon', async () => {
    await visit('shop');
    const labels = 'site="shop",page_group="product",device="desktop"';
    const text = await metricsOnce((m) => sampleValue(m, `rum_page_views_total{${labels}}`) !== undefined);
    expect(sampleValue(text, `rum_page_views_total{${labels}}`)).toBe(1);
    expect(sampleValue(text, `rum_interaction_to_next_paint_seconds_count{${labels}}`)).toBe(1);
    expect(sampleValue(text, `rum_interaction_to_next_paint_seconds_bucket{${labels},le="0.24"}`)).toBe(0);
    expect(sampleValue(text, `rum_interaction_to_next_paint_seconds_sum{${labels}}`)).toBeGreaterThanOrEqual(
      0.25,
    );
    expect(text).toMatch(
      /^rum_inp_targets_total\{site="shop",page_group="product",target="[^"]*#add[^"]*",interaction_type="pointer",rating="needs-improvement"\} 1$/m,
    );
    expect(sampleValue(text, `rum_sessions_total{${labels}}`)).toBe(1);
    expect(sampleValue(text, `rum_largest_contentful_paint_seconds_count{${labels}}`)).toBe(1);
  });

  it('drops the same visit to a site that keeps synthetic visits out, and counts it', async () => {
    const before = sampleValue(await metrics(), 'vantage_rum_beacons_rejected_total{reason="headless"}')!;
    await visit('real');
    await metricsOnce(
      (m) => sampleValue(m, 'vantage_rum_beacons_rejected_total{reason="headless"}')! > before,
    );
    expect(await metrics()).not.toContain('site="real"');
  });
});
