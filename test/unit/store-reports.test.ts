/**
 * The report archive: migration 3 on a database left at version 2 keeps its rows; save,
 * replace (same kind, label and zone), list newest first, find by zone, bodies per format,
 * and pruning to `keep` per period kind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { NewArchivedReport } from '../../src/store/reports.js';
import { Store } from '../../src/store/store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-reports-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DAY = 86_400_000;

function dayReport(date: string, overrides: Partial<NewArchivedReport> = {}): NewArchivedReport {
  const start = Date.parse(`${date}T00:00:00Z`);
  return {
    kind: 'day',
    label: date,
    timeZone: 'UTC',
    start,
    end: start + DAY,
    generatedAt: start + DAY + 6 * 3_600_000,
    title: `vantage daily report ${date} (UTC)`,
    headline: `report of ${date}`,
    hasData: true,
    bodies: { html: `<h1>${date}</h1>`, md: `# ${date}`, json: `{"label":"${date}"}` },
    ...overrides,
  };
}

describe('migration 3: the reports table', () => {
  it('upgrades a version-2 database, keeping its changes and incidents', () => {
    const dir = tempDir();
    const raw = new Database(databasePath(dir));
    for (const step of MIGRATIONS.slice(0, 2)) raw.exec(step);
    raw.pragma('user_version = 2');
    raw
      .prepare("INSERT INTO changes (at, title, kind, created_at) VALUES (1000, 'before v3', 'deploy', 1000)")
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
    expect(store.changes.list().map((c) => c.title)).toEqual(['before v3']);
    expect(store.db.prepare('SELECT alertname FROM incidents').pluck().all()).toEqual(['VantageTargetDown']);
    expect(store.reportArchive.list()).toEqual([]);
    store.reportArchive.save(dayReport('2025-01-14'));
    store.close();

    // Reopening runs nothing again and keeps the archived report.
    const again = Store.open(dir);
    expect(again.reportArchive.list().map((r) => r.label)).toEqual(['2025-01-14']);
    again.close();
  });
});

describe('ReportArchive', () => {
  it('saves a report with its bodies and lists it without them', () => {
    const store = Store.open(tempDir());
    const saved = store.reportArchive.save(
      dayReport('2025-01-14', { bodies: { html: '<p>x</p>', json: '{}' } }),
    );
    expect(saved).toMatchObject({
      kind: 'day',
      label: '2025-01-14',
      timeZone: 'UTC',
      start: Date.parse('2025-01-14T00:00:00Z'),
      end: Date.parse('2025-01-15T00:00:00Z'),
      hasData: true,
      headline: 'report of 2025-01-14',
      formats: ['html', 'json'],
    });
    expect(store.reportArchive.body(saved.id, 'html')).toBe('<p>x</p>');
    expect(store.reportArchive.body(saved.id, 'md')).toBeUndefined();
    expect(store.reportArchive.body(saved.id + 1, 'html')).toBeUndefined();
    store.close();
  });

  it('regenerating the same kind, label and zone replaces the row (same id); another zone is a new row', () => {
    const store = Store.open(tempDir());
    const archive = store.reportArchive;
    const first = archive.save(dayReport('2025-01-14'));
    const again = archive.save(
      dayReport('2025-01-14', {
        generatedAt: first.generatedAt + 1000,
        headline: 'regenerated',
        hasData: false,
        bodies: { md: '# new' },
      }),
    );
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ headline: 'regenerated', hasData: false, formats: ['md'] });
    expect(archive.body(first.id, 'html')).toBeUndefined();
    expect(archive.list()).toHaveLength(1);

    const berlin = archive.save(
      dayReport('2025-01-14', { timeZone: 'Europe/Berlin', generatedAt: first.generatedAt + 5000 }),
    );
    expect(berlin.id).not.toBe(first.id);
    expect(archive.inAllZones('day', '2025-01-14').map((r) => r.timeZone)).toEqual(['Europe/Berlin', 'UTC']);
    // Without a zone: the preferred (configured) one, else the most recently generated.
    expect(archive.find('day', '2025-01-14', { preferredZone: 'UTC' })?.id).toBe(first.id);
    expect(archive.find('day', '2025-01-14')?.id).toBe(berlin.id);
    expect(archive.find('day', '2025-01-14', { timeZone: 'UTC' })?.id).toBe(first.id);
    expect(archive.find('day', '2025-01-14', { timeZone: 'Asia/Tokyo' })).toBeUndefined();
    expect(archive.find('week', '2025-01-14')).toBeUndefined();
    store.close();
  });

  it('lists newest period first, by kind and with a limit', () => {
    const store = Store.open(tempDir());
    const archive = store.reportArchive;
    for (const date of ['2025-01-13', '2025-01-15', '2025-01-14']) archive.save(dayReport(date));
    archive.save({
      ...dayReport('2025-01-06'),
      kind: 'week',
      label: '2025-W02',
      end: Date.parse('2025-01-13T00:00:00Z'),
    });
    expect(archive.list().map((r) => r.label)).toEqual([
      '2025-01-15',
      '2025-01-14',
      '2025-01-13',
      '2025-W02',
    ]);
    expect(archive.list({ kind: 'week' }).map((r) => r.label)).toEqual(['2025-W02']);
    expect(archive.list({ kind: 'day', limit: 2 }).map((r) => r.label)).toEqual(['2025-01-15', '2025-01-14']);
    store.close();
  });

  it('prunes each kind to its newest `keep` reports, leaving other kinds alone', () => {
    const store = Store.open(tempDir());
    const archive = store.reportArchive;
    for (let d = 1; d <= 9; d++) archive.save(dayReport(`2025-01-0${d}`));
    archive.save({ ...dayReport('2024-12-01'), kind: 'month', label: '2024-12' });
    expect(archive.prune('day', 3)).toBe(6);
    expect(archive.list({ kind: 'day' }).map((r) => r.label)).toEqual([
      '2025-01-09',
      '2025-01-08',
      '2025-01-07',
    ]);
    expect(archive.list({ kind: 'month' })).toHaveLength(1);
    expect(archive.prune('day', 3)).toBe(0);
    expect(archive.prune('month', 1)).toBe(0);
    store.close();
  });
});
