/**
 * Change between two figures for the report's "vs previous period" columns. Pure.
 */

/**
 * The relative change from `previous` to `current` as a ratio (0.25 = +25 %), or null when it
 * has no meaning: either figure absent or non-finite, or `previous` is 0 while `current` is
 * not (growth from nothing is not a percentage). 0 when both are 0. The sign follows the
 * figures, not their goodness: a response time going down gives a negative ratio.
 */
export function changeRatio(
  current: number | null | undefined,
  previous: number | null | undefined,
): number | null {
  if (current == null || previous == null || !Number.isFinite(current) || !Number.isFinite(previous))
    return null;
  if (previous === 0) return current === 0 ? 0 : null;
  return (current - previous) / Math.abs(previous);
}

/** changeRatio as a percentage (25 = +25 %), null under the same conditions. */
export function percentChange(
  current: number | null | undefined,
  previous: number | null | undefined,
): number | null {
  const ratio = changeRatio(current, previous);
  return ratio === null ? null : ratio * 100;
}

/**
 * The difference of two ratios in percentage points (uptime 0.999 -> 0.995 is -0.4), for
 * figures that are already percentages, where a relative change would mislead. Null if either
 * is absent or non-finite.
 */
export function percentagePointChange(
  current: number | null | undefined,
  previous: number | null | undefined,
): number | null {
  if (current == null || previous == null || !Number.isFinite(current) || !Number.isFinite(previous))
    return null;
  return (current - previous) * 100;
}
