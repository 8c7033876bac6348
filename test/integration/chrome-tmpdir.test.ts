/**
 * Chrome makes an org.chromium.Chromium.* directory in $TMPDIR at each launch and never removes
 * it: one per Lighthouse run, piling up in the system temp dir for ever. vantage gives Chrome a
 * TMPDIR inside the run dir, so the directory goes when the run dir does. Real Chromium.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { findChromePath, launchChrome, stopChrome } from '../../src/probers/lighthouse/chrome.js';
import { createRunDir, releaseRunDir } from '../../src/probers/lighthouse/profiles.js';

const chromiumTempDirs = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('org.chromium.'));

describe('Chrome temp directories', () => {
  it('land in the run dir and are removed with it, none left in the system temp dir', async () => {
    const before = new Set(chromiumTempDirs(tmpdir()));
    const dir = await createRunDir();
    const chrome = await launchChrome(findChromePath(), dir, [], 30_000, new AbortController().signal);
    try {
      // Chrome creates it at startup; wait until it is there (a few ms after DevTools is up at most).
      const deadline = Date.now() + 5000;
      while (chromiumTempDirs(dir.tmp).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(chromiumTempDirs(dir.tmp)).toHaveLength(1);
    } finally {
      await stopChrome(chrome.child, dir, 2000);
      await releaseRunDir(dir);
    }
    expect(existsSync(dir.root)).toBe(false);
    const added = chromiumTempDirs(tmpdir()).filter((n) => !before.has(n));
    expect(added).toEqual([]);
  }, 60_000);
});
