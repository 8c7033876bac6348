/**
 * What a Chrome-driving prober may leave behind, found on this machine: Chrome processes whose
 * command line names a vantage run dir under os.tmpdir(), live workers of the given script, and
 * vantage-chrome-* profile dirs. Tests point TMPDIR at a private dir first, so only their own
 * runs count. `expectNothingLeft` is the assertion every such test ends with.
 */
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chromeProcesses, listProcesses, PROFILE_PREFIX } from '../../src/probers/lighthouse/index.js';

export function chromeLeftovers(workerScript: string) {
  const profilePrefix = () => join(tmpdir(), PROFILE_PREFIX);
  const isWorker = (cmdline: string) => cmdline.includes(workerScript);
  /** Live Chrome processes started by vantage (their command line names a vantage-chrome-* dir). */
  const ourChromes = () => chromeProcesses(undefined, profilePrefix()).filter((p) => !isWorker(p.cmdline));
  /** Live workers (their argv names the run dir too, hence the filter above). */
  const ourWorkers = () =>
    listProcesses().filter(
      (p) => p.state !== 'Z' && isWorker(p.cmdline) && p.cmdline.includes(profilePrefix()),
    );
  const profileDirs = async () => (await readdir(tmpdir())).filter((n) => n.startsWith(PROFILE_PREFIX));
  /** The browser process (not a zygote or renderer) of the running audit or flow. */
  const browserProcess = () => ourChromes().find((p) => !p.cmdline.includes('--type='));
  async function expectNothingLeft(): Promise<void> {
    expect(ourChromes().map((p) => `${p.pid} ${p.cmdline.slice(0, 80)}`)).toEqual([]);
    expect(ourWorkers().map((p) => p.pid)).toEqual([]);
    expect(await profileDirs()).toEqual([]);
  }
  return { ourChromes, ourWorkers, profileDirs, browserProcess, expectNothingLeft };
}

/** Polls `get` every 50 ms until it returns a value; throws after `timeoutMs`. */
export async function waitForValue<T>(get: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
