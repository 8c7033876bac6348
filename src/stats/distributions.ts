/**
 * The few distribution functions the report's tests need, written out so the statistics carry
 * no dependency: the standard normal tail (through erfc) and the binomial upper tail. Pure.
 */

/**
 * The complementary error function, erfc(x) = 1 - erf(x), with a relative error below 1.2e-7
 * everywhere (Chebyshev fit, Numerical Recipes' `erfcc`). Relative, not absolute, accuracy is
 * what matters here: p-values of 1e-12 keep their leading digits.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z >= z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

const lnFactorials: number[] = [0];

/** ln(n!) by summing logs, cached: exact enough for the n (a few thousand at most) used here. */
export function lnFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`lnFactorial: not a natural number: ${n}`);
  while (lnFactorials.length <= n) {
    const k = lnFactorials.length;
    lnFactorials.push(lnFactorials[k - 1]! + Math.log(k));
  }
  return lnFactorials[n]!;
}

/**
 * P(X >= k) for X ~ Binomial(n, p), summed term by term in log space (n is at most a few
 * thousand here). 1 for k <= 0, 0 for k > n.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lnP = Math.log(p);
  const lnQ = Math.log1p(-p);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(lnFactorial(n) - lnFactorial(i) - lnFactorial(n - i) + i * lnP + (n - i) * lnQ);
  }
  return Math.min(1, sum);
}
