/**
 * The schema, as numbered steps: MIGRATIONS[0] takes a database from version 0 to 1, and so
 * on. A released step is never edited; a new table or column is a new step appended here
 * The version lives in PRAGMA user_version.
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
  // 2: the incident log, fed by Alertmanager's webhook (POST /api/alertmanager). One row per
  // alert occurrence, keyed like Alertmanager keys it: the fingerprint (a hash of the labels)
  // and startsAt, so repeated notifications update the row instead of adding one. Times are
  // Unix milliseconds; ends_at is NULL while firing; labels is the alert's label set as JSON.
  `
  CREATE TABLE incidents (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint       TEXT    NOT NULL,
    alertname         TEXT    NOT NULL,
    target            TEXT,
    severity          TEXT    NOT NULL,
    summary           TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER,
    status            TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
    labels            TEXT    NOT NULL,
    first_received_at INTEGER NOT NULL,
    last_received_at  INTEGER NOT NULL,
    UNIQUE (fingerprint, starts_at)
  );
  CREATE INDEX incidents_starts_at ON incidents (starts_at);
  CREATE INDEX incidents_target_starts_at ON incidents (target, starts_at);
  CREATE INDEX incidents_status ON incidents (status);
  `,
  // 3: the report archive. One row per report, keyed on what the report is about (period
  // kind, label such as 2025-01-14 / 2025-W03 / 2025-01, and the zone its days are cut in),
  // so generating a report again replaces it. period_start/period_end ([start, end)) and
  // generated_at are Unix milliseconds. A format the config does not keep is NULL.
  `
  CREATE TABLE reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('day', 'week', 'month')),
    label        TEXT    NOT NULL,
    time_zone    TEXT    NOT NULL,
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    generated_at INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    headline     TEXT    NOT NULL,
    has_data     INTEGER NOT NULL CHECK (has_data IN (0, 1)),
    md           TEXT,
    html         TEXT,
    json         TEXT,
    UNIQUE (kind, label, time_zone)
  );
  CREATE INDEX reports_kind_start ON reports (kind, period_start);
  `,
  // 4: idempotency keys of recorded changes (POST /api/changes with Idempotency-Key, `change
  // add --idempotency-key`). request_hash fingerprints the request, so a retry with the same
  // key is told apart from a different change reusing it. Both NULL for changes recorded
  // without a key (all the rows before this step); the UNIQUE index treats NULLs as distinct,
  // and makes two concurrent retries with one key record one change.
  `
  ALTER TABLE changes ADD COLUMN idempotency_key TEXT;
  ALTER TABLE changes ADD COLUMN request_hash TEXT;
  CREATE UNIQUE INDEX changes_idempotency_key ON changes (idempotency_key);
  `,
  // 5: outages as vantage's own probes saw them, per target: from the probe that found every
  // HTTP check of the target failing to the first successful probe after it (Unix ms; ended_at
  // NULL while still failing). Kept in the store, not in memory, so an outage that starts before
  // a restart still ends at the right probe after it. The incident log reads it to give a
  // VantageTargetDown incident the outage's times beside the alert's (incidents.ts).
  `
  CREATE TABLE outages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    target     TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
  );
  CREATE INDEX outages_target_started_at ON outages (target, started_at);
  CREATE UNIQUE INDEX outages_one_open_per_target ON outages (target) WHERE ended_at IS NULL;
  `,
  // 6: the change kind `load_test` (a load test run by `vantage load`, or one the user ran with
  // another tool). SQLite cannot alter a CHECK constraint, so the table is rebuilt as SQLite's
  // ALTER TABLE page prescribes: new table, copy, drop, rename, indexes again. Ids are kept.
  `
  CREATE TABLE changes_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    title           TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind            TEXT    NOT NULL
                    CHECK (kind IN ('deploy', 'config', 'infrastructure', 'optimisation', 'load_test', 'other')),
    target          TEXT,
    description     TEXT,
    created_at      INTEGER NOT NULL,
    idempotency_key TEXT,
    request_hash    TEXT
  );
  INSERT INTO changes_new (id, at, title, kind, target, description, created_at, idempotency_key, request_hash)
    SELECT id, at, title, kind, target, description, created_at, idempotency_key, request_hash FROM changes;
  DROP TABLE changes;
  ALTER TABLE changes_new RENAME TO changes;
  CREATE INDEX changes_at ON changes (at);
  CREATE INDEX changes_target_at ON changes (target, at);
  CREATE UNIQUE INDEX changes_idempotency_key ON changes (idempotency_key);
  `,
  // 7: load tests run by `vantage load`, one row per run, written once when the run ends. Times
  // are Unix milliseconds; steps and params are JSON (the run's own figures, read back whole,
  // never queried inside); the knee is in columns because the report and /metrics read it.
  // change_id is the change log entry that annotates the run on dashboards.
  `
  CREATE TABLE load_tests (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    target              TEXT    NOT NULL,
    url                 TEXT    NOT NULL,
    started_at          INTEGER NOT NULL,
    finished_at         INTEGER NOT NULL,
    outcome             TEXT    NOT NULL CHECK (outcome IN
                          ('completed', 'stopped_errors', 'stopped_latency', 'stopped_max_duration', 'interrupted')),
    stop_reason         TEXT,
    slo_latency_seconds REAL    NOT NULL,
    knee_rate           REAL,
    knee_p95_seconds    REAL,
    steps               TEXT    NOT NULL,
    params              TEXT    NOT NULL,
    change_id           INTEGER,
    CHECK (finished_at >= started_at),
    CHECK ((knee_rate IS NULL) = (knee_p95_seconds IS NULL))
  );
  CREATE INDEX load_tests_target_finished_at ON load_tests (target, finished_at);
  CREATE INDEX load_tests_finished_at ON load_tests (finished_at);
  `,
];
