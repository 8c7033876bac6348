import { describe, expect, it } from 'vitest';
import {
  compareBeforeAfter,
  effectMagnitude,
  exactUDistribution,
  hodgesLehmannShift,
  kthPairwiseDifference,
  mannWhitneyU,
} from '../../src/stats/index.js';
import { binomialUpperTail, erfc, normalUpperTail } from '../../src/stats/distributions.js';
import { mulberry32 } from '../helpers/random.js';

// Reference values computed independently with scipy 1.17.1:
//   scipy.stats.mannwhitneyu(after, before, alternative='two-sided', method=...)
//   (statistic = U of `after`), numpy.median(numpy.subtract.outer(after, before)),
//   scipy.stats.binom.sf, scipy.stats.norm.sf.

function bruteForceHL(before: number[], after: number[]): number {
  const diffs: number[] = [];
  for (const a of after) for (const b of before) diffs.push(a - b);
  diffs.sort((x, y) => x - y);
  const n = diffs.length;
  return n % 2 ? diffs[(n - 1) / 2]! : (diffs[n / 2 - 1]! + diffs[n / 2]!) / 2;
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('distributions', () => {
  it('matches scipy for the normal tail, with relative accuracy far out', () => {
    expect(normalUpperTail(3.5)).toBeCloseTo(0.00023262907903552502, 9);
    expect(normalUpperTail(-1.2)).toBeCloseTo(0.8849303297782918, 6);
    expect(normalUpperTail(8) / 6.22096057427174e-16).toBeCloseTo(1, 5);
    expect(erfc(0)).toBeCloseTo(1, 7);
  });

  it('matches scipy for the binomial upper tail', () => {
    // binom.sf(k - 1, n, p) = P(X >= k)
    expect(binomialUpperTail(4, 14, 1 / 24)).toBeCloseTo(0.0021544856111134314, 12);
    expect(binomialUpperTail(14, 40, 0.2)).toBeCloseTo(0.019407368928648555, 12);
    expect(binomialUpperTail(0, 10, 0.5)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.5)).toBe(0);
  });
});

describe('exactUDistribution', () => {
  it('is the textbook table for 3 against 3', () => {
    expect([...exactUDistribution(3, 3)]).toEqual([1, 1, 2, 3, 3, 3, 3, 2, 1, 1]);
  });

  it('counts all C(m+n, m) arrangements, symmetrically, for unequal sizes', () => {
    const dist = exactUDistribution(4, 7);
    expect(dist.length).toBe(29);
    expect(dist.reduce((s, v) => s + v, 0)).toBe(330); // C(11, 4)
    for (let u = 0; u < dist.length; u++) expect(dist[u]).toBe(dist[dist.length - 1 - u]);
    expect([...exactUDistribution(7, 4)]).toEqual([...dist]);
  });

  it('stays exact at 20 against 20', () => {
    const dist = exactUDistribution(20, 20);
    expect(dist.reduce((s, v) => s + v, 0)).toBe(137846528820); // C(40, 20)
  });
});

describe('mannWhitneyU', () => {
  it('exact p for complete separation, 5 against 5 (scipy: 0.0079365)', () => {
    const r = mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1]);
    expect(r.method).toBe('exact');
    expect(r.uAfter).toBe(25);
    expect(r.uBefore).toBe(0);
    expect(r.p).toBeCloseTo(0.007936507936507936, 12);
    expect(r.delta).toBe(1);
  });

  it('exact p for overlapping samples of unequal size (scipy: U = 7, p = 0.0512821)', () => {
    const r = mannWhitneyU([12, 15, 11, 18, 20, 14, 16], [9, 13, 10, 8, 17, 7]);
    expect(r.method).toBe('exact');
    expect(r.uAfter).toBe(7);
    expect(r.p).toBeCloseTo(0.05128205128205128, 12);
    expect(r.delta).toBeCloseTo((2 * 7) / 42 - 1, 12);
    expect(r.delta).toBeLessThan(0); // after is lower
  });

  it('exact p at the 20-against-20 limit (scipy: U = 190, p = 0.7994072)', () => {
    const before = range(20, (i) => i + 1.01);
    const after = range(20, (i) => i + 0.503);
    const r = mannWhitneyU(before, after);
    expect(r.method).toBe('exact');
    expect(r.uAfter).toBe(190);
    expect(r.p).toBeCloseTo(0.799407187161697, 10);
  });

  it('normal approximation with tie and continuity corrections when there are ties (scipy: 0.0430514)', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5, 6]);
    expect(r.ties).toBe(true);
    expect(r.method).toBe('normal');
    expect(r.uAfter).toBe(40.5);
    expect(r.p).toBeCloseTo(0.043051432728945134, 6);
    expect(r.z).toBeGreaterThan(0);
  });

  it('normal approximation for larger samples (scipy: U = 985, p = 0.0182578)', () => {
    const before = range(60, (i) => ((i * 37) % 101) + 100);
    const after = range(45, (i) => ((i * 53) % 97) + 90);
    const r = mannWhitneyU(before, after);
    expect(r.method).toBe('normal');
    expect(r.uAfter).toBe(985);
    expect(r.p).toBeCloseTo(0.01825784809656311, 6);
  });

  it('gives p = 1 for identical values and empty samples, and drops non-finite values', () => {
    expect(mannWhitneyU([5, 5, 5, 5, 5, 5], [5, 5, 5, 5, 5, 5]).p).toBe(1);
    expect(mannWhitneyU([], [1, 2, 3]).p).toBe(1);
    const r = mannWhitneyU([1.1, 2.2, NaN, 3.3, 4.4, 5.5, Infinity], [6.6, 7.7, 8.8, 9.9, 10.1, NaN]);
    expect([r.n1, r.n2]).toEqual([5, 5]);
    expect(r.p).toBeCloseTo(0.007936507936507936, 12);
  });

  it('is antisymmetric: swapping the samples flips delta and keeps p', () => {
    const a = [3, 8, 1, 9, 4, 7.5];
    const b = [2, 6, 5, 0.5, 10, 11, 12];
    const x = mannWhitneyU(a, b);
    const y = mannWhitneyU(b, a);
    expect(y.delta).toBeCloseTo(-x.delta, 12);
    expect(y.p).toBeCloseTo(x.p, 12);
  });

  it("delta equals Cliff's delta counted pair by pair, ties included", () => {
    const random = mulberry32(7);
    const before = range(40, () => Math.round(random() * 20));
    const after = range(33, () => Math.round(random() * 20) - 3);
    let score = 0;
    for (const a of after) for (const b of before) score += Math.sign(a - b);
    expect(mannWhitneyU(before, after).delta).toBeCloseTo(score / (40 * 33), 12);
  });
});

describe('hodgesLehmannShift', () => {
  it('matches numpy on the reference cases', () => {
    expect(hodgesLehmannShift([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1])).toBeCloseTo(5.5, 12);
    expect(hodgesLehmannShift([12, 15, 11, 18, 20, 14, 16], [9, 13, 10, 8, 17, 7])).toBe(-5);
    expect(hodgesLehmannShift([1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5, 6])).toBe(2);
    const before = range(60, (i) => ((i * 37) % 101) + 100);
    const after = range(45, (i) => ((i * 53) % 97) + 90);
    expect(hodgesLehmannShift(before, after)).toBe(-14);
  });

  it('equals the brute-force median of differences on random data, with and without ties', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = mulberry32(seed);
      const n1 = 1 + Math.floor(random() * 60);
      const n2 = 1 + Math.floor(random() * 60);
      const ties = seed % 2 === 0;
      const draw = () => (ties ? Math.round(random() * 10) : random() * 1000 - 300);
      const before = range(n1, draw);
      const after = range(n2, () => draw() + 2);
      expect(hodgesLehmannShift(before, after)).toBe(bruteForceHL(before, after));
    }
  });

  it('selects every order statistic of the differences exactly', () => {
    const before = [0.1, 0.2, 0.2, 5, 1e6];
    const after = [-3, 0.3, 7];
    const diffs = after.flatMap((a) => before.map((b) => a - b)).sort((x, y) => x - y);
    const sa = [...after].sort((x, y) => x - y);
    const sb = [...before].sort((x, y) => x - y);
    diffs.forEach((d, i) => expect(kthPairwiseDifference(sa, sb, i + 1)).toBe(d));
    expect(() => kthPairwiseDifference(sa, sb, 0)).toThrow(RangeError);
  });

  it('handles 20,000 against 20,000 (4e8 pairs) quickly', () => {
    const random = mulberry32(99);
    const before = range(20_000, () => 0.2 + random() * 0.1);
    const after = range(20_000, () => 0.15 + random() * 0.1);
    const started = performance.now();
    const shift = hodgesLehmannShift(before, after)!;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(shift).toBeCloseTo(-0.05, 2);
  });

  it('is null for an empty sample', () => {
    expect(hodgesLehmannShift([], [1])).toBeNull();
  });
});

describe('effectMagnitude', () => {
  it('uses the Romano et al. thresholds 0.147 / 0.33 / 0.474 on |delta|', () => {
    expect(effectMagnitude(0.146)).toBe('negligible');
    expect(effectMagnitude(-0.147)).toBe('small');
    expect(effectMagnitude(0.329)).toBe('small');
    expect(effectMagnitude(0.33)).toBe('medium');
    expect(effectMagnitude(-0.474)).toBe('large');
    expect(effectMagnitude(1)).toBe('large');
  });
});

describe('compareBeforeAfter', () => {
  const random = mulberry32(42);
  const slowBefore = range(200, () => 0.8 + random() * 0.4); // 0.8..1.2 s
  const fastAfter = range(200, () => 0.5 + random() * 0.4); // 0.5..0.9 s

  it('finds a page that got faster improved, with a large negative effect', () => {
    const c = compareBeforeAfter(slowBefore, fastAfter);
    expect(c.n1).toBe(200);
    expect(c.n2).toBe(200);
    expect(c.effectSize).toBeLessThan(-0.474);
    expect(c.effectMagnitude).toBe('large');
    expect(c.significant).toBe(true);
    expect(c.p).toBeLessThan(1e-10);
    expect(c.pMethod).toBe('normal');
    expect(c.verdict).toBe('improved');
    expect(c.shift).toBeCloseTo(-0.3, 1);
    expect(c.changeRatio).toBeCloseTo((c.medianAfter! - c.medianBefore!) / c.medianBefore!, 12);
    expect(c.changeRatio!).toBeLessThan(-0.2);
  });

  it('calls the same change a regression when higher is better (a score that fell)', () => {
    expect(compareBeforeAfter(slowBefore, fastAfter, { higherIsBetter: true }).verdict).toBe('regressed');
    expect(compareBeforeAfter(fastAfter, slowBefore).verdict).toBe('regressed');
  });

  it('reports the exact-test case with medians and U', () => {
    const c = compareBeforeAfter([12, 15, 11, 18, 20, 14, 16], [9, 13, 10, 8, 17, 7]);
    expect(c.u).toBe(7);
    expect(c.pMethod).toBe('exact');
    expect(c.p).toBeCloseTo(0.05128205128205128, 12);
    expect(c.medianBefore).toBe(15);
    expect(c.medianAfter).toBe(9.5);
    expect(c.changeRatio).toBeCloseTo(-5.5 / 15, 12);
    expect(c.significant).toBe(false);
    expect(c.verdict).toBe('no significant change');
    // alpha is an option
    expect(
      compareBeforeAfter([12, 15, 11, 18, 20, 14, 16], [9, 13, 10, 8, 17, 7], { alpha: 0.1 }).verdict,
    ).toBe('improved');
  });

  it('says "insufficient data" below 5 values a side, still giving medians', () => {
    const c = compareBeforeAfter([1, 2, 3, 4], [5, 6, 7, 8, 9]);
    expect(c.verdict).toBe('insufficient data');
    expect(c.p).toBeNull();
    expect(c.significant).toBe(false);
    expect(c.medianBefore).toBe(2.5);
    const empty = compareBeforeAfter([], []);
    expect(empty.verdict).toBe('insufficient data');
    expect(empty.medianBefore).toBeNull();
    expect(empty.changeRatio).toBeNull();
    expect(empty.shift).toBeNull();
  });

  it('does not call a significant but negligible shift an improvement', () => {
    const before = range(10_000, (i) => i);
    const after = range(10_000, (i) => i - 300);
    const c = compareBeforeAfter(before, after);
    expect(c.significant).toBe(true);
    expect(c.effectMagnitude).toBe('negligible');
    expect(c.verdict).toBe('no significant change');
  });

  it('sees no change between two draws from one distribution', () => {
    const r = mulberry32(5);
    const c = compareBeforeAfter(
      range(300, () => r()),
      range(300, () => r()),
    );
    expect(c.verdict).toBe('no significant change');
    expect(Math.abs(c.effectSize)).toBeLessThan(0.147);
  });
});
