/**
 * Reading figures out of a Lighthouse result (LHR). Pure functions over the JSON, tested against a real
 * Lighthouse 12 LHR (test/fixtures/lhr-heavy.json).
 *
 * Rules (DESIGN.md "Metrics"): values come from each audit's `numericValue` (milliseconds for timings),
 * converted to base units; never from `displayValue` (localized text) and never `score * 100`. Only audits
 * that exist in Lighthouse 12 are read (no first-meaningful-paint, no first-cpu-idle, no
 * estimated-input-latency); an audit that errored has no numericValue and its series is simply absent.
 */

/** The parts of an LHR vantage reads. Structural, so tests can build small ones by hand. */
export interface LhrAudit {
  id: string;
  score?: number | null;
  scoreDisplayMode?: string;
  numericValue?: number;
  numericUnit?: string;
  details?: {
    type?: string;
    overallSavingsMs?: number;
    overallSavingsBytes?: number;
    items?: unknown[];
  };
}

export interface Lhr {
  lighthouseVersion: string;
  requestedUrl?: string;
  finalDisplayedUrl?: string;
  fetchTime?: string;
  runtimeError?: { code: string; message: string };
  runWarnings?: string[];
  environment?: { hostUserAgent?: string; networkUserAgent?: string; benchmarkIndex?: number };
  configSettings?: { formFactor?: string; throttlingMethod?: string };
  categories: Record<string, { id: string; score: number | null }>;
  audits: Record<string, LhrAudit>;
}

/** `lighthouse_timing_seconds{metric}` label -> the Lighthouse 12 audit whose numericValue (ms) it is. */
export const TIMING_AUDITS = {
  first_contentful_paint: 'first-contentful-paint',
  largest_contentful_paint: 'largest-contentful-paint',
  speed_index: 'speed-index',
  total_blocking_time: 'total-blocking-time',
  interactive: 'interactive',
  max_potential_fid: 'max-potential-fid',
  time_to_first_byte: 'server-response-time',
} as const;
export type TimingMetric = keyof typeof TIMING_AUDITS;
export const TIMING_METRICS = Object.keys(TIMING_AUDITS) as TimingMetric[];

export const CLS_AUDIT = 'cumulative-layout-shift';
export const RESOURCE_SUMMARY_AUDIT = 'resource-summary';

function numeric(lhr: Lhr, auditId: string): number | undefined {
  const value = lhr.audits[auditId]?.numericValue;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A timing in seconds, or undefined when the audit is missing or errored. */
export function timingSeconds(lhr: Lhr, metric: TimingMetric): number | undefined {
  const ms = numeric(lhr, TIMING_AUDITS[metric]);
  return ms === undefined ? undefined : ms / 1000;
}

export function timingsSeconds(lhr: Lhr): Partial<Record<TimingMetric, number>> {
  const out: Partial<Record<TimingMetric, number>> = {};
  for (const metric of TIMING_METRICS) {
    const value = timingSeconds(lhr, metric);
    if (value !== undefined) out[metric] = value;
  }
  return out;
}

export function cumulativeLayoutShift(lhr: Lhr): number | undefined {
  return numeric(lhr, CLS_AUDIT);
}

/** Category scores 0..1; a category whose score is null (e.g. it errored) is left out. */
export function categoryScores(lhr: Lhr): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, category] of Object.entries(lhr.categories ?? {})) {
    if (typeof category.score === 'number') out[id] = category.score;
  }
  return out;
}

export interface ResourceTotals {
  /** Label value: Lighthouse's resourceType lowercased with '-' -> '_' (third-party -> third_party). */
  resourceType: string;
  requests: number;
  transferBytes: number;
}

/** The resource-summary table: document, script, stylesheet, image, font, media, other, third-party, total. */
export function resourceSummary(lhr: Lhr): ResourceTotals[] {
  const items = lhr.audits[RESOURCE_SUMMARY_AUDIT]?.details?.items;
  if (!Array.isArray(items)) return [];
  const out: ResourceTotals[] = [];
  for (const raw of items) {
    const item = raw as { resourceType?: unknown; requestCount?: unknown; transferSize?: unknown };
    if (typeof item.resourceType !== 'string') continue;
    out.push({
      resourceType: item.resourceType.toLowerCase().replace(/-/g, '_'),
      requests: typeof item.requestCount === 'number' ? item.requestCount : 0,
      transferBytes: typeof item.transferSize === 'number' ? item.transferSize : 0,
    });
  }
  return out;
}

export interface OpportunitySavings {
  audit: string;
  /** Estimated savings in seconds (overallSavingsMs / 1000), when > 0. */
  seconds?: number;
  /** Estimated savings in bytes (overallSavingsBytes), when > 0. */
  bytes?: number;
}

/**
 * Opportunity audits (details.type 'opportunity', e.g. render-blocking-resources, uses-optimized-images)
 * with a positive estimated saving. Audits with nothing to save produce no series: an opportunity list,
 * not a wall of zeros.
 */
export function opportunitySavings(lhr: Lhr): OpportunitySavings[] {
  const out: OpportunitySavings[] = [];
  for (const [id, audit] of Object.entries(lhr.audits)) {
    const details = audit.details;
    if (details?.type !== 'opportunity') continue;
    const entry: OpportunitySavings = { audit: id };
    if (typeof details.overallSavingsMs === 'number' && details.overallSavingsMs > 0) {
      entry.seconds = details.overallSavingsMs / 1000;
    }
    if (typeof details.overallSavingsBytes === 'number' && details.overallSavingsBytes > 0) {
      entry.bytes = details.overallSavingsBytes;
    }
    if (entry.seconds !== undefined || entry.bytes !== undefined) out.push(entry);
  }
  return out.sort((a, b) => a.audit.localeCompare(b.audit));
}

export function benchmarkIndex(lhr: Lhr): number | undefined {
  const value = lhr.environment?.benchmarkIndex;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Chrome's version from the host user agent ("HeadlessChrome/156.0.0.0"). Chrome reduces the UA to
 * MAJOR.0.0.0, so the runner prefers the full version from DevTools' /json/version when it has it.
 */
export function chromeVersionFromLhr(lhr: Lhr): string | undefined {
  return /(?:Headless)?Chrom(?:e|ium)\/([\d.]+)/.exec(lhr.environment?.hostUserAgent ?? '')?.[1];
}

/**
 * Why a completed run is not usable, or undefined if it is valid. Valid = no runtimeError, and numeric
 * FCP and TTI (what Lighthouse's own median-run selection requires).
 */
export function invalidRunReason(lhr: Lhr): string | undefined {
  if (lhr.runtimeError) return `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
  if (numeric(lhr, 'first-contentful-paint') === undefined) return 'no first-contentful-paint value';
  if (numeric(lhr, 'interactive') === undefined) return 'no interactive (TTI) value';
  return undefined;
}
