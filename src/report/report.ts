/**
 * Build the performance report for one period: Monitoring (figures against objectives and
 * history), Evaluation (each change's before/after test, incidents) and Learning (recurring
 * issues, trends, recommendations, open problems). Reads Prometheus (raw series only, so any
 * Prometheus that scraped vantage works, backfilled history included) and the store (change
 * log, incident log). The result is data (model.ts); render/ turns it into text.
 */
import { redactUrl } from '../config/redact.js';
import {
  formatCount,
  formatDuration,
  formatPercentChange,
  formatRatio,
  formatSeconds,
  plural,
} from '../format/index.js';
import { capacityMonitoring, type CapacityTarget } from './capacity.js';
import { evaluateChange, DEFAULT_EVALUATION_WINDOW_MS } from './evaluation.js';
import { evaluateChangeInField, type FieldChangeEvaluation } from './fieldEvaluation.js';
import { fieldMonitoring } from './fieldMonitoring.js';
import { journeyFigures, type JourneyFigures } from './journeys.js';
import { failurePatterns, PATTERN_HISTORY_MS, recommendations, trendWarnings } from './learning.js';
import {
  REPORT_SCHEMA_VERSION,
  type ChangeEvaluation,
  type OpenProblem,
  type Report,
  type ReportChange,
  type ReportIncident,
  type ReportSummary,
  type TargetTrend,
} from './model.js';
import {
  compareMonitoring,
  monitoringFigures,
  type ComparedMonitoring,
  type MonitoringComparison,
} from './monitoring.js';
import { CHART_HISTORY_MS, CHART_STEP_MS, chartHours, hourlyPoints } from './chartHours.js';
import { createPrometheusClient, type PrometheusClient } from './prometheusClient.js';
import { recurringIncidents } from './recurringIncidents.js';
import { describeJourney } from './wording.js';
import { reportPeriods, type PeriodKind } from '../time/period.js';
import type { Store } from '../store/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Certificates expiring within this are an open problem (VantageCertificateExpiring warns at 14 days too). */
const CERTIFICATE_WARNING_MS = 14 * DAY;
/** Upper bound on changes and incidents read per report: far above any real day's, weeks' or month's. */
const STORE_READ_LIMIT = 1000;

export interface BuildReportOptions {
  /** Prometheus base URL, e.g. http://127.0.0.1:9090. */
  prometheusUrl: string;
  /** The period's date, YYYY-MM-DD, in `timeZone` (any day of the week or month). */
  date: string;
  period: PeriodKind;
  /** IANA zone, e.g. Europe/Berlin. */
  timeZone: string;
  /** Change log and incident log; without it the report has no changes or incidents. */
  store?: Store | null;
  /** The report's time (default now): evaluation windows and a running period stop here. */
  now?: number;
  /** Length of each before/after window of a change (default 24 h). */
  evaluationWindowMs?: number;
  /** Per Prometheus request, ms (default 30 000). */
  timeoutMs?: number;
  /**
   * The targets of vantage.yml, for the Capacity part: their `hosts` and `traffic_query`.
   * Without them the hosts come from vantage_target_host_info alone and no traffic_query is known.
   */
  targets?: readonly CapacityTarget[];
}

/** A load test is not a change to the site: it is listed in Capacity, never evaluated. */
const isLoadTest = (c: ReportChange): boolean => c.kind === 'load_test';

const PERIOD_NOUN: Record<PeriodKind, string> = { day: 'day', week: 'week', month: 'month' };
const PERIOD_ADJECTIVE: Record<PeriodKind, string> = { day: 'daily', week: 'weekly', month: 'monthly' };

export async function buildReport(options: BuildReportOptions): Promise<Report> {
  const now = options.now ?? Date.now();
  const timeZone = options.timeZone;
  const periods = reportPeriods(options.date, options.period, timeZone);
  const { current } = periods;
  if (current.start >= now) {
    throw new RangeError(`the ${options.period} ${current.label} (${timeZone}) has not started yet`);
  }
  // A period still running is reported up to now.
  const end = Math.min(current.end, now);
  const client = createPrometheusClient(options.prometheusUrl, { timeoutMs: options.timeoutMs });
  // One cheap query first, so an unreachable Prometheus fails with its own clear error.
  await client.query('vector(1)', end);

  const [cur, prev, week, field] = await Promise.all([
    monitoringFigures(client, { start: current.start, end }),
    monitoringFigures(client, periods.previous),
    monitoringFigures(client, periods.weekEarlier),
    fieldMonitoring(client, {
      current: { start: current.start, end },
      previous: periods.previous,
      weekEarlier: periods.weekEarlier,
    }),
  ]);
  const monitoring = compareMonitoring(cur, prev, week);
  const targets = cur.targets.filter((t) => t.hasData).map((t) => t.target!);
  const store = options.store ?? null;

  const changes = store
    ? store.changes
        .list({ since: current.start, until: end, limit: STORE_READ_LIMIT })
        .map((c): ReportChange => ({
          id: c.id,
          at: c.at,
          title: c.title,
          kind: c.kind,
          target: c.target,
          description: c.description,
        }))
        .sort((a, b) => a.at - b.at || a.id - b.id)
    : [];
  const windowMs = options.evaluationWindowMs ?? DEFAULT_EVALUATION_WINDOW_MS;
  const siteChanges = changes.filter((c) => !isLoadTest(c));
  const evaluations: ChangeEvaluation[] = [];
  for (const change of siteChanges) {
    for (const target of change.target !== null ? [change.target] : targets) {
      evaluations.push(await evaluateChange(client, change, target, { windowMs, now }));
    }
  }
  const fieldEvaluations: FieldChangeEvaluation[] = [];
  for (const change of siteChanges)
    fieldEvaluations.push(...(await evaluateChangeInField(client, change, { windowMs, now })));
  const incidents = store ? incidentsOf(store, current.start, end) : [];

  const [trends, patterns, warnings, recs, certificates, journeys, capacity] = await Promise.all([
    chartTrends(client, end),
    failurePatterns(client, end, { timeZone, historyMs: Math.max(PATTERN_HISTORY_MS, end - current.start) }),
    trendWarnings(client, end, { timeZone }),
    recommendations(client, { start: current.start, end }),
    client.query(
      `min by (target) (last_over_time(probe_ssl_earliest_cert_expiry[${end - current.start - 1}ms]))`,
      end,
    ),
    journeyFigures(client, { start: current.start, end }, { exact: cur.exact }),
    capacityMonitoring(client, {
      period: { start: current.start, end },
      kind: options.period,
      timeZone,
      targets: options.targets ?? [],
      store,
      changes,
    }),
  ]);
  const recurring = store
    ? recurringIncidents(store.incidents, end).map((r) => ({
        alertname: r.alertname,
        target: r.target,
        count: r.count,
        firstAt: r.firstAt,
        lastAt: r.lastAt,
        sentence: r.sentence,
      }))
    : [];

  const openProblems: OpenProblem[] = [];
  for (const i of incidents.filter((x) => x.openAtEnd)) {
    openProblems.push({
      target: i.target,
      kind: 'incident-open',
      sentence: `${i.alertname}${i.target ? ` on ${i.target}` : ''} is still firing (for ${formatDuration(i.durationSeconds)}): ${i.summary}`,
    });
  }
  for (const t of monitoring.targets.filter((x) => x.meetsObjective === false)) {
    openProblems.push({ target: t.target, kind: 'objective-missed', sentence: objectiveMissed(t) });
  }
  for (const e of evaluations.filter((x) => x.verdict === 'regressed' || x.verdict === 'mixed')) {
    const worse = e.metrics.filter((m) => m.comparison.verdict === 'regressed').map((m) => m.sentence);
    openProblems.push({
      target: e.target,
      kind: 'regression',
      sentence: `After "${e.change.title}" on ${e.target}: ${worse.join(' ')}`,
    });
  }
  for (const e of fieldEvaluations.filter((x) => x.verdict === 'regressed' || x.verdict === 'mixed')) {
    const worse = e.vitals.filter((v) => v.verdict === 'regressed').map((v) => v.sentence);
    openProblems.push({
      target: e.change.target,
      kind: 'regression',
      sentence: `After "${e.change.title}", real users of ${e.site}: ${worse.join(' ')}`,
    });
  }
  for (const r of recurring) openProblems.push({ target: r.target, kind: 'recurring', sentence: r.sentence });
  for (const p of patterns)
    openProblems.push({ target: p.target, kind: 'recurring', sentence: `${p.sentence}.` });
  for (const w of warnings) openProblems.push({ target: w.target, kind: 'trend', sentence: w.sentence });
  for (const c of certificates) {
    const target = c.metric.target;
    if (target === undefined || c.value * 1000 - end >= CERTIFICATE_WARNING_MS) continue;
    const left = c.value * 1000 - end;
    openProblems.push({
      target,
      kind: 'certificate',
      sentence:
        left <= 0
          ? `${target}: the TLS certificate has expired.`
          : `${target}: the TLS certificate expires in ${formatDuration(left / 1000)} (${new Date(c.value * 1000).toISOString().slice(0, 10)}).`,
    });
  }

  for (const f of capacity.filesystems)
    openProblems.push({ target: null, kind: 'capacity', sentence: f.sentence });
  for (const h of capacity.headroom.filter((x) => x.status === 'low' || x.status === 'exceeded'))
    openProblems.push({ target: h.target, kind: 'capacity', sentence: h.sentence });

  const hasData = cur.overall.hasData;
  const partial = end < current.end;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: `vantage ${PERIOD_ADJECTIVE[options.period]} report ${current.label} (${timeZone})`,
    period: { kind: options.period, timeZone, start: current.start, end: current.end, label: current.label },
    previous: periods.previous,
    weekEarlier: periods.weekEarlier,
    generatedAt: now,
    // Shown in every format and archived: a Prometheus behind basic auth keeps its password.
    prometheusUrl: redactUrl(client.url),
    hasData,
    exact: cur.exact,
    summary: summarise({
      kind: options.period,
      label: current.label,
      timeZone,
      prometheusUrl: redactUrl(client.url),
      monitoring,
      changes: siteChanges,
      loadTests: changes.length - siteChanges.length,
      evaluations,
      fieldEvaluations,
      incidents,
      openProblems,
      journeys,
      hasData,
      partialUntil: partial ? end : null,
    }),
    monitoring: {
      overall: monitoring.overall,
      targets: monitoring.targets,
      changes,
      trends,
      journeys,
      field,
      capacity,
    },
    evaluation: { changes: evaluations, field: fieldEvaluations, incidents },
    learning: {
      recurringIncidents: recurring,
      failurePatterns: patterns,
      trends: warnings,
      recommendations: recs,
      openProblems,
    },
  };
}

/**
 * Incidents whose outage was under way at some point in [start, end): started before the end,
 * not over before the start. Times and durations are the outage's (the probes' where the
 * incident log has them), the alert's beside them.
 */
function incidentsOf(store: Store, start: number, end: number): ReportIncident[] {
  return store.incidents
    .list({ until: end, limit: STORE_READ_LIMIT })
    .filter(({ outage }) => outage.startsAt < end && (outage.endsAt === null || outage.endsAt >= start))
    .map((i) => {
      const { outage } = i;
      const resolvedBy = outage.endsAt !== null && outage.endsAt < end ? outage.endsAt : null;
      return {
        id: i.id,
        alertname: i.alertname,
        target: i.target,
        severity: i.severity,
        summary: i.summary,
        startsAt: outage.startsAt,
        endsAt: outage.endsAt,
        durationSeconds: Math.max(0, ((resolvedBy ?? end) - outage.startsAt) / 1000),
        timesFrom: outage.source,
        alertStartsAt: i.startsAt,
        alertEndsAt: i.endsAt,
        openedInPeriod: outage.startsAt >= start,
        resolvedInPeriod: resolvedBy !== null,
        openAtEnd: resolvedBy === null,
      };
    })
    .sort((a, b) => a.startsAt - b.startsAt || a.id - b.id);
}

/**
 * Hourly mean response time and uptime of every target over the 7 days up to `end`, for the
 * charts. Hours without probes are null (a gap in the line, not a drop to zero).
 */
async function chartTrends(client: PrometheusClient, end: number): Promise<TargetTrend[]> {
  const { start, steps } = chartHours(end);
  const inc = (metric: string) => `sum by (target) (increase(${metric}[1h]))`;
  const [response, uptime, latency, objective] = await Promise.all([
    client.queryRange(
      `${inc('vantage_probe_duration_seconds_sum')} / ${inc('vantage_probe_duration_seconds_count')}`,
      start,
      end,
      CHART_STEP_MS,
    ),
    client.queryRange(
      `(${inc('vantage_probes_total{result="success"}')} or ${inc('vantage_probes_total')} * 0)` +
        ` / ${inc('vantage_probes_total')}`,
      start,
      end,
      CHART_STEP_MS,
    ),
    client.query(
      `max by (target) (last_over_time(vantage_target_latency_threshold_seconds[${CHART_HISTORY_MS}ms]))`,
      end,
    ),
    client.query(
      `max by (target) (last_over_time(vantage_target_slo_objective[${CHART_HISTORY_MS}ms]))`,
      end,
    ),
  ]);
  const byTarget = (series: typeof response) =>
    new Map(series.filter((s) => s.metric.target !== undefined).map((s) => [s.metric.target!, s.samples]));
  const responses = byTarget(response);
  const uptimes = byTarget(uptime);
  const scalar = (samples: typeof latency, target: string): number | null =>
    samples.find((s) => s.metric.target === target)?.value ?? null;
  const names = [...new Set([...responses.keys(), ...uptimes.keys()])].sort();
  return names.map((target) => ({
    target,
    responseSeconds: hourlyPoints(steps, responses.get(target)),
    uptime: hourlyPoints(steps, uptimes.get(target)),
    latencyThresholdSeconds: scalar(latency, target),
    objective: scalar(objective, target),
  }));
}

function objectiveMissed(t: ComparedMonitoring): string {
  return (
    `${t.target ?? 'overall'} missed its objective: uptime ${formatRatio(t.uptime.current ?? 0)} against ` +
    `${formatRatio(t.objective ?? 0, t.objective !== null && t.objective > 0.999 ? 3 : 2)} ` +
    `(${formatCount(t.failures.current ?? 0)} failed probes of ${formatCount(t.probes.current ?? 0)}).`
  );
}

interface SummaryInput {
  kind: PeriodKind;
  label: string;
  timeZone: string;
  prometheusUrl: string;
  monitoring: MonitoringComparison;
  /** The site changes (load tests apart). */
  changes: ReportChange[];
  loadTests: number;
  evaluations: ChangeEvaluation[];
  fieldEvaluations: FieldChangeEvaluation[];
  incidents: ReportIncident[];
  openProblems: OpenProblem[];
  journeys: JourneyFigures[];
  hasData: boolean;
  partialUntil: number | null;
}

function summarise(s: SummaryInput): ReportSummary {
  const noun = PERIOD_NOUN[s.kind];
  if (!s.hasData) {
    return {
      headline: `No data: Prometheus at ${s.prometheusUrl} holds no vantage probes for the ${noun} ${s.label} (${s.timeZone}).`,
      highlights: [],
    };
  }
  const o = s.monitoring.overall;
  const withData = s.monitoring.targets.filter((t) => t.hasData);
  const met = withData.filter((t) => t.meetsObjective === true).length;
  const judged = withData.filter((t) => t.meetsObjective !== null).length;
  const parts = [plural(withData.length, 'target')];
  if (o.uptime.current !== null) {
    parts.push(
      `uptime ${formatRatio(o.uptime.current)}` +
        (judged > 0 ? ` (objective met on ${met} of ${judged})` : ''),
    );
  }
  if (o.meanResponseSeconds.current !== null) {
    const vs =
      o.meanResponseSeconds.vsPrevious !== null
        ? ` (${formatPercentChange(o.meanResponseSeconds.vsPrevious)} vs previous ${noun})`
        : '';
    parts.push(`mean response ${formatSeconds(o.meanResponseSeconds.current)}${vs}`);
  }
  if (o.p95ResponseSeconds.current !== null) {
    // A bucket estimate can be far off (percentiles.ts): the headline does not pass it off as exact.
    const estimated = o.p95Source.current?.kind === 'buckets' ? ' (from buckets)' : '';
    parts.push(`p95 ${formatSeconds(o.p95ResponseSeconds.current)}${estimated}`);
  }
  if (s.journeys.length > 0) {
    const runs = s.journeys.reduce((a, j) => a + j.runs, 0);
    const completed = s.journeys.reduce((a, j) => a + j.completed, 0);
    parts.push(`${plural(s.journeys.length, 'journey')} (${formatRatio(completed / runs)} completed)`);
  }
  parts.push(plural(s.changes.length, 'change'));
  if (s.loadTests > 0) parts.push(plural(s.loadTests, 'load test'));
  const opened = s.incidents.filter((i) => i.openedInPeriod).length;
  parts.push(plural(opened, 'incident'));

  const highlights: string[] = [];
  if (s.partialUntil !== null) {
    highlights.push(
      `The ${noun} is not over: this report covers it up to ${new Date(s.partialUntil).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    );
  }
  for (const t of withData.filter((x) => x.meetsObjective === false)) highlights.push(objectiveMissed(t));
  // A journey that did not always complete is news: a step of a transaction broke.
  for (const j of s.journeys.filter((x) => x.mostFailingStep !== null)) highlights.push(describeJourney(j));
  for (const e of s.evaluations) {
    if (e.verdict === 'no significant change' || e.verdict === 'insufficient data') continue;
    const decisive = e.metrics.filter(
      (m) => m.comparison.verdict === 'improved' || m.comparison.verdict === 'regressed',
    );
    highlights.push(
      `"${e.change.title}" (${e.change.kind}, ${e.target}): ${e.verdict}. ${decisive.map((m) => m.sentence).join(' ')}`,
    );
  }
  for (const e of s.fieldEvaluations) {
    if (e.verdict !== 'improved' && e.verdict !== 'regressed' && e.verdict !== 'mixed') continue;
    const decisive = e.vitals.filter((v) => v.verdict === 'improved' || v.verdict === 'regressed');
    highlights.push(
      `"${e.change.title}" (${e.change.kind}, real users of ${e.site}): ${e.verdict}. ${decisive.map((v) => v.sentence).join(' ')}`,
    );
  }
  for (const p of s.openProblems.filter((x) => x.kind !== 'objective-missed' && x.kind !== 'regression')) {
    highlights.push(p.sentence);
  }
  return { headline: parts.join(' · '), highlights };
}
