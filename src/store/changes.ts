/**
 * The change log: deploys, config changes, infrastructure work, optimisations and load tests, each with
 * its time and (optionally) the target it concerns. Written by `vantage change add` and
 * POST /api/changes, read by `vantage change list`, GET /api/changes, the report, and
 * vantage_change_timestamp_seconds (from an in-memory cache, so a scrape never queries).
 * Takes typed values only: requests and flags are validated in input/changeInput.ts.
 */
import type { Db } from './database.js';
import { listLimit } from './listLimit.js';
import { changeRequestFingerprint } from './idempotency.js';

/**
 * `load_test` marks a load test (`vantage load` records its own; a run of another tool may be
 * recorded by hand): not a change to the site, but it explains what dashboards show during it,
 * so the report cites it and does not evaluate it as a change.
 */
export const CHANGE_KINDS = [
  'deploy',
  'config',
  'infrastructure',
  'optimisation',
  'load_test',
  'other',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 10_000;
/** Changes exported as series: those of the last 30 days, at most this many, newest first. */
export const EXPORTED_CHANGES_MAX = 200;
export const EXPORTED_CHANGES_WINDOW_MS = 30 * 24 * 3600 * 1000;

export interface Change {
  id: number;
  /** When the change happened, Unix milliseconds. */
  at: number;
  title: string;
  kind: ChangeKind;
  /** The target it concerns; null for a change that applies to every target. */
  target: string | null;
  description: string | null;
  /** When it was recorded, Unix milliseconds. */
  createdAt: number;
}

export interface NewChange {
  title: string;
  kind: ChangeKind;
  target: string | null;
  /** Unix milliseconds; undefined means now. */
  at?: number;
  description: string | null;
}

export interface ChangeQuery {
  /** Changes of this target and changes without a target (which apply to every target). */
  target?: string;
  /** Unix ms, inclusive. */
  since?: number;
  /** Unix ms, exclusive. */
  until?: number;
  limit?: number;
}

/** What recording a change with an idempotency key did. */
export interface IdempotentAdd {
  change: Change;
  /** True when the key was already used for this same change: nothing new was recorded. */
  replayed: boolean;
}

/** The key was first used for a different change (HTTP 422, as the IETF draft says). */
export class IdempotencyKeyConflict extends Error {
  readonly field = 'idempotency_key';
  constructor(
    readonly key: string,
    readonly original: Change,
  ) {
    super(
      `"${key}" was already used for a different change (id ${original.id}, "${original.title}"): ` +
        'a retry must send the same change, a new change needs a new key',
    );
  }
}

/** The JSON shape of a change in the API and `change list --format=json`: times in ISO-8601 UTC. */
export function changeToJson(c: Change) {
  return {
    id: c.id,
    at: new Date(c.at).toISOString(),
    title: c.title,
    kind: c.kind,
    target: c.target,
    description: c.description,
    created_at: new Date(c.createdAt).toISOString(),
  };
}

/** A row as SQLite returns it: the columns that keep their name, and created_at. */
interface ChangeRow extends Pick<Change, 'id' | 'at' | 'title' | 'target' | 'description'> {
  kind: string;
  created_at: number;
}

const fromRow = (r: ChangeRow): Change => ({
  id: r.id,
  at: r.at,
  title: r.title,
  kind: r.kind as ChangeKind,
  target: r.target,
  description: r.description,
  createdAt: r.created_at,
});

const COLUMNS = 'id, at, title, kind, target, description, created_at';

export class ChangeLog {
  private readonly insertStmt;
  private readonly byKeyStmt;
  private readonly listStmt;
  private readonly recentStmt;
  private readonly dataVersionStmt;
  private lastDataVersion = -1;
  private exported: Change[] = [];

  constructor(private readonly db: Db) {
    // One INSERT for both paths: a change recorded without a key has NULL key and hash.
    this.insertStmt = db.prepare<
      [number, string, string, string | null, string | null, number, string | null, string | null],
      ChangeRow
    >(
      `INSERT INTO changes (at, title, kind, target, description, created_at, idempotency_key, request_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    );
    this.byKeyStmt = db.prepare<[string], ChangeRow & { request_hash: string }>(
      `SELECT ${COLUMNS}, request_hash FROM changes WHERE idempotency_key = ?`,
    );
    this.listStmt = db.prepare<
      { target: string | null; since: number | null; until: number | null; limit: number },
      ChangeRow
    >(
      `SELECT ${COLUMNS} FROM changes
       WHERE (@target IS NULL OR target = @target OR target IS NULL)
         AND (@since IS NULL OR at >= @since)
         AND (@until IS NULL OR at < @until)
       ORDER BY at DESC, id DESC LIMIT @limit`,
    );
    this.recentStmt = db.prepare<[number, number], ChangeRow>(
      `SELECT ${COLUMNS} FROM changes WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?`,
    );
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    this.refreshExported();
  }

  /** Record a change; `now` is its created_at (and its time when `at` is not given). */
  add(change: NewChange, now = Date.now()): Change {
    const row = this.insert(change, now, null, null);
    this.refreshExported(now);
    return row;
  }

  /**
   * Record a change under an idempotency key: the first time, as add(); again with the same
   * change, the change recorded then (replayed); with a different change, IdempotencyKeyConflict.
   * IMMEDIATE takes the write lock before the look-up, so two processes retrying at once cannot
   * both miss the key; the UNIQUE index would refuse the second insert if they could.
   */
  addIdempotent(change: NewChange, key: string, now = Date.now()): IdempotentAdd {
    const fingerprint = changeRequestFingerprint(change);
    const run = this.db.transaction((): IdempotentAdd => {
      const existing = this.byKeyStmt.get(key);
      if (existing) {
        if (existing.request_hash !== fingerprint) throw new IdempotencyKeyConflict(key, fromRow(existing));
        return { change: fromRow(existing), replayed: true };
      }
      return { change: this.insert(change, now, key, fingerprint), replayed: false };
    });
    const outcome = run.immediate();
    if (!outcome.replayed) this.refreshExported(now);
    return outcome;
  }

  private insert(change: NewChange, now: number, key: string | null, fingerprint: string | null): Change {
    const row = this.insertStmt.get(
      change.at ?? now,
      change.title,
      change.kind,
      change.target,
      change.description,
      now,
      key,
      fingerprint,
    )!;
    return fromRow(row);
  }

  /** Changes matching the query, newest first. */
  list(query: ChangeQuery = {}): Change[] {
    return this.listStmt
      .all({
        target: query.target ?? null,
        since: query.since ?? null,
        until: query.until ?? null,
        limit: listLimit(query.limit),
      })
      .map(fromRow);
  }

  /**
   * The changes the metric exports, from memory: a scrape never waits for the database.
   * Filtered by age at call time, so a change drops out when it turns 30 days old.
   */
  exportedChanges(now = Date.now()): Change[] {
    const oldest = now - EXPORTED_CHANGES_WINDOW_MS;
    return this.exported.filter((c) => c.at >= oldest);
  }

  /**
   * Reload the exported changes if another process (the CLI) committed since the last look.
   * PRAGMA data_version is a counter in shared memory: the check costs microseconds.
   */
  refreshIfChanged(now = Date.now()): boolean {
    const version = this.dataVersionStmt.get() as number;
    if (version === this.lastDataVersion) return false;
    this.refreshExported(now);
    return true;
  }

  private refreshExported(now = Date.now()): void {
    this.lastDataVersion = this.dataVersionStmt.get() as number;
    this.exported = this.recentStmt.all(now - EXPORTED_CHANGES_WINDOW_MS, EXPORTED_CHANGES_MAX).map(fromRow);
  }
}
