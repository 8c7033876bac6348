/**
 * Inline SVG charts for the HTML report: a time-series line chart (gaps where data is missing,
 * a dashed threshold line, day ticks in the report's time zone) and a before/after
 * distribution chart (box plots over a jittered strip of the samples). Pure string builders:
 * no DOM, no randomness (jitter comes from a hash, so the same report renders the same bytes),
 * and every colour is a presentation attribute, so each SVG is correct on its own, without the
 * page's stylesheet. Each chart is well-formed XML with role="img", a <title> and a <desc>.
 */
import { escapeHtml } from '../../html/escape.js';
import { localMidnights } from '../../time/period.js';
import { localFields } from '../../time/zone.js';
import type { SeriesPoint } from '../model.js';
import { formatCount, formatNumber, formatValue, type ValueUnit } from '../../format/index.js';
import { zoneLabel } from './format.js';

const esc = escapeHtml;
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
const TEXT = '#333';
const GRID = '#ddd';
const AXIS = '#888';

/** Coordinates with two decimals: sub-pixel precision beyond that only bloats the markup. */
function px(n: number): string {
  return String(Math.round(n * 100) / 100);
}

// ---------------------------------------------------------------------------------------------
// Ticks

export interface NiceScale {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/**
 * The "nice" step (1, 2, 2.5 or 5 times a power of ten) that splits `range` into about
 * `count` intervals: axis labels people can read at a glance ("0.25 s", not "0.2371 s").
 */
export function niceStep(range: number, count: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Strip binary floating-point noise (0.30000000000000004) from computed tick values. */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

/**
 * A scale covering [min, max] extended outwards to whole steps, with its ticks. A degenerate
 * range (one value, or none) is widened around the value so a flat line still gets an axis.
 */
export function niceTicks(min: number, max: number, count = 5): NiceScale {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : 1;
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const first = Math.floor(clean(lo / step)) * step;
  const last = Math.ceil(clean(hi / step)) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= last + step * 1e-9; i++) ticks.push(clean(first + i * step));
  return { min: clean(first), max: clean(last), step, ticks };
}

/** Decimals needed to tell ticks `step` apart (0.25 → 2, 5 → 0). */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 0;
  for (let d = 0; d < 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 10;
}

/**
 * An axis label for `value` on a scale ticking every `step`: one unit for the whole axis
 * (all "ms" or all "s") and just enough decimals, so labels line up and differ visibly.
 */
export function formatTick(value: number, step: number, unit: ValueUnit, scaleMax: number): string {
  switch (unit) {
    case 'seconds':
      return scaleMax < 1
        ? `${formatNumber(value * 1000, stepDecimals(step * 1000))} ms`
        : `${formatNumber(value, stepDecimals(step))} s`;
    case 'ratio':
      return `${formatNumber(value * 100, stepDecimals(step * 100))} %`;
    case 'score':
      return formatNumber(value * 100, stepDecimals(step * 100));
    case 'unitless':
      return formatNumber(value, stepDecimals(step));
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function svgOpen(width: number, height: number, title: string, desc: string, id: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" ` +
    `height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" ` +
    `font-family="${FONT}" font-size="11" class="chart">` +
    `<title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>`
  );
}

function text(x: number, y: number, content: string, attrs = ''): string {
  // The default colour only when the caller sets none: a repeated attribute is not well-formed XML.
  const fill = /\bfill=/.test(attrs) ? '' : ` fill="${TEXT}"`;
  return `<text x="${px(x)}" y="${px(y)}"${fill}${attrs ? ` ${attrs}` : ''}>${esc(content)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, attrs: string): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" ${attrs}/>`;
}

/** Ids must be unique within the HTML page for aria-labelledby; callers pass a per-chart key. */
export function chartId(key: string): string {
  return `c-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

// ---------------------------------------------------------------------------------------------
// Time-series line chart

export interface LineChartOptions {
  /** For aria-labelledby; unique in the page. */
  id: string;
  title: string;
  points: readonly SeriesPoint[];
  /** The time axis, ms. */
  from: number;
  to: number;
  timeZone: string;
  unit: 'seconds' | 'ratio';
  /** Dashed reference line (latency threshold, uptime objective). */
  reference?: { value: number; label: string } | null;
  /** Keep the value axis within these bounds (uptime never exceeds 1). */
  clampMax?: number;
  /** Start the value axis at 0 (response times: the size of a bar is read from zero). */
  fromZero?: boolean;
  /** What a gap in the line means, for the description (default "no probes ran"). */
  gapReason?: string;
  /** Stretch the value axis up to at least this (utilisation: 0..100 %, so an idle host does not look busy). */
  axisMax?: number;
  color?: string;
  width?: number;
  height?: number;
}

const LINE_MARGIN = { left: 58, right: 16, top: 14, bottom: 34 };

/** The usual spacing of the points, so a missing point (not just a null one) also breaks the line. */
function typicalStep(points: readonly SeriesPoint[]): number {
  const diffs: number[] = [];
  for (let i = 1; i < points.length; i++) diffs.push(points[i]!.t - points[i - 1]!.t);
  diffs.sort((a, b) => a - b);
  return diffs[diffs.length >> 1] ?? Infinity;
}

/**
 * The runs of consecutive present points. A null value, or a jump in time well beyond the
 * usual step, ends a run: the chart shows a gap there, never a drop to zero.
 */
export function seriesSegments(points: readonly SeriesPoint[]): SeriesPoint[][] {
  const sorted = [...points].filter((p) => Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
  const step = typicalStep(sorted);
  const segments: SeriesPoint[][] = [];
  let current: SeriesPoint[] = [];
  let lastT = -Infinity;
  for (const p of sorted) {
    const present = p.value !== null && Number.isFinite(p.value);
    if (!present || p.t - lastT > step * 1.5) {
      if (current.length > 0) segments.push(current);
      current = [];
    }
    if (present) {
      current.push(p);
      lastT = p.t;
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Tue 14 Jan": a day tick short enough for seven across an A4 page. */
function dayLabel(ms: number, zone: string): string {
  const f = localFields(zone, ms);
  return `${WEEKDAYS[f.weekday]} ${f.day} ${MONTHS[f.month - 1]}`;
}

/** The value range the chart must show: the data, the reference line (when near), the bounds. */
function valueDomain(values: number[], o: LineChartOptions): { lo: number; hi: number; refShown: boolean } {
  let lo = values.length > 0 ? Math.min(...values) : 0;
  let hi = values.length > 0 ? Math.max(...values) : 1;
  if (o.fromZero) lo = Math.min(0, lo);
  if (o.axisMax !== undefined) hi = Math.max(hi, o.axisMax);
  let refShown = false;
  const ref = o.reference?.value;
  if (ref !== undefined && Number.isFinite(ref)) {
    // A threshold far from the data would squash the line against one edge; beyond twice the
    // data's span it is named in the corner instead of drawn.
    const span = Math.max(hi - lo, Math.abs(hi) * 0.05, 1e-9);
    if (values.length === 0 || (ref <= hi + 2 * span && ref >= lo - 2 * span)) {
      lo = Math.min(lo, ref);
      hi = Math.max(hi, ref);
      refShown = true;
    }
  }
  return { lo, hi, refShown };
}

/**
 * A line chart of one hourly series over [from, to]: gaps where values are null, a dashed
 * reference line, day ticks in `timeZone` and value ticks with units.
 */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 200;
  const m = LINE_MARGIN;
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const color = o.color ?? '#2f6fb0';

  const segments = seriesSegments(o.points.filter((p) => p.t >= o.from && p.t <= o.to));
  const values = segments.flat().map((p) => p.value as number);
  const domain = valueDomain(values, o);
  const scale = niceTicks(domain.lo, domain.hi, 4);
  const yMax = o.clampMax !== undefined ? Math.min(scale.max, o.clampMax) : scale.max;
  const yMin = scale.min;
  const ySpan = yMax - yMin || 1;
  const x = (t: number) => m.left + ((t - o.from) / (o.to - o.from || 1)) * plotW;
  const y = (v: number) => m.top + (1 - (v - yMin) / ySpan) * plotH;

  const parts: string[] = [];
  const gaps =
    segments.length > 1
      ? ` The line has ${segments.length - 1} gap(s) where ${o.gapReason ?? 'no probes ran'}.`
      : '';
  const refText = o.reference ? ` Dashed line: ${o.reference.label}.` : '';
  const desc =
    values.length === 0
      ? `No data between the axis bounds.${refText}`
      : `Hourly values from ${formatValue(Math.min(...values), o.unit)} to ${formatValue(Math.max(...values), o.unit)}.${refText}${gaps}`;
  parts.push(svgOpen(width, height, o.title, desc, o.id));

  // Value grid and labels.
  for (const tick of scale.ticks) {
    if (tick > yMax + scale.step * 1e-9) continue;
    parts.push(line(m.left, y(tick), m.left + plotW, y(tick), `stroke="${GRID}" stroke-width="1"`));
    parts.push(
      text(m.left - 6, y(tick) + 4, formatTick(tick, scale.step, o.unit, yMax), 'text-anchor="end"'),
    );
  }
  // Day ticks: a line at each local midnight, the label centred on the day that follows.
  const midnights = localMidnights(o.from, o.to, o.timeZone);
  for (const t of midnights)
    parts.push(line(x(t), m.top, x(t), m.top + plotH, `stroke="${GRID}" stroke-width="1"`));
  const dayStarts = [o.from, ...midnights.filter((t) => t > o.from)];
  for (let i = 0; i < dayStarts.length; i++) {
    const start = dayStarts[i]!;
    const end = dayStarts[i + 1] ?? o.to;
    // A sliver of a day at either edge gets no label: it would collide with its neighbour.
    if (end - start < 12 * 3_600_000) continue;
    parts.push(
      text((x(start) + x(end)) / 2, m.top + plotH + 15, dayLabel(start, o.timeZone), 'text-anchor="middle"'),
    );
  }
  parts.push(
    text(
      m.left + plotW,
      height - 4,
      `days in ${zoneLabel(o.timeZone)}`,
      `text-anchor="end" fill-opacity="0.7"`,
    ),
  );
  parts.push(line(m.left, m.top + plotH, m.left + plotW, m.top + plotH, `stroke="${AXIS}" stroke-width="1"`));
  parts.push(line(m.left, m.top, m.left, m.top + plotH, `stroke="${AXIS}" stroke-width="1"`));

  // Reference line, dashed, labelled at its right end (or named in the corner when off-scale).
  if (o.reference && Number.isFinite(o.reference.value)) {
    if (domain.refShown) {
      const ry = y(o.reference.value);
      parts.push(
        line(m.left, ry, m.left + plotW, ry, `stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"`),
      );
      parts.push(text(m.left + plotW - 4, ry - 4, o.reference.label, 'text-anchor="end" fill="#c0392b"'));
    } else {
      parts.push(
        text(m.left + plotW - 4, m.top + 10, `${o.reference.label} (off the scale)`, 'text-anchor="end"'),
      );
    }
  }

  // The series: one "M" per run, so a gap stays a gap; a lone point between gaps is a dot.
  if (values.length === 0) {
    parts.push(text(m.left + plotW / 2, m.top + plotH / 2, 'no data', 'text-anchor="middle" font-size="13"'));
  } else {
    const d = segments
      .map((seg) =>
        seg.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x(p.t))} ${px(y(p.value as number))}`).join(' '),
      )
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    for (const seg of segments) {
      if (seg.length === 1) {
        const p = seg[0]!;
        parts.push(`<circle cx="${px(x(p.t))}" cy="${px(y(p.value as number))}" r="2" fill="${color}"/>`);
      }
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Before/after distribution chart

/** Linear-interpolated quantile of sorted values (Hyndman & Fan type 7, what R and NumPy default to). */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Tukey whiskers: the furthest values within 1.5 IQR of the box. */
  whiskerLow: number;
  whiskerHigh: number;
}

export function boxStats(values: readonly number[]): BoxStats | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const q1 = quantileSorted(sorted, 0.25)!;
  const q3 = quantileSorted(sorted, 0.75)!;
  const iqr = q3 - q1;
  const lowFence = q1 - 1.5 * iqr;
  const highFence = q3 + 1.5 * iqr;
  return {
    n: sorted.length,
    min: sorted[0]!,
    q1,
    median: quantileSorted(sorted, 0.5)!,
    q3,
    max: sorted[sorted.length - 1]!,
    whiskerLow: sorted.find((v) => v >= lowFence) ?? sorted[0]!,
    whiskerHigh: [...sorted].reverse().find((v) => v <= highFence) ?? sorted[sorted.length - 1]!,
  };
}

/** A deterministic value in [0, 1) from an index: jitter that is the same on every render. */
function jitter(i: number, salt: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/** At most `max` values, evenly spaced through the sorted ones: the strip keeps its shape at a fraction of the markup. */
export function thinSorted(sorted: readonly number[], max: number): number[] {
  if (sorted.length <= max) return [...sorted];
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]!);
  return out;
}

const STRIP_MAX = 300;

export interface DistributionChartOptions {
  id: string;
  title: string;
  before: readonly number[];
  after: readonly number[];
  unit: ValueUnit;
  higherIsBetter: boolean;
  width?: number;
}

interface Row {
  label: string;
  values: number[];
  stats: BoxStats | null;
  color: string;
}

/**
 * The axis range. Far outliers (timeouts among sub-second responses) would squash both boxes
 * into a corner, so the axis reaches at most one whisker span beyond the widest whiskers;
 * values further out are drawn on the edge and counted in the caption.
 */
function distributionDomain(rows: Row[], unit: ValueUnit): { lo: number; hi: number } {
  const stats = rows.map((r) => r.stats).filter((s): s is BoxStats => s !== null);
  const wLo = Math.min(...stats.map((s) => s.whiskerLow));
  const wHi = Math.max(...stats.map((s) => s.whiskerHigh));
  const min = Math.min(...stats.map((s) => s.min));
  const max = Math.max(...stats.map((s) => s.max));
  const span = wHi - wLo;
  // Identical whiskers (most hourly uptimes are exactly 1) give no span to extend by: then
  // the whole range of the samples is shown.
  let lo = span > 0 ? Math.max(min, wLo - span) : min;
  let hi = span > 0 ? Math.min(max, wHi + span) : max;
  if (hi === lo) {
    // One value on both sides: a small window around it, inside the unit's bounds.
    const pad = Math.abs(lo) * 0.02 || 0.01;
    lo -= pad;
    hi += pad;
  }
  if (unit === 'ratio' || unit === 'score') {
    lo = Math.max(0, lo);
    hi = Math.min(1, hi);
  }
  return { lo, hi };
}

/**
 * Two horizontal box plots, "Before" above "After", each over a jittered strip of its
 * samples, on one shared value axis; the medians are printed beside the boxes.
 */
export function distributionChart(o: DistributionChartOptions): string {
  const width = o.width ?? 640;
  const rowH = 62;
  const m = { left: 78, right: 36, top: 10, bottom: 40 };
  const height = m.top + 2 * rowH + m.bottom;
  const plotW = width - m.left - m.right;
  const clean = (v: readonly number[]) => v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const rows: Row[] = [
    { label: 'Before', values: clean(o.before), stats: boxStats(o.before), color: '#7f8c9d' },
    { label: 'After', values: clean(o.after), stats: boxStats(o.after), color: '#2f6fb0' },
  ];
  const present = rows.filter((r) => r.stats !== null);
  const medianText = (r: Row) => (r.stats ? formatValue(r.stats.median, o.unit) : 'no samples');
  const desc =
    `Before: ${formatCount(rows[0]!.values.length)} samples, median ${medianText(rows[0]!)}. ` +
    `After: ${formatCount(rows[1]!.values.length)} samples, median ${medianText(rows[1]!)}. ` +
    `${o.higherIsBetter ? 'Higher' : 'Lower'} is better. Boxes span the quartiles, whiskers 1.5 times the interquartile range, dots are the samples.`;
  const parts: string[] = [svgOpen(width, height, o.title, desc, o.id)];

  if (present.length === 0) {
    parts.push(
      text(width / 2, height / 2, 'no samples on either side', 'text-anchor="middle" font-size="13"'),
    );
    parts.push('</svg>');
    return parts.join('');
  }
  const domain = distributionDomain(rows, o.unit);
  const bounded = o.unit === 'ratio' || o.unit === 'score';
  const nice = niceTicks(domain.lo, domain.hi, 5);
  // A ratio axis never runs past 100 %, nor below 0 %: nice rounding must not invent that room.
  const scale = bounded
    ? {
        ...nice,
        min: Math.max(0, nice.min),
        max: Math.min(1, nice.max),
        ticks: nice.ticks.filter((t) => t >= 0 && t <= 1),
      }
    : nice;
  const x = (v: number) =>
    m.left +
    ((Math.min(Math.max(v, scale.min), scale.max) - scale.min) / (scale.max - scale.min || 1)) * plotW;
  const axisY = m.top + 2 * rowH;

  for (const tick of scale.ticks) {
    parts.push(line(x(tick), m.top, x(tick), axisY, `stroke="${GRID}" stroke-width="1"`));
    parts.push(
      text(x(tick), axisY + 14, formatTick(tick, scale.step, o.unit, scale.max), 'text-anchor="middle"'),
    );
  }
  parts.push(line(m.left, axisY, m.left + plotW, axisY, `stroke="${AXIS}" stroke-width="1"`));
  const better = o.higherIsBetter ? 'higher is better →' : `← lower is better`;
  parts.push(text(m.left + plotW, axisY + 30, better, 'text-anchor="end" fill-opacity="0.7"'));

  let clipped = 0;
  rows.forEach((row, index) => {
    const top = m.top + index * rowH;
    const mid = top + rowH / 2;
    parts.push(text(8, mid - 2, row.label, 'font-weight="bold"'));
    parts.push(text(8, mid + 12, `n = ${formatCount(row.values.length)}`, 'fill-opacity="0.8"'));
    if (!row.stats) {
      parts.push(text(m.left + 6, mid + 4, 'no samples', 'font-style="italic"'));
      return;
    }
    // The strip: samples jittered vertically across the row, faint so density shows as darkness.
    const strip = thinSorted(row.values, STRIP_MAX);
    clipped += row.values.filter((v) => v < scale.min || v > scale.max).length;
    strip.forEach((v, i) => {
      const cy = mid - rowH * 0.36 + jitter(i, index) * rowH * 0.72;
      parts.push(`<circle cx="${px(x(v))}" cy="${px(cy)}" r="1.8" fill="${row.color}" fill-opacity="0.35"/>`);
    });
    const s = row.stats;
    const boxH = rowH * 0.42;
    const stroke = `stroke="${row.color === '#7f8c9d' ? '#4d5a6a' : '#1d4f82'}" stroke-width="1.5"`;
    parts.push(line(x(s.whiskerLow), mid, x(s.q1), mid, stroke));
    parts.push(line(x(s.q3), mid, x(s.whiskerHigh), mid, stroke));
    parts.push(line(x(s.whiskerLow), mid - boxH / 4, x(s.whiskerLow), mid + boxH / 4, stroke));
    parts.push(line(x(s.whiskerHigh), mid - boxH / 4, x(s.whiskerHigh), mid + boxH / 4, stroke));
    parts.push(
      `<rect x="${px(x(s.q1))}" y="${px(mid - boxH / 2)}" width="${px(Math.max(1, x(s.q3) - x(s.q1)))}" ` +
        `height="${px(boxH)}" fill="#ffffff" fill-opacity="0.55" ${stroke}/>`,
    );
    parts.push(
      line(x(s.median), mid - boxH / 2, x(s.median), mid + boxH / 2, `stroke="#111" stroke-width="2.5"`),
    );
    // The median's value over the box: the number readers compare first.
    // Centred on the median, unless that would push the label past either end of the axis.
    const mx = x(s.median);
    const anchor = mx > m.left + plotW - 60 ? 'end' : mx < m.left + 60 ? 'start' : 'middle';
    parts.push(
      text(
        mx,
        mid - boxH / 2 - 4,
        `median ${formatValue(s.median, o.unit)}`,
        // A white halo keeps the label legible over the dots of the strip.
        `text-anchor="${anchor}" font-weight="bold" stroke="#ffffff" stroke-width="3" paint-order="stroke"`,
      ),
    );
  });
  if (clipped > 0) {
    parts.push(
      text(m.left, axisY + 30, `${clipped} far value(s) drawn at the axis edge`, 'fill-opacity="0.7"'),
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
