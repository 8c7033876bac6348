/**
 * The load tests `vantage load` ran, one row per run, written once when the run ends, with the
 * change log entry that annotates it on dashboards in the same transaction: a run is never
 * stored without its change, nor the change without its run. Read by the report (headroom), by
 * /metrics (vantage_load_test_*, from an in-memory copy of each target's last run, so a scrape
 * never queries) and by `vantage load`'s own listing. Times are Unix milliseconds, latencies
 * seconds, rates requests per second.
 */
import type { ChangeLog, NewChange } from './changes.js';
import type { Db } from './database.js';
import { listLimit } from './listLimit.js';

// The shape of a run lives here, not in load/: the store imports no other area, and both
// `vantage load` (which writes runs) and the report (which reads them) import the store.

/** Why the run ended. Only `completed` walked every step; the others say which cap stopped it. */
export const LOAD_TEST_OUTCOMES = [
  'completed',
  /** a step's error ratio passed the abort threshold (5 %) */
  'stopped_errors',
  /** a step's p95 passed the abort multiple (3x) of the target's latency objective */
  'stopped_latency',
  /** --max-duration (or the target's load_test.max_duration) ran out */
  'stopped_max_duration',
  /** Ctrl-C (SIGINT) or SIGTERM */
  'interrupted',
] as const;
export type LoadTestOutcome = (typeof LOAD_TEST_OUTCOMES)[number];

/** The figures of one step, at one requested rate. */
export interface LoadTestStep {
  /** the rate asked for, requests/s */
  requestedRate: number;
  /** responses (of any kind) and errors per second actually reached over the step */
  achievedRate: number;
  requests: number;
  /** non-2xx/3xx responses, timeouts and connection errors */
  errors: number;
  /** errors / requests; 0 when no request was sent */
  errorRatio: number;
  p50Seconds: number;
  p95Seconds: number;
  p99Seconds: number;
  startedAt: number;
  durationSeconds: number;
}

export interface LoadTestRecord {
  id: number;
  target: string;
  url: string;
  startedAt: number;
  finishedAt: number;
  outcome: LoadTestOutcome;
  /** a sentence for people: "step 7 (700 requests/s): 12 % errors, above the 5 % abort threshold" */
  stopReason: string | null;
  /** the target's slo.latency when the run started, seconds: the knee's and the abort's yardstick */
  sloLatencySeconds: number;
  /** the highest requested rate whose step kept p95 under the objective and errors under 1 %; null when even the first step missed */
  knee: { rate: number; p95Seconds: number } | null;
  steps: LoadTestStep[];
  /** what was asked for, after the config's caps */
  params: {
    rateStart: number;
    rateEnd: number;
    steps: number;
    stepDurationMs: number;
    concurrency: number;
    maxDurationMs: number;
  };
  /** the change log entry (kind `load_test`) that records this run on dashboards and in reports */
  changeId: number | null;
}

export type NewLoadTest = Omit<LoadTestRecord, 'id' | 'changeId'>;

export interface LoadTestQuery {
  target?: string;
  /** finished at or after, Unix ms */
  since?: number;
  /** finished before, Unix ms */
  until?: number;
  limit?: number;
}

interface LoadTestRow {
  id: number;
  target: string;
  url: string;
  started_at: number;
  finished_at: number;
  outcome: string;
  stop_reason: string | null;
  slo_latency_seconds: number;
  knee_rate: number | null;
  knee_p95_seconds: number | null;
  steps: string;
  params: string;
  change_id: number | null;
}

function fromRow(r: LoadTestRow): LoadTestRecord {
  return {
    id: r.id,
    target: r.target,
    url: r.url,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: (LOAD_TEST_OUTCOMES as readonly string[]).includes(r.outcome)
      ? (r.outcome as LoadTestOutcome)
      : 'completed',
    stopReason: r.stop_reason,
    sloLatencySeconds: r.slo_latency_seconds,
    knee:
      r.knee_rate === null || r.knee_p95_seconds === null
        ? null
        : { rate: r.knee_rate, p95Seconds: r.knee_p95_seconds },
    steps: JSON.parse(r.steps) as LoadTestRecord['steps'],
    params: JSON.parse(r.params) as LoadTestRecord['params'],
    changeId: r.change_id,
  };
}

const COLUMNS = `id, target, url, started_at, finished_at, outcome, stop_reason, slo_latency_seconds,
  knee_rate, knee_p95_seconds, steps, params, change_id`;

export class LoadTestLog {
  private readonly insertStmt;
  private readonly listStmt;
  private readonly getStmt;
  private readonly latestStmt;
  private latest: LoadTestRecord[] = [];

  constructor(
    private readonly db: Db,
    private readonly changes: ChangeLog,
  ) {
    this.insertStmt = db.prepare<Record<string, unknown>, LoadTestRow>(
      `INSERT INTO load_tests (target, url, started_at, finished_at, outcome, stop_reason,
         slo_latency_seconds, knee_rate, knee_p95_seconds, steps, params, change_id)
       VALUES (@target, @url, @startedAt, @finishedAt, @outcome, @stopReason, @sloLatencySeconds,
         @kneeRate, @kneeP95Seconds, @steps, @params, @changeId)
       RETURNING ${COLUMNS}`,
    );
    this.listStmt = db.prepare<
      { target: string | null; since: number | null; until: number | null; limit: number },
      LoadTestRow
    >(
      `SELECT ${COLUMNS} FROM load_tests
       WHERE (@target IS NULL OR target = @target)
         AND (@since IS NULL OR finished_at >= @since)
         AND (@until IS NULL OR finished_at < @until)
       ORDER BY finished_at DESC, id DESC LIMIT @limit`,
    );
    this.getStmt = db.prepare<[number], LoadTestRow>(`SELECT ${COLUMNS} FROM load_tests WHERE id = ?`);
    // The newest run of each target: the highest id among its latest finish.
    this.latestStmt = db.prepare<[], LoadTestRow>(
      `SELECT ${COLUMNS} FROM load_tests l
       WHERE id = (SELECT id FROM load_tests m WHERE m.target = l.target
                   ORDER BY finished_at DESC, id DESC LIMIT 1)
       ORDER BY target`,
    );
    this.refresh();
  }

  /**
   * Store a finished run and, when `change` is given, its change log entry, in one transaction;
   * the stored run carries the change's id.
   */
  add(run: NewLoadTest, change: NewChange | null, now = Date.now()): LoadTestRecord {
    const write = this.db.transaction((): LoadTestRecord => {
      const changeId = change ? this.changes.add(change, now).id : null;
      const row = this.insertStmt.get({
        target: run.target,
        url: run.url,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        outcome: run.outcome,
        stopReason: run.stopReason,
        sloLatencySeconds: run.sloLatencySeconds,
        kneeRate: run.knee?.rate ?? null,
        kneeP95Seconds: run.knee?.p95Seconds ?? null,
        steps: JSON.stringify(run.steps),
        params: JSON.stringify(run.params),
        changeId,
      })!;
      return fromRow(row);
    });
    const stored = write.immediate();
    this.refresh();
    return stored;
  }

  /** Runs matching the query, newest first. */
  list(query: LoadTestQuery = {}): LoadTestRecord[] {
    return this.listStmt
      .all({
        target: query.target ?? null,
        since: query.since ?? null,
        until: query.until ?? null,
        limit: listLimit(query.limit),
      })
      .map(fromRow);
  }

  get(id: number): LoadTestRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** Each target's last run, by target name, from memory (what /metrics exports). */
  latestPerTarget(): readonly LoadTestRecord[] {
    return this.latest;
  }

  /** Re-read each target's last run; the store's watch calls it when another process wrote. */
  refresh(): void {
    this.latest = this.latestStmt.all().map(fromRow);
  }
}
