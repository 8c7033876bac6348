/**
 * The sentences the report data carries (model.ts `sentence` fields), so the JSON, the
 * Markdown and the HTML say the same thing in the same words. Every figure in them is
 * formatted by src/format/, as the renderers' tables are: a sentence and a table never give
 * the same value two ways.
 */
import {
  formatChangeRatio,
  formatCount,
  formatNumber,
  formatPValue,
  formatRatio,
  formatSeconds,
  formatValue,
} from '../format/index.js';
import type { BeforeAfterComparison } from '../stats/compare.js';
import type { FieldChangeEvaluation, FieldVitalEvaluation } from './fieldEvaluation.js';
import type { JourneyFigures } from './journeys.js';

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
    return `${label}: not enough samples to judge (${formatCount(c.n1)} before, ${formatCount(c.n2)} after; at least 5 a side are needed).`;
  }
  const useMeans = means && means.before !== null && means.after !== null;
  const from = useMeans ? means.before : c.medianBefore;
  const to = useMeans ? means.after : c.medianAfter;
  const what = useMeans ? 'mean' : 'median';
  const values =
    from !== null && to !== null
      ? `${what} ${formatValue(from, unit)} → ${formatValue(to, unit)}` +
        (unit !== 'ratio' && c.changeRatio !== null ? ` (${formatChangeRatio(c.changeRatio)})` : '')
      : '';
  const stats =
    `${c.p === null ? '' : formatPValue(c.p)}, ${c.effectMagnitude} effect ` +
    `(Cliff's δ = ${formatNumber(c.effectSize, 2)}), n = ${formatCount(c.n1)} / ${formatCount(c.n2)}`;
  const verdict =
    c.verdict === 'no significant change'
      ? c.significant
        ? 'no meaningful change (significant but negligible)'
        : 'no significant change'
      : c.verdict;
  return `${label} ${verdict}: ${values}${values ? ', ' : ''}${stats}.`;
}

/**
 * "Journey checkout on shop: 97.50 % of 1,440 journeys completed, mean 1.24 s, p95 2.10 s; most
 * failures at step payment (30, 28 of them timeout)." The summary's line for a journey that
 * did not always complete; a browser flow's starts "Browser journey".
 */
export function describeJourney(j: JourneyFigures): string {
  const times = [
    j.meanSeconds !== null ? `mean ${formatSeconds(j.meanSeconds)}` : null,
    j.p95Seconds !== null ? `p95 ${formatSeconds(j.p95Seconds)}` : null,
  ].filter((x) => x !== null);
  const noun = j.kind === 'browser' ? 'Browser journey' : 'Journey';
  const head =
    `${noun} ${j.module} on ${j.target}: ${formatRatio(j.completionRate)} of ${formatCount(j.runs)} ` +
    `journeys completed${times.length > 0 ? `, ${times.join(', ')}` : ''}`;
  const worst = j.mostFailingStep;
  if (!worst) return `${head}.`;
  const reason =
    worst.reason === null ? '' : `, ${formatCount(worst.reasonFailures)} of them ${worst.reason}`;
  return `${head}; most failures at step ${worst.step} (${formatCount(worst.failures)}${reason}).`;
}

/**
 * "field p75 Largest Contentful Paint regressed: 2.00 s → 3.00 s (+50.0 %), 95 % interval
 * 1.95 s–2.05 s → 2.90 s–3.10 s, 1,440 / 1,440 page views." One vital of a change's field
 * evaluation (fieldEvaluation.ts says what the interval is and when a move counts).
 */
export function describeFieldVital(e: Omit<FieldVitalEvaluation, 'sentence'>): string {
  const label = `field p75 ${e.label}`;
  const n = `${formatCount(e.before.samples)} / ${formatCount(e.after.samples)} page views`;
  if (e.verdict === 'not enough field data' || e.before.p75 === null || e.after.p75 === null) {
    return `${label}: not enough field data (${n}; at least 100 a side are needed).`;
  }
  const value = (v: number | null): string => formatValue(v, e.unit);
  const change = e.changeRatio !== null ? ` (${formatChangeRatio(e.changeRatio)})` : '';
  const interval = (s: FieldVitalEvaluation['before']): string => `${value(s.low)}–${value(s.high)}`;
  const verdict = e.verdict === 'no significant change' ? 'no change beyond noise' : e.verdict;
  return (
    `${label} ${verdict}: ${value(e.before.p75)} → ${value(e.after.p75)}${change}, ` +
    `95 % interval ${interval(e.before)} → ${interval(e.after)}, ${n}.`
  );
}

/** "Field data on shop: regressed (1,440 page views before, 1,440 after)." */
export function describeFieldChange(e: Omit<FieldChangeEvaluation, 'sentence'>): string {
  const views = `${formatCount(e.pageViews.before)} page views before, ${formatCount(e.pageViews.after)} after`;
  const verdict = e.verdict === 'no significant change' ? 'no change beyond noise' : e.verdict;
  return `Field data on ${e.site}: ${verdict} (${views}).`;
}
