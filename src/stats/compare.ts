/**
 * Before/after evaluation of one change: did the target's figures move, by how much, and is it
 * more than noise? Combines the Mann-Whitney U test, Cliff's delta and the Hodges-Lehmann
 * shift (see mannWhitney.ts for their orientation) into the verdict the report prints. Pure.
 */

import { finiteValues, medianOfSorted, sortedAscending } from './descriptive.js';
import { hodgesLehmannShift, mannWhitneyU } from './mannWhitney.js';
import { changeRatio } from './percent.js';

/**
 * Fewest values per side for a verdict. With 4 against 4 the smallest possible two-sided
 * exact p is 2/70 = 0.029 and with 3 against 3 it is 0.1, so below 5 a side the test can
 * barely or never reach alpha = 0.05; with 5 against 5 it is 2/252 = 0.008.
 */
export const MIN_SAMPLE_SIZE = 5;

export type EffectMagnitude = 'negligible' | 'small' | 'medium' | 'large';
export type Verdict = 'improved' | 'regressed' | 'no significant change' | 'insufficient data';

/**
 * Thresholds on |Cliff's delta| from Romano et al. (2006), "Appropriate statistics for ordinal
 * level data", which map Cohen's d = 0.2 / 0.5 / 0.8 onto delta: below 0.147 negligible,
 * below 0.33 small, below 0.474 medium, else large.
 */
export const EFFECT_THRESHOLDS = { small: 0.147, medium: 0.33, large: 0.474 } as const;

export function effectMagnitude(delta: number): EffectMagnitude {
  const d = Math.abs(delta);
  if (d < EFFECT_THRESHOLDS.small) return 'negligible';
  if (d < EFFECT_THRESHOLDS.medium) return 'small';
  if (d < EFFECT_THRESHOLDS.large) return 'medium';
  return 'large';
}

export interface CompareOptions {
  /** Significance level of the two-sided test. Default 0.05. */
  alpha?: number;
  /** Whether larger values are better (scores, uptime); false for durations and error rates. Default false. */
  higherIsBetter?: boolean;
}

export interface BeforeAfterComparison {
  /** Finite values before / after. */
  n1: number;
  n2: number;
  medianBefore: number | null;
  medianAfter: number | null;
  /** (medianAfter - medianBefore) / |medianBefore|; null when undefined (see percent.changeRatio). */
  changeRatio: number | null;
  /** Hodges-Lehmann shift after - before (median of pairwise differences); null if a sample is empty. */
  shift: number | null;
  /** Mann-Whitney U of the "after" sample (pairs where after > before, ties 1/2). */
  u: number;
  /** Two-sided p-value of the Mann-Whitney U test; null with insufficient data. */
  p: number | null;
  pMethod: 'exact' | 'normal' | null;
  /**
   * Cliff's delta of after vs before (= rank-biserial correlation), in [-1, 1]:
   * negative means the "after" values are lower (faster, for durations).
   */
  effectSize: number;
  effectMagnitude: EffectMagnitude;
  /** p < alpha: the test alone, before the effect size is considered. */
  significant: boolean;
  /**
   * 'improved' / 'regressed' when the difference is significant and its effect at least small
   * (|delta| >= 0.147) in the better / worse direction; with thousands of probe samples a
   * negligible shift can be significant, and calling that an improvement would be noise
   * dressed as news, so it is 'no significant change' (with `significant` still true so a
   * renderer can say "significant but negligible"). 'insufficient data' when either side has
   * fewer than MIN_SAMPLE_SIZE values.
   */
  verdict: Verdict;
}

/** Compare the values of a figure before and after a change. Non-finite values are ignored. */
export function compareBeforeAfter(
  beforeValues: readonly number[],
  afterValues: readonly number[],
  options: CompareOptions = {},
): BeforeAfterComparison {
  const alpha = options.alpha ?? 0.05;
  const higherIsBetter = options.higherIsBetter ?? false;
  const before = sortedAscending(finiteValues(beforeValues));
  const after = sortedAscending(finiteValues(afterValues));
  const medianBefore = medianOfSorted(before);
  const medianAfter = medianOfSorted(after);
  const test = mannWhitneyU(before, after);
  const enough = before.length >= MIN_SAMPLE_SIZE && after.length >= MIN_SAMPLE_SIZE;
  const p = enough ? test.p : null;
  const significant = p !== null && p < alpha;
  const magnitude = effectMagnitude(test.delta);
  let verdict: Verdict;
  if (!enough) verdict = 'insufficient data';
  else if (!significant || magnitude === 'negligible' || test.delta === 0) verdict = 'no significant change';
  else verdict = test.delta > 0 === higherIsBetter ? 'improved' : 'regressed';
  return {
    n1: before.length,
    n2: after.length,
    medianBefore,
    medianAfter,
    changeRatio: changeRatio(medianAfter, medianBefore),
    shift: hodgesLehmannShift(before, after),
    u: test.uAfter,
    p,
    pMethod: enough ? test.method : null,
    effectSize: test.delta,
    effectMagnitude: magnitude,
    significant,
    verdict,
  };
}
