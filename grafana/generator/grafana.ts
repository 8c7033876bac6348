/**
 * Renders the model (model.ts) as Grafana dashboard JSON: the classic schema that file
 * provisioning loads (panels[].targets[], templating.list, annotations.list), laid out on
 * Grafana's 24-column grid. Everything Grafana would default is left out, so the JSON shows what
 * was chosen.
 */
import {
  ANNOTATION_REF_ID,
  refId,
  type Annotation,
  type Column,
  type Dashboard,
  type FieldStyle,
  type Link,
  type Panel,
  type Query,
  type Thresholds,
  type ValueMapping,
  type Variable,
} from './model.js';

/** Every panel, query and annotation reads the data source the `datasource` variable selects. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

const SCHEMA_VERSION = 39; // Grafana 11.0; newer Grafanas migrate it on load
const GRID_WIDTH = 24;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type JsonObject = { [key: string]: Json | undefined };

const DEFAULT_SIZE: Record<Panel['kind'], { w: number; h: number }> = {
  timeseries: { w: 12, h: 8 },
  stat: { w: 6, h: 4 },
  bargauge: { w: 12, h: 8 },
  'state-timeline': { w: 12, h: 8 },
  table: { w: 24, h: 8 },
};

export function renderDashboard(d: Dashboard): JsonObject {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['vantage'],
    editable: false,
    graphTooltip: 1, // shared crosshair
    time: d.time,
    refresh: d.refresh,
    timezone: 'browser',
    schemaVersion: SCHEMA_VERSION,
    links: [
      {
        title: 'vantage',
        type: 'dashboards',
        tags: ['vantage'],
        asDropdown: false,
        includeVars: true,
        keepTime: true,
      },
    ],
    annotations: { list: d.annotations.map(renderAnnotation) },
    templating: { list: d.variables.map(renderVariable) },
    panels: layout(d),
  };
}

/** Rows and panels on the grid: each row starts a line, panels flow left to right and wrap. */
function layout(d: Dashboard): JsonObject[] {
  const out: JsonObject[] = [];
  let id = 1;
  let y = 0;
  for (const row of d.rows) {
    out.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: GRID_WIDTH, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? DEFAULT_SIZE[panel.kind].w;
      const h = panel.height ?? DEFAULT_SIZE[panel.kind].h;
      if (x + w > GRID_WIDTH) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push(renderPanel(panel, id++, { h, w, x, y }));
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return out;
}

function renderPanel(
  p: Panel,
  id: number,
  gridPos: { h: number; w: number; x: number; y: number },
): JsonObject {
  const instant = p.kind === 'table' || p.kind === 'bargauge';
  return {
    id,
    type: p.kind,
    title: p.title,
    description: `${p.question}\n\n${p.description}`,
    datasource: DATASOURCE,
    gridPos,
    links: p.links?.map(renderLink),
    fieldConfig: {
      defaults: {
        unit: p.unit,
        decimals: p.decimals,
        min: p.min,
        max: p.max,
        thresholds: renderThresholds(p.thresholds ?? { base: 'green', steps: [] }),
        mappings: p.mappings ? renderMappings(p.mappings) : undefined,
        color: p.thresholds || p.mappings ? { mode: 'thresholds' } : undefined,
        links: p.dataLinks?.map(renderLink),
        custom: customDefaults(p),
      },
      overrides: overrides(p),
    },
    options: options(p),
    targets: p.queries.map((q, i) => renderQuery(q, i, instant)),
    transformations: p.kind === 'table' ? tableTransformations() : undefined,
  };
}

function renderQuery(q: Query, index: number, instant: boolean): JsonObject {
  return {
    datasource: DATASOURCE,
    refId: refId(index),
    expr: q.expr,
    legendFormat: q.legend,
    interval: q.minStep,
    instant,
    range: !instant,
    format: instant ? 'table' : 'time_series',
  };
}

function customDefaults(p: Panel): JsonObject | undefined {
  switch (p.kind) {
    case 'timeseries':
      return {
        drawStyle: p.bars ? 'bars' : 'line',
        fillOpacity: p.bars || p.stack ? 80 : 10,
        lineWidth: 1,
        showPoints: 'never',
        stacking: { mode: p.stack ? 'normal' : 'none', group: 'A' },
        thresholdsStyle: { mode: thresholdsStyle(p.showThresholds) },
      };
    case 'table':
      return { align: 'auto', cellOptions: { type: 'auto' } };
    case 'state-timeline':
      return { fillOpacity: 80, lineWidth: 0 };
    default:
      return undefined;
  }
}

function thresholdsStyle(show: 'lines' | 'area' | undefined): string {
  if (show === 'lines') return 'dashed';
  if (show === 'area') return 'dashed+area';
  return 'off';
}

function options(p: Panel): JsonObject {
  const lastValue = { calcs: ['lastNotNull'], fields: '', values: false };
  switch (p.kind) {
    case 'timeseries':
      return {
        legend: p.legendCalcs
          ? { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: [...p.legendCalcs] }
          : { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
    case 'stat':
      return {
        reduceOptions: lastValue,
        colorMode: p.background ? 'background' : 'value',
        graphMode: p.sparkline ? 'area' : 'none',
        textMode: p.showName ? 'name' : 'auto',
        justifyMode: 'auto',
        orientation: 'auto',
      };
    case 'bargauge':
      return {
        reduceOptions: lastValue,
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
        valueMode: 'color',
      };
    case 'state-timeline':
      return {
        mergeValues: true,
        showValue: 'auto',
        rowHeight: 0.9,
        alignValue: 'left',
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'single', sort: 'none' },
      };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
  }
}

function overrides(p: Panel): JsonObject[] {
  if (p.kind === 'timeseries') return (p.styles ?? []).map(styleOverride);
  if (p.kind !== 'table') return [];
  const labelColumns = p.labels.map(({ label, title, link }) => ({
    matcher: { id: 'byName', options: label },
    properties: [
      { id: 'displayName', value: title },
      ...(link ? [{ id: 'links', value: [renderLink(link)] }] : []),
    ],
  }));
  return [...labelColumns, ...p.queries.map((c, i) => columnOverride(c, refId(i)))];
}

/**
 * A table's value column. Grafana names it "Value #A" when the panel has several queries and
 * "Value" when it has one; the regular expression matches both.
 */
function columnOverride(c: Column, ref: string): JsonObject {
  const properties: JsonObject[] = [{ id: 'displayName', value: c.title }];
  if (c.unit) properties.push({ id: 'unit', value: c.unit });
  if (c.decimals !== undefined) properties.push({ id: 'decimals', value: c.decimals });
  if (c.thresholds) properties.push({ id: 'thresholds', value: renderThresholds(c.thresholds) });
  if (c.mappings) properties.push({ id: 'mappings', value: renderMappings(c.mappings) });
  if (c.colored) {
    properties.push({ id: 'color', value: { mode: 'thresholds' } });
    properties.push({ id: 'custom.cellOptions', value: { type: 'color-background', mode: 'basic' } });
  }
  return { matcher: { id: 'byRegexp', options: `^Value( #${ref})?$` }, properties };
}

function styleOverride(s: FieldStyle): JsonObject {
  const properties: JsonObject[] = [];
  if (s.dashed) properties.push({ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } });
  if (s.fill !== undefined) properties.push({ id: 'custom.fillOpacity', value: s.fill });
  if (s.width !== undefined) properties.push({ id: 'custom.lineWidth', value: s.width });
  if (s.color) properties.push({ id: 'color', value: { mode: 'fixed', fixedColor: s.color } });
  return { matcher: { id: 'byRegexp', options: s.match }, properties };
}

/** One row per label set: merge the instant queries' frames, hide their timestamps. */
function tableTransformations(): JsonObject[] {
  return [
    { id: 'merge', options: {} },
    { id: 'organize', options: { excludeByName: { Time: true } } },
  ];
}

function renderThresholds(t: Thresholds): JsonObject {
  return {
    mode: 'absolute',
    steps: [{ color: t.base, value: null }, ...t.steps.map(([value, color]) => ({ color, value }))],
  };
}

function renderMappings(mappings: readonly ValueMapping[]): JsonObject[] {
  return mappings.map((m, index) =>
    m.type === 'value'
      ? { type: 'value', options: { [m.value]: { text: m.text, color: m.color, index } } }
      : {
          type: 'range',
          options: { from: m.from, to: m.to, result: { text: m.text, color: m.color, index } },
        },
  );
}

function renderLink(l: Link): JsonObject {
  return { title: l.title, url: l.url, targetBlank: l.newTab ?? false };
}

function renderVariable(v: Variable): JsonObject {
  switch (v.kind) {
    case 'datasource':
      return { name: v.name, label: v.label, type: 'datasource', query: v.pluginId, refresh: 1, hide: 0 };
    case 'query':
      return {
        name: v.name,
        label: v.label,
        type: 'query',
        datasource: DATASOURCE,
        query: v.query,
        definition: v.query,
        refresh: 2, // on time range change: a target added an hour ago shows up
        sort: 1,
        multi: v.multi,
        includeAll: v.includeAll,
        allValue: v.allValue,
        current: v.includeAll ? { selected: true, text: ['All'], value: ['$__all'] } : undefined,
        hide: 0,
      };
    case 'textbox':
      return {
        name: v.name,
        label: v.label,
        description: v.description,
        type: 'textbox',
        query: v.value,
        current: { text: v.value, value: v.value },
        hide: 0,
      };
  }
}

/**
 * A Prometheus annotation. The query is in `target`, where Grafana's schema has it, and also at
 * the top level (`expr`, `step`), where Grafana before 10 and most tools read it; Grafana's
 * Prometheus data source moves the top-level form into `target` on load, so the two agree.
 */
function renderAnnotation(a: Annotation): JsonObject {
  return {
    name: a.name,
    datasource: DATASOURCE,
    enable: true,
    hide: false,
    iconColor: a.color,
    target: { refId: ANNOTATION_REF_ID, expr: a.expr, interval: a.step },
    expr: a.expr,
    step: a.step,
    titleFormat: a.titleFormat,
    textFormat: a.textFormat,
    tagKeys: a.tagKeys.join(','),
    useValueForTime: a.useValueForTime ?? false,
  };
}
