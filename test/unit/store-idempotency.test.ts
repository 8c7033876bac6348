/**
 * Migration 4 (idempotency keys on changes) keeps a version-3 database's rows; a key records
 * one change however often, and from however many connections, it is sent; a reused key with
 * a different change is refused. Also the years 0001-0099, once read as 1901-1999.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { parseNewChange } from '../../src/input/changeInput.js';
import { IdempotencyKeyConflict, type NewChange } from '../../src/store/changes.js';
import { idempotencyKeyProblem, keyFromHeader } from '../../src/store/idempotency.js';
import { parseIsoTimestamp } from '../../src/time/timestamp.js';
import { Store } from '../../src/store/store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-idempotency-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const deploy = (title = 'deploy 1.2.3'): NewChange => ({
  title,
  kind: 'deploy',
  target: null,
  description: null,
});

describe('migration 4: idempotency keys', () => {
  it('upgrades a version-3 database, keeping its changes and incidents', () => {
    const dir = tempDir();
    const raw = new Database(databasePath(dir));
    for (const step of MIGRATIONS.slice(0, 3)) raw.exec(step);
    raw.pragma('user_version = 3');
    raw
      .prepare("INSERT INTO changes (at, title, kind, created_at) VALUES (1000, 'before v4', 'deploy', 1000)")
      .run();
    raw
      .prepare(
        `INSERT INTO incidents (fingerprint, alertname, severity, summary, description, starts_at, status,
           labels, first_received_at, last_received_at)
         VALUES ('f1', 'VantageTargetDown', 'critical', 's', 'd', 2000, 'firing', '{}', 2000, 2000)`,
      )
      .run();
    raw.close();

    const store = Store.open(dir);
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    expect(store.changes.list().map((c) => [c.id, c.title, c.at])).toEqual([[1, 'before v4', 1000]]);
    expect(store.db.prepare('SELECT alertname FROM incidents').pluck().all()).toEqual(['VantageTargetDown']);
    // Rows from before have no key, and keyless changes never collide with each other.
    store.changes.add(deploy('no key either'));
    const first = store.changes.addIdempotent(deploy(), 'key-1');
    expect(first.replayed).toBe(false);
    store.close();
  });
});

describe('ChangeLog.addIdempotent', () => {
  it('records once per key, replays the same change, refuses a different one', () => {
    const store = Store.open(tempDir());
    const first = store.changes.addIdempotent(deploy(), 'k', 1_000_000);
    const again = store.changes.addIdempotent(deploy(), 'k', 2_000_000);
    expect(again).toEqual({ change: first.change, replayed: true });
    expect(again.change.at).toBe(1_000_000); // the first request's "now", not the retry's
    expect(() => store.changes.addIdempotent(deploy('deploy 1.2.4'), 'k')).toThrow(IdempotencyKeyConflict);
    expect(store.changes.list()).toHaveLength(1);
    store.close();
  });

  it('two connections to one database (two processes) retrying with one key record one change', () => {
    const dir = tempDir();
    const a = Store.open(dir);
    const b = Store.open(dir);
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      ids.add((i % 2 === 0 ? a : b).changes.addIdempotent(deploy(), 'shared-key').change.id);
    }
    expect([...ids]).toHaveLength(1);
    expect(a.changes.list()).toHaveLength(1);
    // The UNIQUE index is the backstop: a direct second insert of the key is refused.
    expect(() =>
      a.db
        .prepare(
          "INSERT INTO changes (at, title, kind, created_at, idempotency_key) VALUES (1, 't', 'deploy', 1, 'shared-key')",
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed/);
    a.close();
    b.close();
  });

  it('checks keys as the draft and Stripe shape them', () => {
    expect(idempotencyKeyProblem('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBeUndefined();
    expect(idempotencyKeyProblem('')).toBe('must not be empty');
    expect(idempotencyKeyProblem('a b')).toMatch(/printable ASCII without spaces/);
    expect(idempotencyKeyProblem('k'.repeat(256))).toMatch(/at most 255 characters, got 256/);
    expect(keyFromHeader('"8e03978e"')).toBe('8e03978e');
    expect(keyFromHeader('8e03978e')).toBe('8e03978e');
  });
});

describe('years 0001-0099', () => {
  it.each([
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0004-02-29T12:00:00+01:00', '0004-02-29T11:00:00.000Z'],
    ['1999-12-31T23:59:59Z', '1999-12-31T23:59:59.000Z'],
  ])('parses %s as written', (text, iso) => {
    expect(new Date(parseIsoTimestamp(text)!).toISOString()).toBe(iso);
  });

  it('reads leap years of the year written: 0100-02-29 does not exist (1900 + 100 = 2000 had one)', () => {
    expect(parseIsoTimestamp('0100-02-29T00:00:00Z')).toBeUndefined();
  });

  it('refuses a change before 1970, naming at and the year', () => {
    expect(() => parseNewChange({ title: 't', kind: 'deploy', at: '0099-06-01T00:00:00Z' })).toThrow(
      'year 0099 is before 1970',
    );
    expect(parseNewChange({ title: 't', kind: 'deploy', at: '1970-01-01T00:00:00Z' }).at).toBe(0);
  });
});
