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
import { journeyFigures } from '../../src/report/journeys.js';
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
