/**
 * The embedded store: migrations (fresh, reopen, a newer database refused), the change log's
 * validation and queries, ISO-8601 parsing, and vantage_change_timestamp_seconds rendering
 * with its bounds (30 days, 200 series, escaped and truncated titles).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { renderChangeSeries, titleLabel } from '../../src/metrics/changeSeries.js';
import { parseChangeQuery, parseNewChange } from '../../src/input/changeInput.js';
import { InputError as ChangeInputError } from '../../src/input/inputError.js';
import { EXPORTED_CHANGES_WINDOW_MS } from '../../src/store/changes.js';
import { databasePath, openDatabase, schemaVersion, StoreVersionError } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';
import { parseIsoTimestamp } from '../../src/time/timestamp.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function inputError(fn: () => unknown): ChangeInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChangeInputError) return err;
    throw err;
  }
  throw new Error('expected a ChangeInputError');
}

describe('migrations', () => {
  it('creates a fresh database at the latest version with WAL, FULL sync and foreign keys', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toContain('changes');
    db.close();
  });

  it('reopens an existing database without re-running migrations, keeping its rows', () => {
    const dir = tempDir();
    const first = Store.open(dir);
    first.changes.add({ title: 'kept', kind: 'deploy', target: null, description: null });
    first.close();
    const second = Store.open(dir);
    expect(schemaVersion(second.db)).toBe(MIGRATIONS.length);
    expect(second.changes.list().map((c) => c.title)).toEqual(['kept']);
    second.close();
  });

  it('refuses a database newer than the code, with a clear error, and leaves it untouched', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    const raw = new Database(databasePath(dir));
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(StoreVersionError);
    expect(() => openDatabase(dir)).toThrow(
      new RegExp(
        `schema version ${MIGRATIONS.length + 5}, but this vantage knows versions up to ${MIGRATIONS.length}`,
      ),
    );
    const check = new Database(databasePath(dir));
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    check.close();
  });

  it('the CLI says so and exits 1 on a newer database', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    const raw = new Database(databasePath(dir));
    raw.pragma('user_version = 99');
    raw.close();
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '../helpers/cliEntry.ts'),
        'change',
        'list',
        `--storage.path=${dir}`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('schema version 99');
  });
});

describe('change input', () => {
  it('accepts a full change and trims the title', () => {
    expect(
      parseNewChange({
        title: '  Enable Brotli  ',
        kind: 'optimisation',
        target: 'homepage',
        at: '2025-03-14T10:30:00+01:00',
        description: 'nginx',
      }),
    ).toEqual({
      title: 'Enable Brotli',
      kind: 'optimisation',
      target: 'homepage',
      at: Date.UTC(2025, 2, 14, 9, 30),
      description: 'nginx',
    });
  });

  it('names the field of each mistake', () => {
    expect(inputError(() => parseNewChange({ kind: 'deploy' })).field).toBe('title');
    expect(inputError(() => parseNewChange({ title: '   ', kind: 'deploy' })).field).toBe('title');
    const long = inputError(() => parseNewChange({ title: 'x'.repeat(201), kind: 'deploy' }));
    expect([long.field, long.message]).toEqual(['title', 'must be at most 200 characters, got 201']);
    expect(parseNewChange({ title: 'é'.repeat(200), kind: 'deploy' }).title).toHaveLength(200);
    const kind = inputError(() => parseNewChange({ title: 't', kind: 'release' }));
    expect(kind.field).toBe('kind');
    expect(kind.message).toContain('deploy, config, infrastructure, optimisation, load_test, other');
    expect(
      inputError(() => parseNewChange({ title: 't', kind: 'deploy', at: '2025-03-14 10:30' })).field,
    ).toBe('at');
    expect(inputError(() => parseNewChange({ title: 't', kind: 'deploy', target: 'Home Page' })).field).toBe(
      'target',
    );
    expect(inputError(() => parseNewChange({ title: 't', kind: 'deploy', tittle: 'x' })).field).toBe(
      'tittle',
    );
    expect(inputError(() => parseNewChange({ title: 5, kind: 'deploy' })).field).toBe('title');
  });

  it('validates list filters', () => {
    expect(parseChangeQuery({ target: 'web', since: '2025-01-01T00:00:00Z', limit: '5' })).toEqual({
      target: 'web',
      since: Date.UTC(2025, 0, 1),
      limit: 5,
    });
    expect(inputError(() => parseChangeQuery({ limit: '0' })).field).toBe('limit');
    expect(inputError(() => parseChangeQuery({ limit: '5000' })).field).toBe('limit');
    expect(inputError(() => parseChangeQuery({ until: 'yesterday' })).field).toBe('until');
  });
});

describe('ISO-8601', () => {
  it.each([
    ['2025-03-14T09:30:00Z', Date.UTC(2025, 2, 14, 9, 30)],
    ['2025-03-14T09:30Z', Date.UTC(2025, 2, 14, 9, 30)],
    ['2025-03-14T09:30:00.250Z', Date.UTC(2025, 2, 14, 9, 30, 0, 250)],
    ['2025-03-14T09:30:00.123456789Z', Date.UTC(2025, 2, 14, 9, 30, 0, 123)],
    ['2025-03-14T11:30:00+02:00', Date.UTC(2025, 2, 14, 9, 30)],
    ['2025-03-14T04:00:00-0530', Date.UTC(2025, 2, 14, 9, 30)],
    ['2025-03-14 09:30:00z', Date.UTC(2025, 2, 14, 9, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('%s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  it.each([
    '2025-03-14T09:30:00',
    '2025-02-29T00:00:00Z',
    '2025-13-01T00:00Z',
    '2025-03-14T24:00Z',
    'now',
    '',
  ])('refuses %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });
});

describe('vantage_change_timestamp_seconds', () => {
  it('escapes and truncates titles, empty target for global changes', () => {
    const text = renderChangeSeries([
      {
        id: 7,
        at: 1_700_000_000_500,
        title: 'Deploy "v2" with a back\\slash\nand a newline\tand a tab',
        kind: 'deploy',
        target: null,
        description: null,
        createdAt: 0,
      },
    ]);
    expect(text).toContain('# TYPE vantage_change_timestamp_seconds gauge\n');
    expect(text).toContain(
      'vantage_change_timestamp_seconds{change_id="7",kind="deploy",target="",title="Deploy \\"v2\\" with a back\\\\slash and a newline and a tab"} 1700000000.5\n',
    );
    const long = titleLabel('ü'.repeat(150));
    expect([...long]).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
    expect(renderChangeSeries([])).toBe('');
  });

  it('exports at most 200 changes of the last 30 days, newest first, and follows other processes', () => {
    const dir = tempDir();
    const store = Store.open(dir);
    const now = Date.now();
    const day = 24 * 3600 * 1000;
    // 50 changes older than 30 days, then 250 recent ones one minute apart.
    for (let i = 0; i < 50; i++) {
      store.changes.add({
        title: `old ${i}`,
        kind: 'config',
        target: 'web',
        at: now - 31 * day - i,
        description: null,
      });
    }
    for (let i = 0; i < 250; i++) {
      store.changes.add({
        title: `new ${i}`,
        kind: 'deploy',
        target: null,
        at: now - i * 60_000,
        description: null,
      });
    }
    const exported = store.changes.exportedChanges(now);
    expect(exported).toHaveLength(200);
    expect(exported[0]!.title).toBe('new 0');
    expect(exported.at(-1)!.title).toBe('new 199');
    expect(exported.some((c) => c.title.startsWith('old'))).toBe(false);
    // A change turning 30 days old drops out at render time, without a query.
    expect(store.changes.exportedChanges(now + EXPORTED_CHANGES_WINDOW_MS - 150 * 60_000 + 1)).toHaveLength(
      150,
    );

    // Another connection (the CLI) writes: picked up through data_version, not before.
    const other = Store.open(dir);
    other.changes.add({
      title: 'from the CLI',
      kind: 'other',
      target: null,
      at: now + 1000,
      description: null,
    });
    other.close();
    expect(store.changes.exportedChanges(now)[0]!.title).toBe('new 0');
    expect(store.changes.refreshIfChanged(now)).toBe(true);
    expect(store.changes.exportedChanges(now)[0]!.title).toBe('from the CLI');
    expect(store.changes.refreshIfChanged(now)).toBe(false);
    store.close();
  });

  it('lists by target (with global changes), time range and limit, newest first', () => {
    const store = Store.open(tempDir());
    const t0 = Date.UTC(2025, 0, 1);
    store.changes.add({ title: 'a', kind: 'deploy', target: 'web', at: t0, description: null });
    store.changes.add({ title: 'b', kind: 'deploy', target: 'api', at: t0 + 1000, description: null });
    store.changes.add({ title: 'c', kind: 'infrastructure', target: null, at: t0 + 2000, description: null });
    expect(store.changes.list({ target: 'web' }).map((c) => c.title)).toEqual(['c', 'a']);
    expect(store.changes.list({ since: t0 + 1000, until: t0 + 2000 }).map((c) => c.title)).toEqual(['b']);
    expect(store.changes.list({ limit: 1 }).map((c) => c.title)).toEqual(['c']);
    store.close();
  });
});
