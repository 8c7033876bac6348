/**
 * Descriptive helpers shared by the report's statistics: finite-value filtering, sorting and
 * the median. Pure.
 */

/** The finite values of `values` (Prometheus can hand back NaN and ±Inf; they carry no rank). */
export function finiteValues(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/** A sorted copy, ascending. */
export function sortedAscending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The median of values already sorted ascending (mean of the middle two for an even count); null if empty. */
export function medianOfSorted(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of any values; null if empty. */
export function median(values: readonly number[]): number | null {
  return medianOfSorted(sortedAscending(values));
}
