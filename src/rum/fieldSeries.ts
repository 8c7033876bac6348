/**
 * The rum_* series: what the collector has counted since start, and their Prometheus exposition.
 * Nothing here knows about beacons or HTTP; collector.ts decides what to count, this module
 * counts it and renders it.
 *
 * Series are created on first use, per (site, page_group, device): one `PageSeries` holds the
 * five vital histograms, page views, time visible, and the session counters of sessions that
 * landed there. Every series the module may ever create is charged against `maxSeries` before it
 * exists (`cost`), so a flood of beacons can never grow the exposition past the cap: the caller
 * asks `canAdd` first and drops the beacon when it says no.
 */
import { escapeLabelValue, formatValue } from '../metrics/exposition.js';
import { FIELD_VITALS, PAGE_VISIBLE_BUCKETS, SESSION_DURATION_BUCKETS, type VitalKey } from './vitals.js';

class Histogram {
  /** Per bucket (not cumulative), then the +Inf overflow. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly edges: readonly number[]) {
    this.counts = new Float64Array(edges.length + 1);
  }

  observe(value: number): void {
    // Binary search for the first edge >= value (le is inclusive).
    let lo = 0;
    let hi = this.edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.edges[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]! += 1;
    this.sum += value;
    this.count += 1;
  }

  /** Series it exports: one per edge, +Inf, _sum, _count. */
  static seriesOf(edges: readonly number[]): number {
    return edges.length + 3;
  }
}

/** Everything counted for one (site, page_group, device). */
class PageSeries {
  readonly vitals = new Map<VitalKey, Histogram>(FIELD_VITALS.map((v) => [v.key, new Histogram(v.buckets)]));
  pageViews = 0;
  readonly visible = new Histogram(PAGE_VISIBLE_BUCKETS);
  sessions = 0;
  engagedSessions = 0;
  readonly sessionDuration = new Histogram(SESSION_DURATION_BUCKETS);
  readonly conversions = new Map<string, number>();

  constructor(
    /** `site="…",page_group="…",device="…"`, rendered once. */
    readonly labels: string,
  ) {}

  static readonly SERIES =
    FIELD_VITALS.reduce((n, v) => n + Histogram.seriesOf(v.buckets), 0) +
    1 + // page views
    Histogram.seriesOf(PAGE_VISIBLE_BUCKETS) +
    2 + // sessions, engaged sessions
    Histogram.seriesOf(SESSION_DURATION_BUCKETS);
}

/** A site's totals since start (the index page). */
export interface SiteSummary {
  pageViews: number;
  sessions: number;
  engagedSessions: number;
  /** Cumulative bucket counts per vital, summed over page groups and devices (+Inf last). */
  buckets: Partial<Record<VitalKey, Array<{ le: number; count: number }>>>;
}

export interface PageKey {
  site: string;
  pageGroup: string;
  device: string;
}

/** The attribution counters: bounded label values only (collector.ts bounds them). */
export type AttributionFamily = 'rum_inp_targets_total' | 'rum_lcp_elements_total' | 'rum_cls_targets_total';

const ATTRIBUTION_HELP: Record<AttributionFamily, string> = {
  rum_inp_targets_total:
    'Page views by the element of their slowest interaction (INP attribution; the first max_targets_per_site selectors per site, later ones as "other"), interaction type and INP rating.',
  rum_lcp_elements_total:
    'Page views by the kind of element their Largest Contentful Paint was, and the LCP rating.',
  rum_cls_targets_total:
    'Page views by the element of their largest layout shift (CLS attribution; bounded like rum_inp_targets_total) and the CLS rating.',
};

const label = (name: string, value: string) => `${name}="${escapeLabelValue(value)}"`;

export class FieldSeries {
  private readonly pages = new Map<string, PageSeries>();
  private readonly attribution = new Map<AttributionFamily, Map<string, number>>();
  private series = 0;

  constructor(public maxSeries: number) {}

  /** Series exported now. */
  get seriesCount(): number {
    return this.series;
  }

  private pageKey(key: PageKey): string {
    return `${key.site}\u0000${key.pageGroup}\u0000${key.device}`;
  }

  /** Series that counting on these pages, goals and attribution label sets would newly create. */
  cost(
    pages: readonly PageKey[],
    conversions: ReadonlyArray<{ page: PageKey; goal: string }>,
    attribution: ReadonlyArray<{ family: AttributionFamily; labels: string }>,
  ): number {
    let cost = 0;
    const seen = new Set<string>();
    for (const page of pages) {
      const key = this.pageKey(page);
      if (!this.pages.has(key) && !seen.has(key)) cost += PageSeries.SERIES;
      seen.add(key);
    }
    for (const { page, goal } of conversions) {
      if (!this.pages.get(this.pageKey(page))?.conversions.has(goal)) cost += 1;
    }
    for (const { family, labels } of attribution) {
      if (!this.attribution.get(family)?.has(labels)) cost += 1;
    }
    return cost;
  }

  canAdd(cost: number): boolean {
    return this.series + cost <= this.maxSeries;
  }

  private page(key: PageKey): PageSeries {
    const id = this.pageKey(key);
    let page = this.pages.get(id);
    if (!page) {
      page = new PageSeries(
        `${label('site', key.site)},${label('page_group', key.pageGroup)},${label('device', key.device)}`,
      );
      this.pages.set(id, page);
      this.series += PageSeries.SERIES;
    }
    return page;
  }

  /** A page view, its vitals (base units: seconds, CLS unitless) and its time visible. */
  pageView(
    key: PageKey,
    vitals: Partial<Record<VitalKey, number>>,
    visibleSeconds: number | undefined,
  ): void {
    const page = this.page(key);
    page.pageViews += 1;
    for (const vital of FIELD_VITALS) {
      const value = vitals[vital.key];
      if (value !== undefined) page.vitals.get(vital.key)!.observe(value);
    }
    if (visibleSeconds !== undefined) page.visible.observe(visibleSeconds);
  }

  /** Session counters go to the session's landing page group. */
  sessionStart(landing: PageKey): void {
    this.page(landing).sessions += 1;
  }

  sessionEngaged(landing: PageKey): void {
    this.page(landing).engagedSessions += 1;
  }

  sessionEnded(landing: PageKey, durationSeconds: number): void {
    this.page(landing).sessionDuration.observe(durationSeconds);
  }

  conversion(landing: PageKey, goal: string): void {
    const conversions = this.page(landing).conversions;
    if (!conversions.has(goal)) this.series += 1;
    conversions.set(goal, (conversions.get(goal) ?? 0) + 1);
  }

  /** `labels`: the rendered label pairs (attributionLabels). */
  attributed(family: AttributionFamily, labels: string): void {
    let counts = this.attribution.get(family);
    if (!counts) this.attribution.set(family, (counts = new Map()));
    if (!counts.has(labels)) this.series += 1;
    counts.set(labels, (counts.get(labels) ?? 0) + 1);
  }

  /**
   * What each site has counted since start, all page groups and devices together: the index
   * page's lines (which read p75s off the summed buckets).
   */
  siteSummaries(): Map<string, SiteSummary> {
    const sums = new Map<string, { summary: SiteSummary; counts: Map<VitalKey, Float64Array> }>();
    for (const [key, page] of this.pages) {
      const site = key.slice(0, key.indexOf('\u0000'));
      let entry = sums.get(site);
      if (!entry) {
        entry = {
          summary: { pageViews: 0, sessions: 0, engagedSessions: 0, buckets: {} },
          counts: new Map(FIELD_VITALS.map((v) => [v.key, new Float64Array(v.buckets.length + 1)])),
        };
        sums.set(site, entry);
      }
      entry.summary.pageViews += page.pageViews;
      entry.summary.sessions += page.sessions;
      entry.summary.engagedSessions += page.engagedSessions;
      for (const [vital, histogram] of page.vitals) {
        const counts = entry.counts.get(vital)!;
        histogram.counts.forEach((n, i) => (counts[i]! += n));
      }
    }
    const out = new Map<string, SiteSummary>();
    for (const [site, { summary, counts }] of sums) {
      for (const vital of FIELD_VITALS) {
        let cumulative = 0;
        summary.buckets[vital.key] = [...counts.get(vital.key)!].map((n, i) => ({
          le: vital.buckets[i] ?? Infinity,
          count: (cumulative += n),
        }));
      }
      out.set(site, summary);
    }
    return out;
  }

  /** The exposition of every rum_* family (HELP and TYPE even before the first beacon). */
  render(): string {
    const out: string[] = [];
    const pages = [...this.pages.values()];
    for (const vital of FIELD_VITALS) {
      const unit = vital.unit === 'seconds' ? ', in seconds' : ' (unitless score)';
      out.push(
        `# HELP ${vital.metric} ${vital.title} of real page views${unit}, from the vantage-rum snippet; buckets edge at the Core Web Vitals thresholds ${vital.good} and ${vital.poor}.\n# TYPE ${vital.metric} histogram\n`,
      );
      for (const page of pages) renderHistogram(out, vital.metric, page.labels, page.vitals.get(vital.key)!);
    }
    counterFamily(
      out,
      'rum_page_views_total',
      'Page views reported by the vantage-rum snippet.',
      pages,
      (p) => p.pageViews,
    );
    out.push(
      '# HELP rum_page_visible_seconds Time a page view was visible before its beacon (time on page).\n# TYPE rum_page_visible_seconds histogram\n',
    );
    for (const page of pages) renderHistogram(out, 'rum_page_visible_seconds', page.labels, page.visible);
    counterFamily(
      out,
      'rum_sessions_total',
      'Sessions started, by the page group they landed on.',
      pages,
      (p) => p.sessions,
    );
    counterFamily(
      out,
      'rum_engaged_sessions_total',
      'Sessions that became engaged (10 s or more visible, 2 or more page views, or a conversion), by landing page group.',
      pages,
      (p) => p.engagedSessions,
    );
    out.push(
      '# HELP rum_session_duration_seconds Length of ended sessions (first page view to leaving the site or 30 minutes idle), by landing page group.\n# TYPE rum_session_duration_seconds histogram\n',
    );
    for (const page of pages)
      renderHistogram(out, 'rum_session_duration_seconds', page.labels, page.sessionDuration);
    out.push(
      '# HELP rum_conversions_total Sessions that reached a goal (counted once per session and goal), by landing page group.\n# TYPE rum_conversions_total counter\n',
    );
    for (const page of pages) {
      for (const [goal, n] of page.conversions)
        out.push(`rum_conversions_total{${page.labels},${label('goal', goal)}} ${n}\n`);
    }
    for (const family of Object.keys(ATTRIBUTION_HELP) as AttributionFamily[]) {
      out.push(`# HELP ${family} ${ATTRIBUTION_HELP[family]}\n# TYPE ${family} counter\n`);
      for (const [labels, n] of this.attribution.get(family) ?? []) out.push(`${family}{${labels}} ${n}\n`);
    }
    return out.join('');
  }
}

function counterFamily(
  out: string[],
  name: string,
  help: string,
  pages: readonly PageSeries[],
  value: (p: PageSeries) => number,
): void {
  out.push(`# HELP ${name} ${help}\n# TYPE ${name} counter\n`);
  for (const page of pages) out.push(`${name}{${page.labels}} ${value(page)}\n`);
}

function renderHistogram(out: string[], name: string, labels: string, histogram: Histogram): void {
  let cumulative = 0;
  const { edges, counts } = histogram;
  for (let i = 0; i < edges.length; i++) {
    cumulative += counts[i]!;
    out.push(`${name}_bucket{${labels},le="${formatValue(edges[i]!)}"} ${cumulative}\n`);
  }
  cumulative += counts[edges.length]!;
  out.push(`${name}_bucket{${labels},le="+Inf"} ${cumulative}\n`);
  out.push(
    `${name}_sum{${labels}} ${formatValue(histogram.sum)}\n${name}_count{${labels}} ${histogram.count}\n`,
  );
}

/** The rendered label pairs of an attribution counter, in a fixed order. */
export function attributionLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([name, value]) => label(name, value)).join(',');
}
