/**
 * The field (real-user) parts of the report, formatted once for Markdown and HTML: a site's
 * figure rows (the same FigureRow as the probe figures, so "better/worse" reads the same), the
 * breakdown table by page group and device, the evaluation table of a change's field p75s, and
 * the sentences around them. Pure; figures through src/format/ as everywhere in the report.
 */
import {
  NO_DATA,
  SP,
  formatChangeRatio,
  formatCount,
  formatRatio,
  formatValue,
  usable,
} from '../../format/index.js';
import type { FieldVitalEvaluation } from '../fieldEvaluation.js';
import { MIN_FIELD_CHANGE, MIN_FIELD_PAGE_VIEWS } from '../fieldEvaluation.js';
import type { ComparedVital, FieldMonitoring, FieldSliceFigures } from '../fieldMonitoring.js';
import type { ComparedFigure } from '../monitoring.js';
import { changeTone, formatFigureChange, type Direction, type FigureRow } from './format.js';

/** "LCP", "INP", "CLS", "FCP", "TTFB". */
export const vitalAbbreviation = (vital: string): string => vital.toUpperCase();

function row(
  label: string,
  f: ComparedFigure,
  format: (v: number | null) => string,
  better: Direction,
): FigureRow {
  return {
    label,
    current: format(f.current),
    previous: format(f.previous),
    vsPrevious: formatFigureChange(f.vsPrevious, f.unit),
    vsPreviousTone: changeTone(f.vsPrevious, better),
    weekEarlier: format(f.weekEarlier),
    vsWeekEarlier: formatFigureChange(f.vsWeekEarlier, f.unit),
    vsWeekEarlierTone: changeTone(f.vsWeekEarlier, better),
    meetsObjective: null,
  };
}

const count = (v: number | null): string => (usable(v) ? formatCount(v) : NO_DATA);
const ratio = (v: number | null): string => formatRatio(v);
const vitalValue = (v: ComparedVital) => (x: number | null) => formatValue(x, v.unit);

/**
 * A slice's rows against the previous period and a week earlier: page views, sessions, bounce
 * rate, conversion rate per goal, then per vital its p75 and its share of good page views.
 */
export function fieldFigureRows(s: FieldSliceFigures): FigureRow[] {
  const rows = [
    row('Page views', s.pageViews, count, null),
    row('Sessions', s.sessions, count, null),
    row('Bounce rate', s.bounceRate, ratio, 'lower'),
    ...s.conversions.map((c) => row(`Conversion rate (${c.goal})`, c.rate, ratio, 'higher')),
  ];
  for (const v of s.vitals) {
    if (v.p75.current === null && v.p75.previous === null && v.p75.weekEarlier === null) continue;
    rows.push(row(`${vitalAbbreviation(v.vital)} p75`, v.p75, vitalValue(v), 'lower'));
    rows.push(row(`${vitalAbbreviation(v.vital)} good share`, v.goodShare, ratio, 'higher'));
  }
  return rows;
}

/** "product on mobile", "all page groups on desktop", "product (all devices)". */
export function sliceName(s: Pick<FieldSliceFigures, 'pageGroup' | 'device'>): string {
  if (s.pageGroup === null && s.device === null) return 'whole site';
  if (s.pageGroup === null) return `all page groups on ${s.device}`;
  if (s.device === null) return `${s.pageGroup} (all devices)`;
  return `${s.pageGroup} on ${s.device}`;
}

/** The breakdown table's columns, in every format. */
export const FIELD_SLICE_COLUMNS = [
  'Page group',
  'Device',
  'Page views',
  'Bounce rate',
  'LCP p75 (good)',
  'INP p75 (good)',
  'CLS p75 (good)',
  'FCP p75 (good)',
  'TTFB p75 (good)',
] as const;

/**
 * One slice's row of the breakdown table (this period only; the JSON holds its comparisons),
 * with the columns whose p75 is above the vital's "good" threshold (to be marked ✗).
 */
export function fieldSliceRow(s: FieldSliceFigures): { cells: string[]; aboveGood: number[] } {
  const cells = [
    s.pageGroup ?? 'all',
    s.device ?? 'all',
    count(s.pageViews.current),
    ratio(s.bounceRate.current),
  ];
  const aboveGood: number[] = [];
  for (const v of s.vitals) {
    const p75 = v.p75.current;
    if (usable(p75) && p75 > v.good) aboveGood.push(cells.length);
    cells.push(
      usable(p75) ? `${formatValue(p75, v.unit)} (${formatRatio(v.goodShare.current, 0)})` : NO_DATA,
    );
  }
  return { cells, aboveGood };
}

/** "checkout: no beacons in the period." A site without page views, in one line. */
export function noBeaconsSentence(site: string): string {
  return `${site}: no beacons in the period (no page views from real users), so no field figures.`;
}

/** Said under the field tables: what the figures are. */
export function fieldNote(field: FieldMonitoring): string {
  const extrapolated = field.exact
    ? ''
    : ' Counts are extrapolated: vantage restarted in the period (a counter reset).';
  return (
    "Field data: real visitors' page views, measured in their browsers. p75: the 75th percentile, " +
    "from the collector's histogram buckets (within 10 % in each vital's usual range); good: the " +
    'share of page views rated good by the Core Web Vitals thresholds (exact). Bounce rate: 1 − ' +
    'engaged sessions / sessions; conversion rate: conversions / sessions, both by landing page ' +
    `group. ✗: p75 above the "good" threshold.${extrapolated}`
  );
}

/** The field evaluation table's columns, in every format. */
export const FIELD_EVALUATION_COLUMNS = [
  'Vital',
  'p75 before → after',
  'Change',
  '95 % interval before → after',
  'Page views before / after',
  'Verdict',
] as const;

/** One vital's row of a change's field evaluation table. */
export function fieldEvaluationRow(v: FieldVitalEvaluation): string[] {
  const value = (x: number | null) => formatValue(x, v.unit);
  const interval = (s: FieldVitalEvaluation['before']) =>
    s.low === null ? NO_DATA : `${value(s.low)}–${value(s.high)}`;
  return [
    `${vitalAbbreviation(v.vital)} (${v.label})`,
    `${value(v.before.p75)} → ${value(v.after.p75)}`,
    formatChangeRatio(v.changeRatio),
    `${interval(v.before)} → ${interval(v.after)}`,
    `${formatCount(v.before.samples)} / ${formatCount(v.after.samples)}`,
    v.verdict === 'no significant change' ? 'no change beyond noise' : v.verdict,
  ];
}

/** Said under the field evaluation: the rule (docs/report.md has it in full). */
export const FIELD_EVALUATION_NOTE =
  `Field p75s of real users in the same windows as the lab figures. A p75 counts as changed when it ` +
  `moved by more than ${formatRatio(MIN_FIELD_CHANGE, 0)} into another histogram bucket and the two ` +
  `windows' 95${SP}% intervals do not overlap; a window with fewer than ${MIN_FIELD_PAGE_VIEWS} ` +
  'page views is not enough field data.';
