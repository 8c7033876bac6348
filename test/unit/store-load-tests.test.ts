/**
 * The load test log: migration 6 (the change kind `load_test`, a rebuilt changes table) keeps a
 * version-5 database's changes, ids and idempotency keys; a run is stored with its change in one
 * transaction and read back whole; each target's last run is what /metrics exports, and another
 * process's run reaches a watching store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { NewLoadTest } from '../../src/store/loadTests.js';
import { Store } from '../../src/store/store.js';
import { loadTestStep, newLoadTest } from '../helpers/loadTestRecords.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-load-tests-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(
  target: string,
  finishedAt: number,
  knee: NewLoadTest['knee'] = { rate: 400, p95Seconds: 0.12 },
): NewLoadTest {
  return newLoadTest(target, finishedAt, {
    outcome: knee ? 'completed' : 'stopped_errors',
    stopReason: knee ? null : 'step 1 (100 requests/s): 12 % errors, above the 5 % abort threshold',
    knee,
    steps: [loadTestStep(100, 0.02, 0, 99.5)],
  });
}

describe('migration 6: the change kind load_test', () => {
  it('rebuilds the changes table of a version-5 database, keeping ids, keys and indexes', () => {
    const dir = tempDir();
    const raw = new Database(databasePath(dir));
    for (const step of MIGRATIONS.slice(0, 5)) raw.exec(step);
    raw.pragma('user_version = 5');
    raw
      .prepare(
        `INSERT INTO changes (id, at, title, kind, created_at, idempotency_key, request_hash)
         VALUES (7, 1000, 'before v6', 'deploy', 1000, 'key-7', 'hash-7')`,
      )
      .run();
    expect(() =>
      raw.prepare("INSERT INTO changes (at, title, kind, created_at) VALUES (1, 't', 'load_test', 1)").run(),
    ).toThrow(/CHECK constraint failed/);
    raw.close();

    const store = Store.open(dir);
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    expect(store.changes.list().map((c) => [c.id, c.title])).toEqual([[7, 'before v6']]);
    // The key survived the rebuild: the same key with another change is still refused.
    expect(() =>
      store.changes.addIdempotent(
        { title: 'other', kind: 'deploy', target: null, description: null },
        'key-7',
      ),
    ).toThrow(/already used/);
    const indexes = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes'")
      .pluck()
      .all();
    expect(indexes).toEqual(
      expect.arrayContaining(['changes_at', 'changes_target_at', 'changes_idempotency_key']),
    );
    // New ids continue after the kept ones (AUTOINCREMENT's sequence came along).
    expect(
      store.changes.add({ title: 'load', kind: 'load_test', target: 'shop', description: null }).id,
    ).toBe(8);
    store.close();
  });
});

describe('LoadTestLog', () => {
  it('stores a run with its change in one transaction and reads it back whole', () => {
    const store = Store.open(tempDir());
    const stored = store.loadTests.add(
      run('shop', 2_000_000),
      {
        title: 'Load test of shop: knee 400 requests/s',
        kind: 'load_test',
        target: 'shop',
        at: 1_940_000,
        description: null,
      },
      2_000_000,
    );
    expect(stored).toEqual({ ...run('shop', 2_000_000), id: 1, changeId: 1 });
    expect(store.changes.list()).toMatchObject([{ id: 1, kind: 'load_test', target: 'shop', at: 1_940_000 }]);
    expect(store.loadTests.get(1)).toEqual(stored);
    expect(store.loadTests.get(2)).toBeUndefined();
    store.close();
  });

  it('stores neither the run nor its change when the run is refused', () => {
    const store = Store.open(tempDir());
    const bad = { ...run('shop', 2_000_000), startedAt: 3_000_000 }; // ends before it starts
    expect(() =>
      store.loadTests.add(bad, {
        title: 'Load test of shop',
        kind: 'load_test',
        target: 'shop',
        description: null,
      }),
    ).toThrow(/CHECK constraint failed/);
    expect(store.changes.list()).toEqual([]);
    expect(store.loadTests.list()).toEqual([]);
    store.close();
  });

  it('lists newest first by target and time, and keeps each target last run in memory', () => {
    const store = Store.open(tempDir());
    store.loadTests.add(run('shop', 1_000_000), null);
    store.loadTests.add(run('api', 2_000_000, null), null);
    store.loadTests.add(run('shop', 3_000_000, { rate: 450, p95Seconds: 0.2 }), null);
    expect(store.loadTests.list().map((r) => [r.target, r.finishedAt])).toEqual([
      ['shop', 3_000_000],
      ['api', 2_000_000],
      ['shop', 1_000_000],
    ]);
    expect(store.loadTests.list({ target: 'shop', until: 3_000_000 }).map((r) => r.finishedAt)).toEqual([
      1_000_000,
    ]);
    expect(store.loadTests.list({ since: 2_000_000, limit: 1 }).map((r) => r.finishedAt)).toEqual([
      3_000_000,
    ]);
    expect(store.loadTests.latestPerTarget().map((r) => [r.target, r.knee])).toEqual([
      ['api', null],
      ['shop', { rate: 450, p95Seconds: 0.2 }],
    ]);
    store.close();
  });

  it("picks up another process's run on the watch", async () => {
    const dir = tempDir();
    const server = Store.open(dir);
    server.watch(() => {}, 20);
    const cli = Store.open(dir);
    cli.loadTests.add(run('shop', 5_000_000), {
      title: 'Load test of shop',
      kind: 'load_test',
      target: 'shop',
      description: null,
    });
    cli.close();
    const deadline = Date.now() + 5000;
    while (server.loadTests.latestPerTarget().length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(server.loadTests.latestPerTarget().map((r) => r.finishedAt)).toEqual([5_000_000]);
    server.close();
  });
});
