/**
 * Outages as vantage's own probes saw them, per target (migration 5, table `outages`): from the
 * probe that found every HTTP check of the target failing to the first successful probe after
 * it. The service writes the two transitions (service/outageTracker.ts); the incident log reads
 * them to put the outage's times beside a VantageTargetDown alert's, whose startsAt is when the
 * rule's `for` ran out and whose endsAt is when Prometheus next evaluated it healthy.
 */
import type { Db } from './database.js';

export interface Outage {
  target: string;
  /** Unix ms: when the probe that found the target down started. */
  startedAt: number;
  /** Unix ms: when the first successful probe after it started; null while still failing. */
  endedAt: number | null;
}

/**
 * How long before an alert's startsAt an outage may have ended and still be the alert's: the
 * alert sees the probes through a scrape and a rule evaluation (up to a minute each with
 * Prometheus' defaults), so a recovery can reach vantage before the alert starts firing.
 */
export const ALERT_LAG_MS = 5 * 60_000;

interface OutageRow {
  target: string;
  started_at: number;
  ended_at: number | null;
}

const fromRow = (r: OutageRow): Outage => ({
  target: r.target,
  startedAt: r.started_at,
  endedAt: r.ended_at,
});

export class OutageLog {
  /** Prepared once: the incident log asks it for every VantageTargetDown row it lists. */
  private readonly forAlertStmt;

  constructor(private readonly db: Db) {
    this.forAlertStmt = db.prepare<{ target: string; startsAt: number }, OutageRow>(
      `SELECT target, started_at, ended_at FROM outages
       WHERE target = @target AND started_at <= @startsAt
       ORDER BY started_at DESC LIMIT 1`,
    );
  }

  /** The targets with an outage still open (vantage may have restarted during it). */
  openTargets(): Set<string> {
    const rows = this.db.prepare('SELECT target FROM outages WHERE ended_at IS NULL').pluck().all();
    return new Set(rows as string[]);
  }

  /** Opens an outage for `target` unless one is open already (the unique index keeps it one). */
  start(target: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO outages (target, started_at) VALUES (?, ?)
         ON CONFLICT (target) WHERE ended_at IS NULL DO NOTHING`,
      )
      .run(target, at);
  }

  /** Ends the target's open outage, if any, at `at` (never before it started). */
  end(target: string, at: number): void {
    this.db
      .prepare('UPDATE outages SET ended_at = MAX(started_at, ?) WHERE target = ? AND ended_at IS NULL')
      .run(at, target);
  }

  /**
   * The outage an alert about `target` that started at `alertStartsAt` is about: the last one
   * that started by then and had not ended more than ALERT_LAG_MS before it.
   */
  forAlert(target: string, alertStartsAt: number): Outage | undefined {
    const row = this.forAlertStmt.get({ target, startsAt: alertStartsAt });
    if (!row || (row.ended_at !== null && row.ended_at < alertStartsAt - ALERT_LAG_MS)) return undefined;
    return fromRow(row);
  }
}
