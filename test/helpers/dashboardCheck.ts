/**
 * What the dashboard query check makes of its findings: runs one dashboard's variables and
 * queries (dashboardQueries.ts), then judges them against grafana/dashboards/empty-results.yml:
 * errors and unsubstituted variables fail, an empty result fails unless the file allows it with
 * a reason, an entry naming no query fails, a metric name nothing produces fails unless the
 * query is allowed empty (then it is a note).
 */
import { parse } from 'yaml';
import {
  checkQueries,
  collectQueries,
  dashboardSelections,
  type DashboardFile,
  type QueryReport,
  type RunRange,
  type Skipped,
  type VariableReport,
} from './dashboardQueries.js';
import { intervalToMs } from './grafanaTemplating.js';
import { metricNames, type PromApi } from './prometheusApi.js';

export interface AllowedEmpty {
  dashboard: string;
  panel: string;
  refId: string;
  reason: string;
}
export const keyOf = (q: { dashboard: string; panel: string; refId: string }): string =>
  JSON.stringify([q.dashboard, q.panel, q.refId]);
export const nameOf = (q: { dashboard: string; panel: string; refId: string }): string =>
  `${q.dashboard} / "${q.panel}" / ${q.refId}`;

/** empty-results.yml, checked: a list of {dashboard, panel, refId, reason}, reasons non-empty. */
export function parseAllowList(text: string): { entries: AllowedEmpty[]; problems: string[] } {
  const doc: unknown = parse(text) ?? [];
  if (!Array.isArray(doc)) return { entries: [], problems: ['empty-results.yml: not a list'] };
  const entries: AllowedEmpty[] = [];
  const problems: string[] = [];
  doc.forEach((raw: unknown, i) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const bad = ['dashboard', 'panel', 'refId', 'reason'].filter(
      (k) => typeof e[k] !== 'string' || (e[k] as string).trim() === '',
    );
    if (bad.length > 0) problems.push(`empty-results.yml[${i}]: needs a non-empty ${bad.join(', ')}`);
    else if (entries.some((x) => keyOf(x) === keyOf(e as unknown as AllowedEmpty)))
      problems.push(`empty-results.yml[${i}]: ${nameOf(e as unknown as AllowedEmpty)} is listed twice`);
    else entries.push(e as unknown as AllowedEmpty);
  });
  return { entries, problems };
}

export interface Verdict {
  failures: string[];
  /** Allowed-empty queries: the table printed at the end. */
  allowed: { entry: AllowedEmpty; hadData: boolean }[];
  notes: string[];
}

export function judge(
  reports: QueryReport[],
  variables: VariableReport[],
  skipped: Skipped[],
  allowList: AllowedEmpty[],
  knownMetrics: ReadonlySet<string>,
): Verdict {
  const allow = new Map(allowList.map((e) => [keyOf(e), e]));
  const verdict: Verdict = { failures: [], allowed: [], notes: [] };
  for (const v of variables) {
    const name = `${v.dashboard} / variable $${v.variable}`;
    if (v.error !== undefined) verdict.failures.push(`${name}: ${v.error}\n    ${v.query}`);
    else if (v.options.length === 0 && !v.includeAll)
      verdict.failures.push(`${name}: no values\n    ${v.query}`);
    else if (v.options.length === 0) verdict.notes.push(`${name}: no values, only All (${v.query})`);
  }
  for (const s of skipped) {
    const line = `${nameOf(s)}: not checked: ${s.why}`;
    if (s.why.startsWith('library panel')) verdict.failures.push(line);
    else verdict.notes.push(line);
  }
  for (const r of reports) {
    const name = nameOf(r.query);
    for (const p of r.problems) verdict.failures.push(`${name}: ${p}`);
    const empty = [
      ...(r.data.one ? [] : ['for every single value of its variables']),
      ...(r.data.all === false ? ['with All selected'] : []),
    ];
    const entry = allow.get(keyOf(r.query));
    // A name nothing produces is a typo, or a feature vantage does not have (yet).
    const unknown = metricNames(r.example).filter((m) => !knownMetrics.has(m));
    if (unknown.length > 0) {
      const line =
        `${name}: selects ${unknown.join(', ')}, which nothing produces (not on vantage's /metrics, ` +
        `not stored by Prometheus, not a recording rule):\n    ${r.example}`;
      if (entry) verdict.notes.push(`${line}\n    (allowed empty: ${entry.reason})`);
      else verdict.failures.push(line);
    }
    if (entry) verdict.allowed.push({ entry, hadData: empty.length === 0 });
    else if (empty.length > 0 && r.problems.length === 0) {
      verdict.failures.push(
        `${name}: no data ${empty.join(' and ')} (${r.selections} selections), ` +
          `and empty-results.yml does not allow it:\n    ${r.example}`,
      );
    }
    if (r.rangeEmptyAtStep !== undefined) {
      verdict.notes.push(
        `${name}: the range query (step ${r.rangeEmptyAtStep}s, aligned to the step) is empty, ` +
          `the instant query has data: the panel shows data once a whole step of history exists`,
      );
    }
    if (r.nanOnly) verdict.notes.push(`${name}: only NaN values:\n    ${r.example}`);
  }
  const existing = new Set(reports.map((r) => keyOf(r.query)));
  for (const e of allowList) {
    if (!existing.has(keyOf(e))) {
      verdict.failures.push(`empty-results.yml: ${nameOf(e)} names no query of any dashboard (stale entry)`);
    }
  }
  return verdict;
}

/** The dashboard's own default time range ("now-7d" to "now") ending at `toMs`, if it is relative. */
export function defaultRange(d: DashboardFile, toMs: number, scrapeInterval: string): RunRange | undefined {
  const from = /^now-(\d+[smhdwy])$/.exec(d.model.time?.from ?? '')?.[1];
  if (from === undefined || (d.model.time?.to ?? 'now') !== 'now') return undefined;
  return {
    fromMs: toMs - intervalToMs(from),
    toMs,
    scrapeInterval,
    label: `with the dashboard's time range now-${from}`,
  };
}

/**
 * Runs one dashboard's variables and queries over `range` (judged for errors and data), and over
 * the dashboard's own default time range when it differs (judged for errors: $__range,
 * $__interval and $__rate_interval as a user opening the dashboard gets them).
 */
export async function checkDashboard(api: PromApi, d: DashboardFile, range: RunRange) {
  const { queries, skipped } = collectQueries(d);
  const { selections, variables } = await dashboardSelections(api, d, range);
  const reports = await checkQueries(api, queries, selections, range);
  const own = defaultRange(d, range.toMs, range.scrapeInterval);
  if (own && own.fromMs !== range.fromMs) {
    const other = await dashboardSelections(api, d, own);
    variables.push(
      ...other.variables.filter((v) => v.error).map((v) => ({ ...v, error: `${v.error} (${own.label})` })),
    );
    const otherReports = await checkQueries(api, queries, other.selections, own);
    otherReports.forEach((r, i) => reports[i]!.problems.push(...r.problems));
  }
  return { queries, skipped, selections, variables, reports };
}

export function printTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
