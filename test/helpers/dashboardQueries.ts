/**
 * Every Prometheus query of a set of Grafana dashboards, run against a real Prometheus the way
 * Grafana would run it: panel targets (rows included), annotations, and template variables, with
 * the variables resolved through Prometheus (label_values(...) -> /api/v1/label/<name>/values)
 * and interpolated by grafanaTemplating.ts.
 *
 * A dashboard with variables is run once per *selection*: every combination of single values
 * ("one": what a user who picks a target sees), and every combination with All (or every value
 * of a multi-value variable) where a variable offers it ("all"). Each query runs in every
 * selection as an instant query at the end of the range and as a range query over it (step and
 * range aligned as Grafana aligns them); the report says what failed where, and whether some
 * selection of each kind returned data. dashboardCheck.ts judges the reports.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { metricFindQuery, type ApiOutcome, type PromApi, type QueryMode } from './prometheusApi.js';
import {
  applyVariableRegex,
  customOptions,
  interpolate,
  intervalToMs,
  LEFTOVER_VARIABLE,
  queryTiming,
  type Builtins,
  type VariableValue,
} from './grafanaTemplating.js';

type DatasourceRef = { type?: string; uid?: string } | string | null | undefined;
interface TargetModel {
  refId?: string;
  expr?: string;
  datasource?: DatasourceRef;
  instant?: boolean;
  range?: boolean;
  interval?: string;
  intervalFactor?: number;
}
interface PanelModel {
  id?: number;
  title?: string;
  type?: string;
  datasource?: DatasourceRef;
  targets?: TargetModel[];
  panels?: PanelModel[];
  interval?: string;
  maxDataPoints?: number;
  libraryPanel?: { uid?: string; name?: string };
}
export interface VariableModel {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  regex?: string;
  includeAll?: boolean;
  allValue?: string | null;
  multi?: boolean;
  current?: { value?: string | string[] };
  auto_count?: number;
  auto_min?: string;
}
interface AnnotationModel {
  name?: string;
  datasource?: DatasourceRef;
  expr?: string;
  step?: string;
  builtIn?: number;
}
export interface DashboardModel {
  uid?: string;
  title?: string;
  time?: { from?: string; to?: string };
  panels?: PanelModel[];
  rows?: { panels?: PanelModel[] }[];
  templating?: { list?: VariableModel[] };
  annotations?: { list?: AnnotationModel[] };
}

export interface DashboardFile {
  /** Relative to the dashboards directory. */
  file: string;
  uid: string;
  model: DashboardModel;
}

/** Every *.json under `dir`, recursively, sorted by path. */
export async function loadDashboards(dir: string): Promise<DashboardFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    files.map(async (path) => {
      const model = JSON.parse(await readFile(path, 'utf8')) as DashboardModel;
      return { file: relative(dir, path), uid: model.uid ?? '', model };
    }),
  );
}

export interface DashboardQuery {
  dashboard: string;
  /** The panel's title, or "annotation: <name>". */
  panel: string;
  /** The target's refId; "Anno" for an annotation query. */
  refId: string;
  expr: string;
  /** How Grafana runs it (data is judged on these; errors on both). */
  modes: QueryMode[];
  panelInterval?: string;
  queryInterval?: string;
  maxDataPoints?: number;
  intervalFactor?: number;
  /** Annotations: their fixed step (Grafana's default 60s). */
  step?: string;
}

/** A target or panel this check cannot run, and why. */
export interface Skipped {
  dashboard: string;
  panel: string;
  refId: string;
  why: string;
}

function datasourceType(ds: DatasourceRef, variables: VariableModel[]): string | undefined {
  if (ds === null || ds === undefined) return undefined; // the default data source
  const ref = typeof ds === 'string' ? ds : (ds.uid ?? '');
  const variable = /^\$\{?(\w+)\}?$/.exec(ref)?.[1];
  if (variable !== undefined) {
    const v = variables.find((x) => x.name === variable && x.type === 'datasource');
    return typeof v?.query === 'string' ? v.query : undefined;
  }
  if (typeof ds !== 'string') return ds.type;
  return { '-- Grafana --': 'grafana', '-- Mixed --': 'mixed', '-- Dashboard --': 'dashboard' }[ds];
}

/** Every Prometheus query of a dashboard: panel targets (rows and their panels too) and annotations. */
export function collectQueries(d: DashboardFile): { queries: DashboardQuery[]; skipped: Skipped[] } {
  const variables = d.model.templating?.list ?? [];
  const queries: DashboardQuery[] = [];
  const skipped: Skipped[] = [];
  const visit = (panel: PanelModel): void => {
    const title = panel.title ?? `panel ${panel.id ?? '?'}`;
    if (panel.libraryPanel && !panel.targets) {
      skipped.push({
        dashboard: d.uid,
        panel: title,
        refId: '-',
        why: 'library panel: its queries are not in the JSON',
      });
    }
    for (const target of panel.targets ?? []) {
      const refId = target.refId ?? 'A';
      const panelType = datasourceType(panel.datasource, variables);
      const type =
        datasourceType(target.datasource, variables) ?? (panelType === 'mixed' ? undefined : panelType);
      if (type !== undefined && type !== 'prometheus') {
        skipped.push({ dashboard: d.uid, panel: title, refId, why: `data source type ${type}` });
      } else if (typeof target.expr !== 'string' || target.expr.trim() === '') {
        skipped.push({ dashboard: d.uid, panel: title, refId, why: 'no expr' });
      } else {
        const modes: QueryMode[] =
          target.instant && target.range ? ['instant', 'range'] : target.instant ? ['instant'] : ['range'];
        queries.push({
          dashboard: d.uid,
          panel: title,
          refId,
          expr: target.expr,
          modes,
          panelInterval: panel.interval || undefined,
          queryInterval: target.interval || undefined,
          maxDataPoints: panel.maxDataPoints,
          intervalFactor: target.intervalFactor,
        });
      }
    }
    for (const child of panel.panels ?? []) visit(child);
  };
  for (const panel of d.model.panels ?? []) visit(panel);
  for (const row of d.model.rows ?? []) for (const panel of row.panels ?? []) visit(panel);
  // Annotation queries have no panel: they go by "annotation: <name>" and Grafana's refId for them.
  for (const a of d.model.annotations?.list ?? []) {
    const type = datasourceType(a.datasource, variables);
    if (a.builtIn || (type !== undefined && type !== 'prometheus')) continue;
    const name = `annotation: ${a.name ?? '?'}`;
    if (typeof a.expr !== 'string' || a.expr.trim() === '') {
      skipped.push({ dashboard: d.uid, panel: name, refId: 'Anno', why: 'no expr' });
      continue;
    }
    queries.push({
      dashboard: d.uid,
      panel: name,
      refId: 'Anno',
      expr: a.expr,
      modes: ['range'],
      step: a.step ?? '60s',
    });
  }
  return { queries, skipped };
}

export interface Selection {
  variables: Map<string, VariableValue>;
  kinds: Set<'one' | 'all'>;
  /** The variables that take several values: "location=All, target=All" */
  label: string;
}

/** A variable as it resolved (once per distinct query text). */
export interface VariableReport {
  dashboard: string;
  variable: string;
  query: string;
  options: string[];
  includeAll: boolean;
  error?: string;
}

export interface RunRange {
  fromMs: number;
  toMs: number;
  /** The data source's scrape interval (its jsonData.timeInterval). */
  scrapeInterval: string;
  /** Named in problems, e.g. "time range now-7d". */
  label?: string;
}

const MAX_SELECTIONS = 256;

/**
 * Resolves a dashboard's variables in order (a variable may use the ones before it) into every
 * selection worth running.
 */
export async function dashboardSelections(
  api: PromApi,
  d: DashboardFile,
  range: RunRange,
): Promise<{ selections: Selection[]; variables: VariableReport[] }> {
  const reports = new Map<string, VariableReport>();
  const [start, end] = [range.fromMs / 1000, range.toMs / 1000];
  const scrapeMs = intervalToMs(range.scrapeInterval);
  const variableBuiltins: Builtins = {
    ...queryTiming({ ...range }).builtins,
    __interval: range.scrapeInterval,
    __interval_ms: String(scrapeMs),
  };
  type Partial = { variables: Map<string, VariableValue>; kind: 'one' | 'all' };
  const enumerated = new Set<string>();
  let partials: Partial[] = [
    { variables: new Map(), kind: 'one' },
    { variables: new Map(), kind: 'all' },
  ];
  for (const v of d.model.templating?.list ?? []) {
    const next: Partial[] = [];
    for (const p of partials) {
      const base = {
        name: v.name,
        multi: Boolean(v.multi),
        includeAll: Boolean(v.includeAll),
        allValue: v.allValue ?? undefined,
      };
      let options: string[];
      let enumerate = false;
      if (v.type === 'query') {
        const raw = (typeof v.query === 'string' ? v.query : v.query?.query) ?? v.definition ?? '';
        const text = interpolate(raw, p.variables, variableBuiltins, range);
        const key = `${v.name}\n${text}`;
        let report = reports.get(key);
        if (!report) {
          report = {
            dashboard: d.uid,
            variable: v.name,
            query: text,
            options: [],
            includeAll: Boolean(v.includeAll),
          };
          const leftover = text.match(LEFTOVER_VARIABLE);
          try {
            if (leftover) throw new Error(`unsubstituted ${leftover.join(', ')}`);
            report.options = applyVariableRegex(await metricFindQuery(api, text, start, end), v.regex);
          } catch (err) {
            report.error = (err as Error).message;
          }
          reports.set(key, report);
        }
        options = report.options;
        enumerate = true;
      } else if (v.type === 'custom') {
        options = customOptions(typeof v.query === 'string' ? v.query : '');
        enumerate = true;
      } else if (v.type === 'interval') {
        const current = [v.current?.value].flat()[0];
        const auto =
          current === undefined ||
          current === '$__auto' ||
          current === 'auto' ||
          current.startsWith('$__auto');
        options = auto
          ? [
              queryTiming({ ...range, maxDataPoints: v.auto_count ?? 30, panelInterval: v.auto_min ?? '10s' })
                .builtins.__interval!,
            ]
          : [current];
      } else if (v.type === 'constant' || v.type === 'textbox') {
        options = [[v.current?.value].flat()[0] ?? (typeof v.query === 'string' ? v.query : '')];
      } else if (v.type === 'datasource') {
        options = [[v.current?.value].flat()[0] ?? 'Prometheus'];
      } else {
        next.push(p); // adhoc filters and the like add nothing to a query's text
        continue;
      }
      if (enumerate) enumerated.add(v.name);
      const choices: (string[] | 'all')[] = !enumerate
        ? [options]
        : p.kind === 'all' && (v.includeAll || v.multi)
          ? [v.includeAll ? 'all' : options]
          : options.length > 0
            ? options.map((o) => [o])
            : [v.includeAll ? 'all' : []];
      for (const selected of choices) {
        next.push({
          kind: p.kind,
          variables: new Map(p.variables).set(v.name, { ...base, options, selected }),
        });
      }
    }
    partials = next;
    if (partials.length > MAX_SELECTIONS) {
      throw new Error(
        `${d.uid}: more than ${MAX_SELECTIONS} variable combinations; this check would take too long`,
      );
    }
  }
  const selections = new Map<string, Selection>();
  for (const p of partials) {
    const label =
      [...p.variables.values()]
        .filter((v) => enumerated.has(v.name))
        .map((v) => `${v.name}=${v.selected === 'all' ? 'All' : v.selected.join('+')}`)
        .join(', ') || '(no variables)';
    const existing = selections.get(label);
    if (existing) existing.kinds.add(p.kind);
    else selections.set(label, { variables: p.variables, kinds: new Set([p.kind]), label });
  }
  return { selections: [...selections.values()], variables: [...reports.values()] };
}

/** One query checked in every selection. */
export interface QueryReport {
  query: DashboardQuery;
  /** Errors and unsubstituted variables, each with the interpolated query and where it happened. */
  problems: string[];
  /**
   * Whether some selection of that kind returned data in a mode Grafana runs the query in
   * (undefined: no selection of that kind differs). A range query that is empty only because
   * its step (a "Min step" of an hour, say) is aligned before the data began counts when the
   * instant query has data: see `rangeEmptyAtStep`.
   */
  data: { one: boolean; all: boolean | undefined };
  /** The step of a range query that returned nothing while the instant query returned data. */
  rangeEmptyAtStep?: number;
  /** Every result with data held only NaN. */
  nanOnly: boolean;
  /** The interpolated query of the first selection that returned data, else of the first selection. */
  example: string;
  /** The selections that were run. */
  selections: number;
}

/** Runs every query of `queries` (one dashboard's) in every selection, `concurrency` calls at a time. */
export async function checkQueries(
  api: PromApi,
  queries: DashboardQuery[],
  selections: Selection[],
  range: RunRange,
  concurrency = 8,
): Promise<QueryReport[]> {
  const cache = new Map<string, Promise<ApiOutcome>>();
  const jobs: (() => Promise<void>)[] = [];
  const hasAll = selections.some((s) => s.kinds.has('all') && !s.kinds.has('one'));
  const reports = queries.map((query) => {
    const report: QueryReport = {
      query,
      problems: [],
      data: { one: false, all: undefined },
      nanOnly: true,
      example: '',
      selections: selections.length,
    };
    // The same failure in many selections is reported once, with where it happened.
    const problems = new Map<string, { expr: string; where: string[] }>();
    const problem = (what: string, expr: string, where: string): void => {
      const p = problems.get(what) ?? { expr, where: [] };
      p.where.push(where);
      problems.set(what, p);
    };
    // Modes that returned data, by selection kind; the first query that did.
    const seen = { one: new Set<QueryMode>(), all: new Set<QueryMode>() };
    let dataExample: string | undefined;
    const timing = queryTiming({
      ...range,
      panelInterval: query.step ?? query.panelInterval,
      queryInterval: query.step ?? query.queryInterval,
      maxDataPoints: query.maxDataPoints,
      intervalFactor: query.intervalFactor,
    });
    const step = timing.stepSeconds;
    // Grafana aligns a range query's start and end to its step.
    const time = {
      start: Math.floor(range.fromMs / 1000 / step) * step,
      end: Math.floor(range.toMs / 1000 / step) * step,
      step,
    };
    for (const selection of selections) {
      let expr: string;
      try {
        expr = interpolate(query.expr, selection.variables, timing.builtins, range);
      } catch (err) {
        problem((err as Error).message, query.expr, selection.label);
        continue;
      }
      report.example ||= expr;
      const leftover = expr.match(LEFTOVER_VARIABLE);
      if (leftover) {
        problem(`unsubstituted ${[...new Set(leftover)].join(', ')}`, expr, selection.label);
        continue;
      }
      for (const mode of ['instant', 'range'] as const) {
        jobs.push(async () => {
          const key = `${mode} ${step} ${expr}`;
          const at = mode === 'instant' ? { ...time, end: range.toMs / 1000 } : time;
          if (!cache.has(key)) cache.set(key, api.run(expr, mode, at));
          const outcome = await cache.get(key)!;
          if (!outcome.ok) return problem(`${mode} query failed: ${outcome.error}`, expr, selection.label);
          if (outcome.series === 0) return;
          if (!outcome.allNaN) report.nanOnly = false;
          for (const kind of selection.kinds) seen[kind].add(mode);
          if (query.modes.includes(mode) || dataExample === undefined) dataExample = expr;
        });
      }
    }
    return () => {
      report.problems = [...problems]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([what, p]) =>
            `${what} (${range.label ? `${range.label}, ` : ''}${p.where.length} of ${selections.length} ` +
            `selections, e.g. ${p.where[0]}):\n    ${p.expr}`,
        );
      const judge = (kind: 'one' | 'all'): boolean => {
        if (query.modes.some((m) => seen[kind].has(m))) return true;
        if (!query.modes.includes('range') || !seen[kind].has('instant')) return false;
        report.rangeEmptyAtStep = step;
        return true;
      };
      report.data = { one: judge('one'), all: hasAll ? judge('all') : undefined };
      report.example = dataExample ?? report.example;
      if (dataExample === undefined) report.nanOnly = false;
      return report;
    };
  });
  const workers = Array.from({ length: concurrency }, async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) await job();
  });
  await Promise.all(workers);
  return reports.map((finish) => finish());
}
