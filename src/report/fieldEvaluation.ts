/**
 * Evaluation against field data: did a change move the 75th percentile of the Core Web Vitals
 * (LCP, INP, CLS) that real visitors saw? For each change, each site it concerns is compared in
 * the same equal windows the lab evaluation uses (evaluation.ts: before = [change − w, change),
 * after = [change, change + w), w the configured window, shortened when the report was made
 * before a full window had passed).
 *
 * Sites: a change naming a target concerns the sites whose origins hold the target's URL, as
 * vantage_rum_target_page_group_info{target, site, page_group} says; a change naming none (it
 * applies to every target) concerns every site with page views in either window. The whole site
 * is compared (every page group and device): a deploy reaches all of it.
 *
 * The test. A histogram has no per-page-view samples, so a rank test (compare.ts) cannot run;
 * what can be said honestly is bounded by two things, and a p75 only counts as changed when it
 * moved beyond both (judgeP75):
 * - bucket resolution: histogram_quantile interpolates inside one bucket, whose edges in the
 *   dense range are at most 10 % apart (src/rum/vitals.ts). The p75 must move by more than 10 %
 *   (MIN_FIELD_CHANGE) and land in another bucket;
 * - sampling noise: the p75 of n page views is uncertain by about ±1.96·√(0.75·0.25/n) in rank
 *   (the distribution-free interval of a quantile, normal approximation of the binomial). Each
 *   window's 95 % interval is read off its buckets at those ranks; the two intervals must not
 *   overlap (a test at well under 5 %).
 * A window with fewer than MIN_FIELD_PAGE_VIEWS page views (or a vital with fewer
 * observations) is "not enough field data": 100 page views put the p75's rank within about ±9
 * percentile points, already coarse.
 */
import { FIELD_VITALS, type FieldVital, type VitalKey } from '../rum/vitals.js';
import { normalUpperTail } from '../stats/distributions.js';
import { bucketQuantile, FIELD_QUANTILE, observations, sliceFigures } from './fieldFigures.js';
import { fieldPeriodCounts, type FieldPeriodCounts } from './fieldMonitoring.js';
import type { ReportChange } from './model.js';
import { changeWindows } from './evaluation.js';
import type { PrometheusClient } from './prometheusClient.js';
import { describeFieldChange, describeFieldVital } from './wording.js';

/** Page views each window needs before its p75 is compared. */
export const MIN_FIELD_PAGE_VIEWS = 100;
/** The smallest relative move of a p75 that is more than bucket interpolation. */
export const MIN_FIELD_CHANGE = 0.1;
/** The vitals a change is judged on: the three Core Web Vitals. */
export const EVALUATED_FIELD_VITALS: readonly VitalKey[] = ['lcp', 'inp', 'cls'];
/** The two-sided 95 % normal quantile, from the same normal tail the rank test uses. */
const Z95 = ((): number => {
  // Bisection on the upper tail: P(Z >= z) = 0.025.
  let low = 0;
  let high = 5;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (normalUpperTail(mid) > 0.025) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
})();

export type FieldVerdict = 'improved' | 'regressed' | 'no significant change' | 'not enough field data';

/** One window's p75 of one vital, with its 95 % interval and its bucket. */
export interface FieldP75 {
  /** Null without observations. */
  p75: number | null;
  /** Page views that reported the vital. */
  samples: number;
  /** The 95 % interval of the p75 (see the file comment); null without observations. */
  low: number | null;
  high: number | null;
  /** The bucket the p75 lies in: (lower, upper]; upper null for the +Inf bucket. */
  bucketLower: number | null;
  bucketUpper: number | null;
}

export interface FieldVitalEvaluation {
  vital: VitalKey;
  /** "Largest Contentful Paint". */
  label: string;
  unit: 'seconds' | 'unitless';
  before: FieldP75;
  after: FieldP75;
  /** (after − before) / before; null when either is missing or before is 0. */
  changeRatio: number | null;
  verdict: FieldVerdict;
  /** "field p75 Largest Contentful Paint regressed: 2.00 s → 3.00 s (+50.0 %), ...". */
  sentence: string;
}

export interface FieldChangeEvaluation {
  change: ReportChange;
  site: string;
  /** "target": the change's target lies in the site's origins; "all-sites": the change names no target. */
  scope: 'target' | 'all-sites';
  /** As the lab evaluation's: equal windows before and after the change. */
  windowMs: number;
  before: { start: number; end: number };
  after: { start: number; end: number };
  /** Why the windows are shorter than configured, or null. */
  note: string | null;
  pageViews: { before: number; after: number };
  /** False when a rum_* counter reset in a window (counts extrapolated). */
  exact: boolean;
  vitals: FieldVitalEvaluation[];
  verdict: 'improved' | 'regressed' | 'mixed' | 'no significant change' | 'not enough field data';
  /** "Field data on shop: regressed (1,440 page views before, 1,440 after)." */
  sentence: string;
}

/** A window's p75 of a vital from its cumulative buckets. */
export function fieldP75(buckets: ReadonlyMap<number, number>): FieldP75 {
  const samples = observations(buckets);
  const p = bucketQuantile(FIELD_QUANTILE, buckets);
  if (!p || !(samples > 0)) {
    return { p75: null, samples, low: null, high: null, bucketLower: null, bucketUpper: null };
  }
  const spread = Z95 * Math.sqrt((FIELD_QUANTILE * (1 - FIELD_QUANTILE)) / samples);
  const at = (q: number): number => bucketQuantile(Math.min(1, Math.max(0, q)), buckets)!.seconds;
  return {
    p75: p.seconds,
    samples,
    low: at(FIELD_QUANTILE - spread),
    high: at(FIELD_QUANTILE + spread),
    bucketLower: p.source.bucketLowerSeconds,
    bucketUpper: p.source.bucketUpperSeconds,
  };
}

/** The relative change of a p75; Infinity from 0 to more, null when either is missing. */
export function p75ChangeRatio(before: number | null, after: number | null): number | null {
  if (before === null || after === null) return null;
  if (before === 0) return after === 0 ? 0 : Infinity;
  return (after - before) / before;
}

/** The verdict on one vital's p75 (the rule of the file comment; every vital is lower-is-better). */
export function judgeP75(before: FieldP75, after: FieldP75, minSamples = MIN_FIELD_PAGE_VIEWS): FieldVerdict {
  if (before.samples < minSamples || after.samples < minSamples) return 'not enough field data';
  if (before.p75 === null || after.p75 === null) return 'not enough field data';
  const ratio = p75ChangeRatio(before.p75, after.p75)!;
  const sameBucket = before.bucketLower === after.bucketLower && before.bucketUpper === after.bucketUpper;
  if (sameBucket || Math.abs(ratio) <= MIN_FIELD_CHANGE) return 'no significant change';
  if (ratio > 0) return after.low! > before.high! ? 'regressed' : 'no significant change';
  return after.high! < before.low! ? 'improved' : 'no significant change';
}

/** The change's verdict on a site from its vitals' verdicts (as evaluation.ts overallVerdict). */
export function fieldVerdict(verdicts: readonly FieldVerdict[]): FieldChangeEvaluation['verdict'] {
  const improved = verdicts.includes('improved');
  const regressed = verdicts.includes('regressed');
  if (improved && regressed) return 'mixed';
  if (improved) return 'improved';
  if (regressed) return 'regressed';
  if (verdicts.length === 0 || verdicts.every((v) => v === 'not enough field data'))
    return 'not enough field data';
  return 'no significant change';
}

/** One vital of one site compared between the two windows' counts. */
export function evaluateFieldVital(
  vital: FieldVital,
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  pageViews: { before: number; after: number },
): FieldVitalEvaluation {
  const b = fieldP75(before);
  const a = fieldP75(after);
  // Too few page views in a window rules out every vital, whatever each reported.
  const enoughViews = pageViews.before >= MIN_FIELD_PAGE_VIEWS && pageViews.after >= MIN_FIELD_PAGE_VIEWS;
  const verdict = enoughViews ? judgeP75(b, a) : 'not enough field data';
  const changeRatio = p75ChangeRatio(b.p75, a.p75);
  const unit = vital.unit === 'score' ? 'unitless' : 'seconds';
  const evaluation = {
    vital: vital.key,
    label: vital.title,
    unit,
    before: b,
    after: a,
    changeRatio: changeRatio !== null && Number.isFinite(changeRatio) ? changeRatio : null,
    verdict,
  } as const;
  return { ...evaluation, sentence: describeFieldVital(evaluation) };
}

/** The sum of one site's buckets of `vital` in a window's counts. */
function siteBuckets(counts: FieldPeriodCounts, site: string, vital: VitalKey): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of counts.series) {
    if (s.site !== site) continue;
    for (const [le, n] of s.buckets.get(vital) ?? []) out.set(le, (out.get(le) ?? 0) + n);
  }
  return out;
}

export interface FieldEvaluationOptions {
  /** Wanted length of each window, ms (the lab evaluation's). */
  windowMs: number;
  /** The report's time: the after-window never reaches past it. */
  now: number;
}

const quote = (text: string): string => JSON.stringify(text);

/** Evaluate one change on the field data of the sites it concerns (none: an empty list). */
export async function evaluateChangeInField(
  client: PrometheusClient,
  change: ReportChange,
  options: FieldEvaluationOptions,
): Promise<FieldChangeEvaluation[]> {
  const { windowMs, before, after, note } = changeWindows(change, options);
  if (windowMs === 0) return [];

  let sites: string[] | undefined;
  if (change.target !== null) {
    const info = await client.query(
      `group by (site) (last_over_time(vantage_rum_target_page_group_info{target=${quote(change.target)}}[${2 * windowMs}ms]))`,
      after.end,
    );
    sites = [...new Set(info.map((s) => s.metric.site).filter((s) => s !== undefined))].sort();
    if (sites.length === 0) return [];
  }
  const [countsBefore, countsAfter] = await Promise.all([
    fieldPeriodCounts(client, before, { sites }),
    fieldPeriodCounts(client, after, { sites }),
  ]);
  const whole = { pageGroup: null, device: null };
  const viewsOf = (counts: FieldPeriodCounts, site: string): number =>
    sliceFigures(
      counts.series.filter((s) => s.site === site),
      whole,
    ).pageViews;
  const concerned =
    sites ??
    [
      ...new Set(
        [...countsBefore.series, ...countsAfter.series].filter((s) => s.pageViews > 0).map((s) => s.site),
      ),
    ].sort();

  return concerned.map((site): FieldChangeEvaluation => {
    const pageViews = { before: viewsOf(countsBefore, site), after: viewsOf(countsAfter, site) };
    const vitals = FIELD_VITALS.filter((v) => EVALUATED_FIELD_VITALS.includes(v.key)).map((v) =>
      evaluateFieldVital(
        v,
        siteBuckets(countsBefore, site, v.key),
        siteBuckets(countsAfter, site, v.key),
        pageViews,
      ),
    );
    const verdict = fieldVerdict(vitals.map((v) => v.verdict));
    const evaluation = {
      change,
      site,
      scope: change.target === null ? ('all-sites' as const) : ('target' as const),
      windowMs,
      before,
      after,
      note,
      pageViews,
      exact: countsBefore.exact && countsAfter.exact,
      vitals,
      verdict,
    };
    return { ...evaluation, sentence: describeFieldChange(evaluation) };
  });
}
