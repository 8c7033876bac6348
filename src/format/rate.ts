/**
 * Rates and multiples: "420 requests/s", "3.5 page views/s", "3.2×". A whole rate reads as a
 * count; a measured one keeps about three significant figures (a load test's knee and a traffic
 * peak are measured to a few percent, more digits would claim precision they do not have); a
 * multiple one decimal, whole above 10.
 */
import { NO_DATA, SP, formatCount, formatNumber, usable } from './number.js';

/** "420 requests/s", "12.5 requests/s", "0.42 page views/s", "1,250 requests/s". */
export function formatRate(perSecond: number | null | undefined, noun = 'requests'): string {
  if (!usable(perSecond)) return NO_DATA;
  const size = Math.abs(perSecond);
  // A whole rate (what a load test asks for) reads as a count: "20 requests/s", not "20.0".
  const text =
    Number.isInteger(perSecond) || Math.round(size) >= 100
      ? formatCount(Math.round(perSecond))
      : size >= 9.995
        ? formatNumber(perSecond, 1)
        : formatNumber(perSecond, 2);
  return `${text}${SP}${noun}/s`;
}

/** "3.2×", "1.0×", "12×": how many times one figure is another. */
export function formatMultiple(ratio: number | null | undefined): string {
  if (!usable(ratio)) return NO_DATA;
  return `${Math.abs(ratio) >= 9.95 ? formatCount(Math.round(ratio)) : formatNumber(ratio, 1)}×`;
}
