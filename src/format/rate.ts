/**
 * Request rates for people: "420 requests/s", "1,250 requests/s", "12.5 requests/s". Whole
 * rates (what a load test asks for) read as counts; a measured rate keeps one decimal below 100,
 * where a tenth is still a visible share of it. Pure.
 */
import { NO_DATA, SP, formatCount, formatNumber, usable } from './number.js';

export function formatRate(requestsPerSecond: number | null | undefined): string {
  if (!usable(requestsPerSecond)) return NO_DATA;
  const r = requestsPerSecond;
  if (Number.isInteger(r) || Math.abs(r) >= 100) return `${formatCount(Math.round(r))}${SP}requests/s`;
  return `${formatNumber(r, 1)}${SP}requests/s`;
}
