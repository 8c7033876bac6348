/**
 * "At the current rate, this figure crosses its target in N days": an ordinary least-squares
 * line through (time, value) points, extrapolated only when the data support it. Pure.
 */

const DAY_MS = 86_400_000;

export interface TrendPoint {
  /** ms since the epoch */
  t: number;
  value: number;
}

export interface TrendOptions {
  /** The target the figure must stay on the good side of. */
  threshold: number;
  /**
   * Which crossing matters: 'above' for figures that must stay below the threshold (response
   * time rising past 2 s), 'below' for figures that must stay above it (uptime falling under 0.999).
   */
  direction: 'above' | 'below';
  /** How far ahead to look, from `now`. Default 14 days. */
  horizonMs?: number;
  /** The instant to predict from. Default: the last point's time. */
  now?: number;
  /** Fewest points to fit. Default 7 (a week of daily values); two or three points draw a line through anything. */
  minPoints?: number;
  /**
   * Least coefficient of determination to extrapolate. Default 0.5: below it, less than half
   * the variation is the trend, and the line says more about noise than about where the
   * figure is heading.
   */
  minRSquared?: number;
  /**
   * Least span of the points, first to last, as a fraction of the horizon. Default 0.5 (7 days
   * of history for a 14-day forecast): extrapolating much further than the data reach is
   * guessing.
   */
  minSpanRatio?: number;
}

export type TrendStatus =
  /** The fitted line crosses the threshold within the horizon: `crossesAt` is set. */
  | 'will-cross'
  /** The fitted value at `now` is already on the wrong side of the threshold. */
  | 'already-crossed'
  /** Heading for the threshold, but it is reached after the horizon. */
  | 'not-within-horizon'
  /** Flat or moving away from the threshold. */
  | 'not-approaching'
  /** Too few points (after dropping non-finite ones), or they span too short a time. */
  | 'insufficient-data'
  /** R² below minRSquared: no extrapolation. */
  | 'poor-fit';

export interface TrendResult {
  status: TrendStatus;
  /** Finite points used. */
  n: number;
  /** Slope of the fitted line, in value units per day; null with insufficient data. */
  slopePerDay: number | null;
  /** The fitted value at `now`; null with insufficient data. */
  valueNow: number | null;
  /** R², 0..1 (1 for a perfectly flat series); null with insufficient data. */
  rSquared: number | null;
  /** When the line reaches the threshold (status 'will-cross' only), else null. */
  crossesAt: number | null;
  /** (crossesAt - now) in days (status 'will-cross' only), else null. */
  daysUntil: number | null;
}

interface Fit {
  slopePerMs: number;
  /** Fitted value at time `t0`. */
  atT0: number;
  t0: number;
  rSquared: number;
}

/** Least squares with the times centred on their mean (epoch ms squared would lose digits). */
export function linearFit(points: readonly TrendPoint[]): Fit | null {
  const n = points.length;
  if (n < 2) return null;
  let sumT = 0;
  let sumV = 0;
  let scale = 0;
  for (const p of points) {
    sumT += p.t;
    sumV += p.value;
    scale = Math.max(scale, Math.abs(p.value));
  }
  const t0 = sumT / n;
  const meanV = sumV / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.t - t0;
    const dy = p.value - meanV;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null; // all at one instant: no time axis to fit
  // A series whose spread is only rounding error is flat: slope 0, fitted perfectly (R² = 1),
  // rather than a line through float noise with a meaningless R².
  const noise = 16 * n * (Number.EPSILON * scale) ** 2;
  if (syy <= noise) return { slopePerMs: 0, atT0: meanV, t0, rSquared: 1 };
  const slopePerMs = sxy / sxx;
  const rSquared = Math.min(1, (sxy * sxy) / (sxx * syy));
  return { slopePerMs, atT0: meanV, t0, rSquared };
}

/** Fit a line to the points and say whether, and when, it crosses the threshold within the horizon. */
export function predictCrossing(points: readonly TrendPoint[], options: TrendOptions): TrendResult {
  const horizonMs = options.horizonMs ?? 14 * DAY_MS;
  const minPoints = Math.max(2, options.minPoints ?? 7);
  const minRSquared = options.minRSquared ?? 0.5;
  const minSpanRatio = options.minSpanRatio ?? 0.5;
  const finite = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value));
  const n = finite.length;
  const none = { n, slopePerDay: null, valueNow: null, rSquared: null, crossesAt: null, daysUntil: null };
  if (n < minPoints) return { status: 'insufficient-data', ...none };
  let first = Infinity;
  let last = -Infinity;
  for (const p of finite) {
    first = Math.min(first, p.t);
    last = Math.max(last, p.t);
  }
  const fit = linearFit(finite);
  if (!fit || last - first < minSpanRatio * horizonMs) return { status: 'insufficient-data', ...none };
  const now = options.now ?? last;
  const valueNow = fit.atT0 + fit.slopePerMs * (now - fit.t0);
  const base = {
    n,
    slopePerDay: fit.slopePerMs * DAY_MS,
    valueNow,
    rSquared: fit.rSquared,
    crossesAt: null,
    daysUntil: null,
  };
  if (fit.rSquared < minRSquared) return { ...base, status: 'poor-fit' };
  const wrongSide =
    options.direction === 'above' ? valueNow > options.threshold : valueNow < options.threshold;
  if (wrongSide) return { ...base, status: 'already-crossed' };
  const approaching = options.direction === 'above' ? fit.slopePerMs > 0 : fit.slopePerMs < 0;
  if (!approaching) return { ...base, status: 'not-approaching' };
  const crossesAt = now + (options.threshold - valueNow) / fit.slopePerMs;
  if (crossesAt - now > horizonMs) return { ...base, status: 'not-within-horizon' };
  return { ...base, status: 'will-cross', crossesAt, daysUntil: (crossesAt - now) / DAY_MS };
}
