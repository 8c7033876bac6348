/**
 * The report's field (real-user monitoring) figures for a period [start, end), per site: p75 of
 * each vital of src/rum/vitals.ts, the share of good and poor page views, page views, sessions,
 * bounce rate and conversion rate per goal, for the whole site and for its page groups and devices
 * (fieldFigures.ts slicesOf), each against the previous period and the same period a week
 * earlier as monitoring.ts compares the probe figures (percent for amounts, percentage points for
 * ratios).
 *
 * Counts come from the rum_* counters and histogram buckets the collector exports, as exact
 * counter differences over the period (monitoring.ts counterDelta: the last sample inside the
 * period minus the one at its start, a series born inside the period counting from 0), at the
 * finest level the series have, (site, page_group, device[, le | goal]); fieldFigures.ts sums
 * them into slices. When a rum_* counter reset in the period (vantage restarted) they are
 * increase()'s extrapolations instead, and `exact` is false, as for the probe figures.
 *
 * Sites: every site with rum_page_views_total series or a vantage_rum_target_page_group_info
 * entry in the period. One without page views in it is listed in `sitesWithoutData`, with no
 * figures, so the report says so in one line rather than printing a table of dashes.
 */
import { FIELD_VITALS, type FieldVital, type VitalKey } from '../rum/vitals.js';
import {
  sliceFigures,
  slicesOf,
  type FieldFigures,
  type FieldSeriesCounts,
  type FieldSlice,
} from './fieldFigures.js';
import { comparedFigure, counterDelta, type ComparedFigure } from './monitoring.js';
import type { InstantSample, PrometheusClient } from './prometheusClient.js';

/** One vital of one slice, against the previous period and a week earlier. */
export interface ComparedVital {
  vital: VitalKey;
  /** "Largest Contentful Paint". */
  label: string;
  unit: 'seconds' | 'unitless';
  /** The Core Web Vitals thresholds (src/rum/vitals.ts): good at or below `good`, poor above `poor`. */
  good: number;
  poor: number;
  /** 75th percentile, bucket-interpolated (histogram_quantile). */
  p75: ComparedFigure;
  /** Share of page views rated good, 0..1 (exact: the threshold is a bucket edge). */
  goodShare: ComparedFigure;
  /** Share rated poor, 0..1. */
  poorShare: ComparedFigure;
  /** Page views that reported the vital in this period. */
  samples: number;
}

export interface ComparedConversion {
  goal: string;
  conversions: ComparedFigure;
  /** Conversions / sessions, 0..1. */
  rate: ComparedFigure;
}

/** The field figures of one slice of a site: pageGroup / device null = all of them. */
export interface FieldSliceFigures {
  pageGroup: string | null;
  device: string | null;
  pageViews: ComparedFigure;
  sessions: ComparedFigure;
  /** 1 − engaged sessions / sessions, 0..1. */
  bounceRate: ComparedFigure;
  conversions: ComparedConversion[];
  vitals: ComparedVital[];
}

export interface FieldSiteFigures {
  site: string;
  /** The whole site. */
  overall: FieldSliceFigures;
  /** Devices, page groups, page groups per device (fieldFigures.ts slicesOf); empty for a one-slice site. */
  slices: FieldSliceFigures[];
}

export interface FieldMonitoring {
  /** False when a rum_* counter reset in the period: the counts are increase()'s estimates. */
  exact: boolean;
  /** Sites with page views in the period, by name. */
  sites: FieldSiteFigures[];
  /** Sites known to Prometheus without a page view in the period, by name. */
  sitesWithoutData: string[];
}

/** The raw material of one period: counts per (site, page group, device) and the sites known. */
export interface FieldPeriodCounts {
  start: number;
  end: number;
  exact: boolean;
  series: FieldSeriesCounts[];
  sites: string[];
}

const COUNTERS = {
  pageViews: 'rum_page_views_total',
  sessions: 'rum_sessions_total',
  engagedSessions: 'rum_engaged_sessions_total',
} as const;
const SERIES_LABELS = 'site, page_group, device';

/** `{site=~"a|b"}` for the sites given, `{}` for all. */
function siteSelector(sites: readonly string[] | undefined): string {
  if (!sites) return '';
  const alternatives = sites.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return `{site=~${JSON.stringify(alternatives)}}`;
}

/** A bucket's `le` label as a number ("+Inf" included). */
function bucketBound(le: string): number {
  return le === '+Inf' ? Infinity : Number(le);
}

/**
 * The rum_* counter differences over [start, end) per (site, page group, device), optionally only
 * for `sites`.
 */
export async function fieldPeriodCounts(
  client: PrometheusClient,
  period: { start: number; end: number },
  options: { sites?: readonly string[] } = {},
): Promise<FieldPeriodCounts> {
  const { start, end } = period;
  const lenMs = end - start;
  if (!Number.isFinite(lenMs) || lenMs <= 0) throw new RangeError('the period must end after it starts');
  const sel = siteSelector(options.sites);
  const inside = `[${lenMs - 1}ms]`;
  const resets = (metric: string): string => `(sum(resets(${metric}${sel}${inside})) or vector(0))`;
  const resetSamples = await client.query(
    [COUNTERS.pageViews, COUNTERS.sessions, `${FIELD_VITALS[0]!.metric}_count`].map(resets).join(' + '),
    end,
  );
  const exact = !resetSamples.some((s) => s.value > 0);
  const delta = (metric: string, by: string): string => counterDelta(`${metric}${sel}`, by, lenMs, exact);

  const [pageViews, sessions, engaged, conversions, knownSites, targetSites, ...vitalBuckets] =
    await Promise.all([
      client.query(delta(COUNTERS.pageViews, SERIES_LABELS), end),
      client.query(delta(COUNTERS.sessions, SERIES_LABELS), end),
      client.query(delta(COUNTERS.engagedSessions, SERIES_LABELS), end),
      client.query(delta('rum_conversions_total', `${SERIES_LABELS}, goal`), end),
      client.query(`group by (site) (last_over_time(${COUNTERS.pageViews}${sel}${inside}))`, end),
      client.query(
        `group by (site) (last_over_time(vantage_rum_target_page_group_info${sel}${inside}))`,
        end,
      ),
      ...FIELD_VITALS.map((v) => client.query(delta(`${v.metric}_bucket`, `${SERIES_LABELS}, le`), end)),
    ]);

  const bySeries = new Map<string, FieldSeriesCounts>();
  const entry = (m: Record<string, string>): FieldSeriesCounts | null => {
    const { site, page_group: pageGroup, device } = m;
    if (site === undefined || pageGroup === undefined || device === undefined) return null;
    const key = JSON.stringify([site, pageGroup, device]);
    let e = bySeries.get(key);
    if (!e) {
      e = {
        site,
        pageGroup,
        device,
        pageViews: 0,
        sessions: 0,
        engagedSessions: 0,
        conversions: new Map(),
        buckets: new Map(),
      };
      bySeries.set(key, e);
    }
    return e;
  };
  // A counter difference is a whole number when exact; rounding removes float error from large sums.
  const count = (v: number): number => (exact ? Math.round(Math.max(0, v)) : Math.max(0, v));
  const usable = (s: InstantSample): boolean => Number.isFinite(s.value);
  for (const [samples, field] of [
    [pageViews, 'pageViews'],
    [sessions, 'sessions'],
    [engaged, 'engagedSessions'],
  ] as const) {
    for (const s of samples.filter(usable)) {
      const e = entry(s.metric);
      if (e) e[field] += count(s.value);
    }
  }
  for (const s of conversions.filter(usable)) {
    const e = entry(s.metric);
    const goal = s.metric.goal;
    if (e && goal !== undefined) e.conversions.set(goal, (e.conversions.get(goal) ?? 0) + count(s.value));
  }
  FIELD_VITALS.forEach((vital, i) => {
    for (const s of vitalBuckets[i]!.filter(usable)) {
      const e = entry(s.metric);
      const le = s.metric.le;
      if (!e || le === undefined) continue;
      let counts = e.buckets.get(vital.key);
      if (!counts) e.buckets.set(vital.key, (counts = new Map()));
      const bound = bucketBound(le);
      counts.set(bound, (counts.get(bound) ?? 0) + count(s.value));
    }
  });
  const sites = new Set<string>();
  for (const s of [...knownSites, ...targetSites]) if (s.metric.site !== undefined) sites.add(s.metric.site);
  for (const e of bySeries.values()) sites.add(e.site);
  return { start, end, exact, series: [...bySeries.values()], sites: [...sites].sort() };
}

function compareVital(vital: FieldVital, periods: (FieldFigures | null)[]): ComparedVital {
  const pick = (f: FieldFigures | null, key: 'p75' | 'goodShare' | 'poorShare'): number | null =>
    f?.vitals.get(vital.key)?.[key] ?? null;
  const figure = (key: 'p75' | 'goodShare' | 'poorShare', unit: ComparedFigure['unit']) =>
    comparedFigure(pick(periods[0]!, key), pick(periods[1]!, key), pick(periods[2]!, key), unit);
  return {
    vital: vital.key,
    label: vital.title,
    unit: vital.unit === 'score' ? 'unitless' : 'seconds',
    good: vital.good,
    poor: vital.poor,
    p75: figure('p75', 'percent'),
    goodShare: figure('goodShare', 'percentage-points'),
    poorShare: figure('poorShare', 'percentage-points'),
    samples: periods[0]?.vitals.get(vital.key)?.samples ?? 0,
  };
}

/**
 * One slice against the same slice in the comparison periods. A period in which the slice had no
 * page views compares as absent (null changes), never as zeros.
 */
export function compareSlice(
  slice: FieldSlice,
  current: FieldFigures,
  previous: FieldFigures | null,
  weekEarlier: FieldFigures | null,
): FieldSliceFigures {
  const periods = [current, previous, weekEarlier].map((f) => (f && f.pageViews > 0 ? f : null));
  const pick = (key: 'pageViews' | 'sessions' | 'bounceRate', unit: ComparedFigure['unit']) =>
    comparedFigure(periods[0]?.[key] ?? null, periods[1]?.[key] ?? null, periods[2]?.[key] ?? null, unit);
  const goals = [...new Set(periods.flatMap((f) => (f ? [...f.conversions.keys()] : [])))].sort();
  return {
    pageGroup: slice.pageGroup,
    device: slice.device,
    pageViews: pick('pageViews', 'percent'),
    sessions: pick('sessions', 'percent'),
    bounceRate: pick('bounceRate', 'percentage-points'),
    conversions: goals.map((goal) => {
      const of = (f: FieldFigures | null) => (f ? (f.conversions.get(goal) ?? null) : null);
      // A period with sessions but no conversion of the goal converted 0, not "unknown".
      const n = (f: FieldFigures | null) => (f ? (of(f)?.conversions ?? 0) : null);
      const rate = (f: FieldFigures | null) => (f && f.sessions > 0 ? (of(f)?.rate ?? 0) : null);
      return {
        goal,
        conversions: comparedFigure(n(periods[0]!), n(periods[1]!), n(periods[2]!), 'percent'),
        rate: comparedFigure(rate(periods[0]!), rate(periods[1]!), rate(periods[2]!), 'percentage-points'),
      };
    }),
    vitals: FIELD_VITALS.map((v) => compareVital(v, periods)),
  };
}

/** The current period's field figures per site beside the previous period's and a week earlier's. */
export function compareField(
  current: FieldPeriodCounts,
  previous: FieldPeriodCounts,
  weekEarlier: FieldPeriodCounts,
): FieldMonitoring {
  const sites: FieldSiteFigures[] = [];
  const sitesWithoutData: string[] = [];
  const ofSite = (p: FieldPeriodCounts, site: string) => p.series.filter((s) => s.site === site);
  for (const site of current.sites) {
    const series = ofSite(current, site);
    const whole: FieldSlice = { pageGroup: null, device: null };
    const figures = (p: FieldPeriodCounts, slice: FieldSlice) => sliceFigures(ofSite(p, site), slice);
    const cur = sliceFigures(series, whole);
    if (cur.pageViews <= 0) {
      sitesWithoutData.push(site);
      continue;
    }
    const compare = (slice: FieldSlice) =>
      compareSlice(slice, figures(current, slice), figures(previous, slice), figures(weekEarlier, slice));
    sites.push({ site, overall: compare(whole), slices: slicesOf(series).map(compare) });
  }
  return { exact: current.exact, sites, sitesWithoutData };
}

/** The field figures of the report's period and its two comparison periods. */
export async function fieldMonitoring(
  client: PrometheusClient,
  periods: {
    current: { start: number; end: number };
    previous: { start: number; end: number };
    weekEarlier: { start: number; end: number };
  },
): Promise<FieldMonitoring> {
  const [current, previous, weekEarlier] = await Promise.all([
    fieldPeriodCounts(client, periods.current),
    fieldPeriodCounts(client, periods.previous),
    fieldPeriodCounts(client, periods.weekEarlier),
  ]);
  return compareField(current, previous, weekEarlier);
}
