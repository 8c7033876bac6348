/**
 * The RUM snippet (dist/rum/vantage-rum.js, built from src/rum/snippet/) in a real headless
 * Chromium driven by puppeteer-core, against a real node:http server on 127.0.0.1 that serves
 * test pages carrying the tag and records every POST /rum/v1/beacon body. A second server (another
 * origin) is where visitors leave to. Each case runs in its own browser context (its own tab and
 * sessionStorage).
 *
 * Everything that launches Chrome runs sequentially in this file (the `chrome` project).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForValue } from '../helpers/chromeLeftovers.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { launchTestChrome, type TestChrome } from '../helpers/testChrome.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BLOCK_MS = 250;

interface Received {
  contentType: string | undefined;
  raw: string;
  body: {
    t: 'pv' | 'end';
    site: string;
    path: string;
    nav: string;
    vitals?: Record<string, number>;
    attr?: Record<string, string>;
    visible_ms: number;
    session: { id: string; start?: true; landing: string; engaged?: true; duration_ms?: number };
    goals?: string[];
  };
}

const snippet = readFileSync(join(ROOT, 'dist', 'rum', 'vantage-rum.js'));
let beacons: Received[] = [];
let site: TestServer;
let elsewhere: TestServer;
let browser: Browser;
let chrome: TestChrome;

/** A test page: big text (the LCP), a button blocking the main thread, links on and off the site. */
function pageHtml(n: number, tag: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page ${n}</title>
${tag}</head><body><h1>Page ${n}</h1><p style="font-size:28px">A paragraph large enough to be the largest contentful paint of this page.</p>
<button id="slow" type="button">Slow button</button>
<a id="next" href="/page/${n + 1}">next</a> <a id="away" href="${elsewhere.origin}/elsewhere">away</a>
<script>
document.getElementById('slow').addEventListener('click', () => {
  const end = performance.now() + ${BLOCK_MS};
  while (performance.now() < end) {}
  document.body.dataset.clicked = 'yes';
});
</script></body></html>`;
}

function siteHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname === '/rum/v1/beacon') {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      beacons.push({
        contentType: req.headers['content-type'],
        raw,
        body: JSON.parse(raw) as Received['body'],
      });
      res.writeHead(204).end();
    });
    return;
  }
  if (url.pathname === '/rum/v1/vantage-rum.js') {
    res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' }).end(snippet);
    return;
  }
  const page = /^\/page\/(\d+)$/.exec(url.pathname);
  if (page) {
    const tag = url.searchParams.has('nosite')
      ? '<script src="/rum/v1/vantage-rum.js" defer></script>'
      : '<script src="/rum/v1/vantage-rum.js" data-site="test-site" defer></script>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageHtml(Number(page[1]), tag));
    return;
  }
  res.writeHead(404).end();
}

beforeAll(async () => {
  site = await startHttpServer(siteHandler);
  elsewhere = await startHttpServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>elsewhere</title><p>elsewhere');
  });
  chrome = await launchTestChrome('rum-chrome');
  browser = chrome.browser;
}, 60_000);

afterAll(async () => {
  await chrome?.close();
  await site?.close();
  await elsewhere?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh context (own tab, own sessionStorage), closed after `walk`. */
async function inContext(walk: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  beacons = [];
  const context = await browser.createBrowserContext();
  try {
    await walk(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** Loads a page and waits for the snippet to run and the page to paint. */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(site.origin + path, { waitUntil: 'load' });
  await page.waitForFunction('window.vantageRum && typeof window.vantageRum.goal === "function"', {
    timeout: 5000,
  });
  await sleep(300); // FCP, LCP, TTFB reported (web-vitals reports TTFB after load)
}

/** Follows the page's link `selector` and waits for the next document. */
async function follow(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

const pvsOf = (path: string) => beacons.filter((b) => b.body.t === 'pv' && b.body.path === path);
const waitForPv = (path: string) => waitForValue(() => pvsOf(path)[0], 5000);

describe('the snippet in a real Chromium', () => {
  it('sends one pv beacon with INP >= 250 ms for a blocking click, then navigating away (the acceptance)', async () => {
    await inContext(async (page) => {
      await open(page, '/page/1');
      await page.click('#slow', { delay: 80 }); // a finger's press: the click, not the pointerdown, is slow
      await page.waitForFunction("document.body.dataset.clicked === 'yes'");
      await sleep(300);
      await follow(page, '#next');
      const pv = await waitForPv('/page/1');
      await sleep(700); // a second beacon for the same page view would have come by now
      expect(pvsOf('/page/1')).toHaveLength(1);
      const b = pv.body;
      console.log(`pv beacon: ${pv.raw}`);
      expect(pv.contentType).toMatch(/^text\/plain/); // sendBeacon(string): no CORS preflight
      expect(b).toMatchObject({ v: 1, t: 'pv', site: 'test-site', path: '/page/1', nav: 'navigate' });
      expect(b.vitals!.inp).toBeGreaterThanOrEqual(BLOCK_MS);
      expect(b.attr!.inp_target).toContain('#slow');
      expect(b.attr!.inp_type).toBe('pointer');
      for (const vital of ['lcp', 'fcp', 'ttfb', 'cls']) expect(b.vitals![vital], vital).toBeTypeOf('number');
      expect(b.vitals!.lcp).toBeGreaterThan(0);
      expect(b.attr!.lcp_element).toBe('text');
      expect(b.visible_ms).toBeGreaterThan(500);
      expect(b.session.start).toBe(true);
      expect(b.session.landing).toBe('/page/1');
      expect(b.session.id).toMatch(/^[A-Za-z0-9_-]{16,32}$/);
      expect(b.session).not.toHaveProperty('duration_ms');
      // A same-origin link is no leave: no "end" beacon.
      expect(beacons.filter((x) => x.body.t === 'end')).toEqual([]);
    });
  });

  it('counts a second page view in the same session: no start, engaged, the landing path of the first', async () => {
    await inContext(async (page) => {
      await open(page, '/page/1');
      await follow(page, '#next');
      const first = await waitForPv('/page/1');
      await sleep(300);
      await follow(page, '#next');
      const second = (await waitForPv('/page/2')).body;
      expect(second.session.id).toBe(first.body.session.id);
      expect(second.session).not.toHaveProperty('start');
      expect(second.session.engaged).toBe(true); // 2 page views
      expect(second.session.landing).toBe('/page/1');
      expect(first.body.session).not.toHaveProperty('engaged'); // 1 page view, under 10 s, no goal
    });
  });

  it('sends a goal reached twice, and again on the next page, once in the session', async () => {
    await inContext(async (page) => {
      await open(page, '/page/1');
      await page.evaluate("window.vantageRum.goal('checkout'); window.vantageRum.goal('checkout')");
      await page.evaluate("window.vantageRum.goal('Not a goal!')"); // refused, and no exception
      await follow(page, '#next');
      await page.evaluate("window.vantageRum.goal('checkout')");
      await follow(page, '#next');
      await waitForPv('/page/2');
      const goals = beacons.flatMap((b) => b.body.goals ?? []);
      expect(goals).toEqual(['checkout']);
      const first = pvsOf('/page/1')[0]!.body;
      expect(first.goals).toEqual(['checkout']);
      expect(first.session.engaged).toBe(true); // a goal engages the session
    });
  });

  it('sends one beacon for a page hidden, shown and hidden again', async () => {
    await inContext(async (page, context) => {
      await open(page, '/page/1');
      const other = await context.newPage();
      await other.bringToFront(); // our tab hidden
      await waitForPv('/page/1');
      await page.bringToFront(); // visible again
      await sleep(300);
      await other.bringToFront(); // hidden again
      await sleep(700);
      expect(pvsOf('/page/1')).toHaveLength(1);
      expect(await page.evaluate('document.visibilityState')).toBe('hidden');
    });
  });

  it('sends an "end" beacon with the session duration when the visitor leaves for another origin', async () => {
    await inContext(async (page) => {
      await open(page, '/page/1');
      const started = Date.now();
      await follow(page, '#away');
      const end = (await waitForValue(() => beacons.find((b) => b.body.t === 'end'), 5000)).body;
      const pv = pvsOf('/page/1')[0]!.body;
      expect(end.session.id).toBe(pv.session.id);
      expect(end.session.landing).toBe('/page/1');
      expect(end.session.duration_ms).toBeGreaterThanOrEqual(300);
      expect(end.session.duration_ms).toBeLessThan(Date.now() - started + 10_000);
      expect(end).not.toHaveProperty('vitals');
      expect(end).not.toHaveProperty('goals');
      expect(beacons.filter((b) => b.body.t === 'end')).toHaveLength(1);
    });
  });

  it('never sends the query or the hash of the page URL', async () => {
    await inContext(async (page) => {
      await open(page, '/page/1?q=secret#x');
      await follow(page, '#away');
      await waitForValue(() => beacons.find((b) => b.body.t === 'end'), 5000);
      expect(beacons.map((b) => b.body.path)).toEqual(['/page/1', '/page/1']);
      for (const b of beacons) {
        expect(b.raw).not.toContain('secret');
        expect(b.raw).not.toContain('#x');
        expect(b.body.session.landing).toBe('/page/1');
      }
    });
  });

  it('sends nothing and warns on the console without data-site', async () => {
    await inContext(async (page) => {
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'warn') warnings.push(m.text());
      });
      await page.goto(`${site.origin}/page/1?nosite`, { waitUntil: 'load' });
      await sleep(300);
      await follow(page, '#away');
      await sleep(700);
      expect(beacons).toEqual([]);
      expect(warnings.join('\n')).toContain('data-site is missing');
    });
  });
});
