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
import { z } from 'zod';
import { findRecurringIncidents, type RecurringIssue } from '../report/stats/patterns.js';
import type { Db } from './database.js';
import type { OutageLog } from './outages.js';
import { beforeEpochProblem, parseIsoTimestamp } from './time.js';

export const INCIDENT_STATUSES = ['firing', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * Alerts that mean "every probe of the target fails", so the probes' own outage is theirs. Other
 * alerts (slow responses, burn rates over hours, certificates) are not one failure streak.
 */
export const PROBE_OUTAGE_ALERTNAMES: ReadonlySet<string> = new Set(['VantageTargetDown']);

/** Alerts that are heartbeats, not incidents: acknowledged and never recorded. */
export const IGNORED_ALERTNAMES: ReadonlySet<string> = new Set(['Watchdog']);

export const DEFAULT_INCIDENT_LIMIT = 100;
export const MAX_INCIDENT_LIMIT = 1000;
export const RECURRING_WINDOW_MS = 14 * 24 * 3600 * 1000;
export const RECURRING_MIN_COUNT = 3;

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

/** Bad input, naming the field (`alerts.0.startsAt`, `limit`, ...). */
export class IncidentInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const timestamp = z.string().refine((s) => parseIsoTimestamp(s) !== undefined, {
  message: 'must be an RFC 3339 timestamp such as 2025-03-14T09:30:00Z',
});

const webhookAlert = z.object({
  status: z.enum(INCIDENT_STATUSES),
  labels: z
    .record(z.string(), z.string())
    .refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, {
      message: 'must include a non-empty alertname',
    }),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: timestamp,
  endsAt: z.string().default(''),
  fingerprint: z.string().min(1).max(200),
});

/** Alertmanager's webhook payload, version 4 (other fields are accepted and ignored). */
const webhookPayload = z.object({
  version: z.literal('4'),
  status: z.enum(INCIDENT_STATUSES),
  alerts: z.array(webhookAlert).max(10_000),
});

export type WebhookAlert = z.infer<typeof webhookAlert>;

/**
 * Validates a webhook body; throws IncidentInputError naming the first bad field.
 *
 * One bad alert refuses the whole notification (400, nothing recorded), as a malformed field
 * always has. That is safe with Alertmanager: it retries 5xx only, never 4xx (notify/util.go,
 * Retrier.Check), so a 400 cannot start a retry storm; and Alertmanager itself refuses an
 * alert whose endsAt is before its startsAt (model.Alert.Validate), so a real notification
 * never carries one and no genuine alert is lost with it. A sender that does is broken or
 * forged, and recording half its batch would leave the log claiming what nobody sent.
 */
export function parseWebhookPayload(body: unknown): WebhookAlert[] {
  const result = webhookPayload.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new IncidentInputError(field, issue.message);
  }
  result.data.alerts.forEach(checkAlertTimes);
  return result.data.alerts;
}

/**
 * startsAt, and a resolved alert's endsAt, as times the log can keep, in order. A firing alert's
 * endsAt is not read: Alertmanager sends its zero time (0001-01-01T00:00:00Z) or an estimate.
 */
function checkAlertTimes(alert: WebhookAlert, i: number): void {
  const which = `alert ${i} (${alert.labels.alertname}, fingerprint ${alert.fingerprint})`;
  const startsAt = parseIsoTimestamp(alert.startsAt)!;
  const early = beforeEpochProblem(startsAt);
  if (early !== undefined) throw new IncidentInputError(`alerts.${i}.startsAt`, `${which}: ${early}`);
  if (alert.status !== 'resolved') return;
  const endsAt = parseIsoTimestamp(alert.endsAt);
  if (endsAt === undefined) {
    throw new IncidentInputError(
      `alerts.${i}.endsAt`,
      'a resolved alert needs an RFC 3339 endsAt such as 2025-03-14T09:30:00Z',
    );
  }
  if (endsAt < startsAt) {
    throw new IncidentInputError(
      `alerts.${i}.endsAt`,
      `${which}: endsAt ${alert.endsAt} is before startsAt ${alert.startsAt}`,
    );
  }
}

interface IncidentRow {
  id: number;
  fingerprint: string;
  alertname: string;
  target: string | null;
  severity: string;
  summary: string;
  description: string;
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
    const params: Record<string, unknown> = { limit: query.limit ?? DEFAULT_INCIDENT_LIMIT };
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
   * The recurring-issue rule over the incidents that started in the 14 days before `now`
   * (optionally one target's or one alert's): the same alert on the same target 3+ times.
   */
  recurring(now = Date.now(), filter: { target?: string; alertname?: string } = {}): RecurringIncident[] {
    const rows = this.db
      .prepare(
        `SELECT alertname, target, starts_at FROM incidents
         WHERE starts_at >= @from AND starts_at <= @now
           AND (@target IS NULL OR target = @target) AND (@alertname IS NULL OR alertname = @alertname)`,
      )
      .all({
        from: now - RECURRING_WINDOW_MS,
        now,
        target: filter.target ?? null,
        alertname: filter.alertname ?? null,
      }) as { alertname: string; target: string | null; starts_at: number }[];
    const issues = findRecurringIncidents(
      rows.map((r) => ({ alertname: r.alertname, target: r.target, startsAt: r.starts_at })),
      { windowMs: RECURRING_WINDOW_MS, minCount: RECURRING_MIN_COUNT },
    );
    return issues.map((issue) => ({ ...issue, sentence: recurringSentence(issue) }));
  }
}

export interface RecurringIncident extends RecurringIssue {
  sentence: string;
}

/** "VantageTargetDown fired 3 times on homepage in the last 14 days (first 2025-03-01 02:00 UTC, last 2025-03-05 02:01 UTC)." */
export function recurringSentence(issue: RecurringIssue): string {
  const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const where = issue.target === null ? 'without a target' : `on ${issue.target}`;
  return (
    `${issue.alertname} fired ${issue.count} times ${where} in the last 14 days ` +
    `(first ${when(issue.firstAt)}, last ${when(issue.lastAt)}).`
  );
}

const QUERY_FIELDS = ['target', 'alertname', 'since', 'until', 'status', 'limit'] as const;

/** GET /api/incidents' query string; throws IncidentInputError naming the bad parameter. */
export function parseIncidentQuery(raw: Record<string, string>): IncidentQuery {
  const query: IncidentQuery = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(QUERY_FIELDS as readonly string[]).includes(key)) {
      throw new IncidentInputError(key, `unknown parameter (expected ${QUERY_FIELDS.join(', ')})`);
    }
    if (value === '') continue;
    switch (key) {
      case 'target':
      case 'alertname':
        query[key] = value;
        break;
      case 'since':
      case 'until': {
        const ms = parseIsoTimestamp(value);
        if (ms === undefined) {
          throw new IncidentInputError(
            key,
            `must be an ISO-8601 time with an offset such as 2025-03-14T09:30:00Z, got "${value}"`,
          );
        }
        query[key] = ms;
        break;
      }
      case 'status':
        if (!(INCIDENT_STATUSES as readonly string[]).includes(value)) {
          throw new IncidentInputError('status', `must be firing or resolved, got "${value}"`);
        }
        query.status = value as IncidentStatus;
        break;
      case 'limit': {
        const n = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= MAX_INCIDENT_LIMIT)) {
          throw new IncidentInputError(
            'limit',
            `must be a whole number from 1 to ${MAX_INCIDENT_LIMIT}, got "${value}"`,
          );
        }
        query.limit = n;
        break;
      }
    }
  }
  return query;
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

export function recurringToJson(r: RecurringIncident) {
  return {
    alertname: r.alertname,
    target: r.target,
    count: r.count,
    total: r.total,
    firstAt: new Date(r.firstAt).toISOString(),
    lastAt: new Date(r.lastAt).toISOString(),
    sentence: r.sentence,
  };
}
