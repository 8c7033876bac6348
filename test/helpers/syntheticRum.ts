/**
 * Synthetic field (real-user) history of a known shape: the rum_* series the collector exports
 * (src/rum/vitals.ts buckets, the contract's labels), added to a probe history
 * (syntheticHistory.ts) so one backfilled Prometheus (backfill.ts) holds both.
 *
 *   const rum = generateRum({
 *     startMs, endMs, scrapeIntervalSeconds: 900,
 *     segments: [{ site: 'shop', pageGroup: 'product', device: 'mobile', pageViewIntervalSeconds: 120,
 *                  p75: { lcp: 2, inp: 0.15, cls: 0.05, fcp: 1.2, ttfb: 0.4 },
 *                  steps: [{ atMs: change, factors: { lcp: 1.5 } }] }],
 *     targets: [{ target: 'shop', site: 'shop', pageGroup: 'home' }],
 *   });
 *   const history = withRum(generateHistory({...}), rum);
 *   rum.pageViews('shop', from, to);   // the exact page views with from < t <= to
 *
 * Page view k of a segment happens at startMs + offsetSeconds + k * pageViewIntervalSeconds
 * (offset 37 s by default: never on a scrape instant), while the segment is active. Each vital's
 * value is p75 · factor · (0.7 + 0.4·u), u uniform in [0, 1) from a seeded PRNG, so the exact
 * 75th percentile is p75 · factor; timed vitals are whole milliseconds, CLS four decimals.
 * Engagement is a fixed cycle, so rates are exact over any whole number of cycles: every second
 * page view starts a session (k even); of every 5 sessions the first 3 are engaged (bounce rate
 * 40 %); of every 10 sessions the first converts to goal "checkout" (conversion rate 10 %).
 *
 * Exported at every scrape instant startMs + j * scrapeInterval up to endMs, counting the page
 * views with t < instant: each vital's histogram (_bucket per le with +Inf, _sum, _count),
 * rum_page_views_total, rum_sessions_total, rum_engaged_sessions_total and
 * rum_conversions_total{goal="checkout"}, labels {site, page_group, device} plus the scrape's
 * job/instance; every series from the first scrape on (at 0), as a running collector exports
 * them once a site has a beacon. `targets` add vantage_rum_target_page_group_info{target, site,
 * page_group} 1.
 */
import { FIELD_VITALS, type VitalKey } from '../../src/rum/vitals.js';
import { mulberry32 } from './random.js';
import type { SyntheticHistory } from './syntheticHistory.js';

export interface RumSegmentSpec {
  site: string;
  pageGroup: string;
  device: string;
  pageViewIntervalSeconds: number;
  /** Default 37. */
  offsetSeconds?: number;
  /** Page views only in [activeFromMs, activeUntilMs) (default: the whole history). */
  activeFromMs?: number;
  activeUntilMs?: number;
  /** Each vital's exact 75th percentile before any step (seconds; the score for CLS). */
  p75: Record<VitalKey, number>;
  /** From atMs on, a vital's values are multiplied by its factor (the last step at or before wins). */
  steps?: { atMs: number; factors: Partial<Record<VitalKey, number>> }[];
}

export interface RumOptions {
  startMs: number;
  endMs: number;
  /** Default 900 (15 minutes): the report's periods and windows must start on a scrape instant. */
  scrapeIntervalSeconds?: number;
  seed?: number;
  segments: RumSegmentSpec[];
  targets?: { target: string; site: string; pageGroup: string }[];
  scrapeLabels?: Record<string, string>;
}

export interface PageView {
  timestampMs: number;
  site: string;
  pageGroup: string;
  device: string;
  vitals: Record<VitalKey, number>;
  /** This page view started a session; and that session is engaged / converted. */
  session: boolean;
  engaged: boolean;
  converted: boolean;
}

export interface SyntheticRum {
  scrapes: number[];
  /** Every page view, by time. */
  views: PageView[];
  /** Page views of `site` with fromMs < t <= toMs (a counter difference between two scrapes). */
  pageViews(site: string, fromMs: number, toMs: number): PageView[];
  /** OpenMetrics families of the scrapes with fromMs <= t < toMs, without `# EOF`. */
  families(fromMs: number, toMs: number): string;
}

const FAMILIES_HELP: Record<string, string> = {
  rum_page_views: 'Page views.',
  rum_sessions: 'Sessions by landing page group.',
  rum_engaged_sessions: 'Engaged sessions by landing page group.',
  rum_conversions: 'Conversions by goal and landing page group.',
};

function factorAt(spec: RumSegmentSpec, vital: VitalKey, ms: number): number {
  let factor = 1;
  for (const step of [...(spec.steps ?? [])].sort((a, b) => a.atMs - b.atMs))
    if (step.atMs <= ms) factor = step.factors[vital] ?? 1;
  return factor;
}

const labelText = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

export function generateRum(options: RumOptions): SyntheticRum {
  const stepMs = (options.scrapeIntervalSeconds ?? 900) * 1000;
  if (options.startMs % stepMs !== 0) throw new Error('startMs must be a multiple of the scrape interval');
  const scrapes: number[] = [];
  for (let t = options.startMs; t <= options.endMs; t += stepMs) scrapes.push(t);
  const scrapeLabels = options.scrapeLabels ?? { job: 'vantage', instance: 'vantage:9470' };
  const random = mulberry32(options.seed ?? 5);

  const views: PageView[] = [];
  const bySegment = options.segments.map((spec) => {
    const own: PageView[] = [];
    const from = spec.activeFromMs ?? options.startMs;
    const until = spec.activeUntilMs ?? options.endMs;
    let k = 0;
    for (
      let t = options.startMs + (spec.offsetSeconds ?? 37) * 1000;
      t < options.endMs;
      t += spec.pageViewIntervalSeconds * 1000
    ) {
      if (t < from || t >= until) continue;
      const vitals = {} as Record<VitalKey, number>;
      for (const v of FIELD_VITALS) {
        const exact = spec.p75[v.key] * factorAt(spec, v.key, t) * (0.7 + 0.4 * random());
        vitals[v.key] = v.unit === 'score' ? Math.round(exact * 1e4) / 1e4 : Math.round(exact * 1000) / 1000;
      }
      const session = k % 2 === 0;
      const s = k / 2;
      own.push({
        timestampMs: t,
        site: spec.site,
        pageGroup: spec.pageGroup,
        device: spec.device,
        vitals,
        session,
        engaged: session && s % 5 < 3,
        converted: session && s % 10 === 0,
      });
      k++;
    }
    views.push(...own);
    return { spec, own };
  });
  views.sort((a, b) => a.timestampMs - b.timestampMs);

  // Every series's value at every scrape, computed once: cumulative counts of the views before it.
  interface Series {
    name: string;
    labels: Record<string, string>;
    values: Float64Array;
  }
  const families = new Map<string, { type: string; series: Series[] }>();
  const addSeries = (
    fam: string,
    type: string,
    name: string,
    labels: Record<string, string>,
  ): Float64Array => {
    let f = families.get(fam);
    if (!f) families.set(fam, (f = { type, series: [] }));
    const values = new Float64Array(scrapes.length);
    f.series.push({ name, labels: { ...scrapeLabels, ...labels }, values });
    return values;
  };
  for (const { spec, own } of bySegment) {
    const base = { site: spec.site, page_group: spec.pageGroup, device: spec.device };
    const counters = [
      [addSeries('rum_page_views', 'counter', 'rum_page_views_total', base), () => true],
      [addSeries('rum_sessions', 'counter', 'rum_sessions_total', base), (v: PageView) => v.session],
      [
        addSeries('rum_engaged_sessions', 'counter', 'rum_engaged_sessions_total', base),
        (v: PageView) => v.engaged,
      ],
      [
        addSeries('rum_conversions', 'counter', 'rum_conversions_total', { ...base, goal: 'checkout' }),
        (v: PageView) => v.converted,
      ],
    ] as const;
    const histograms = FIELD_VITALS.map((vital) => {
      const bounds = [...vital.buckets, Infinity];
      return {
        vital,
        bounds,
        buckets: bounds.map((le) =>
          addSeries(vital.metric, 'histogram', `${vital.metric}_bucket`, {
            ...base,
            le: le === Infinity ? '+Inf' : String(le),
          }),
        ),
        sum: addSeries(vital.metric, 'histogram', `${vital.metric}_sum`, base),
        count: addSeries(vital.metric, 'histogram', `${vital.metric}_count`, base),
        state: { counts: new Array<number>(bounds.length).fill(0), sum: 0, count: 0 },
      };
    });
    const counts = counters.map(() => 0);
    let i = 0;
    scrapes.forEach((at, s) => {
      while (i < own.length && own[i]!.timestampMs < at) {
        const v = own[i++]!;
        counters.forEach(([, pick], c) => (counts[c]! += pick(v) ? 1 : 0));
        for (const h of histograms) {
          const value = v.vitals[h.vital.key];
          h.bounds.forEach((le, b) => (h.state.counts[b]! += value <= le ? 1 : 0));
          h.state.sum += value;
          h.state.count++;
        }
      }
      counters.forEach(([values], c) => (values[s] = counts[c]!));
      for (const h of histograms) {
        h.buckets.forEach((values, b) => (values[s] = h.state.counts[b]!));
        h.sum[s] = h.state.sum;
        h.count[s] = h.state.count;
      }
    });
  }
  for (const t of options.targets ?? []) {
    addSeries('vantage_rum_target_page_group_info', 'gauge', 'vantage_rum_target_page_group_info', {
      target: t.target,
      site: t.site,
      page_group: t.pageGroup,
    }).fill(1);
  }

  return {
    scrapes,
    views,
    pageViews: (site, fromMs, toMs) =>
      views.filter((v) => v.site === site && v.timestampMs > fromMs && v.timestampMs <= toMs),
    families(fromMs, toMs) {
      const first = scrapes.findIndex((t) => t >= fromMs);
      if (first === -1 || scrapes[first]! >= toMs) return '';
      let last = scrapes.findIndex((t) => t >= toMs);
      if (last === -1) last = scrapes.length;
      const out: string[] = [];
      for (const [name, f] of families) {
        out.push(`# HELP ${name} ${FAMILIES_HELP[name] ?? 'Field data.'}\n# TYPE ${name} ${f.type}\n`);
        for (const series of f.series) {
          const prefix = `${series.name}${labelText(series.labels)} `;
          for (let s = first; s < last; s++) out.push(`${prefix}${series.values[s]} ${scrapes[s]! / 1000}\n`);
        }
      }
      return out.join('');
    },
  };
}

/** `history` with `rum`'s families in every OpenMetrics slice, for backfill.ts. */
export function withRum(history: SyntheticHistory, rum: SyntheticRum): SyntheticHistory {
  return {
    ...history,
    openMetrics(fromMs = -Infinity, toMs = Infinity) {
      const probes = history.openMetrics(fromMs, toMs).replace(/# EOF\n$/, '');
      return `${probes}${rum.families(fromMs, toMs)}# EOF\n`;
    },
  };
}
