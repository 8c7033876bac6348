/**
 * Percentages for people: a 0..1 ratio (uptime, error rate), a change in percent, a difference
 * of two ratios in percentage points. One decimal for changes, two for ratios (uptimes live in
 * the last two digits). Pure; absent figures read "—".
 */
import { NO_DATA, SP, formatNumber, formatSigned, usable } from './number.js';

/**
 * A 0..1 ratio as a percentage, two decimals unless told: 0.9995 → "99.95 %". An uptime with
 * any failure must not read "100.00 %", nor an error rate with failures "0.00 %", so values
 * that round onto the bounds read ">99.99 %" / "<0.01 %".
 */
export function formatRatio(ratio: number | null | undefined, digits = 2): string {
  if (!usable(ratio)) return NO_DATA;
  const percent = ratio * 100;
  const smallest = 10 ** -digits;
  const text = percent.toFixed(digits);
  if (ratio < 1 && ratio > 0 && Number(text) >= 100) return `>${(100 - smallest).toFixed(digits)}${SP}%`;
  if (ratio > 0 && ratio < 1 && Number(text) <= 0) return `<${smallest.toFixed(digits)}${SP}%`;
  return `${formatNumber(percent, digits)}${SP}%`;
}

/** A change given in percent (ComparedFigure.vsPrevious for amounts): −12.34 → "−12.3 %". */
export function formatPercentChange(percent: number | null | undefined): string {
  if (!usable(percent)) return NO_DATA;
  return `${formatSigned(percent, 1)}${SP}%`;
}

/** A change given as a ratio (BeforeAfterComparison.changeRatio): −0.1234 → "−12.3 %". */
export function formatChangeRatio(ratio: number | null | undefined): string {
  return usable(ratio) ? formatPercentChange(ratio * 100) : NO_DATA;
}

/** A difference of two ratios in percentage points: 0.05 → "+0.05 pp". */
export function formatPercentagePoints(points: number | null | undefined): string {
  if (!usable(points)) return NO_DATA;
  return `${formatSigned(points, 2)}${SP}pp`;
}
