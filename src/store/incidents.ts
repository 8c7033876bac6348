/**
 * The incident log: one row per alert occurrence that Alertmanager's webhook (POST
 * /api/alertmanager, format version 4) reports, keyed on (fingerprint, startsAt) as
 * docs/alertmanager.md "The incident copy" requires. Alertmanager repeats a group on every
 * change, on resolution and every hour, so recording is an upsert: a repeat refreshes the row,
 * never adds one. Read by GET /api/incidents, the report and vantage_incidents_open.
 *
 * An alert's times are not the outage's: VantageTargetDown starts when its `for` ran out, a
 * minute or more after the first failed probe, and ends at the next rule evaluation after
 * recovery. Each incident therefore also carries its outage (`outage`): for an alert about a
 * target's probes, the outage vantage's probes saw (store/outages.ts); for any other, the
 * alert's own times, marked as such.
 */
import type { Db } from './database.js';
import { listLimit } from './listLimit.js';
import type { OutageLog } from './outages.js';
import { parseIsoTimestamp } from '../time/timestamp.js';

export const INCIDENT_STATUSES = ['firing', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * Alerts that mean "every probe of the target fails", so the probes' own outage is theirs. Other
 * alerts (slow responses, burn rates over hours, certificates) are not one failure streak.
 */
export const PROBE_OUTAGE_ALERTNAMES: ReadonlySet<string> = new Set(['VantageTargetDown']);

/** Alerts that are heartbeats, not incidents: acknowledged and never recorded. */
export const IGNORED_ALERTNAMES: ReadonlySet<string> = new Set(['Watchdog']);

export interface Incident {
  id: number;
  fingerprint: string;
  alertname: string;
  target: string | null;
  severity: string;
  summary: string;
  description: string;
  /** Unix ms. */
  startsAt: number;
  /** Unix ms; null while firing. */
  endsAt: number | null;
  status: IncidentStatus;
  labels: Record<string, string>;
  firstReceivedAt: number;
  lastReceivedAt: number;
  /** The outage the incident stands for (see the module comment). */
  outage: IncidentOutage;
}

export interface IncidentOutage {
  /** Unix ms. */
  startsAt: number;
  /** Unix ms; null while the probes still fail (or, from the alert, while it fires). */
  endsAt: number | null;
  /** `probes`: first failed to first successful probe; `alert`: the alert's startsAt and endsAt. */
  source: 'probes' | 'alert';
}

export interface IncidentQuery {
  target?: string;
  alertname?: string;
  /** On startsAt, Unix ms, inclusive. */
  since?: number;
  /** On startsAt, Unix ms, exclusive. */
  until?: number;
  status?: IncidentStatus;
  limit?: number;
}

/**
 * One alert of an Alertmanager webhook (version 4) as input/incidentInput.ts validated it:
 * labels include a non-empty alertname, startsAt is an RFC 3339 time from 1970 on, and a resolved
 * alert's endsAt is one no earlier than startsAt.
 */
export interface WebhookAlert {
  status: IncidentStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}

/** An incident's start, as the recurring-issue rule (report/recurringIncidents.ts) reads it. */
export interface IncidentOccurrence {
  alertname: string;
  target: string | null;
  /** Unix ms. */
  startsAt: number;
}

/** A row as SQLite returns it: the columns that keep their name, then the snake_case ones. */
interface IncidentRow extends Pick<
  Incident,
  'id' | 'fingerprint' | 'alertname' | 'target' | 'severity' | 'summary' | 'description'
> {
  starts_at: number;
  ends_at: number | null;
  status: IncidentStatus;
  labels: string;
  first_received_at: number;
  last_received_at: number;
}

function fromRow(r: IncidentRow, outages: OutageLog): Incident {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    alertname: r.alertname,
    target: r.target,
    severity: r.severity,
    summary: r.summary,
    description: r.description,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status,
    labels: JSON.parse(r.labels) as Record<string, string>,
    firstReceivedAt: r.first_received_at,
    lastReceivedAt: r.last_received_at,
    outage: outageOf(r, outages),
  };
}

function outageOf(r: IncidentRow, outages: OutageLog): IncidentOutage {
  const seen =
    r.target !== null && PROBE_OUTAGE_ALERTNAMES.has(r.alertname)
      ? outages.forAlert(r.target, r.starts_at)
      : undefined;
  return seen
    ? { startsAt: seen.startedAt, endsAt: seen.endedAt, source: 'probes' }
    : { startsAt: r.starts_at, endsAt: r.ends_at, source: 'alert' };
}

export interface RecordOutcome {
  recorded: number;
  ignored: number;
}

export class IncidentLog {
  constructor(
    private readonly db: Db,
    private readonly outages: OutageLog,
  ) {}

  /**
   * Records a notification's alerts in one transaction. Firing: creates the incident or
   * refreshes its labels, annotations and last_received_at; an incident already resolved stays
   * resolved (a re-fire has a new startsAt, hence a new incident). Resolved: sets ends_at and
   * status, creating the incident resolved if its firing was never received.
   */
  record(alerts: readonly WebhookAlert[], now = Date.now()): RecordOutcome {
    const upsert = this.db.prepare(`
      INSERT INTO incidents (fingerprint, alertname, target, severity, summary, description,
                             starts_at, ends_at, status, labels, first_received_at, last_received_at)
      VALUES (@fingerprint, @alertname, @target, @severity, @summary, @description,
              @starts_at, @ends_at, @status, @labels, @now, @now)
      ON CONFLICT (fingerprint, starts_at) DO UPDATE SET
        alertname = excluded.alertname,
        target = excluded.target,
        severity = excluded.severity,
        summary = excluded.summary,
        description = excluded.description,
        labels = excluded.labels,
        last_received_at = excluded.last_received_at,
        status = CASE WHEN excluded.status = 'resolved' THEN 'resolved' ELSE incidents.status END,
        ends_at = CASE WHEN excluded.status = 'resolved' THEN excluded.ends_at ELSE incidents.ends_at END
    `);
    const run = this.db.transaction(() => {
      const outcome: RecordOutcome = { recorded: 0, ignored: 0 };
      for (const a of alerts) {
        const alertname = a.labels.alertname!;
        if (IGNORED_ALERTNAMES.has(alertname)) {
          outcome.ignored++;
          continue;
        }
        upsert.run({
          fingerprint: a.fingerprint,
          alertname,
          target: a.labels.target ?? null,
          severity: a.labels.severity ?? '',
          summary: a.annotations.summary ?? '',
          description: a.annotations.description ?? '',
          starts_at: parseIsoTimestamp(a.startsAt)!,
          ends_at: a.status === 'resolved' ? parseIsoTimestamp(a.endsAt)! : null,
          status: a.status,
          labels: JSON.stringify(a.labels),
          now,
        });
        outcome.recorded++;
      }
      return outcome;
    });
    // IMMEDIATE: takes the write lock first, so a second process cannot interleave.
    return run.immediate();
  }

  /** Newest start first. */
  list(query: IncidentQuery = {}): Incident[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: listLimit(query.limit) };
    const filters: [keyof IncidentQuery, string][] = [
      ['target', 'target = @target'],
      ['alertname', 'alertname = @alertname'],
      ['since', 'starts_at >= @since'],
      ['until', 'starts_at < @until'],
      ['status', 'status = @status'],
    ];
    for (const [key, condition] of filters) {
      if (query[key] === undefined) continue;
      where.push(condition);
      params[key] = query[key];
    }
    const sql =
      'SELECT * FROM incidents' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY starts_at DESC, id DESC LIMIT @limit';
    return (this.db.prepare(sql).all(params) as IncidentRow[]).map((r) => fromRow(r, this.outages));
  }

  /** Incidents still firing, by severity label. */
  openBySeverity(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT severity, COUNT(*) AS n FROM incidents WHERE status = 'firing' GROUP BY severity`)
      .all() as { severity: string; n: number }[];
    return new Map(rows.map((r) => [r.severity, r.n]));
  }

  /**
   * The starts of incidents in [from, to] (both inclusive), optionally one target's or one
   * alert's: what the recurring-issue rule counts.
   */
  occurrences(
    from: number,
    to: number,
    filter: { target?: string; alertname?: string } = {},
  ): IncidentOccurrence[] {
    const rows = this.db
      .prepare(
        `SELECT alertname, target, starts_at FROM incidents
         WHERE starts_at >= @from AND starts_at <= @to
           AND (@target IS NULL OR target = @target) AND (@alertname IS NULL OR alertname = @alertname)`,
      )
      .all({
        from,
        to,
        target: filter.target ?? null,
        alertname: filter.alertname ?? null,
      }) as { alertname: string; target: string | null; starts_at: number }[];
    return rows.map((r) => ({ alertname: r.alertname, target: r.target, startsAt: r.starts_at }));
  }
}

/**
 * The JSON shape of an incident in the API: times in ISO-8601 UTC. startsAt, endsAt and
 * durationSeconds are the alert's (they key the log and its filters); `outage` is the outage.
 */
export function incidentToJson(i: Incident) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const seconds = (from: number, to: number | null) => (to === null ? null : Math.max(0, (to - from) / 1000));
  return {
    id: i.id,
    fingerprint: i.fingerprint,
    alertname: i.alertname,
    target: i.target,
    severity: i.severity,
    summary: i.summary,
    description: i.description,
    status: i.status,
    startsAt: iso(i.startsAt),
    endsAt: i.endsAt === null ? null : iso(i.endsAt),
    durationSeconds: seconds(i.startsAt, i.endsAt),
    labels: i.labels,
    firstReceivedAt: iso(i.firstReceivedAt),
    lastReceivedAt: iso(i.lastReceivedAt),
    outage: {
      startsAt: iso(i.outage.startsAt),
      endsAt: i.outage.endsAt === null ? null : iso(i.outage.endsAt),
      durationSeconds: seconds(i.outage.startsAt, i.outage.endsAt),
      source: i.outage.source,
    },
  };
}
