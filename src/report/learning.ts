/**
 * Learning: what keeps going wrong and what to do next.
 *
 * - Failure patterns from the probe history: exact failure counts per 5-minute bucket over the
 *   14 days (at least the report's period) up to the period's end, handed to
 *   detectFailurePatterns (hour of day, day of week).
 * - Trends: 6-hourly means over the 7 days up to the period's end, extrapolated with
 *   predictCrossing against each figure's limit (the target's latency threshold; Lighthouse's
 *   "good" score; the Core Web Vitals "good" limits). 6-hour buckets smooth the hourly noise
 *   that would otherwise hide a steady drift from the R² test.
 * - Recommendations: the Lighthouse opportunities of the latest audit in the period, biggest
 *   estimated saving first, with what to do about each.
 * Lighthouse figures are the audits' (series without a `step` label), not a browser flow's
 * per-step ones.
 */
import { formatDays, formatValue, MINUS } from '../format/index.js';
import type { FailurePatternEntry, Recommendation, TrendFigure, TrendWarning } from './model.js';
import type { PrometheusClient } from './prometheusClient.js';
import { detectFailurePatterns } from '../stats/patterns.js';
import { predictCrossing, type TrendPoint } from '../stats/trend.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const PATTERN_HISTORY_MS = 14 * DAY;
const PATTERN_BUCKET_MS = 5 * MINUTE;
export const TREND_HISTORY_MS = 7 * DAY;
const TREND_BUCKET_MS = 6 * HOUR;
export const TREND_HORIZON_MS = 14 * DAY;
export const RECOMMENDATIONS_PER_TARGET = 3;

/** Failure patterns of every target in the `historyMs` before `end`. */
export async function failurePatterns(
  client: PrometheusClient,
  end: number,
  options: { timeZone: string; historyMs?: number },
): Promise<FailurePatternEntry[]> {
  const historyMs = Math.max(options.historyMs ?? PATTERN_HISTORY_MS, PATTERN_BUCKET_MS);
  const from = end - historyMs;
  // Exact failures in the bucket ending at each step (clamped at 0 across a counter reset).
  const failed = (offset: string) => `sum by (target) (vantage_probes_total{result="failure"}${offset})`;
  const expr = `clamp_min(${failed('')} - ${failed(` offset ${PATTERN_BUCKET_MS}ms`)}, 0)`;
  const series = await client.queryRange(expr, from + PATTERN_BUCKET_MS, end, PATTERN_BUCKET_MS);
  const out: FailurePatternEntry[] = [];
  for (const s of series) {
    const target = s.metric.target;
    if (target === undefined) continue;
    // A bucket with failures counts as one failure in its middle: the pattern test counts
    // (date, hour) cells, not probes.
    const failures = s.samples.filter((p) => p.value > 0).map((p) => p.timestampMs - PATTERN_BUCKET_MS / 2);
    if (failures.length === 0) continue;
    for (const pattern of detectFailurePatterns(failures, { timeZone: options.timeZone, from, to: end })) {
      out.push({ target, from, to: end, pattern, sentence: `${target} ${pattern.sentence}` });
    }
  }
  return out.sort((a, b) => a.target.localeCompare(b.target) || a.pattern.p - b.pattern.p);
}

interface TrendSpec {
  figure: TrendFigure;
  label: string;
  unit: TrendWarning['unit'];
  /** PromQL of the 6-hourly value per target. */
  expr: string;
  direction: 'above' | 'below';
  /** A fixed limit, or null to read the target's own (latency threshold). */
  threshold: number | null;
  thresholdSource: string;
}

const bucket = `${TREND_BUCKET_MS}ms`;
/** Audits only: a browser flow's lighthouse_* series carry a `step` label, an audit's none. */
const lighthouseMean = (metric: string, extra: string) =>
  `avg by (target) (avg_over_time(${metric}{${extra ? `${extra}, ` : ''}step=""}[${bucket}]))`;

/** The limits come from Lighthouse's scoring and web.dev's Core Web Vitals "good" thresholds. */
const TREND_SPECS: TrendSpec[] = [
  {
    figure: 'response_time',
    label: 'response time',
    unit: 'seconds',
    expr:
      `sum by (target) (increase(vantage_probe_duration_seconds_sum[${bucket}]))` +
      ` / sum by (target) (increase(vantage_probe_duration_seconds_count[${bucket}]))`,
    direction: 'above',
    threshold: null,
    thresholdSource: 'the latency threshold in vantage.yml (slo.latency)',
  },
  {
    figure: 'lighthouse_performance',
    label: 'Lighthouse performance score',
    unit: 'score',
    expr: lighthouseMean('lighthouse_category_score', 'category="performance"'),
    direction: 'below',
    threshold: 0.9,
    thresholdSource: 'Lighthouse\'s "good" score (0.90)',
  },
  {
    figure: 'lcp',
    label: 'largest contentful paint',
    unit: 'seconds',
    expr: lighthouseMean('lighthouse_timing_seconds', 'metric="largest_contentful_paint"'),
    direction: 'above',
    threshold: 2.5,
    thresholdSource: 'the Core Web Vitals "good" limit (2.5 s)',
  },
  {
    figure: 'cls',
    label: 'cumulative layout shift',
    unit: 'unitless',
    expr: lighthouseMean('lighthouse_cumulative_layout_shift', ''),
    direction: 'above',
    threshold: 0.1,
    thresholdSource: 'the Core Web Vitals "good" limit (0.1)',
  },
  {
    figure: 'tbt',
    label: 'total blocking time',
    unit: 'seconds',
    expr: lighthouseMean('lighthouse_timing_seconds', 'metric="total_blocking_time"'),
    direction: 'above',
    threshold: 0.2,
    thresholdSource: 'the Lighthouse "good" limit (200 ms)',
  },
];

function trendSentence(
  target: string,
  spec: TrendSpec,
  w: Omit<TrendWarning, 'sentence'>,
  timeZone: string,
): string {
  const now = formatValue(w.valueNow, spec.unit);
  const limit = formatValue(w.threshold, spec.unit);
  const rate = `${w.slopePerDay >= 0 ? '+' : MINUS}${formatValue(Math.abs(w.slopePerDay), spec.unit)} a day`;
  if (w.status === 'already-crossed') {
    return `${target}: ${spec.label} is already past its limit (${now} against ${limit}) and moving ${rate}.`;
  }
  const date = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(w.crossesAt!);
  return (
    `${target}: ${spec.label} (${now}, ${rate}) will cross ${limit} in ` +
    `${formatDays(w.daysUntil)} (around ${date}) at the current rate.`
  );
}

/** Figures heading for (or already past) their limit, per target. */
export async function trendWarnings(
  client: PrometheusClient,
  end: number,
  options: { timeZone: string },
): Promise<TrendWarning[]> {
  const start = end - TREND_HISTORY_MS;
  const [thresholds, ...series] = await Promise.all([
    client.query(
      `max by (target) (last_over_time(vantage_target_latency_threshold_seconds[${TREND_HISTORY_MS}ms]))`,
      end,
    ),
    ...TREND_SPECS.map((spec) => client.queryRange(spec.expr, start, end, TREND_BUCKET_MS)),
  ]);
  const latency = new Map(thresholds.map((s) => [s.metric.target ?? '', s.value]));
  const out: TrendWarning[] = [];
  TREND_SPECS.forEach((spec, i) => {
    for (const s of series[i]!) {
      const target = s.metric.target;
      if (target === undefined) continue;
      const threshold = spec.threshold ?? latency.get(target);
      if (threshold === undefined || !Number.isFinite(threshold)) continue;
      const points: TrendPoint[] = s.samples.map((p) => ({ t: p.timestampMs, value: p.value }));
      const result = predictCrossing(points, {
        threshold,
        direction: spec.direction,
        horizonMs: TREND_HORIZON_MS,
        now: end,
      });
      if (result.status !== 'will-cross' && result.status !== 'already-crossed') continue;
      const warning = {
        target,
        figure: spec.figure,
        label: spec.label,
        unit: spec.unit,
        threshold,
        thresholdSource: spec.thresholdSource,
        status: result.status,
        valueNow: result.valueNow!,
        slopePerDay: result.slopePerDay!,
        crossesAt: result.crossesAt,
        daysUntil: result.daysUntil,
      };
      out.push({ ...warning, sentence: trendSentence(target, spec, warning, options.timeZone) });
    }
  });
  return out.sort((a, b) => a.target.localeCompare(b.target) || (a.daysUntil ?? -1) - (b.daysUntil ?? -1));
}

/**
 * What to do about the opportunities Lighthouse reports most often. Unknown audits still get a
 * recommendation, titled by their id, with generic advice.
 */
const OPPORTUNITY_ADVICE: Record<string, { title: string; advice: string }> = {
  'render-blocking-resources': {
    title: 'Eliminate render-blocking resources',
    advice: 'Inline the critical CSS, defer the rest, and load scripts with defer or async.',
  },
  'unused-css-rules': {
    title: 'Reduce unused CSS',
    advice: 'Split stylesheets per page and drop rules no page uses.',
  },
  'unused-javascript': {
    title: 'Reduce unused JavaScript',
    advice: 'Split bundles by route and load rarely used code on demand.',
  },
  'unminified-css': { title: 'Minify CSS', advice: 'Minify stylesheets in the build.' },
  'unminified-javascript': { title: 'Minify JavaScript', advice: 'Minify scripts in the build.' },
  'uses-optimized-images': {
    title: 'Efficiently encode images',
    advice: 'Recompress images (quality 75-85 is rarely visible).',
  },
  'modern-image-formats': {
    title: 'Serve images in modern formats',
    advice: 'Serve WebP or AVIF with a fallback.',
  },
  'uses-responsive-images': {
    title: 'Properly size images',
    advice: 'Serve images at the size they are shown, with srcset and sizes.',
  },
  'offscreen-images': {
    title: 'Defer offscreen images',
    advice: 'Lazy-load images below the fold (loading="lazy").',
  },
  'uses-text-compression': {
    title: 'Enable text compression',
    advice: 'Serve HTML, CSS, JS and JSON with gzip or Brotli.',
  },
  'uses-rel-preconnect': {
    title: 'Preconnect to required origins',
    advice: 'Add <link rel="preconnect"> for the third-party origins the page needs early.',
  },
  'server-response-time': {
    title: 'Reduce initial server response time',
    advice: 'Cache the page or its expensive parts on the server or a CDN.',
  },
  redirects: { title: 'Avoid multiple page redirects', advice: 'Link to the final URL directly.' },
  'efficient-animated-content': {
    title: 'Use video formats for animated content',
    advice: 'Replace large GIFs with MP4 or WebM video.',
  },
  'duplicated-javascript': {
    title: 'Remove duplicate modules in JavaScript bundles',
    advice: 'Deduplicate dependencies so each library ships once.',
  },
  'legacy-javascript': {
    title: 'Avoid serving legacy JavaScript to modern browsers',
    advice: 'Build a modern bundle without polyfills for browsers that do not need them.',
  },
  'prioritize-lcp-image': {
    title: 'Preload the Largest Contentful Paint image',
    advice: 'Preload the LCP image or give it fetchpriority="high".',
  },
};

/** The biggest Lighthouse opportunities of each target's latest audit in [start, end). */
export async function recommendations(
  client: PrometheusClient,
  period: { start: number; end: number },
): Promise<Recommendation[]> {
  const range = `[${period.end - period.start - 1}ms]`;
  const [secondsSamples, bytesSamples] = await Promise.all([
    client.query(
      `max by (target, audit) (last_over_time(lighthouse_opportunity_savings_seconds{step=""}${range}))`,
      period.end,
    ),
    client.query(
      `max by (target, audit) (last_over_time(lighthouse_opportunity_savings_bytes{step=""}${range}))`,
      period.end,
    ),
  ]);
  const byKey = new Map<string, Recommendation>();
  const entry = (target: string, audit: string): Recommendation => {
    const key = `${target}\u0000${audit}`;
    let r = byKey.get(key);
    if (!r) {
      const known = OPPORTUNITY_ADVICE[audit];
      r = {
        target,
        audit,
        title: known?.title ?? audit,
        advice: known?.advice ?? `See the "${audit}" audit in the target's latest Lighthouse report.`,
        savingsSeconds: null,
        savingsBytes: null,
      };
      byKey.set(key, r);
    }
    return r;
  };
  for (const s of secondsSamples) {
    if (s.metric.target && s.metric.audit && s.value > 0)
      entry(s.metric.target, s.metric.audit).savingsSeconds = s.value;
  }
  for (const s of bytesSamples) {
    if (s.metric.target && s.metric.audit && s.value > 0)
      entry(s.metric.target, s.metric.audit).savingsBytes = s.value;
  }
  const perTarget = new Map<string, Recommendation[]>();
  for (const r of byKey.values()) perTarget.set(r.target, [...(perTarget.get(r.target) ?? []), r]);
  const out: Recommendation[] = [];
  for (const target of [...perTarget.keys()].sort()) {
    const ranked = perTarget
      .get(target)!
      .sort(
        (a, b) =>
          (b.savingsSeconds ?? 0) - (a.savingsSeconds ?? 0) ||
          (b.savingsBytes ?? 0) - (a.savingsBytes ?? 0) ||
          a.audit.localeCompare(b.audit),
      );
    out.push(...ranked.slice(0, RECOMMENDATIONS_PER_TARGET));
  }
  return out;
}
