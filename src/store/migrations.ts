/**
 * The schema, as numbered steps: MIGRATIONS[0] takes a database from version 0 to 1, and so
 * on. A released step is never edited; a new table or column is a new step appended here
 * (the incident log will be step 2). The version lives in PRAGMA user_version.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the change log. `at` and `created_at` are Unix milliseconds; `target` NULL means the
  // change applies to every target.
  `
  CREATE TABLE changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind        TEXT    NOT NULL
                CHECK (kind IN ('deploy', 'config', 'infrastructure', 'optimisation', 'other')),
    target      TEXT,
    description TEXT,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX changes_at ON changes (at);
  CREATE INDEX changes_target_at ON changes (target, at);
  `,
];
