/**
 * The demo shop's pages for a browser (src/demo/shopPages.ts), which the embedded demo's browser
 * flow clicks through: over real HTTP (the pages, their links, the search's two answers), then in
 * a real headless Chromium driven by puppeteer-core, walked with the flow's own selectors: the
 * front, `#q` + Enter, `.results li`, the first result's link, `#add`, "Added to cart". In the
 * page, the Event Timing API measures the add-to-cart click: blocked ~300 ms by default, not at
 * all with `addToCartBlockMs: 0`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { HtmlValidate } from 'html-validate';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADD_TO_CART_BLOCK_MS, shopRouter, type ShopOptions } from '../../src/demo/shop.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { TEST_CHROME_FLAGS as CHROME_FLAGS } from '../helpers/testChrome.js';

const CHROMIUM = '/usr/bin/chromium';

/** The shop router alone on 127.0.0.1, with the given options. */
async function startShop(options: ShopOptions = {}): Promise<TestServer> {
  const app = express();
  app.use(shopRouter(options));
  return startHttpServer(app);
}

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'doctype-style': 'off', 'void-style': ['error', { style: 'omit' }] },
});

async function htmlProblems(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`));
}

/** Every href and form action of a page, resolved against the page's URL (paths only). */
function linkedPaths(html: string, pageUrl: string): string[] {
  return [...html.matchAll(/ (?:href|action)="([^"]*)"/g)]
    .map((m) => m[1]!.replace(/&amp;/g, '&'))
    .filter((href) => !href.startsWith('data:'))
    .map((href) => new URL(href, pageUrl).pathname);
}

/** The `.results` list's links, resolved against the page's URL. */
function resultPaths(html: string, pageUrl: string): string[] {
  const list = /<ul class="results">([^]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return linkedPaths(list, pageUrl);
}

let shop: TestServer;
beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop.close();
});

describe('the browser pages over HTTP', () => {
  it.each(['/demo/shop/', '/demo/shop'])(
    'serves the front at %s with the search form, and every link on it leads to a shop page',
    async (path) => {
      const url = shop.origin + path;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toMatch(/<form class="search" role="search" action="[^"]*search" method="get">/);
      expect(html).toContain('<input id="q" name="q" type="search"');
      expect(html).toMatch(/<ul class="results">\s*<\/ul>/); // empty until a search
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('<meta name="viewport"');
      expect(html).toContain('<meta name="description"');
      expect(html).toContain('<title>vantage demo shop</title>');
      expect(await htmlProblems(html)).toEqual([]);

      const paths = linkedPaths(html, url);
      expect(paths).toEqual([
        '/demo/shop/search',
        '/demo/shop/catalogue/mug',
        '/demo/shop/catalogue/tshirt',
        '/demo/shop/catalogue/sticker',
      ]);
      for (const linked of paths) expect((await fetch(shop.origin + linked)).status).toBe(200);
    },
  );

  it('answers a search with a results page whose links lead to the products', async () => {
    const url = `${shop.origin}/demo/shop/search?q=mug`;
    const res = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('vary')).toMatch(/Accept/);
    const html = await res.text();
    expect(html).toContain('<input id="q" name="q" type="search" value="mug"');
    expect(html).toContain('1 product matches &quot;mug&quot;.');
    expect(resultPaths(html, url)).toEqual(['/demo/shop/catalogue/mug']);
    expect(await htmlProblems(html)).toEqual([]);

    const all = `${shop.origin}/demo/shop/search?q=VANTAGE`;
    expect(resultPaths(await (await fetch(all)).text(), all)).toEqual([
      '/demo/shop/catalogue/mug',
      '/demo/shop/catalogue/tshirt',
      '/demo/shop/catalogue/sticker',
    ]);
    const none = await (await fetch(`${shop.origin}/demo/shop/search?q=lamp`)).text();
    expect(none).toContain('No product matches &quot;lamp&quot;.');
    expect(resultPaths(none, url)).toEqual([]);
  });

  it('answers a search asked for JSON with the results the page script lists', async () => {
    const res = await fetch(`${shop.origin}/demo/shop/search?q=shirt`, {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      query: 'shirt',
      status: '1 product matches "shirt".',
      results: [{ id: 'tshirt', name: 'vantage t-shirt', price: '€22.00', href: 'catalogue/tshirt' }],
    });
  });

  it.each([
    ['q=a&q=b', 'q', 'q: must be given once'],
    [`q=${'x'.repeat(101)}`, 'q', 'q: must be at most 100 characters'],
    ['query=mug', 'query', 'query: unknown parameter (expected q)'],
  ])('refuses the search ?%s with 400 naming %s', async (query, field, error) => {
    const res = await fetch(`${shop.origin}/demo/shop/search?${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error, field });
  });

  it('serves a product page with the #add button, blocking for 300 ms by default', async () => {
    const url = `${shop.origin}/demo/shop/catalogue/mug`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>vantage demo shop: vantage mug</title>');
    expect(html).toContain('<h1>vantage mug</h1>');
    expect(html).toContain('<button id="add" type="button">Add to cart</button>');
    expect(html).toContain(`const end = performance.now() + ${DEFAULT_ADD_TO_CART_BLOCK_MS};`);
    expect(DEFAULT_ADD_TO_CART_BLOCK_MS).toBe(300);
    expect(await htmlProblems(html)).toEqual([]);
    expect(linkedPaths(html, url)).toEqual(['/demo/shop/', '/demo/shop/search']);
  });

  it('leaves the busy loop out with addToCartBlockMs 0', async () => {
    const quick = await startShop({ addToCartBlockMs: 0 });
    try {
      const html = await (await fetch(`${quick.origin}/demo/shop/catalogue/mug`)).text();
      expect(html).toContain('<button id="add" type="button">Add to cart</button>');
      expect(html).not.toContain('performance.now()');
    } finally {
      await quick.close();
    }
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses addToCartBlockMs %s, naming it', (ms) => {
    expect(() => shopRouter({ addToCartBlockMs: ms })).toThrow(
      /^addToCartBlockMs: must be a whole number of milliseconds, 0 or more/,
    );
  });

  it('answers an unknown product with an HTML 404 linking to the products', async () => {
    const url = `${shop.origin}/demo/shop/catalogue/piano`;
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('The shop has no product &quot;piano&quot;.');
    expect(linkedPaths(html, url)).toContain('/demo/shop/catalogue/mug');
    expect(await htmlProblems(html)).toEqual([]);
  });
});

/** A fresh headless Chromium with its own profile, closed and removed after `walk`. */
async function withChromium<T>(walk: (page: Page) => Promise<T>): Promise<T> {
  // Chrome's own temp files (TMPDIR) go beside the profile, so nothing is left in the system temp dir.
  const root = await mkdtemp(join(tmpdir(), 'vantage-shop-chrome-'));
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROME_FLAGS, `--user-data-dir=${join(root, 'profile')}`],
      env: { ...process.env, TMPDIR: root },
    });
    return await walk(await browser.newPage());
  } finally {
    await browser?.close();
    await rm(root, { recursive: true, force: true });
  }
}

interface Walk {
  /** The page's URL once the results were listed: the front's, as the search lists them in place. */
  resultsUrl: string;
  /** The product page the first result led to. */
  productUrl: string;
  /** The cart status after the click. */
  status: string;
  /** The longest Event Timing duration of the #add click (0: none reached 16 ms). */
  clickMs: number;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/**
 * The embedded flow's steps, with its selectors: home, search (type, Enter, wait for a result),
 * product (click the first result, wait for the navigation), add_to_cart (click, wait for text).
 */
async function walkTheFlow(page: Page, frontUrl: string): Promise<Walk> {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(frontUrl, { waitUntil: 'load' });
  await page.type('#q', 'mug');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.results li', { timeout: 10_000 });
  const resultsUrl = page.url();
  await Promise.all([page.waitForNavigation({ timeout: 10_000 }), page.click('.results li:first-child a')]);
  const productUrl = page.url();

  // Every click entry of at least 16 ms (the API's floor), from before the click on.
  await page.evaluate(`
    window.clickDurations = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.name === 'click') window.clickDurations.push(entry.duration);
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  `);
  await page.click('#add');
  await page.waitForFunction("document.body.innerText.includes('Added to cart')", { timeout: 10_000 });
  // Entries are reported after the next paint: wait for a slow click's, or give a quick one time.
  await page.waitForFunction('window.clickDurations.length > 0', { timeout: 2000 }).catch(() => undefined);
  const clickMs = (await page.evaluate('Math.max(0, ...window.clickDurations)')) as number;
  const status = (await page.evaluate("document.getElementById('cart-status').textContent")) as string;
  return { resultsUrl, productUrl, status, clickMs, requests, errors };
}

describe('the browser flow in a real Chromium', () => {
  it('walks front, search, product and add to cart; the click blocks the main thread ~300 ms', async () => {
    const walk = await withChromium((page) => walkTheFlow(page, `${shop.origin}/demo/shop/`));

    expect(walk.resultsUrl).toBe(`${shop.origin}/demo/shop/`);
    expect(walk.productUrl).toBe(`${shop.origin}/demo/shop/catalogue/mug`);
    expect(walk.status).toBe('Added to cart: 1 item in your cart.');
    expect(walk.clickMs).toBeGreaterThanOrEqual(250);
    expect(walk.errors).toEqual([]);
    // Nothing from elsewhere: every request went to the shop.
    expect(walk.requests.filter((u) => !u.startsWith(`${shop.origin}/`))).toEqual([]);
    expect(walk.requests).toContain(`${shop.origin}/demo/shop/search?q=mug`);
  }, 60_000);

  it('walks the same flow from /demo/shop (no slash); with addToCartBlockMs 0 the click is quick', async () => {
    const quick = await startShop({ addToCartBlockMs: 0 });
    try {
      const walk = await withChromium((page) => walkTheFlow(page, `${quick.origin}/demo/shop`));

      expect(walk.resultsUrl).toBe(`${quick.origin}/demo/shop`);
      expect(walk.productUrl).toBe(`${quick.origin}/demo/shop/catalogue/mug`);
      expect(walk.status).toBe('Added to cart: 1 item in your cart.');
      expect(walk.clickMs).toBeLessThan(100);
      expect(walk.errors).toEqual([]);
    } finally {
      await quick.close();
    }
  }, 60_000);
});
