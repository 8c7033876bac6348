/**
 * What a vantage dashboard is made of, in the terms the dashboards are written in: panels that
 * answer one question each, with their PromQL. grafana.ts turns these into Grafana's JSON;
 * docs.ts and emptyResults.ts read the same objects, so the JSON, docs/dashboards.md and
 * grafana/dashboards/empty-results.yml cannot drift apart.
 */

/** Grafana unit ids (the subset these dashboards use; each is in Grafana's unit list). */
export type Unit =
  | 's'
  | 'percentunit'
  | 'bytes'
  | 'Bps'
  | 'none'
  | 'short'
  | 'ops'
  /** requests per second: a load test's rates */
  | 'reqps'
  | 'dateTimeFromNow';

export type Color = 'green' | 'orange' | 'red' | 'blue' | 'purple' | 'text' | 'transparent';

/** Absolute thresholds: the base colour, then each step's lower bound and colour. */
export interface Thresholds {
  base: Color;
  steps: readonly (readonly [value: number, color: Color])[];
}

/** Value mappings; without `text` the value itself is shown, in the mapping's colour. */
export type ValueMapping =
  | { type: 'value'; value: string; text?: string; color: Color }
  | { type: 'range'; from: number; to: number; text?: string; color: Color };

export interface Link {
  title: string;
  url: string;
  /** Open in a new tab (reports, vantage pages); dashboard links stay in the tab. */
  newTab?: boolean;
}

export interface Query {
  expr: string;
  legend?: string;
  /**
   * Why this query may legitimately return no data: it is then listed in
   * grafana/dashboards/empty-results.yml, which the test that runs every panel query against a
   * real Prometheus reads. Without a reason, an empty result is a bug.
   */
  mayBeEmpty?: string;
  /**
   * Grafana's "Min step" for the query, e.g. '1h' for counters that move once per audit:
   * $__rate_interval is then at least four times it, wide enough to hold several audits.
   */
  minStep?: string;
}

/** A value column of a table: one instant query per column, merged on the label columns. */
export interface Column extends Query {
  title: string;
  unit?: Unit;
  thresholds?: Thresholds;
  mappings?: readonly ValueMapping[];
  /** Colour the cell's background (thresholds or mappings) rather than leaving it plain. */
  colored?: boolean;
  decimals?: number;
}

export interface FieldStyle {
  /** Series whose legend matches this regular expression. */
  match: string;
  dashed?: boolean;
  fill?: number;
  color?: Color;
  width?: number;
}

interface PanelBase {
  title: string;
  /** The question the panel answers; first line of its description and of its docs. */
  question: string;
  /** How to read it: what is plotted, what good and bad look like. */
  description: string;
  unit: Unit;
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: Thresholds;
  mappings?: readonly ValueMapping[];
  /** Links in the panel header. */
  links?: readonly Link[];
  /** Links on every value (Grafana data links), with ${__field.labels.*} and variables. */
  dataLinks?: readonly Link[];
}

export interface TimeseriesPanel extends PanelBase {
  kind: 'timeseries';
  queries: readonly Query[];
  stack?: boolean;
  bars?: boolean;
  /** Draw the thresholds on the graph as dashed lines (and tinted areas with `area`). */
  showThresholds?: 'lines' | 'area';
  styles?: readonly FieldStyle[];
  /** Legend as a table with these reductions (mean, max, lastNotNull). */
  legendCalcs?: readonly ('mean' | 'max' | 'min' | 'lastNotNull')[];
}

export interface StatPanel extends PanelBase {
  kind: 'stat';
  queries: readonly Query[];
  /** Colour the background (status panels) rather than the value. */
  background?: boolean;
  sparkline?: boolean;
  /** Show each series' legend (e.g. a version string) instead of its value. */
  showName?: boolean;
}

export interface BarGaugePanel extends PanelBase {
  kind: 'bargauge';
  queries: readonly Query[];
}

export interface StateTimelinePanel extends PanelBase {
  kind: 'state-timeline';
  queries: readonly Query[];
}

export interface TablePanel extends PanelBase {
  kind: 'table';
  queries: readonly Column[];
  /** Label columns, in order, with their headers and optional links. */
  labels: readonly { label: string; title: string; link?: Link }[];
}

export type Panel = TimeseriesPanel | StatPanel | BarGaugePanel | StateTimelinePanel | TablePanel;

export interface Row {
  title: string;
  panels: readonly Panel[];
}

export type Variable =
  | { kind: 'datasource'; name: string; label: string; pluginId: 'prometheus' }
  | {
      kind: 'query';
      name: string;
      label: string;
      query: string;
      /** Regex used for "All"; undefined lets Grafana join every value into one regex. */
      allValue?: string;
      multi: boolean;
      includeAll: boolean;
    }
  | { kind: 'textbox'; name: string; label: string; value: string; description: string };

export interface Annotation {
  name: string;
  /** Why this annotation is on the dashboard; goes into the docs. */
  description: string;
  expr: string;
  color: Color;
  titleFormat: string;
  textFormat: string;
  tagKeys: readonly string[];
  /** The series' value is the event's Unix time (a change log), not "something is happening". */
  useValueForTime?: boolean;
  step: string;
  mayBeEmpty?: string;
}

export interface Dashboard {
  uid: string;
  /** File name under grafana/dashboards/vantage/. */
  file: string;
  title: string;
  description: string;
  time: { from: string; to: string };
  refresh: string;
  variables: readonly Variable[];
  annotations: readonly Annotation[];
  rows: readonly Row[];
}

/** refIds in query order: A, B, C, ... (the same letters in JSON, docs and empty-results.yml). */
export function refId(index: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + index);
}

/** The refId Grafana gives a Prometheus annotation's query. */
export const ANNOTATION_REF_ID = 'Anno';
