/**
 * The arithmetic of the report's field (real-user) figures, pure: from the counter differences of
 * the rum_* series over a period (fieldMonitoring.ts, fieldEvaluation.ts read them) to p75s, good
 * and poor shares, bounce and conversion rates, for any slice of a site (all of it, a page group,
 * a device, or one page group on one device).
 *
 * Counts are kept per (site, page group, device), the finest level the metrics have, and summed
 * here for coarser slices: cumulative bucket counts of one `le` add up across series, so the
 * slice's p75 is PromQL's histogram_quantile(0.75, sum by (le) (...)) of the same data
 * (bucketPercentile is that arithmetic), and a share of good page views is the count at the
 * vital's `good` edge over the count at +Inf, exact because the thresholds are bucket edges
 * (src/rum/vitals.ts).
 *
 * Bounce rate = 1 − engaged sessions / sessions; conversion rate = conversions / sessions (both
 * by the session's landing page group, as the counters are). A slice without sessions has
 * neither; a vital without observations has no p75 and no shares.
 */
import { FIELD_VITALS, type FieldVital, type VitalKey } from '../rum/vitals.js';
import { bucketPercentile, type Percentile } from './percentiles.js';

/** The percentile Core Web Vitals are judged at (web.dev, CrUX). */
export const FIELD_QUANTILE = 0.75;

/** One (site, page group, device) series set's counter differences over a period. */
export interface FieldSeriesCounts {
  site: string;
  pageGroup: string;
  device: string;
  pageViews: number;
  sessions: number;
  engagedSessions: number;
  /** Conversions by goal. */
  conversions: Map<string, number>;
  /** Per vital, cumulative bucket counts by `le` (+Inf as Infinity). */
  buckets: Map<VitalKey, Map<number, number>>;
}

/** A slice of a site: null means every page group, or every device. */
export interface FieldSlice {
  pageGroup: string | null;
  device: string | null;
}

/** One vital of one slice in one period. */
export interface VitalFigures {
  /** The 75th percentile (seconds, or the layout-shift score), bucket-interpolated; null without data. */
  p75: number | null;
  /** Page views at or below the "good" threshold / page views with the vital, 0..1. */
  goodShare: number | null;
  /** Page views above the "poor" threshold / page views with the vital, 0..1. */
  poorShare: number | null;
  /** Page views that reported the vital (a page hidden before its first paint has no LCP). */
  samples: number;
}

export interface FieldFigures {
  pageViews: number;
  sessions: number;
  engagedSessions: number;
  /** 1 − engaged / sessions, 0..1; null without sessions. */
  bounceRate: number | null;
  /** Per goal: conversions, and conversions / sessions (null without sessions). */
  conversions: Map<string, { conversions: number; rate: number | null }>;
  vitals: Map<VitalKey, VitalFigures>;
}

/** Cumulative bucket counts, ascending by `le`, +Inf last. */
export function bucketList(buckets: ReadonlyMap<number, number>): { le: number; count: number }[] {
  return [...buckets].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** PromQL's histogram_quantile over the buckets (null without observations or without +Inf). */
export function bucketQuantile(q: number, buckets: ReadonlyMap<number, number>): Percentile | null {
  return bucketPercentile(q, bucketList(buckets));
}

/** Observations in the histogram: the +Inf bucket's count. */
export function observations(buckets: ReadonlyMap<number, number>): number {
  return Math.max(0, buckets.get(Infinity) ?? 0);
}

/** The p75 and the exact shares of one vital's buckets. */
export function vitalFigures(vital: FieldVital, buckets: ReadonlyMap<number, number>): VitalFigures {
  const samples = observations(buckets);
  if (!(samples > 0)) return { p75: null, goodShare: null, poorShare: null, samples: 0 };
  const good = buckets.get(vital.good);
  const notPoor = buckets.get(vital.poor);
  return {
    p75: bucketQuantile(FIELD_QUANTILE, buckets)?.seconds ?? null,
    // The thresholds are edges of every vital's buckets; a collector with other edges gets no share
    // rather than one read off a neighbouring edge.
    goodShare: good === undefined ? null : good / samples,
    poorShare: notPoor === undefined ? null : (samples - notPoor) / samples,
    samples,
  };
}

function inSlice(s: FieldSeriesCounts, slice: FieldSlice): boolean {
  return (
    (slice.pageGroup === null || s.pageGroup === slice.pageGroup) &&
    (slice.device === null || s.device === slice.device)
  );
}

function addInto<K>(into: Map<K, number>, from: ReadonlyMap<K, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

/** The figures of `slice` of the site whose series counts are `series`. */
export function sliceFigures(series: readonly FieldSeriesCounts[], slice: FieldSlice): FieldFigures {
  let pageViews = 0;
  let sessions = 0;
  let engagedSessions = 0;
  const conversions = new Map<string, number>();
  const buckets = new Map<VitalKey, Map<number, number>>(FIELD_VITALS.map((v) => [v.key, new Map()]));
  for (const s of series) {
    if (!inSlice(s, slice)) continue;
    pageViews += s.pageViews;
    sessions += s.sessions;
    engagedSessions += s.engagedSessions;
    addInto(conversions, s.conversions);
    for (const [key, counts] of s.buckets) addInto(buckets.get(key)!, counts);
  }
  return {
    pageViews,
    sessions,
    engagedSessions,
    // Engaged sessions can exceed sessions within a period (sessions that began before it): clamp.
    bounceRate: sessions > 0 ? Math.min(1, Math.max(0, 1 - engagedSessions / sessions)) : null,
    conversions: new Map(
      [...conversions]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([goal, n]) => [goal, { conversions: n, rate: sessions > 0 ? n / sessions : null }]),
    ),
    vitals: new Map(FIELD_VITALS.map((v) => [v.key, vitalFigures(v, buckets.get(v.key)!)])),
  };
}

/**
 * The slices worth a row besides the whole site, where they have page views: each device (every
 * page group) when there are several devices, each page group (every device) when there are several
 * page groups, and each page group on each device when there are several of both. Devices by
 * name, then page groups by name, then page group and device. A site with one page group seen on
 * one device gets none: its whole-site figures say it all.
 */
export function slicesOf(series: readonly FieldSeriesCounts[]): FieldSlice[] {
  const withViews = series.filter((s) => s.pageViews > 0);
  const groups = [...new Set(withViews.map((s) => s.pageGroup))].sort();
  const devices = [...new Set(withViews.map((s) => s.device))].sort();
  const out: FieldSlice[] = [];
  if (devices.length > 1) for (const device of devices) out.push({ pageGroup: null, device });
  if (groups.length > 1) for (const pageGroup of groups) out.push({ pageGroup, device: null });
  if (devices.length > 1 && groups.length > 1)
    for (const pageGroup of groups)
      for (const device of devices)
        if (withViews.some((s) => s.pageGroup === pageGroup && s.device === device))
          out.push({ pageGroup, device });
  return out;
}
