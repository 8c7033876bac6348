/**
 * The field vitals vantage collects, in one table: the beacon's key, the metric family, the Core
 * Web Vitals thresholds (web.dev's "good" and "poor" edges, the ones CrUX and PageSpeed Insights
 * rate by), and the histogram's bucket edges. Everything that names a vital (the beacon schema,
 * the exposition, the rules' generator, the dashboards, the report) reads it from here.
 *
 * Bucket edges: the two thresholds are edges, so the share of good, needs-improvement and poor
 * page views is exact (`le="2.5"` / `_count`). In each vital's dense range consecutive
 * edges differ by at most 10 %, so `histogram_quantile(0.75, …)`, which interpolates inside one
 * bucket, lands within 10 % of the true p75 wherever a p75 is worth acting on; outside that range
 * a few coarse edges keep the series count down (each edge is one series per site, page group
 * and device).
 */

export type VitalKey = 'lcp' | 'inp' | 'cls' | 'fcp' | 'ttfb';

export interface FieldVital {
  key: VitalKey;
  /** The metric family (base units: seconds, or the unitless layout-shift score). */
  metric: string;
  /** What the vital is, for HELP text and dashboards. */
  title: string;
  /** Seconds, or 'score' for CLS; the beacon carries milliseconds for the timed ones. */
  unit: 'seconds' | 'score';
  /** At or below: good. */
  good: number;
  /** Above: poor. Between the two: needs improvement. */
  poor: number;
  /** Upper bounds of the histogram's buckets, ascending, thresholds included; +Inf implied. */
  buckets: readonly number[];
}

/**
 * Mantissas of one decade, each at most 10 % above the one before (10/9.6 closes the decade), and
 * holding every threshold's mantissa (1, 1.8, 2, 2.5, 3, 4, 5, 8): "nice" edges a reader
 * recognises in `le` labels, rather than 2.44 and 2.69 around 2.5.
 */
const DECADE = [
  1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.65, 1.8, 1.9, 2, 2.2, 2.4, 2.5, 2.75, 3, 3.25, 3.5, 3.75, 4, 4.4, 4.8, 5, 5.5,
  6, 6.5, 7, 7.5, 8, 8.8, 9.6,
] as const;

/** Every decade edge from `from` to `to` inclusive: consecutive edges differ by at most 10 %. */
export function denseEdges(from: number, to: number): number[] {
  const edges: number[] = [];
  for (let exponent = Math.floor(Math.log10(from)); 10 ** exponent <= to; exponent++) {
    for (const mantissa of DECADE) {
      const edge = Number((mantissa * 10 ** exponent).toPrecision(3));
      if (edge >= from && edge <= to) edges.push(edge);
    }
  }
  return edges;
}

/** The union of the lists, ascending, without duplicates. */
function edgesOf(...lists: ReadonlyArray<readonly number[]>): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

export const FIELD_VITALS: readonly FieldVital[] = [
  {
    key: 'lcp',
    metric: 'rum_largest_contentful_paint_seconds',
    title: 'Largest Contentful Paint',
    unit: 'seconds',
    good: 2.5,
    poor: 4,
    buckets: edgesOf([0.1, 0.2, 0.3, 0.4], denseEdges(0.5, 10), [12, 15, 20, 30, 60]),
  },
  {
    key: 'inp',
    metric: 'rum_interaction_to_next_paint_seconds',
    title: 'Interaction to Next Paint',
    unit: 'seconds',
    good: 0.2,
    poor: 0.5,
    buckets: edgesOf([0.01, 0.025], denseEdges(0.04, 1.5), [2, 3, 5, 10]),
  },
  {
    key: 'cls',
    metric: 'rum_cumulative_layout_shift',
    title: 'Cumulative Layout Shift',
    unit: 'score',
    good: 0.1,
    poor: 0.25,
    // 0 is an edge of its own: most pages never shift, and their p75 should read 0, not 0.002.
    buckets: edgesOf([0, 0.001, 0.0025, 0.005], denseEdges(0.01, 0.6), [0.8, 1, 2, 5]),
  },
  {
    key: 'fcp',
    metric: 'rum_first_contentful_paint_seconds',
    title: 'First Contentful Paint',
    unit: 'seconds',
    good: 1.8,
    poor: 3,
    buckets: edgesOf([0.05, 0.1, 0.2], denseEdges(0.3, 8), [10, 15, 30, 60]),
  },
  {
    key: 'ttfb',
    metric: 'rum_time_to_first_byte_seconds',
    title: 'Time to First Byte',
    unit: 'seconds',
    good: 0.8,
    poor: 1.8,
    buckets: edgesOf([0.01, 0.02], denseEdges(0.04, 4), [5, 10, 30]),
  },
];

/** rum_page_visible_seconds: time on page while visible; 1 s to 1 h is what reading a page takes. */
export const PAGE_VISIBLE_BUCKETS: readonly number[] = [
  1, 2, 5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600,
];

/** rum_session_duration_seconds: 10 s is GA4's engaged-session edge. */
export const SESSION_DURATION_BUCKETS: readonly number[] = [
  5, 10, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 14400,
];

/** 'good' | 'needs-improvement' | 'poor', web-vitals' own rating names. */
export type VitalRating = 'good' | 'needs-improvement' | 'poor';

export function ratingOf(vital: FieldVital, value: number): VitalRating {
  if (value <= vital.good) return 'good';
  return value > vital.poor ? 'poor' : 'needs-improvement';
}
