/**
 * Field data as Prometheus sees it, against a real Prometheus scraping real vantages:
 *
 * - 10,000 page views with known vitals: histogram_quantile(0.75, …) lands within 10 % of the
 *   exact p75 of every vital (the bucket edges of src/rum/vitals.ts are what makes that true), and
 *   the shares of good and poor page views are exact (the thresholds are bucket edges).
 * - Two collectors behind one site, each beacon going to either: the sums, the bounce and the
 *   conversion rate equal those of one collector that got every beacon (no session state).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageView, postAll, sessionId, USER_AGENTS } from '../helpers/beacons.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { mulberry32 } from '../helpers/random.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';
import { FIELD_VITALS, type VitalKey } from '../../src/rum/vitals.js';

const ORIGIN = 'https://shop.example.com';
const CONFIG = `
targets: []
rum:
  sites:
    - name: shop
      origins: [${ORIGIN}]
      page_groups:
        - {name: product, pattern: '^/p/'}
        - {name: search, pattern: '^/search'}
      goals: [checkout]
  # Every beacon arrives from 127.0.0.1 here: the rate limit is not what this test is about.
  limits: {rate_per_client: {per_second: 100000, burst: 100000}}
`;

/** Log-normal values around a median, in the beacon's units (ms, or the CLS score). */
function logNormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

/** Medians chosen so each vital's p75 sits in a different part of its range. */
const MEDIANS: Record<VitalKey, [number, number]> = {
  lcp: [2100, 0.5],
  inp: [150, 0.7],
  cls: [0.06, 0.9],
  fcp: [1200, 0.45],
  ttfb: [350, 0.6],
};
const PATHS = ['/p/1', '/p/2', '/search?q=x', '/', '/about'];
const DEVICES = ['desktop', 'mobile', 'tablet'] as const;

/** The exact p75 as histogram_quantile means it: the value below which 75 % of the samples lie. */
function exactP75(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.75) - 1]!;
}

let single: Harness;
let pair: Harness[];
let prom: Prometheus;

beforeAll(async () => {
  [single, ...pair] = await Promise.all([startVantage(CONFIG), startVantage(CONFIG), startVantage(CONFIG)]);
  prom = await startPrometheus({
    vantage: [
      { targets: [single.baseUrl], labels: { collectors: 'one' } },
      { targets: pair.map((h) => h.baseUrl), labels: { collectors: 'two' } },
    ],
    intervals: { scrape: '1s', evaluation: '1s' },
  });
  await prom.waitForTargets();
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await Promise.all([single, ...(pair ?? [])].map((h) => h?.close()));
});

describe('10,000 page views with known vitals', () => {
  const random = mulberry32(17);
  const values: Record<VitalKey, number[]> = { lcp: [], inp: [], cls: [], fcp: [], ttfb: [] };
  const beacons = Array.from({ length: 10_000 }, (_, i) => {
    const vitals = {} as Record<VitalKey, number>;
    for (const key of Object.keys(MEDIANS) as VitalKey[]) {
      const [median, sigma] = MEDIANS[key];
      const value = logNormal(random, median, sigma);
      vitals[key] = key === 'cls' ? Number(value.toFixed(4)) : Math.round(value);
      values[key].push(key === 'cls' ? vitals[key] : vitals[key] / 1000);
    }
    return pageView({ site: 'shop', path: PATHS[i % PATHS.length]!.split('?')[0]!, vitals });
  });

  it('gives histogram_quantile(0.75) within 10 % of the exact p75 and exact good and poor shares', async () => {
    const statuses = await postAll(single.baseUrl, beacons, (i) => ({
      origin: ORIGIN,
      userAgent: USER_AGENTS[DEVICES[i % 3]!],
    }));
    expect(statuses.filter((s) => s !== 204)).toEqual([]);
    const vital0 = FIELD_VITALS[0]!;
    await prom.waitForQuery(`sum(${vital0.metric}_count{collectors="one"}) >= 10000`, undefined, 15_000);

    const lines: string[] = [];
    for (const vital of FIELD_VITALS) {
      const exact = exactP75(values[vital.key]);
      const [estimate] = await prom.query(
        `histogram_quantile(0.75, sum by (le) (${vital.metric}_bucket{collectors="one"}))`,
      );
      const error = Math.abs(estimate!.value - exact) / exact;
      lines.push(
        `${vital.key}: exact p75 ${exact.toFixed(4)}, Prometheus ${estimate!.value.toFixed(4)}, error ${(error * 100).toFixed(2)} %`,
      );
      expect(error, lines.at(-1)).toBeLessThan(0.1);

      const good = values[vital.key].filter((v) => v <= vital.good).length / 10_000;
      const poor = values[vital.key].filter((v) => v > vital.poor).length / 10_000;
      const [goodShare] = await prom.query(
        `sum(${vital.metric}_bucket{collectors="one",le="${vital.good}"}) / sum(${vital.metric}_count{collectors="one"})`,
      );
      const [poorShare] = await prom.query(
        `1 - sum(${vital.metric}_bucket{collectors="one",le="${vital.poor}"}) / sum(${vital.metric}_count{collectors="one"})`,
      );
      expect(goodShare!.value).toBeCloseTo(good, 10);
      expect(poorShare!.value).toBeCloseTo(poor, 10);
    }
    console.log(lines.join('\n'));
  }, 120_000);
});

describe('two collectors behind one site', () => {
  /** 2,000 sessions of 1 to 4 page views, as the snippet reports them. */
  function sessions() {
    const random = mulberry32(5);
    const beacons: Array<{ body: unknown; device: (typeof DEVICES)[number] }> = [];
    for (let s = 0; s < 2000; s++) {
      const pages = 1 + (s % 4);
      const device = DEVICES[s % 3]!;
      const landing = PATHS[s % PATHS.length]!.split('?')[0]!;
      const longRead = random() < 0.3;
      const converts = s % 7 === 0;
      let engaged = false;
      for (let p = 0; p < pages; p++) {
        const last = p === pages - 1;
        const becomesEngaged: boolean = !engaged && (p >= 1 || longRead || (converts && last));
        engaged ||= becomesEngaged;
        beacons.push({
          device,
          body: pageView({
            site: 'shop',
            path: p === 0 ? landing : PATHS[(s + p) % PATHS.length]!.split('?')[0]!,
            landing,
            sessionId: sessionId(s),
            start: p === 0,
            engaged: becomesEngaged,
            visibleMs: longRead ? 15_000 : 3_000,
            vitals: {
              lcp: Math.round(logNormal(random, 2000, 0.5)),
              inp: Math.round(logNormal(random, 120, 0.6)),
            },
            goals: converts && last ? ['checkout'] : [],
          }),
        });
      }
    }
    return beacons;
  }

  it('count the same sessions, bounce rate and conversion rate as one', async () => {
    const beacons = sessions();
    // A load balancer without stickiness: consecutive beacons of a session go to either collector.
    const toPair = await postAll(
      (i) => pair[i % 2]!.baseUrl,
      beacons.map((b) => b.body),
      (i) => ({ origin: ORIGIN, userAgent: USER_AGENTS[beacons[i]!.device] }),
    );
    expect(toPair.filter((s) => s !== 204)).toEqual([]);
    await prom.waitForQuery(
      `sum(rum_page_views_total{collectors="two"}) >= ${beacons.length}`,
      undefined,
      15_000,
    );
    // The one collector: what it already has from the first test, plus these.
    const before = await totals('one');
    const toOne = await postAll(
      single.baseUrl,
      beacons.map((b) => b.body),
      (i) => ({ origin: ORIGIN, userAgent: USER_AGENTS[beacons[i]!.device] }),
    );
    expect(toOne.filter((s) => s !== 204)).toEqual([]);
    await prom.waitForQuery(
      `sum(rum_page_views_total{collectors="one"}) >= ${before.pageViews + beacons.length}`,
      undefined,
      15_000,
    );
    const one = await totals('one');
    const two = await totals('two');
    const added = {
      pageViews: one.pageViews - before.pageViews,
      sessions: one.sessions - before.sessions,
      engaged: one.engaged - before.engaged,
      conversions: one.conversions - before.conversions,
    };
    expect(added).toEqual({
      pageViews: two.pageViews,
      sessions: two.sessions,
      engaged: two.engaged,
      conversions: two.conversions,
    });
    expect(two.sessions).toBe(2000);
    expect(two.conversions).toBe(Math.ceil(2000 / 7));
    const bounce = (t: typeof two) => 1 - t.engaged / t.sessions;
    expect(bounce(two)).toBeCloseTo(1 - added.engaged / added.sessions, 12);
    // Per landing page group and device too: the sums of the two equal the one's new counts.
    const [pairBounce] = await prom.query(
      'sum by (page_group) (rum_engaged_sessions_total{collectors="two",page_group="product"}) / sum by (page_group) (rum_sessions_total{collectors="two",page_group="product"})',
    );
    expect(pairBounce!.value).toBeGreaterThan(0);
    // And the p75 of the two equals the one's for these beacons: the histograms add up.
    const [pairP75] = await prom.query(
      'histogram_quantile(0.75, sum by (le) (rum_interaction_to_next_paint_seconds_bucket{collectors="two"}))',
    );
    const inp = beacons.map((b) => (b.body as { vitals: { inp: number } }).vitals.inp / 1000);
    expect(Math.abs(pairP75!.value - exactP75(inp)) / exactP75(inp)).toBeLessThan(0.1);
  }, 120_000);
});

async function totals(collectors: 'one' | 'two') {
  const sum = async (metric: string) =>
    (await prom.query(`sum(${metric}{collectors="${collectors}"})`))[0]?.value ?? 0;
  return {
    pageViews: await sum('rum_page_views_total'),
    sessions: await sum('rum_sessions_total'),
    engaged: await sum('rum_engaged_sessions_total'),
    conversions: await sum('rum_conversions_total'),
  };
}
