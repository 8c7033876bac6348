/**
 * A headless Chromium for tests that drive pages with Puppeteer: /usr/bin/chromium with the
 * flags this machine needs as root (docs/browser-flows.md), a private temp dir for its profile
 * and TMPDIR, and a close that checks nothing of it is left running.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { expect } from 'vitest';
import { chromeProcesses } from '../../src/probers/lighthouse/index.js';
import { ROOT_OFFLINE_FLAGS } from '../../src/probers/lighthouse/chrome.js';

/** vantage's own root-and-offline switches; --headless=new comes from Puppeteer's `headless: true`. */
export const TEST_CHROME_FLAGS: string[] = [...ROOT_OFFLINE_FLAGS];

export interface TestChrome {
  browser: Browser;
  /** Closes the browser and asserts no Chrome process of it is left; removes its temp dir. */
  close(): Promise<void>;
}

export async function launchTestChrome(name: string): Promise<TestChrome> {
  const dir = await mkdtemp(join(tmpdir(), `vantage-${name}-`));
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: TEST_CHROME_FLAGS,
    userDataDir: join(dir, 'profile'),
    env: { ...process.env, TMPDIR: dir },
  });
  return {
    browser,
    async close() {
      await browser.close();
      // close() returns once the browser process has exited; its zygote, reparented to init,
      // may still be on its way out (seen once in state R). Gone within 5 s, or a leak.
      const deadline = Date.now() + 5000;
      while (chromeProcesses(undefined, dir).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(chromeProcesses(undefined, dir)).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
