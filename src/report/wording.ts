/**
 * The sentences the report data carries (model.ts `sentence` fields), so the JSON, the
 * Markdown and the HTML say the same thing in the same words. Numbers are written the way the
 * renderers write them: ms below one second, two decimals above; percentages with one decimal.
 */
import type { BeforeAfterComparison } from './stats/compare.js';

const MINUS = '\u2212';

/** 0.8123 → "812 ms", 1.2345 → "1.23 s". */
export function seconds(value: number): string {
  if (Math.abs(value) < 1) return `${withMinus(Math.round(value * 1000).toString())} ms`;
  return `${withMinus(value.toFixed(2))} s`;
}

/** 0.99953 → "99.95 %". */
export function ratioPercent(value: number, digits = 2): string {
  return `${withMinus((value * 100).toFixed(digits))} %`;
}

/** A change ratio −0.4 → "−40.0 %", 0.05 → "+5.0 %". */
export function signedPercent(ratio: number): string {
  const text = (ratio * 100).toFixed(1);
  return ratio > 0 ? `+${text} %` : `${withMinus(text)} %`;
}

/** "p < 0.001", "p = 0.023". */
export function pValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

function withMinus(text: string): string {
  return text.startsWith('-') ? MINUS + text.slice(1) : text;
}

/** A value in the unit of an evaluated figure. */
export function figure(value: number, unit: 'seconds' | 'ratio' | 'score' | 'unitless'): string {
  if (unit === 'seconds') return seconds(value);
  if (unit === 'ratio') return ratioPercent(value);
  // Scores are 0..1 in the data, shown 0..100 as Lighthouse shows them.
  if (unit === 'score') return String(Math.round(value * 100));
  return value.toFixed(3);
}

/**
 * "response time improved: median 812 ms → 487 ms (−40.0 %), p < 0.001, large effect
 * (Cliff's δ = −0.93)." For availability the medians are usually both 100 %, so its sentence
 * gives the means (the successful share) instead.
 */
export function describeComparison(
  label: string,
  unit: 'seconds' | 'ratio' | 'score',
  c: BeforeAfterComparison,
  means?: { before: number | null; after: number | null },
): string {
  if (c.verdict === 'insufficient data') {
    return `${label}: not enough samples to judge (${c.n1} before, ${c.n2} after; at least 5 a side are needed).`;
  }
  const useMeans = means && means.before !== null && means.after !== null;
  const from = useMeans ? means.before : c.medianBefore;
  const to = useMeans ? means.after : c.medianAfter;
  const what = useMeans ? 'mean' : 'median';
  const values =
    from !== null && to !== null
      ? `${what} ${figure(from, unit)} → ${figure(to, unit)}` +
        (unit !== 'ratio' && c.changeRatio !== null ? ` (${signedPercent(c.changeRatio)})` : '')
      : '';
  const stats =
    `${c.p === null ? '' : pValue(c.p)}, ${c.effectMagnitude} effect ` +
    `(Cliff's δ = ${withMinus(c.effectSize.toFixed(2))}), n = ${c.n1} / ${c.n2}`;
  const verdict =
    c.verdict === 'no significant change'
      ? c.significant
        ? 'no meaningful change (significant but negligible)'
        : 'no significant change'
      : c.verdict;
  return `${label} ${verdict}: ${values}${values ? ', ' : ''}${stats}.`;
}

/** "1 h 32 min", "45 s", "2 d 3 h". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
