/**
 * An audit batch as text: its headline for the index page (category scores and the Web Vitals
 * /lighthouse/ lists, read the same way: auditSummary.ts) and its trace for `vantage probe`.
 */
import { formatElapsed, formatScore, formatSeconds, formatUnitless } from '../../format/index.js';
import type { ProbeResult } from '../types.js';
import { SUMMARY_CATEGORIES, summaryFromResult } from './auditSummary.js';

export function auditHeadline(result: ProbeResult): string {
  const a = summaryFromResult(result);
  const parts = Object.keys(SUMMARY_CATEGORIES)
    .filter((c) => a.scores[c] !== undefined)
    .map((c) => `${c} ${formatScore(a.scores[c])}`);
  if (a.lcpSeconds !== undefined) parts.push(`LCP ${formatSeconds(a.lcpSeconds)}`);
  if (a.tbtSeconds !== undefined) parts.push(`TBT ${formatSeconds(a.tbtSeconds)}`);
  if (a.cls !== undefined) parts.push(`CLS ${formatUnitless(a.cls)}`);
  return parts.join(', ');
}

/** One line per trace event, its time as a stopwatch reads it: a batch takes minutes. */
export function formatAuditTrace(result: ProbeResult): string {
  return result.trace
    .map((event) => `${formatElapsed(event.atMs / 1000).padStart(9)}  ${event.message}`)
    .join('\n');
}
