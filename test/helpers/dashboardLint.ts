/**
 * The rules of grafana/dashboard-linter, implemented in TypeScript so the lint needs no Go
 * toolchain, for test/unit/dashboards-lint.test.ts. Each rule returns the problems it finds as
 * sentences.
 *
 * Rules that apply as the linter has them: template-datasource-rule,
 * template-label-promql-rule, template-on-time-change-reload-rule, template-unused-rule,
 * panel-datasource-rule (for every panel type, and for each query and annotation too),
 * panel-title-description-rule, panel-units-rule, panel-no-targets-rule, target-promql-rule
 * (brackets, matchers and variables here; Prometheus parses every query for real in the test
 * that runs them), target-rate-interval-rule (for increase() too), target-counter-agg-rule,
 * uneditable-rule.
 *
 * Rules that apply only to the Service dashboard: template-job-rule, template-instance-rule,
 * target-job-rule, target-instance-rule. It is about processes, so it selects them by job and
 * instance. Its job and instance variables leave allValue unset rather than `.+`: "All" is then
 * the values of vantage_build_info, which keeps Prometheus' and Alertmanager's process_* series
 * (same names, other jobs) out.
 *
 * On the dashboards about targets they do not apply: vantage's series are identified by
 * `target` and `location`; target-level recorded series aggregate `instance` away, and every
 * vantage instance shares the job name `vantage` (docs/alerting.md), so job and instance
 * variables would select nothing useful. The same rules are applied to `target` and `location`
 * instead (template-target-rule, template-location-rule, target-target-rule,
 * target-location-rule): raw series filter on both, recorded `target:` series on the target
 * only, because they cover every location.
 *
 * On the Field dashboard (real users; a `site` variable, no target) the job and instance rules do
 * not apply either: its rum_* series are about visitors, selected by site, page group and device
 * (template-site-rule, template-page-group-rule, template-device-rule, target-site-rule); the
 * lab and vantage_* series it shows keep the location rules.
 *
 * The linter's LogQL rules do not apply (no Loki).
 *
 * Beyond the linter: dashboard-conventions (a uid, the vantage tag, shared crosshair, links to
 * the other dashboards, unique panel titles, which empty-results.yml keys on) and
 * link-variables-rule (links use only variables the dashboard has).
 */
import { scan, variablesIn } from './promqlScan.js';

export interface Template {
  name: string;
  label?: string;
  type: string;
  query?: string;
  datasource?: { type?: string; uid?: string };
  refresh?: number;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}
export interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
export interface Link {
  url?: string;
}
export interface Override {
  matcher: { id: string; options: string };
  properties: { id: string; value: unknown }[];
}
export interface Panel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  links?: Link[];
  fieldConfig?: { defaults?: { unit?: string; links?: Link[] }; overrides?: Override[] };
}
export interface AnnotationQuery {
  name: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
  useValueForTime?: boolean;
}
export interface GrafanaDashboard {
  uid?: string;
  title?: string;
  tags?: string[];
  editable?: boolean;
  graphTooltip?: number;
  refresh?: string;
  time?: { from: string; to: string };
  links?: { type: string; tags?: string[]; includeVars?: boolean; keepTime?: boolean }[];
  templating: { list: Template[] };
  annotations: { list: AnnotationQuery[] };
  panels: Panel[];
}

// ---------------------------------------------------------------------------------------------
// Rules: each returns the problems it finds, as readable sentences.

type Rule = (d: GrafanaDashboard) => string[];

const DATASOURCE_REFS = new Set(['$datasource', '${datasource}']);
/** Grafana's global variables a query may use. */
const QUERY_GLOBALS = new Set([
  '__rate_interval',
  '__interval',
  '__interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
]);
/** Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts), the categories fit for probes. */
const UNITS = new Set([
  ...['none', 'string', 'short', 'percent', 'percentunit', 'humidity', 'dB', 'hex0x', 'hex', 'sci', 'locale'],
  ...[
    'bytes',
    'decbytes',
    'bits',
    'decbits',
    'kbytes',
    'deckbytes',
    'mbytes',
    'decmbytes',
    'gbytes',
    'decgbytes',
  ],
  ...[
    'pps',
    'binBps',
    'Bps',
    'binbps',
    'bps',
    'KiBs',
    'Kibits',
    'KBs',
    'Kbits',
    'MiBs',
    'Mibits',
    'MBs',
    'Mbits',
  ],
  ...['dateTimeAsIso', 'dateTimeAsIsoNoDateIfToday', 'dateTimeAsUS', 'dateTimeAsUSNoDateIfToday'],
  ...['dateTimeAsLocal', 'dateTimeAsLocalNoDateIfToday', 'dateTimeAsSystem', 'dateTimeFromNow'],
  ...['hertz', 'ns', 'µs', 'ms', 's', 'm', 'h', 'd', 'dtdurationms', 'dtdurations', 'dthms', 'dtdhms'],
  ...['timeticks', 'clockms', 'clocks'],
  ...['cps', 'ops', 'reqps', 'rps', 'wps', 'iops', 'cpm', 'opm', 'rpm', 'wpm'],
  ...['bool', 'bool_yes_no', 'bool_on_off'],
]);
const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
/** Panel types that query (rows and text panels do not). */
export const queryingPanels = (d: GrafanaDashboard) =>
  d.panels.filter((p) => p.type !== 'row' && p.type !== 'text');
const targetsOf = (d: GrafanaDashboard) =>
  queryingPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));
const where = (p: Panel, t?: Target) => `panel "${p.title ?? p.id}"${t ? ` query ${t.refId}` : ''}`;
export const variable = (d: GrafanaDashboard, name: string) => d.templating.list.find((v) => v.name === name);
/** Dashboards about targets have a `target` variable; the Service dashboard has `job` instead. */
const isTargetDashboard = (d: GrafanaDashboard) => variable(d, 'target') !== undefined;
/** The Field dashboard (real users) is about sites: a `site` variable, no target. */
const isFieldDashboard = (d: GrafanaDashboard) => variable(d, 'site') !== undefined;
/** The dashboard about processes (Service): selected by job and instance. */
const isProcessDashboard = (d: GrafanaDashboard) => !isTargetDashboard(d) && !isFieldDashboard(d);

/** Each query's selectors, with where they are. */
function selectorsOf(d: GrafanaDashboard) {
  return targetsOf(d).flatMap(({ panel, target }) =>
    scan(target.expr ?? '').selectors.map((s) => ({ at: where(panel, target), s })),
  );
}

function requireMatcher(d: GrafanaDashboard, label: string, applies: (metric: string) => boolean): string[] {
  return selectorsOf(d)
    .filter(({ s }) => applies(s.metric))
    .filter(({ s }) => {
      const m = s.matchers.get(label);
      return m?.op !== '=~' || m.value !== `"$${label}"`;
    })
    .map(({ at, s }) => `${at}: ${s.metric} has no ${label}=~"$${label}" matcher`);
}

function templateRule(name: string, label: string, allValues: (string | undefined)[]): Rule {
  return (d) => {
    const v = variable(d, name);
    if (!v) return [`no ${name} variable`];
    const problems: string[] = [];
    if (v.type !== 'query') problems.push(`${name} is a ${v.type} variable, not a query`);
    if (!DATASOURCE_REFS.has(v.datasource?.uid ?? '')) problems.push(`${name} does not query $datasource`);
    if (v.label !== label) problems.push(`${name} is labelled "${v.label}", not "${label}"`);
    if (!v.multi) problems.push(`${name} is not multi-select`);
    if (!v.includeAll) problems.push(`${name} has no All option`);
    if (!allValues.includes(v.allValue)) problems.push(`${name}'s allValue is ${JSON.stringify(v.allValue)}`);
    return problems;
  };
}

/** Raw vantage series; target-level recorded series start with `target:`. */
const isRawVantageSeries = (m: string) => /^(probe|lighthouse|browser|vantage)_/.test(m);
const isTargetRecorded = (m: string) => m.startsWith('target:');
/**
 * Field series: rum_* and the recorded site_page_group(_device):* series, about visitors, so
 * filtered by site and page group (and device where they have it), never by location.
 * The attribution counters have no device label.
 */
const isFieldSeries = (m: string) => /^rum_/.test(m) || /^site_page_group(_device)?:/.test(m);
const hasDevice = (m: string) =>
  m.startsWith('site_page_group_device:') ||
  (/^rum_/.test(m) && !/^rum_(inp_targets|lcp_elements|cls_targets)_total$/.test(m));

export const RULES: Record<string, { rule: Rule; applies?: (d: GrafanaDashboard) => boolean }> = {
  'template-datasource-rule': {
    rule: (d) => {
      const ds = d.templating.list.filter((v) => v.type === 'datasource');
      if (ds.length !== 1) return [`${ds.length} data source variables, want 1`];
      const v = ds[0]!;
      return [
        ...(v.name === 'datasource' ? [] : [`data source variable named ${v.name}, not datasource`]),
        ...(v.label === 'Data source' ? [] : [`data source variable labelled ${v.label}, not "Data source"`]),
        ...(v.query === 'prometheus' ? [] : [`data source variable of type ${v.query}, not prometheus`]),
      ];
    },
  },
  'template-job-rule': {
    rule: templateRule('job', 'Job', [undefined, '.+']),
    applies: isProcessDashboard,
  },
  'template-instance-rule': {
    rule: templateRule('instance', 'Instance', [undefined, '.+']),
    applies: isProcessDashboard,
  },
  'template-site-rule': { rule: templateRule('site', 'Site', ['.+']), applies: isFieldDashboard },
  'template-page-group-rule': {
    rule: templateRule('page_group', 'Page group', ['.+']),
    applies: isFieldDashboard,
  },
  'template-device-rule': { rule: templateRule('device', 'Device', ['.+']), applies: isFieldDashboard },
  'template-target-rule': { rule: templateRule('target', 'Target', ['.+']), applies: isTargetDashboard },
  'template-location-rule': { rule: templateRule('location', 'Location', ['.*']) },
  'template-label-promql-rule': {
    rule: (d) =>
      d.templating.list
        .filter((v) => v.type === 'query')
        .flatMap((v) => {
          const m = /^(label_values|label_names|metrics|query_result)\((.*)\)$/s.exec(v.query ?? '');
          if (!m) return [`${v.name}: ${JSON.stringify(v.query)} is not label_values(), label_names(), ...`];
          const [, fn, args] = m;
          if (fn !== 'label_values') return scan(args!).errors.map((e) => `${v.name}: ${e}`);
          const comma = args!.lastIndexOf(',');
          const [selector, label] = [args!.slice(0, comma), args!.slice(comma + 1).trim()];
          const s = scan(selector);
          return [
            ...s.errors.map((e) => `${v.name}: ${e}`),
            ...(s.selectors.length === 1 ? [] : [`${v.name}: ${selector} is not one metric selector`]),
            ...(/^[a-zA-Z_]\w*$/.test(label) ? [] : [`${v.name}: ${label} is not a label name`]),
          ];
        }),
  },
  'template-on-time-change-reload-rule': {
    rule: (d) =>
      d.templating.list
        .filter((v) => v.type === 'query' && v.refresh !== 2)
        .map((v) => `${v.name} refreshes on ${v.refresh}, not on time range change (2)`),
  },
  'template-unused-rule': {
    rule: (d) => {
      const text = JSON.stringify({ panels: d.panels, annotations: d.annotations, templating: d.templating });
      const used = new Set(variablesIn(text));
      return d.templating.list
        .filter((v) => !used.has(v.name))
        .map((v) => `variable ${v.name} is never used`);
    },
  },
  'panel-datasource-rule': {
    rule: (d) => [
      ...queryingPanels(d)
        .filter((p) => !DATASOURCE_REFS.has(p.datasource?.uid ?? ''))
        .map((p) => `${where(p)} uses data source ${JSON.stringify(p.datasource)}`),
      ...targetsOf(d)
        .filter(({ target }) => !DATASOURCE_REFS.has(target.datasource?.uid ?? ''))
        .map(
          ({ panel, target }) =>
            `${where(panel, target)} uses data source ${JSON.stringify(target.datasource)}`,
        ),
      ...d.annotations.list
        .filter((a) => !DATASOURCE_REFS.has(a.datasource?.uid ?? ''))
        .map((a) => `annotation ${a.name} uses data source ${JSON.stringify(a.datasource)}`),
    ],
  },
  'panel-title-description-rule': {
    rule: (d) =>
      queryingPanels(d).flatMap((p) =>
        p.title && p.description ? [] : [`${where(p)} has no title or description`],
      ),
  },
  'panel-units-rule': {
    rule: (d) =>
      queryingPanels(d).flatMap((p) => {
        const units = [
          p.fieldConfig?.defaults?.unit,
          ...(p.fieldConfig?.overrides ?? []).flatMap((o) =>
            o.properties.filter((prop) => prop.id === 'unit').map((prop) => prop.value as string),
          ),
        ];
        return units
          .filter((u) => !UNITS.has(u ?? ''))
          .map((u) => `${where(p)} has unit ${JSON.stringify(u)}`);
      }),
  },
  'panel-no-targets-rule': {
    rule: (d) => queryingPanels(d).flatMap((p) => (p.targets?.length ? [] : [`${where(p)} has no query`])),
  },
  'target-promql-rule': {
    rule: (d) => {
      const known = new Set([...d.templating.list.map((v) => v.name), ...QUERY_GLOBALS]);
      const queries = [
        ...targetsOf(d).map(({ panel, target }) => ({ at: where(panel, target), expr: target.expr })),
        ...d.annotations.list.map((a) => ({ at: `annotation ${a.name}`, expr: a.expr })),
      ];
      const problems = queries.flatMap(({ at, expr }) => {
        if (!expr?.trim()) return [`${at} has no expression`];
        const s = scan(expr);
        return [
          ...s.errors.map((e) => `${at}: ${e}`),
          ...(s.selectors.length > 0 ? [] : [`${at} selects no series`]),
          ...s.variables.filter((v) => !known.has(v)).map((v) => `${at} uses unknown variable $${v}`),
        ];
      });
      for (const p of queryingPanels(d)) {
        const refIds = (p.targets ?? []).map((t) => t.refId);
        if (refIds.some((r) => !r) || new Set(refIds).size !== refIds.length)
          problems.push(`${where(p)} has missing or repeated refIds: ${refIds.join(',')}`);
      }
      return problems;
    },
  },
  'target-rate-interval-rule': {
    rule: (d) =>
      targetsOf(d).flatMap(({ panel, target }) =>
        scan(target.expr ?? '')
          .calls.filter((c) => RATE_FUNCTIONS.has(c.name))
          .flatMap((c) => (c.ranges.length > 0 ? c.ranges : ['(none)']))
          .filter((range) => range !== '$__rate_interval')
          .map((range) => `${where(panel, target)} uses [${range}], not [$__rate_interval]`),
      ),
  },
  'target-counter-agg-rule': {
    rule: (d) =>
      selectorsOf(d)
        .filter(({ s }) => s.metric.endsWith('_total'))
        .filter(({ s }) => !RATE_FUNCTIONS.has(s.call ?? '') || s.range === undefined)
        .map(({ at, s }) => `${at}: counter ${s.metric} is not read through rate() or increase()`),
  },
  'target-job-rule': {
    rule: (d) => requireMatcher(d, 'job', () => true),
    applies: isProcessDashboard,
  },
  'target-instance-rule': {
    rule: (d) => requireMatcher(d, 'instance', () => true),
    applies: isProcessDashboard,
  },
  'target-site-rule': {
    rule: (d) => [
      ...requireMatcher(d, 'site', isFieldSeries),
      ...requireMatcher(d, 'page_group', isFieldSeries),
      ...requireMatcher(d, 'device', hasDevice),
      ...selectorsOf(d)
        .filter(({ s }) => isFieldSeries(s.metric) && s.matchers.has('location'))
        .map(({ at, s }) => `${at}: ${s.metric} is about visitors; a location matcher would split a site`),
    ],
    applies: isFieldDashboard,
  },
  'target-target-rule': {
    rule: (d) => requireMatcher(d, 'target', (m) => isRawVantageSeries(m) || isTargetRecorded(m)),
    applies: isTargetDashboard,
  },
  'target-location-rule': {
    rule: (d) => [
      ...requireMatcher(d, 'location', isRawVantageSeries),
      ...selectorsOf(d)
        .filter(({ s }) => isTargetRecorded(s.metric) && s.matchers.has('location'))
        .map(({ at, s }) => `${at}: ${s.metric} covers every location; a location matcher would empty it`),
    ],
  },
  'uneditable-rule': { rule: (d) => (d.editable === false ? [] : ['the dashboard is editable']) },
  'dashboard-conventions': {
    rule: (d) => {
      const problems: string[] = [];
      if (!d.uid) problems.push('no uid');
      if (!d.tags?.includes('vantage')) problems.push(`tags ${JSON.stringify(d.tags)} lack "vantage"`);
      if (d.graphTooltip !== 1) problems.push(`graphTooltip ${d.graphTooltip}, not 1 (shared crosshair)`);
      if (!d.refresh || !d.time) problems.push('no time range or refresh');
      if (
        !d.links?.some(
          (l) => l.type === 'dashboards' && l.tags?.includes('vantage') && l.includeVars && l.keepTime,
        )
      )
        problems.push('no link to the other vantage dashboards that keeps variables and time');
      const panels = d.panels.filter((p) => p.type !== 'row');
      const titles = panels.map((p) => p.title);
      for (const t of new Set(titles))
        if (titles.filter((u) => u === t).length > 1) problems.push(`two panels are titled "${t}"`);
      const ids = d.panels.map((p) => p.id);
      if (new Set(ids).size !== ids.length) problems.push('repeated panel ids');
      return problems;
    },
  },
  'link-variables-rule': {
    rule: (d) => {
      const known = new Set(d.templating.list.map((v) => v.name));
      const links = queryingPanels(d).flatMap((p) => [
        ...(p.links ?? []),
        ...(p.fieldConfig?.defaults?.links ?? []),
        ...(p.fieldConfig?.overrides ?? []).flatMap((o) =>
          o.properties.filter((prop) => prop.id === 'links').flatMap((prop) => prop.value as Link[]),
        ),
      ]);
      return links.flatMap((l) =>
        variablesIn(l.url ?? '')
          .filter((v) => !v.startsWith('__') && !known.has(v))
          .map((v) => `link ${l.url} uses unknown variable ${v}`),
      );
    },
  },
};

export function lint(d: GrafanaDashboard): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(RULES)
      .filter(([, r]) => r.applies?.(d) ?? true)
      .map(([name, r]) => [name, r.rule(d)]),
  );
}
