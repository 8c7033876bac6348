/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), two-sided, and the Hodges-Lehmann shift
 * estimate: the distribution-free way to ask whether a change moved a target's figures
 * (response times are skewed and heavy-tailed, so a t-test on them would mislead). Pure.
 *
 * Orientation used throughout: the first sample is "before", the second "after", and
 * everything is stated from the side of "after":
 * - `uAfter` counts the pairs (b, a) with a > b, ties counting one half; `uBefore` is the
 *   complement, uAfter + uBefore = n1 * n2.
 * - The effect size is Cliff's delta of "after" against "before",
 *   delta = P(a > b) - P(a < b) = 2 * uAfter / (n1 * n2) - 1, in [-1, 1]. It is the same
 *   number as the rank-biserial correlation (Kerby's simple difference formula), so the
 *   report can call it either; it is kept because it reads directly ("after beats before in
 *   x% more pairs than the reverse") and has published magnitude thresholds (Romano et al.).
 *   Negative means "after" values tend to be lower: faster, for durations.
 * - The Hodges-Lehmann shift is the median of all differences a - b: negative = lower after.
 */

import { normalUpperTail } from './distributions.js';
import { sortedAscending } from './descriptive.js';

/** Both samples at most this large and no ties: the exact null distribution is used. */
export const EXACT_MAX_SAMPLE = 20;

export interface MannWhitneyResult {
  n1: number;
  n2: number;
  /** U of the "after" (second) sample: pairs with after > before, ties counting 1/2. */
  uAfter: number;
  /** U of the "before" (first) sample; n1 * n2 - uAfter. */
  uBefore: number;
  /** Two-sided p-value. 1 when either sample is empty or every value is equal. */
  p: number;
  /** Which null distribution gave `p`. */
  method: 'exact' | 'normal';
  /** The normal approximation's z (continuity-corrected, signed like delta); null for `exact`. */
  z: number | null;
  /** Cliff's delta = rank-biserial correlation of "after" vs "before", in [-1, 1]; 0 when a sample is empty. */
  delta: number;
  /** Whether the pooled sample has tied values (ties rule the exact method out). */
  ties: boolean;
}

interface Ranked {
  /** Sum of the mid-ranks of the second sample. */
  rankSumSecond: number;
  /** Sum over tie groups of t^3 - t. */
  tieTerm: number;
}

/** Mid-ranks (1-based, ties averaged) of the pooled sample, summed for the second sample. */
function rankPooled(first: readonly number[], second: readonly number[]): Ranked {
  const pooled: { v: number; second: boolean }[] = [];
  for (const v of first) pooled.push({ v, second: false });
  for (const v of second) pooled.push({ v, second: true });
  pooled.sort((a, b) => a.v - b.v);
  let rankSumSecond = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length;) {
    let j = i + 1;
    while (j < pooled.length && pooled[j]!.v === pooled[i]!.v) j++;
    const t = j - i;
    const midRank = (i + 1 + j) / 2; // ranks i+1..j averaged
    for (let k = i; k < j; k++) if (pooled[k]!.second) rankSumSecond += midRank;
    if (t > 1) tieTerm += t * t * t - t;
    i = j;
  }
  return { rankSumSecond, tieTerm };
}

const exactCache = new Map<string, Float64Array>();

/**
 * The null distribution of U for sample sizes m and n without ties, as counts: entry u is the
 * number of the C(m+n, m) equally likely arrangements giving U = u. Built with the standard
 * recurrence f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u) (the largest value belongs to
 * one sample or the other), row by row. Counts stay below C(40, 20) ~ 1.4e11 for m, n <= 20,
 * so doubles hold them exactly.
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  const key = `${Math.min(m, n)},${Math.max(m, n)}`;
  const cached = exactCache.get(key);
  if (cached) return cached;
  // prev[j] = distribution for (i - 1, j); cur[j] for (i, j).
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1)); // i = 0: U is always 0
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // j = 0
    for (let j = 1; j <= n; j++) {
      const f = new Float64Array(i * j + 1);
      const fromSmallerM = prev[j]!; // (i - 1, j): the largest value is in sample 1, adds j
      const fromSmallerN = cur[j - 1]!; // (i, j - 1): the largest value is in sample 2, adds 0
      for (let u = 0; u < fromSmallerM.length; u++) f[u + j]! += fromSmallerM[u]!;
      for (let u = 0; u < fromSmallerN.length; u++) f[u]! += fromSmallerN[u]!;
      cur.push(f);
    }
    prev = cur;
  }
  const dist = prev[n]!;
  exactCache.set(key, dist);
  return dist;
}

/** Exact two-sided p: 2 * P(U >= max(u, n1 n2 - u)), capped at 1 (U's null law is symmetric). */
function exactTwoSidedP(u: number, n1: number, n2: number): number {
  const dist = exactUDistribution(n1, n2);
  const upper = Math.max(u, n1 * n2 - u);
  let total = 0;
  let tail = 0;
  for (let k = 0; k < dist.length; k++) {
    total += dist[k]!;
    if (k >= upper) tail += dist[k]!;
  }
  return Math.min(1, (2 * tail) / total);
}

/**
 * The two-sided Mann-Whitney U test of `before` against `after`.
 *
 * Non-finite values are dropped first. The p-value is exact (the distribution from
 * `exactUDistribution`) when both samples have at most EXACT_MAX_SAMPLE values and there are
 * no ties; otherwise it is the normal approximation with the tie-corrected variance
 *   sigma^2 = n1 n2 / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))
 * and a continuity correction of 1/2 towards the mean, as scipy's `mannwhitneyu`
 * (method="asymptotic", use_continuity=True) does.
 */
export function mannWhitneyU(
  beforeValues: readonly number[],
  afterValues: readonly number[],
): MannWhitneyResult {
  const before = beforeValues.filter(Number.isFinite);
  const after = afterValues.filter(Number.isFinite);
  const n1 = before.length;
  const n2 = after.length;
  if (n1 === 0 || n2 === 0) {
    return { n1, n2, uAfter: 0, uBefore: 0, p: 1, method: 'exact', z: null, delta: 0, ties: false };
  }
  const { rankSumSecond, tieTerm } = rankPooled(before, after);
  const uAfter = rankSumSecond - (n2 * (n2 + 1)) / 2;
  const uBefore = n1 * n2 - uAfter;
  const delta = (2 * uAfter) / (n1 * n2) - 1;
  const ties = tieTerm > 0;
  if (!ties && n1 <= EXACT_MAX_SAMPLE && n2 <= EXACT_MAX_SAMPLE) {
    return {
      n1,
      n2,
      uAfter,
      uBefore,
      p: exactTwoSidedP(uAfter, n1, n2),
      method: 'exact',
      z: null,
      delta,
      ties,
    };
  }
  const N = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) {
    // Every value equal: nothing to rank, no evidence of a difference.
    return { n1, n2, uAfter, uBefore, p: 1, method: 'normal', z: 0, delta, ties };
  }
  const distance = Math.max(0, Math.abs(uAfter - mean) - 0.5);
  const zAbs = distance / Math.sqrt(variance);
  const z = uAfter >= mean ? zAbs : -zAbs;
  return {
    n1,
    n2,
    uAfter,
    uBefore,
    p: Math.min(1, 2 * normalUpperTail(zAbs)),
    method: 'normal',
    z,
    delta,
    ties,
  };
}

/** How many differences a - b (a in `after`, b in `before`, both sorted ascending) are <= d. O(n1 + n2). */
function countDifferencesAtMost(after: readonly number[], before: readonly number[], d: number): number {
  // For each a (ascending), skip the b with a - b > d; a - b is computed exactly as the other
  // helpers compute it (rounding is monotone), and it rises with a, so j only moves up.
  let count = 0;
  let j = 0;
  for (const a of after) {
    while (j < before.length && a - before[j]! > d) j++;
    count += before.length - j;
  }
  return count;
}

/** The smallest difference a - b strictly greater than d, or +Infinity. O(n1 + n2). */
function smallestDifferenceAbove(after: readonly number[], before: readonly number[], d: number): number {
  // For each a, the largest b with a - b > d gives a's smallest difference above d.
  let best = Infinity;
  let j = 0;
  for (const a of after) {
    while (j < before.length && a - before[j]! > d) j++;
    if (j > 0) {
      const diff = a - before[j - 1]!;
      if (diff > d && diff < best) best = diff;
    }
  }
  return best;
}

/**
 * The k-th smallest (1-based) of the n1 * n2 differences a - b, exactly, without building
 * them: bisection on the value, counting differences below a candidate in linear time, and
 * snapping to the next actual difference once the interval holds a single one. Each step is
 * O(n1 + n2); the number of steps is bounded by the bits of a double (about 60 for real data,
 * never more than ~2,100), so 100,000 samples a side take milliseconds, not 10^10 pairs.
 */
export function kthPairwiseDifference(
  sortedAfter: readonly number[],
  sortedBefore: readonly number[],
  k: number,
): number {
  const total = sortedAfter.length * sortedBefore.length;
  if (!Number.isInteger(k) || k < 1 || k > total) throw new RangeError(`k out of range: ${k} of ${total}`);
  const minDiff = sortedAfter[0]! - sortedBefore[sortedBefore.length - 1]!;
  let lo = minDiff;
  if (countDifferencesAtMost(sortedAfter, sortedBefore, lo) >= k) return lo;
  let hi = sortedAfter[sortedAfter.length - 1]! - sortedBefore[0]!;
  // Invariant: count(<= lo) < k <= count(<= hi).
  for (;;) {
    const next = smallestDifferenceAbove(sortedAfter, sortedBefore, lo);
    if (countDifferencesAtMost(sortedAfter, sortedBefore, next) >= k) return next;
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) return hi; // adjacent doubles: hi is the only value left
    if (countDifferencesAtMost(sortedAfter, sortedBefore, mid) >= k) hi = mid;
    else lo = mid;
  }
}

/**
 * The Hodges-Lehmann estimate of the shift from "before" to "after": the median of all
 * pairwise differences after - before (mean of the two middle ones for an even count),
 * computed exactly for any sample size (see kthPairwiseDifference). Null if a sample is empty.
 * Non-finite values are dropped.
 */
export function hodgesLehmannShift(
  beforeValues: readonly number[],
  afterValues: readonly number[],
): number | null {
  const before = sortedAscending(beforeValues.filter(Number.isFinite));
  const after = sortedAscending(afterValues.filter(Number.isFinite));
  const total = before.length * after.length;
  if (total === 0) return null;
  const k = Math.floor((total + 1) / 2);
  const lower = kthPairwiseDifference(after, before, k);
  if (total % 2 === 1) return lower;
  return (lower + kthPairwiseDifference(after, before, k + 1)) / 2;
}
