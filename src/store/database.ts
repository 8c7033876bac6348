/**
 * The embedded SQLite database under --storage.path (DESIGN.md "Layout": src/store/). One
 * connection per process: better-sqlite3 is synchronous, so every statement and transaction
 * runs to completion before the event loop serves the next request, and concurrent HTTP
 * requests never interleave inside a transaction. Other processes (the `vantage change` CLI
 * next to a running `vantage serve`) open their own connection; WAL mode lets them read while
 * one writes, and busy_timeout makes a second writer wait for the first instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** The database file inside --storage.path. */
export const DATABASE_FILE = 'vantage.db';

/** How long a writer waits for another process's write transaction before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/** The database was written by a newer vantage: its schema has migrations this code lacks. */
export class StoreVersionError extends Error {}

export function databasePath(storagePath: string): string {
  return join(storagePath, DATABASE_FILE);
}

/**
 * Open (creating it if need be) the database under `storagePath` and bring its schema up to
 * date. Throws StoreVersionError, without changing anything, for a database newer than the code.
 */
export function openDatabase(storagePath: string): Db {
  mkdirSync(storagePath, { recursive: true });
  const file = databasePath(storagePath);
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    // Durability: in WAL mode, synchronous=NORMAL loses nothing when the *process* crashes
    // (every commit is in the WAL file, i.e. in the OS's hands, before COMMIT returns), but on
    // a power cut or kernel crash the last transactions before the WAL's next fsync can be
    // lost. FULL fsyncs the WAL at every commit, so a change the CLI or API reported as
    // recorded survives even that. Writes here happen at human rate (a deploy, an alert), so
    // the cost of one fsync per commit is invisible, and FULL is the right trade.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The schema version of an open database (PRAGMA user_version: 0 for a new file). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Apply the migrations the database lacks, each in its own IMMEDIATE transaction together with
 * the user_version bump, so a crash leaves the schema at a whole step. Two processes opening a
 * fresh database at once are serialised by the write lock, and the version is re-read inside
 * the transaction, so no step runs twice.
 */
function migrate(db: Db, file: string): void {
  const known = MIGRATIONS.length;
  const refuseNewer = (version: number) => {
    if (version > known) {
      throw new StoreVersionError(
        `${file}: the database has schema version ${version}, but this vantage knows versions up to ` +
          `${known}: a newer vantage wrote it. Run that version (or newer), or point --storage.path elsewhere.`,
      );
    }
  };
  refuseNewer(schemaVersion(db));
  for (let target = 1; target <= known; target++) {
    const step = db.transaction(() => {
      const version = schemaVersion(db);
      refuseNewer(version);
      if (version >= target) return;
      db.exec(MIGRATIONS[target - 1]!);
      db.pragma(`user_version = ${target}`);
    });
    step.immediate();
  }
}
