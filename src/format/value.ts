/**
 * A figure in one of the units the report model and the Lighthouse summaries carry: seconds,
 * a 0..1 ratio, a 0..1 Lighthouse score, or a unitless value (cumulative layout shift). Pure;
 * absent figures read "—".
 */
import { formatSeconds } from './duration.js';
import { NO_DATA, formatNumber, usable } from './number.js';
import { formatRatio } from './percent.js';

/** A Lighthouse score (0..1) on the 0..100 scale Lighthouse itself shows: 0.93 → "93". */
export function formatScore(score: number | null | undefined): string {
  return usable(score) ? String(Math.round(score * 100)) : NO_DATA;
}

/** Cumulative layout shift: unitless, three decimals as Lighthouse prints it. */
export function formatUnitless(value: number | null | undefined): string {
  return usable(value) ? formatNumber(value, 3) : NO_DATA;
}

export type ValueUnit = 'seconds' | 'ratio' | 'score' | 'unitless';

/** A value in one of the model's units. */
export function formatValue(value: number | null | undefined, unit: ValueUnit): string {
  switch (unit) {
    case 'seconds':
      return formatSeconds(value);
    case 'ratio':
      return formatRatio(value);
    case 'score':
      return formatScore(value);
    case 'unitless':
      return formatUnitless(value);
  }
}
