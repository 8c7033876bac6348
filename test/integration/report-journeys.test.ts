/**
 * Journeys in the report, against a real Prometheus 2.42 holding two days of backfilled
 * synthetic history (test/helpers/syntheticHistory.ts) and a real store with the change log:
 *
 * - checkout: a three-step journey (login, cart, payment) run every 60 s, made 40 % faster by a
 *   change on 2025-01-07 12:00 UTC; on that day its payment step times out for 30 minutes and
 *   its login step fails extraction for 5 minutes (every day);
 * - shop: a plain HTTP check, changed at the same time without effect on it.
 *
 * The report for 2025-01-07 (UTC) must give, per journey: runs, completion rate, mean and p95
 * transaction time, per-step responses, failures and p95, the step that failed most (payment,
 * 30 timeouts), matching the generator's ground truth; the checkout change tested on
 * transaction time with exactly the samples the truth gives; shop's change on response time
 * only. Every format shows the journey; a period without journeys shows no journey section.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSeconds, formatUnitless } from '../../src/format/index.js';
import { journeyFigures, type JourneyFigures } from '../../src/report/journeys.js';
import type { Report } from '../../src/report/model.js';
import { createPrometheusClient } from '../../src/report/prometheusClient.js';
import { renderHtml, renderJson, renderMarkdown, renderSummary } from '../../src/report/render/index.js';
import { buildReport } from '../../src/report/report.js';
import { compareBeforeAfter } from '../../src/stats/compare.js';
import { Store } from '../../src/store/store.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory, type SyntheticHistory } from '../helpers/syntheticHistory.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 6);
const END = START + 2 * DAY;
const DAY_START = START + DAY; // 2025-01-07 00:00 UTC, the report day
const DAY_END = START + 2 * DAY;
const CHANGE = DAY_START + 12 * HOUR;
const WINDOW = 6 * HOUR;

/** A step name as the Markdown renderer escapes it. */
const escapedStep = (text: string): string => text.replace(/_/g, '\\_');

let history: SyntheticHistory;
let prom: BackfilledPrometheus;
let storeDir: string;
let store: Store;
let report: Report;

beforeAll(async () => {
  history = generateHistory({
    startMs: START,
    endMs: END,
    scrapeIntervalSeconds: 60,
    seed: 5,
    targets: [
      {
        name: 'checkout',
        module: 'checkout',
        probeIntervalSeconds: 60,
        latency: { baseSeconds: 1.6, jitter: 0.3, steps: [{ atMs: CHANGE, factor: 0.6 }] },
        journey: {
          steps: [
            { name: 'login', share: 1, latencyObjectiveSeconds: 0.3 },
            { name: 'cart', share: 1 },
            { name: 'payment', share: 2, latencyObjectiveSeconds: 1 },
          ],
        },
        outages: [
          {
            startMs: DAY_START + 3 * HOUR,
            endMs: DAY_START + 3 * HOUR + 30 * MINUTE,
            step: 'payment',
            phase: 'processing',
            reason: 'timeout',
            durationSeconds: 10,
          },
        ],
        dailyFailure: {
          start: '20:00',
          minutes: 5,
          step: 'login',
          phase: 'extract',
          reason: 'extraction_failed',
          durationSeconds: 0.2,
        },
      },
      { name: 'shop', probeIntervalSeconds: 60, latency: { baseSeconds: 0.4, jitter: 0.2 } },
    ],
  });
  prom = await startBackfilledPrometheus(history);
  storeDir = await mkdtemp(join(tmpdir(), 'vantage-report-journeys-'));
  store = Store.open(storeDir);
  for (const target of ['checkout', 'shop']) {
    store.changes.add({
      title: `Cache the ${target} API`,
      kind: 'optimisation',
      target,
      at: CHANGE,
      description: null,
    });
  }
  report = await buildReport({
    prometheusUrl: prom.url,
    date: '2025-01-07',
    period: 'day',
    timeZone: 'UTC',
    store,
    now: END + HOUR,
    evaluationWindowMs: WINDOW,
  });
}, 120_000);

afterAll(async () => {
  store?.close();
  await prom?.stop();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

describe('journeys in Monitoring', () => {
  it('gives each journey its completion rate, transaction times and most failing step', () => {
    expect(report.monitoring.journeys).toHaveLength(1);
    const j = report.monitoring.journeys[0]!;
    const want = history.truth('checkout').figures(DAY_START, DAY_END);
    expect(j.target).toBe('checkout');
    expect(j.module).toBe('checkout');
    expect(j.runs).toBe(want.probes);
    expect(j.completed).toBe(want.successes);
    expect(want.failures).toBe(35); // 30 payment timeouts, 5 login extraction failures
    expect(j.completionRate).toBeCloseTo(want.successes / want.probes, 12);
    expect(Math.abs(j.meanSeconds! - want.meanDuration)).toBeLessThan(1e-9);
    expect(j.p95Source!.kind).toBe('raw-samples');
    expect(Math.abs(j.p95Seconds! - want.p95) / want.p95).toBeLessThan(0.05);
    expect(j.mostFailingStep).toEqual({
      step: 'payment',
      failures: 30,
      reason: 'timeout',
      reasonFailures: 30,
    });
  });

  it('gives every step its responses, failures, p95 and latency objective, in journey order', () => {
    const j = report.monitoring.journeys[0]!;
    const truth = history.truth('checkout').stepFigures(DAY_START, DAY_END);
    expect(j.steps.map((s) => s.step)).toEqual(['login', 'cart', 'payment']);
    for (const s of j.steps) {
      const want = truth.get(s.step)!;
      expect(s.responses).toBe(want.responses);
      expect(s.failures).toBe(want.failures);
      expect(s.p95Source!.kind).toBe('raw-samples');
      expect(Math.abs(s.p95Seconds! - want.p95) / want.p95).toBeLessThan(0.05);
    }
    const [login, cart, payment] = j.steps;
    expect(login).toMatchObject({
      failures: 5,
      topReason: 'extraction_failed',
      latencyObjectiveSeconds: 0.3,
    });
    expect(cart).toMatchObject({ failures: 0, topReason: null, latencyObjectiveSeconds: null });
    // The timed-out payments completed no response: not in its responses nor its p95.
    expect(payment).toMatchObject({ failures: 30, topReason: 'timeout', latencyObjectiveSeconds: 1 });
    expect(payment!.responses).toBe(login!.responses - 35);
  });

  it('counts a journey once in the per-target figures', () => {
    const checkout = report.monitoring.targets.find((t) => t.target === 'checkout')!;
    const want = history.truth('checkout').figures(DAY_START, DAY_END);
    expect(checkout.probes.current).toBe(want.probes);
    expect(checkout.failures.current).toBe(want.failures);
    expect(report.monitoring.overall.probes.current).toBe(
      want.probes + history.truth('shop').figures(DAY_START, DAY_END).probes,
    );
  });

  it('has no journeys for a period or targets without them', async () => {
    const client = createPrometheusClient(prom.url);
    const period = { start: DAY_START, end: DAY_END };
    expect(await journeyFigures(client, period, { exact: true, targets: ['shop'] })).toEqual([]);
    expect(await journeyFigures(client, { start: END + DAY, end: END + 2 * DAY }, { exact: true })).toEqual(
      [],
    );
  });
});

describe('changes tested on transaction time', () => {
  /** The truth's per-interval samples: each successful run's duration, in (from, to]. */
  const durations = (from: number, to: number): number[] =>
    history
      .truth('checkout')
      .between(from, to)
      .filter((p) => p.success)
      .map((p) => p.durationSeconds);

  it('compares the journey target before and after its change on transaction time', () => {
    const e = report.evaluation.changes.find((x) => x.target === 'checkout')!;
    expect(e.metrics.map((m) => m.metric)).toEqual(['availability', 'transaction_time']);
    const t = e.metrics.find((m) => m.metric === 'transaction_time')!;
    const before = durations(CHANGE - WINDOW, CHANGE);
    const after = durations(CHANGE, CHANGE + WINDOW);
    expect(t.comparison).toEqual(compareBeforeAfter(before, after, { higherIsBetter: false }));
    expect(t.comparison.verdict).toBe('improved');
    expect(t.sentence).toMatch(/^transaction time improved: median /);
    expect(e.verdict).toBe('improved');
  });

  it('tests a target without journeys on response time only', () => {
    const e = report.evaluation.changes.find((x) => x.target === 'shop')!;
    expect(e.metrics.map((m) => m.metric)).toEqual(['response_time', 'availability']);
  });
});

describe('journeys in every format', () => {
  it('renders the journey in Markdown, HTML, JSON and the summary', () => {
    expect(report.summary.headline).toContain('1 journey (');
    const md = renderMarkdown(report);
    expect(md).toContain('### Journeys');
    expect(md).toMatch(/\| checkout \| checkout \| 1,440 \| 97\.57 %.*\| payment: 30 failed, timeout 30 \|/);
    expect(md).toMatch(
      /\| checkout \(checkout\) \| login \| 1,440 \| [^|]* ✗ \| 300 ms \| 5 \(mostly extraction\\_failed\) \|/,
    );
    expect(md).toContain('transaction time improved');
    const html = renderHtml(report);
    expect(html).toContain('aria-label="Journeys"');
    expect(html).toContain('payment: 30 failed, timeout 30');
    const json = JSON.parse(renderJson(report)) as Report;
    expect(json.monitoring.journeys[0]!.mostFailingStep!.step).toBe('payment');
    expect(renderSummary(report)).toContain(
      'Journey checkout on checkout: 97.57 % of 1,440 journeys completed',
    );
  });

  it('shows no journey section for a period without journeys', async () => {
    const empty = await buildReport({
      prometheusUrl: prom.url,
      date: '2025-01-20',
      period: 'day',
      timeZone: 'UTC',
      now: END + 30 * DAY,
    });
    expect(empty.monitoring.journeys).toEqual([]);
    expect(renderMarkdown(empty)).not.toContain('Journeys');
    expect(renderHtml(empty)).not.toContain('Journeys');
  });
});

/**
 * Browser journeys, in a report of their own (the one above has exactly one HTTP journey):
 *
 * - storefront: a `prober: browser` flow shop_flow (home, search, add_to_cart) run every 5 min,
 *   made 50 % faster by a change on 2025-01-07 12:00 UTC; its add_to_cart step does not find
 *   its button for an hour that day. Its steps carry Lighthouse figures: home an LCP of 9 s,
 *   search and add_to_cart an INP (120 ms, 350 ms), every step a CLS. The target also has a
 *   Lighthouse audit module (LCP 2.4 s), whose figures must stay the audits' own;
 * - api: an HTTP journey (orders: login, order), so the table holds both kinds;
 * - landing: a one-step browser flow whose Lighthouse figures never vary (CLS 0.3, LCP 6 s),
 *   which the audits' week-long trends would call past their limits if they took them in.
 *
 * A week of history scraped every 150 s (twice a run: a run's figures count once), so the
 * trends have their week of data.
 */
describe('browser journeys', () => {
  const FLOW_OUTAGE = DAY_START + 3 * HOUR;
  let flows: SyntheticHistory;
  let flowProm: BackfilledPrometheus;
  let flowStoreDir: string;
  let flowStore: Store;
  let flowReport: Report;

  /** PromQL's quantile_over_time arithmetic (type 7) over the values, each counted once. */
  const quantile = (values: readonly number[], q: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
  };
  /** The flow's per-run Lighthouse values of a step in the report day. */
  const labValues = (step: string, figure: 'inpSeconds' | 'cls'): number[] => {
    const truth = flows.truth('storefront');
    return truth
      .between(DAY_START, DAY_END)
      .flatMap((p) => truth.stepRuns(p))
      .filter((r) => r.step === step && r[figure] !== undefined)
      .map((r) => r[figure]!);
  };

  beforeAll(async () => {
    flows = generateHistory({
      startMs: START - 6 * DAY,
      endMs: END,
      scrapeIntervalSeconds: 150,
      seed: 7,
      targets: [
        {
          name: 'storefront',
          module: 'shop_flow',
          probeIntervalSeconds: 300,
          latency: { baseSeconds: 4, jitter: 0.2, steps: [{ atMs: CHANGE, factor: 0.5 }] },
          journey: {
            prober: 'browser',
            steps: [
              { name: 'home', share: 2, lcpSeconds: 9, cls: 0.05 },
              { name: 'search', share: 1, inpSeconds: 0.12, cls: 0.02 },
              { name: 'add_to_cart', share: 1, inpSeconds: 0.35, cls: 0.15 },
            ],
          },
          outages: [
            {
              startMs: FLOW_OUTAGE,
              endMs: FLOW_OUTAGE + HOUR,
              step: 'add_to_cart',
              phase: 'click',
              reason: 'selector_not_found',
              durationSeconds: 3,
            },
          ],
          lighthouse: { performance: 0.8, lcpSeconds: 2.4 },
        },
        {
          name: 'api',
          module: 'orders',
          probeIntervalSeconds: 300,
          latency: { baseSeconds: 0.5, jitter: 0.2 },
          journey: {
            steps: [
              { name: 'login', share: 1 },
              { name: 'order', share: 1 },
            ],
          },
        },
        {
          name: 'landing',
          module: 'landing_flow',
          probeIntervalSeconds: 300,
          latency: { baseSeconds: 2, jitter: 0.1 },
          journey: {
            prober: 'browser',
            labJitter: 0,
            steps: [{ name: 'home', share: 1, lcpSeconds: 6, cls: 0.3 }],
          },
        },
      ],
    });
    flowProm = await startBackfilledPrometheus(flows);
    flowStoreDir = await mkdtemp(join(tmpdir(), 'vantage-report-flows-'));
    flowStore = Store.open(flowStoreDir);
    flowStore.changes.add({
      title: 'Lazy-load the product images',
      kind: 'optimisation',
      target: 'storefront',
      at: CHANGE,
      description: null,
    });
    flowReport = await buildReport({
      prometheusUrl: flowProm.url,
      date: '2025-01-07',
      period: 'day',
      timeZone: 'UTC',
      store: flowStore,
      now: END + HOUR,
      evaluationWindowMs: WINDOW,
    });
  }, 120_000);

  afterAll(async () => {
    flowStore?.close();
    await flowProm?.stop();
    if (flowStoreDir) await rm(flowStoreDir, { recursive: true, force: true });
  });

  const flow = (): JourneyFigures => flowReport.monitoring.journeys.find((j) => j.module === 'shop_flow')!;

  it('lists the browser flow beside the HTTP journey, each with its kind', () => {
    expect(flowReport.monitoring.journeys.map((j) => [j.target, j.module, j.kind])).toEqual([
      ['api', 'orders', 'http'],
      ['landing', 'landing_flow', 'browser'],
      ['storefront', 'shop_flow', 'browser'],
    ]);
    const api = flowReport.monitoring.journeys[0]!;
    expect(api).toMatchObject({ worstInp: null, worstCls: null });
    expect(api.steps.every((s) => s.inpP75Seconds === null && s.clsP75 === null)).toBe(true);
  });

  it('gives the flow its runs, completion, transaction times, failing and slowest step', () => {
    const j = flow();
    const want = flows.truth('storefront').figures(DAY_START, DAY_END);
    expect(want.probes).toBe(288);
    expect(want.failures).toBe(12); // an hour of add_to_cart failures, every 5 min
    expect(j.runs).toBe(want.probes);
    expect(j.completed).toBe(want.successes);
    expect(Math.abs(j.meanSeconds! - want.meanDuration)).toBeLessThan(1e-9);
    expect(j.p95Source!.kind).toBe('raw-samples');
    expect(Math.abs(j.p95Seconds! - want.p95) / want.p95).toBeLessThan(0.05);
    expect(j.mostFailingStep).toEqual({
      step: 'add_to_cart',
      failures: 12,
      reason: 'selector_not_found',
      reasonFailures: 12,
    });
    // Step times come from browser_step_duration_seconds, each run counted once.
    const truth = flows.truth('storefront').stepFigures(DAY_START, DAY_END);
    expect(j.steps.map((s) => s.step)).toEqual(['home', 'search', 'add_to_cart']);
    for (const s of j.steps) {
      const stepWant = truth.get(s.step)!;
      expect(s.responses).toBe(stepWant.responses);
      expect(s.failures).toBe(stepWant.failures);
      expect(s.p95Source!.kind).toBe('raw-samples');
      expect(Math.abs(s.p95Seconds! - stepWant.p95) / stepWant.p95).toBeLessThan(0.05);
    }
    const home = j.steps[0]!;
    expect(j.slowestStep).toEqual({ step: 'home', p95Seconds: home.p95Seconds });
  });

  it("reports the flow's worst INP and CLS step, the 75th percentile of the day's runs", () => {
    const j = flow();
    const inp = labValues('add_to_cart', 'inpSeconds');
    expect(inp).toHaveLength(288 - 12); // the failed runs have no Lighthouse figures at the step
    expect(j.worstInp!.step).toBe('add_to_cart');
    expect(j.worstInp!.runs).toBe(inp.length);
    expect(j.worstInp!.p75).toBeCloseTo(quantile(inp, 0.75), 9);
    expect(j.worstCls!.step).toBe('add_to_cart');
    expect(j.worstCls!.p75).toBeCloseTo(quantile(labValues('add_to_cart', 'cls'), 0.75), 9);
    const [home, search] = j.steps;
    expect(home!.inpP75Seconds).toBeNull(); // a navigation step has no interaction
    expect(search!.inpP75Seconds).toBeCloseTo(quantile(labValues('search', 'inpSeconds'), 0.75), 9);
    expect(home!.clsP75).toBeCloseTo(quantile(labValues('home', 'cls'), 0.75), 9);
  });

  it("keeps the target's Lighthouse figures to its audits, not the flow's steps", () => {
    const storefront = flowReport.monitoring.targets.find((t) => t.target === 'storefront')!;
    // Audits: 2.4 s before the change, 1.2 s after; the flow's home step: 9 s.
    expect(storefront.lcpSeconds.current).toBeGreaterThan(1.1);
    expect(storefront.lcpSeconds.current).toBeLessThan(2.6);
    expect(storefront.cls.current).toBeNull(); // only the flow's steps have a CLS
    // Nor do a flow's steps make a trend: landing has no audits, only a flow past the limits.
    expect(flowReport.learning.trends.filter((t) => t.target === 'landing')).toEqual([]);
  });

  it("tests the change on the flow's transaction time, and on its audits apart", () => {
    const e = flowReport.evaluation.changes.find((x) => x.target === 'storefront')!;
    expect(e.metrics.map((m) => [m.metric, m.label])).toEqual([
      ['availability', 'availability'],
      ['transaction_time', 'transaction time'],
      ['lighthouse_performance', 'Lighthouse performance score'],
      ['lcp', 'largest contentful paint'],
    ]);
    const durations = (from: number, to: number): number[] =>
      flows
        .truth('storefront')
        .between(from, to)
        .filter((p) => p.success)
        .map((p) => p.durationSeconds);
    const t = e.metrics.find((m) => m.metric === 'transaction_time')!;
    const before = durations(CHANGE - WINDOW, CHANGE);
    const after = durations(CHANGE, CHANGE + WINDOW);
    expect(before).toHaveLength(72);
    expect(t.comparison).toEqual(compareBeforeAfter(before, after, { higherIsBetter: false }));
    expect(t.comparison.verdict).toBe('improved');
    expect(t.sentence).toMatch(/^transaction time improved: median /);
  });

  it('renders the kind, the slowest step and the worst INP and CLS step in every format', () => {
    const j = flow();
    const slowest = `home: ${formatSeconds(j.slowestStep!.p95Seconds)}`;
    // Both over their Core Web Vitals "good" limits (200 ms, 0.1): marked.
    const inp = `add_to_cart: ${formatSeconds(j.worstInp!.p75)}`;
    const cls = `add_to_cart: ${formatUnitless(j.worstCls!.p75)}`;
    const md = renderMarkdown(flowReport);
    expect(md).toContain(
      '| Most failing step | Slowest step (p95) | Worst INP step (p75) | Worst CLS step (p75) | Kind |',
    );
    expect(md).toContain('| shop\\_flow | storefront | 288 | 95.83 % (276) |');
    expect(md).toContain(
      `| add\\_to\\_cart: 12 failed, selector\\_not\\_found 12 | ${slowest} | ${escapedStep(inp)} ✗ | ${escapedStep(cls)} ✗ | browser |`,
    );
    expect(md).toMatch(
      /\| orders \| api \| 288 \| .* \| none failed \| (login|order): [^|]+ \| — \| — \| HTTP \|/,
    );
    expect(md).toContain(`| shop\\_flow (storefront) | search | 288 | `);
    expect(md).toContain(
      `| ${formatSeconds(j.steps[1]!.inpP75Seconds)} | ${formatUnitless(j.steps[1]!.clsP75)} |`,
    );
    const html = renderHtml(flowReport);
    expect(html).toContain('<th scope="col">Worst INP step (p75)</th>');
    expect(html).toContain(`<td>${inp} <span class="mark-missed"`);
    expect(html).toContain('<td>browser</td>');
    expect(html).toContain('<td>HTTP</td>');
    const json = JSON.parse(renderJson(flowReport)) as Report;
    expect(json.monitoring.journeys[2]).toMatchObject({ kind: 'browser', worstInp: { step: 'add_to_cart' } });
    expect(flowReport.summary.headline).toContain('3 journeys (');
    expect(renderSummary(flowReport)).toContain('Browser journey shop_flow on storefront: 95.83 % of 288');
  });
});
