/**
 * The report's field (real-user) figures against a real Prometheus 2.42 holding ten days of
 * backfilled history (test/helpers/backfill.ts): one probed target, shop, and the rum_* series
 * of three sites (test/helpers/syntheticRum.ts) with known values:
 *
 * - shop: product pages on mobile and desktop, the home page on mobile, a page view every 2
 *   minutes each; p75 LCP 2.0 s until the change "Add a hero video" (2025-01-14 12:00 UTC, on
 *   target shop, whose URL lies in shop's home page group), 3.0 s after; bounce rate 40 %,
 *   conversion rate 10 %;
 * - blog: a page view every 20 minutes: too few for the 6-hour evaluation windows;
 * - docs: beacons until 2025-01-10, none on the report day.
 *
 * The report for 2025-01-14 (UTC) must give each figure of shop against the ground truth: page
 * views, sessions, bounce and conversion rates exactly, every p75 within 10 % of the exact 75th
 * percentile, good shares exactly, for the day, the day before and a week earlier; docs in one
 * line; the change evaluated as a field LCP regression with its page views; the global change
 * "not enough field data" on blog and without change on shop.
 */
import { rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/render/index.js';
import { buildReport } from '../../src/report/report.js';
import { FIELD_VITALS, type VitalKey } from '../../src/rum/vitals.js';
import { Store } from '../../src/store/store.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory } from '../helpers/syntheticHistory.js';
import { generateRum, withRum, type PageView, type SyntheticRum } from '../helpers/syntheticRum.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 6); // Monday
const END = START + 10 * DAY;
const DAY_START = Date.UTC(2025, 0, 14);
const CHANGE = Date.UTC(2025, 0, 14, 12);
const GLOBAL_CHANGE = Date.UTC(2025, 0, 14, 2);
const WINDOW = 6 * HOUR;
const P75 = { lcp: 2, inp: 0.15, cls: 0.05, fcp: 1.2, ttfb: 0.4 };
const shopSegment = (pageGroup: string, device: string, offsetSeconds: number) => ({
  site: 'shop',
  pageGroup,
  device,
  pageViewIntervalSeconds: 120,
  offsetSeconds,
  p75: P75,
  steps: [{ atMs: CHANGE, factors: { lcp: 1.5 } }],
});

let rum: SyntheticRum;
let prom: BackfilledPrometheus;
let storeDir: string;
let store: Store;
let report: Report;

beforeAll(async () => {
  rum = generateRum({
    startMs: START,
    endMs: END,
    segments: [
      shopSegment('product', 'mobile', 37),
      shopSegment('product', 'desktop', 53),
      shopSegment('home', 'mobile', 71),
      { site: 'blog', pageGroup: 'post', device: 'desktop', pageViewIntervalSeconds: 1200, p75: P75 },
      {
        site: 'docs',
        pageGroup: 'other',
        device: 'desktop',
        pageViewIntervalSeconds: 300,
        activeUntilMs: Date.UTC(2025, 0, 10),
        p75: P75,
      },
    ],
    targets: [{ target: 'shop', site: 'shop', pageGroup: 'home' }],
  });
  const history = withRum(
    generateHistory({
      startMs: START,
      endMs: END,
      seed: 3,
      targets: [{ name: 'shop', probeIntervalSeconds: 60, latency: { baseSeconds: 0.4, jitter: 0.1 } }],
    }),
    rum,
  );
  prom = await startBackfilledPrometheus(history);
  storeDir = await mkdtemp(join(tmpdir(), 'vantage-report-field-'));
  store = Store.open(storeDir);
  store.changes.add({
    title: 'Add a hero video',
    kind: 'deploy',
    target: 'shop',
    at: CHANGE,
    description: null,
  });
  store.changes.add({
    title: 'New CDN',
    kind: 'infrastructure',
    target: null,
    at: GLOBAL_CHANGE,
    description: null,
  });
  report = await buildReport({
    prometheusUrl: prom.url,
    date: '2025-01-14',
    period: 'day',
    timeZone: 'UTC',
    store,
    now: END + HOUR,
    evaluationWindowMs: WINDOW,
  });
}, 240_000);

afterAll(async () => {
  store?.close();
  await prom?.stop();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

/** The exact nearest-rank 75th percentile of the page views' values. */
function exactP75(views: PageView[], vital: VitalKey): number {
  const sorted = views.map((v) => v.vitals[vital]).sort((a, b) => a - b);
  return sorted[Math.ceil(0.75 * sorted.length) - 1]!;
}

/** The truth the report's figures must match, for the shop page views of [from, to). */
function truthOf(views: PageView[]) {
  const sessions = views.filter((v) => v.session).length;
  return {
    pageViews: views.length,
    sessions,
    bounce: 1 - views.filter((v) => v.engaged).length / sessions,
    conversion: views.filter((v) => v.converted).length / sessions,
    p75: (key: VitalKey) => exactP75(views, key),
    good: (key: VitalKey) => {
      const vital = FIELD_VITALS.find((v) => v.key === key)!;
      return views.filter((v) => v.vitals[key] <= vital.good).length / views.length;
    },
  };
}

const within10 = (actual: number | null, exact: number): void => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact) / exact).toBeLessThan(0.1);
};

describe('Monitoring: field figures', () => {
  it('lists the sites with beacons, and says in one line which had none', () => {
    expect(report.monitoring.field.exact).toBe(true);
    expect(report.monitoring.field.sites.map((s) => s.site)).toEqual(['blog', 'shop']);
    expect(report.monitoring.field.sitesWithoutData).toEqual(['docs']);
  });

  it("gives shop's page views, sessions, bounce and conversion rates exactly, for each period", () => {
    const shop = report.monitoring.field.sites.find((s) => s.site === 'shop')!.overall;
    const periods = [
      ['current', DAY_START],
      ['previous', DAY_START - DAY],
      ['weekEarlier', DAY_START - 7 * DAY],
    ] as const;
    for (const [period, start] of periods) {
      const truth = truthOf(rum.pageViews('shop', start, start + DAY));
      expect(truth.pageViews).toBe(3 * 720);
      expect(shop.pageViews[period]).toBe(truth.pageViews);
      expect(shop.sessions[period]).toBe(truth.sessions);
      expect(shop.bounceRate[period]).toBeCloseTo(0.4, 12);
      expect(shop.bounceRate[period]).toBeCloseTo(truth.bounce, 12);
      expect(shop.conversions.map((c) => c.goal)).toEqual(['checkout']);
      expect(shop.conversions[0]!.rate[period]).toBeCloseTo(truth.conversion, 12);
      expect(shop.conversions[0]!.rate[period]).toBeCloseTo(0.1, 12);
    }
    expect(shop.pageViews.vsPrevious).toBe(0);
    expect(shop.bounceRate.vsWeekEarlier).toBeCloseTo(0, 9);
  });

  it("gives every vital's p75 within 10 % and its good share exactly, against the previous day and a week earlier", () => {
    const shop = report.monitoring.field.sites.find((s) => s.site === 'shop')!.overall;
    for (const [period, start] of [
      ['current', DAY_START],
      ['previous', DAY_START - DAY],
      ['weekEarlier', DAY_START - 7 * DAY],
    ] as const) {
      const truth = truthOf(rum.pageViews('shop', start, start + DAY));
      for (const vital of shop.vitals) {
        within10(vital.p75[period], truth.p75(vital.vital));
        expect(vital.goodShare[period]).toBeCloseTo(truth.good(vital.vital), 12);
      }
    }
    const lcp = shop.vitals.find((v) => v.vital === 'lcp')!;
    // Half the day after the change (3.0 s): the day's p75 is above the day before's 2.0 s.
    expect(lcp.p75.previous!).toBeGreaterThan(1.8);
    expect(lcp.p75.previous!).toBeLessThan(2.2);
    expect(lcp.p75.vsPrevious!).toBeGreaterThan(10);
    expect(lcp.goodShare.vsPrevious!).toBeLessThan(0);
    expect(lcp.samples).toBe(3 * 720);
  });

  it('breaks shop down by device, page group and page group per device', () => {
    const shop = report.monitoring.field.sites.find((s) => s.site === 'shop')!;
    expect(shop.slices.map((s) => [s.pageGroup, s.device, s.pageViews.current])).toEqual([
      [null, 'desktop', 720],
      [null, 'mobile', 1440],
      ['home', null, 720],
      ['product', null, 1440],
      ['home', 'mobile', 720],
      ['product', 'desktop', 720],
      ['product', 'mobile', 720],
    ]);
    // One site with one page group on one device: the whole-site figures say it all.
    expect(report.monitoring.field.sites.find((s) => s.site === 'blog')!.slices).toEqual([]);
  });
});

describe('Evaluation: changes against field p75', () => {
  it("finds the shop change a field LCP regression, with each window's page views", () => {
    const e = report.evaluation.field.find((x) => x.change.title === 'Add a hero video')!;
    expect(e.site).toBe('shop');
    expect(e.scope).toBe('target');
    expect(e.windowMs).toBe(WINDOW);
    expect(e.before).toEqual({ start: CHANGE - WINDOW, end: CHANGE });
    expect(e.pageViews).toEqual({ before: 540, after: 540 });
    expect(e.verdict).toBe('regressed');
    const lcp = e.vitals.find((v) => v.vital === 'lcp')!;
    expect(lcp.verdict).toBe('regressed');
    within10(lcp.before.p75, exactP75(rum.pageViews('shop', CHANGE - WINDOW, CHANGE), 'lcp'));
    within10(lcp.after.p75, exactP75(rum.pageViews('shop', CHANGE, CHANGE + WINDOW), 'lcp'));
    within10(lcp.before.p75, 2);
    within10(lcp.after.p75, 3);
    expect(lcp.before.samples).toBe(540);
    expect(lcp.sentence).toMatch(
      /^field p75 Largest Contentful Paint regressed: .* 540 \/ 540 page views\.$/,
    );
    for (const key of ['inp', 'cls'] as const)
      expect(e.vitals.find((v) => v.vital === key)!.verdict).toBe('no significant change');
    // Only the shop: the change's target lies in shop's origins, not in blog's or docs'.
    expect(report.evaluation.field.filter((x) => x.change.title === 'Add a hero video')).toHaveLength(1);
    expect(
      report.learning.openProblems.some(
        (p) => p.kind === 'regression' && p.sentence.includes('real users of shop'),
      ),
    ).toBe(true);
  });

  it('evaluates a change without a target on every site with page views, and too few page views as not enough', () => {
    const global = report.evaluation.field.filter((x) => x.change.title === 'New CDN');
    expect(global.map((x) => x.site)).toEqual(['blog', 'shop']);
    const blog = global[0]!;
    expect(blog.scope).toBe('all-sites');
    expect(blog.pageViews).toEqual({ before: 18, after: 18 });
    expect(blog.verdict).toBe('not enough field data');
    expect(blog.vitals.every((v) => v.verdict === 'not enough field data')).toBe(true);
    expect(blog.vitals[0]!.sentence).toContain('not enough field data (18 / 18 page views');
    expect(global[1]!.verdict).toBe('no significant change');
  });
});

describe('rendering', () => {
  it('shows the field figures and evaluations in Markdown, HTML and JSON', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('### Field data (real users)');
    expect(md).toContain('#### shop');
    expect(md).toMatch(/\| LCP p75 \| .* s \| .* s \| \+\d+\.\d % \|/);
    expect(md).toContain('- docs: no beacons in the period');
    expect(md).toContain('### Changes in the field');
    expect(md).toContain('#### Add a hero video — real users of shop');
    expect(md).toContain('- Page views: 540 before, 540 after');
    expect(md).toContain('not enough field data');
    const html = renderHtml(report);
    expect(html).toContain('Field data (real users)');
    expect(html).toContain('real users of shop');
    expect(html).toContain('docs: no beacons in the period');
    const json = JSON.parse(renderJson(report)) as Report;
    expect(json.monitoring.field.sites[1]!.overall.bounceRate.current).toBeCloseTo(0.4, 12);
    expect(json.evaluation.field.find((e) => e.change.title === 'Add a hero video')!.pageViews).toEqual({
      before: 540,
      after: 540,
    });
  });
});
