/**
 * The headline of one audit (category scores, LCP, CLS, TBT) for the report listings under
 * /lighthouse/: from the latest result's samples (what /metrics exports) or from a stored
 * report's JSON (the history). Both give the same shape, so one renderer lists both.
 *
 * Stored reports never change once written (their file name is their start time), so a JSON is
 * parsed once and its summary cached; the cache is bounded because a history page can be asked
 * for any check.
 */
import { readFile } from 'node:fs/promises';
import type { ProbeResult } from '../types.js';
import { categoryScores, cumulativeLayoutShift, timingSeconds, type Lhr } from './extract.js';
import { lighthouseFamilies } from './families.js';

export interface AuditSummary {
  /** Category id (performance, accessibility, best-practices, seo) -> score 0..1. */
  scores: Record<string, number>;
  lcpSeconds?: number;
  tbtSeconds?: number;
  cls?: number;
}

/** The categories in the order Lighthouse shows them, with the titles its report gives them. */
export const SUMMARY_CATEGORIES = {
  performance: 'Performance',
  accessibility: 'Accessibility',
  'best-practices': 'Best Practices',
  seo: 'SEO',
} as const;

/** From an audit batch's samples: the median run's figures, as exported on /metrics. */
export function summaryFromResult(result: ProbeResult): AuditSummary {
  const out: AuditSummary = { scores: {} };
  for (const s of result.samples) {
    if (s.family.name === lighthouseFamilies.categoryScore.name && s.labels?.category) {
      out.scores[s.labels.category] = s.value;
    } else if (s.family.name === lighthouseFamilies.timingSeconds.name) {
      if (s.labels?.metric === 'largest_contentful_paint') out.lcpSeconds = s.value;
      if (s.labels?.metric === 'total_blocking_time') out.tbtSeconds = s.value;
    } else if (s.family.name === lighthouseFamilies.cumulativeLayoutShift.name) {
      out.cls = s.value;
    }
  }
  return out;
}

/** From a Lighthouse result (LHR). */
export function summaryFromLhr(lhr: Lhr): AuditSummary {
  return {
    scores: categoryScores(lhr),
    lcpSeconds: timingSeconds(lhr, 'largest_contentful_paint'),
    tbtSeconds: timingSeconds(lhr, 'total_blocking_time'),
    cls: cumulativeLayoutShift(lhr),
  };
}

/** Summaries kept: ten reports of a hundred audited checks. */
const CACHE_LIMIT = 1000;
const cache = new Map<string, unknown>();

/**
 * The summary of a stored report's JSON file, or undefined when it cannot be read or parsed (a
 * report pruned meanwhile, a file from another version): a listing shows "—" then, not an error.
 */
export function summaryOfStoredReport(jsonPath: string): Promise<AuditSummary | undefined> {
  return summaryOfStoredJson(jsonPath, (lhr: Lhr) =>
    lhr && typeof lhr === 'object' && lhr.audits ? summaryFromLhr(lhr) : undefined,
  );
}

/**
 * `read` of a stored JSON file (a Lighthouse report, a browser flow's run record), parsed once and
 * cached by path; undefined when the file cannot be read or parsed.
 */
export async function summaryOfStoredJson<J, T>(
  jsonPath: string,
  read: (json: J) => T | undefined,
): Promise<T | undefined> {
  if (cache.has(jsonPath)) return cache.get(jsonPath) as T | undefined;
  let summary: T | undefined;
  try {
    summary = read(JSON.parse(await readFile(jsonPath, 'utf8')) as J);
  } catch {
    summary = undefined;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(jsonPath, summary);
  return summary;
}
