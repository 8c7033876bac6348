/**
 * The figures of a statistical test, as the report's sentences and tables give them. Pure;
 * absent figures read "—".
 */
import { NO_DATA, usable } from './number.js';

/** "p < 0.001" below what three decimals can show, "p = 0.023" otherwise. */
export function formatPValue(p: number | null | undefined): string {
  if (!usable(p)) return NO_DATA;
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p.toFixed(3)}`;
}
