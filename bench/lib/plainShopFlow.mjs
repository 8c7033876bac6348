/**
 * The demo shop flow as a user scripts it with puppeteer-core, for bench/browser.ts to set beside
 * vantage's browser prober: a fresh Node process and a fresh Chrome each run, as `node flow.mjs`
 * would be, each step timed around its action and its wait, nothing else. Plain JavaScript on
 * purpose (no tsx loader in the process being timed).
 *
 *   node bench/lib/plainShopFlow.mjs SHOP_URL SETTLE_MS
 *
 * SHOP_URL is the shop's front page; SETTLE_MS a pause after the page exists, before the first
 * step (0: at once). Prints one JSON line: {stepsMs: {home, search, product, add_to_cart},
 * stepsBeganMs (from the launch), cpuMs (this process, over the steps)} or {error}.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';

const [shopUrl, settle] = process.argv.slice(2);
const settleMs = Number(settle);
if (!shopUrl || !Number.isInteger(settleMs) || settleMs < 0) {
  console.error('usage: plainShopFlow.mjs SHOP_URL SETTLE_MS');
  process.exit(2);
}

/** The root, headless, offline switches vantage gives its Chrome (headless=new: `headless: true`). */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const t0 = performance.now();
const stepsMs = {};
let browser;
try {
  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    // Lighthouse's desktop screen, which the demo flow (form_factor: desktop) gets in vantage.
    defaultViewport: { width: 1350, height: 940, deviceScaleFactor: 1 },
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  if (settleMs > 0) await sleep(settleMs);
  const steps = {
    home: () => page.goto(shopUrl, { waitUntil: 'load' }),
    search: async () => {
      await page.type('#q', 'mug');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.results li', { visible: true });
    },
    product: () =>
      Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('.results li:first-child a')]),
    add_to_cart: async () => {
      await page.click('#add');
      await page.waitForFunction(`document.body.innerText.includes('Added to cart')`);
    },
  };
  const stepsBeganMs = performance.now() - t0;
  const cpu0 = cpuMs();
  for (const [name, step] of Object.entries(steps)) {
    const start = performance.now();
    await step();
    stepsMs[name] = performance.now() - start;
  }
  console.log(JSON.stringify({ stepsMs, stepsBeganMs, cpuMs: cpuMs() - cpu0 }));
} catch (err) {
  console.log(JSON.stringify({ stepsMs, error: String(err) }));
} finally {
  await browser?.close();
}
