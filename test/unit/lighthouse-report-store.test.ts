/**
 * Kept reports (ReportStore) and the removal of profile dirs left by a crashed vantage. No Chrome here.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupStaleProfiles,
  PROFILE_PREFIX,
  ReportStore,
  reportTimestamp,
} from '../../src/probers/lighthouse/index.js';
import { parseReportTimestamp } from '../../src/probers/lighthouse/reportStore.js';

const T0 = Date.UTC(2026, 10, 26, 1, 45, 0); // 2026-11-26T01:45:00Z
const MINUTE = 60_000;

describe('ReportStore', () => {
  let root: string;
  let store: ReportStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'vantage-lh-reports-'));
    store = new ReportStore(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names reports by the batch start in UTC, round-trip', () => {
    expect(reportTimestamp(T0)).toBe('20261126T014500Z');
    expect(reportTimestamp(T0 + 999)).toBe('20261126T014500Z');
    expect(parseReportTimestamp('20261126T014500Z')).toBe(T0);
    expect(parseReportTimestamp('20261326T014500Z')).toBeUndefined(); // month 13
    expect(parseReportTimestamp('2026-11-26T01:45:00Z')).toBeUndefined();
  });

  it('saves HTML and JSON under <root>/lighthouse/<target>/<module>/ and lists newest first', async () => {
    await store.save('home', 'mobile', T0, '<html>1</html>', '{"n":1}');
    await store.save('home', 'mobile', T0 + MINUTE, '<html>2</html>', '{"n":2}');
    const dir = join(root, 'lighthouse', 'home', 'mobile');
    expect((await readdir(dir)).sort()).toEqual([
      '20261126T014500Z.html',
      '20261126T014500Z.json',
      '20261126T014600Z.html',
      '20261126T014600Z.json',
    ]);
    expect(await store.list('home', 'mobile')).toEqual([
      { timestamp: '20261126T014600Z', startedAtMs: T0 + MINUTE },
      { timestamp: '20261126T014500Z', startedAtMs: T0 },
    ]);
    expect(await store.path('home', 'mobile', 'latest', 'json')).toBe(join(dir, '20261126T014600Z.json'));
    expect(await readFile((await store.path('home', 'mobile', '20261126T014500Z', 'html'))!, 'utf8')).toBe(
      '<html>1</html>',
    );
    expect(await store.list('home', 'desktop')).toEqual([]);
    expect(await store.path('home', 'desktop', 'latest', 'html')).toBeUndefined();
    expect(await store.path('home', 'mobile', '20250101T000000Z', 'html')).toBeUndefined();
  });

  it('prunes to report_history, oldest first, both files', async () => {
    for (let i = 0; i < 5; i += 1)
      await store.save('home', 'mobile', T0 + i * MINUTE, `<html>${i}</html>`, '{}', 3);
    const listed = await store.list('home', 'mobile');
    expect(listed.map((r) => r.timestamp)).toEqual([
      '20261126T014900Z',
      '20261126T014800Z',
      '20261126T014700Z',
    ]);
    expect(await readdir(join(root, 'lighthouse', 'home', 'mobile'))).toHaveLength(6);
  });

  it('writes atomically: temp files are never listed, stale ones are swept', async () => {
    const dir = join(root, 'lighthouse', 'home', 'mobile');
    await mkdir(dir, { recursive: true });
    const stale = join(dir, '.20261126T014400Z.html.tmp-abc');
    await writeFile(stale, 'partial');
    const old = new Date(Date.now() - 2 * 60 * MINUTE);
    await utimes(stale, old, old);
    const fresh = join(dir, '.20261126T014430Z.html.tmp-def');
    await writeFile(fresh, 'being written');
    await store.save('home', 'mobile', T0, '<html></html>', '{}');
    const names = await readdir(dir);
    expect(names).not.toContain('.20261126T014400Z.html.tmp-abc');
    expect(names).toContain('.20261126T014430Z.html.tmp-def'); // may belong to a write in progress
    expect((await store.list('home', 'mobile')).map((r) => r.timestamp)).toEqual(['20261126T014500Z']);
  });

  it('refuses names and timestamps that could escape the store', async () => {
    await store.save('home', 'mobile', T0, '<html></html>', '{}');
    await writeFile(join(root, 'secret.json'), '{"secret":true}');
    const bad: [string, string, string][] = [
      ['..', 'mobile', 'latest'],
      ['home', '..', 'latest'],
      ['home/../..', 'mobile', 'latest'],
      ['home', 'mobile', '../../../secret'],
      ['home', 'mobile', '20261126T014500Z/../../x'],
      ['home', 'mobile', '..%2F..%2Fsecret'],
      ['', 'mobile', 'latest'],
      ['home', 'mobile', ''],
      ['home\0', 'mobile', 'latest'],
      ['.', 'mobile', 'latest'],
    ];
    for (const [target, module, stamp] of bad) {
      expect(await store.path(target, module, stamp, 'json'), `${target}/${module}/${stamp}`).toBeUndefined();
    }
    expect(await store.path('home', 'mobile', 'latest', 'txt' as 'json')).toBeUndefined();
    await expect(store.save('../x', 'mobile', T0, '', '')).rejects.toThrow(/invalid report store name/);
    await expect(store.save('home', 'a/b', T0, '', '')).rejects.toThrow(/invalid report store name/);
    expect(await store.list('..', '..')).toEqual([]);
  });
});

describe('cleanupStaleProfiles', () => {
  let base: string;
  const savedTmp = process.env.TMPDIR;

  // A private TMPDIR, so this never touches the profile dirs of audits running in other test files.
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'vantage-lh-tmp-'));
    process.env.TMPDIR = base;
  });
  afterEach(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(base, { recursive: true, force: true });
  });

  async function profileDir(name: string, owner?: number): Promise<string> {
    const dir = join(base, `${PROFILE_PREFIX}${name}`);
    await mkdir(join(dir, 'profile', 'Default'), { recursive: true });
    await writeFile(join(dir, 'profile', 'Default', 'Cookies'), 'x');
    if (owner !== undefined) await writeFile(join(dir, 'owner'), `${owner}\n`);
    return dir;
  }

  it("removes dirs of dead owners and old ownerless dirs, keeps a live vantage's", async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is free
    await profileDir('dead', dead);
    const oldOwnerless = await profileDir('ownerless-old');
    const past = new Date(Date.now() - 10 * MINUTE);
    await utimes(oldOwnerless, past, past);
    await profileDir('ownerless-new'); // may be a vantage between mkdtemp and writing its owner file
    await profileDir('live', process.ppid); // another live process owns it
    await mkdir(join(base, 'unrelated-dir'));

    expect(await cleanupStaleProfiles()).toBe(2);
    expect((await readdir(base)).sort()).toEqual(
      [`${PROFILE_PREFIX}live`, `${PROFILE_PREFIX}ownerless-new`, 'unrelated-dir'].sort(),
    );
    expect(await cleanupStaleProfiles()).toBe(0);
  });

  it('removes a dir this process owns but no longer uses (a failed cleanup earlier)', async () => {
    await profileDir('mine', process.pid);
    expect(await cleanupStaleProfiles()).toBe(1);
    expect(await readdir(base)).toEqual([]);
  });
});
