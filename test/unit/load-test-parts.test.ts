/**
 * The pure parts of `vantage load` (src/load/): the plan and every refusal, the knee, the abort
 * rules, the chart, the change title, and the vantage_load_test_* series. No network: a refused
 * plan is refused here before the runner could send anything.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { VantageConfig } from '../../src/config/schema.js';
import { formatRate } from '../../src/format/index.js';
import { judgeStep } from '../../src/load/abortRules.js';
import { latencyChart } from '../../src/load/chart.js';
import { findKnee } from '../../src/load/knee.js';
import { loadTestTitle, runLoadTest } from '../../src/load/loadTest.js';
import { planLoadTest, stepRates, type LoadFlags, type LoadPlan } from '../../src/load/plan.js';
import type { StepInput, StepOutcome } from '../../src/load/stepRunner.js';
import { loadTestJson, renderMarkdown } from '../../src/load/render.js';
import { renderLoadTestSeries } from '../../src/metrics/loadTestSeries.js';
import type { LoadTestRecord, LoadTestStep } from '../../src/store/loadTests.js';
import { loadTestStep } from '../helpers/loadTestRecords.js';

function config(): VantageConfig {
  const loaded = parseConfigText(`
modules: {http_2xx: {prober: http}}
targets:
  - name: shop
    url: http://127.0.0.1:8080/
    slo: {latency: 200ms}
    load_test: {allowed: true, max_rate: 500, max_concurrency: 50, max_duration: 5m}
  - name: blog
    url: http://127.0.0.1:8081/
`);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.config;
}

describe('planLoadTest', () => {
  const ok = (flags: LoadFlags) => {
    const r = planLoadTest(flags, config(), 'vantage.yml');
    if (!r.ok) throw new Error(r.refusal.message);
    return r.plan;
  };
  const refusal = (flags: LoadFlags) => {
    const r = planLoadTest(flags, config(), 'vantage.yml');
    if (r.ok) throw new Error('planned');
    return r.refusal;
  };

  it('climbs from START to END in equal whole increments, 10 steps of 30s by default', () => {
    const plan = ok({ target: 'shop', rate: '50..500' });
    expect(plan.rates).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    expect(plan.stepDurationMs).toBe(30_000);
    expect(plan.concurrency).toBe(50); // the target's max_concurrency
    expect(plan.maxDurationMs).toBe(300_000);
    expect(plan.sloLatencySeconds).toBe(0.2);
    expect(plan.params).toEqual({
      rateStart: 50,
      rateEnd: 500,
      steps: 10,
      stepDurationMs: 30_000,
      concurrency: 50,
      maxDurationMs: 300_000,
    });
  });

  it.each<[string, number, number, number[]]>([
    ['one step is END', 10, 100, [100]],
    ['uneven increments round', 10, 20, [10, 15, 20]],
    ['a constant rate', 200, 200, [200, 200]],
  ])('stepRates: %s', (_what, start, end, rates) => {
    expect(stepRates(start, end, rates.length)).toEqual(rates);
  });

  it('reads one rate as a constant step, and honours the flags', () => {
    expect(ok({ target: 'shop', rate: '200' }).rates).toEqual([200]);
    const plan = ok({
      target: 'shop',
      rate: '10..40',
      steps: '4',
      'step-duration': '5s',
      concurrency: '8',
      'max-duration': '1m',
    });
    expect(plan.rates).toEqual([10, 20, 30, 40]);
    expect(plan.concurrency).toBe(8);
    expect(plan.maxDurationMs).toBe(60_000);
    // concurrency never above END: autocannon opens at most one connection per request/s
    expect(ok({ target: 'shop', rate: '5..20', steps: '2' }).concurrency).toBe(20);
  });

  it.each<[string, LoadFlags, string, RegExp]>([
    ['no target', { rate: '1..2' }, 'target', /required/],
    [
      'an unknown target, listing the configured ones',
      { target: 'shops', rate: '1..2' },
      'target',
      /no target named "shops" in vantage.yml \(configured: shop, blog\)/,
    ],
    [
      'a URL',
      { target: 'http://127.0.0.1:8080/', rate: '1..2' },
      'target',
      /is a URL; load tests run against configured targets only/,
    ],
    [
      'a target that does not allow it',
      { target: 'blog', rate: '1..2' },
      'target',
      /does not allow load tests: set targets\[1\]\.load_test\.allowed: true/,
    ],
    ['no rate', { target: 'shop' }, 'rate', /required/],
    ['a rate that is not one', { target: 'shop', rate: 'fast' }, 'rate', /expected START\.\.END/],
    ['a falling range', { target: 'shop', rate: '100..50' }, 'rate', /END must not be below START/],
    ['zero', { target: 'shop', rate: '0..10' }, 'rate', /start at 1/],
    [
      'END above max_rate',
      { target: 'shop', rate: '100..501' },
      'rate',
      /501 requests\/s is above targets\[0\]\.load_test\.max_rate \(500\)/,
    ],
    ['steps out of range', { target: 'shop', rate: '1..2', steps: '0' }, 'steps', /from 1 to 1000/],
    [
      'a step below a second',
      { target: 'shop', rate: '1..2', 'step-duration': '500ms' },
      'step-duration',
      /whole seconds, at least 1s/,
    ],
    [
      'a step duration that is not one',
      { target: 'shop', rate: '1..2', 'step-duration': 'soon' },
      'step-duration',
      /not a duration/,
    ],
    [
      'concurrency above max_concurrency',
      { target: 'shop', rate: '1..2', concurrency: '51' },
      'concurrency',
      /above targets\[0\]\.load_test\.max_concurrency \(50\)/,
    ],
    [
      'max-duration above max_duration',
      { target: 'shop', rate: '1..2', 'max-duration': '6m' },
      'max-duration',
      /6m is above targets\[0\]\.load_test\.max_duration \(5m\)/,
    ],
    [
      'a plan longer than max-duration',
      { target: 'shop', rate: '1..2', steps: '11' },
      'max-duration',
      /11 steps of 30s take 5m30s, longer than the 5m allowed \(targets\[0\]\.load_test\.max_duration\)/,
    ],
  ])('refuses %s, naming the flag', (_what, flags, flag, message) => {
    const r = refusal(flags);
    expect(r.flag).toBe(flag);
    expect(r.message).toMatch(message);
  });
});

const step = loadTestStep;

describe('findKnee (objective 100 ms)', () => {
  it.each<[string, LoadTestStep[], number | null]>([
    ['the last step under the objective', [step(100, 0.02), step(200, 0.05), step(300, 0.3)], 200],
    ['every step within: the last one', [step(100, 0.02), step(200, 0.05)], 200],
    ['the first step missed: none', [step(100, 0.15), step(200, 0.05)], null],
    ['no step: none', [], null],
    ['p95 equal to the objective misses', [step(100, 0.02), step(200, 0.1)], 100],
    ['1 % errors misses', [step(100, 0.02), step(200, 0.02, 0.01)], 100],
    ['0.9 % errors passes', [step(100, 0.02), step(200, 0.02, 0.009)], 200],
    ['a step that reached under 95 % of its rate misses', [step(100, 0.02), step(200, 0.02, 0, 188)], 100],
    ['a step that reached 95 % of its rate passes', [step(100, 0.02), step(200, 0.02, 0, 190)], 200],
    [
      'non-monotonic: the last pass before the first miss',
      [step(100, 0.02), step(200, 0.2), step(300, 0.03)],
      100,
    ],
  ])('%s', (_what, steps, rate) => {
    expect(findKnee(steps, 0.1)?.rate ?? null).toBe(rate);
  });

  it("carries the knee step's p95", () => {
    expect(findKnee([step(100, 0.02), step(200, 0.05)], 0.1)).toEqual({ rate: 200, p95Seconds: 0.05 });
  });
});

describe('judgeStep (objective 100 ms)', () => {
  const soFar = (requests: number, errors: number, p95Seconds: number) => ({
    index: 3,
    requestedRate: 300,
    requests,
    errors,
    p95Seconds,
  });
  it.each<[string, ReturnType<typeof soFar>, string | null]>([
    ['healthy', soFar(100, 0, 0.05), null],
    ['5 % errors is still within', soFar(100, 5, 0.05), null],
    ['over 5 % errors stops', soFar(100, 6, 0.05), 'stopped_errors'],
    ['p95 of 3x the objective is still within', soFar(100, 0, 0.3), null],
    ['p95 over 3x the objective stops', soFar(100, 0, 0.31), 'stopped_latency'],
    ['too few requests to judge', soFar(19, 19, 5), null],
  ])('%s', (_what, s, outcome) => {
    expect(judgeStep(s, 0.1)?.outcome ?? null).toBe(outcome);
  });

  it('says which step and why', () => {
    expect(judgeStep(soFar(100, 12, 0.05), 0.1)?.reason).toBe(
      'step 3 (300 requests/s): 12.0 % errors, above the 5 % abort threshold',
    );
  });
});

const run: LoadTestRecord = {
  id: 7,
  target: 'shop',
  url: 'http://127.0.0.1:8080/',
  startedAt: 1_700_000_000_000,
  finishedAt: 1_700_000_030_000,
  outcome: 'stopped_latency',
  stopReason: 'step 3 (300 requests/s): p95 400 ms, above 3x the 100 ms latency objective (300 ms)',
  sloLatencySeconds: 0.1,
  knee: { rate: 200, p95Seconds: 0.05 },
  steps: [step(100, 0.02), step(200, 0.05), step(300, 0.4, 0, 240)],
  params: {
    rateStart: 100,
    rateEnd: 500,
    steps: 5,
    stepDurationMs: 10_000,
    concurrency: 50,
    maxDurationMs: 60_000,
  },
  changeId: 3,
};

describe('output', () => {
  it('draws p95 against the requested rate, the objective and the knee marked', () => {
    expect(latencyChart(run.steps, 0.1, 200, 20)).toBe(
      [
        'p95 latency by requested rate (| marks the 100 ms objective)',
        '100 requests/s #    |               20 ms',
        '200 requests/s ###  |               50 ms  <- knee',
        '300 requests/s #################### 400 ms',
        '',
      ].join('\n'),
    );
  });

  it('puts the same chart in Markdown in a code block, beside the table', () => {
    const md = renderMarkdown(run);
    expect(md).toContain('| step | requested | achieved | p50 | p95 | p99 | errors |');
    expect(md).toContain('| 3 | 300 requests/s | 240 requests/s | 200 ms | 400 ms | 480 ms | 0.00 % |');
    expect(md).toContain('```text\np95 latency by requested rate');
    expect(md).toContain('**Knee: 200 requests/s');
  });

  it('gives JSON with knee.rate in requests/s and each step in base units', () => {
    const json = loadTestJson(run);
    expect(json).toMatchObject({ knee: { rate: 200, p95Seconds: 0.05 }, outcome: 'stopped_latency', id: 7 });
    expect((json.steps as unknown[])[0]).toMatchObject({
      requestedRate: 100,
      p95Seconds: 0.02,
      errorRatio: 0,
    });
  });

  it.each<[Pick<LoadTestRecord, 'target' | 'knee' | 'outcome'>, string]>([
    [
      { target: 'shop', knee: { rate: 420, p95Seconds: 0.1 }, outcome: 'completed' },
      'Load test of shop: knee 420 requests/s',
    ],
    [
      { target: 'shop', knee: null, outcome: 'stopped_errors' },
      'Load test of shop: no knee (stopped: errors above 5 %)',
    ],
    [
      { target: 'shop', knee: { rate: 1200, p95Seconds: 0.1 }, outcome: 'interrupted' },
      'Load test of shop: knee 1,200 requests/s (stopped: interrupted)',
    ],
  ])('titles the change %#', (r, title) => expect(loadTestTitle(r)).toBe(title));

  it.each<[number, string]>([
    [420, '420 requests/s'],
    [1250, '1,250 requests/s'],
    [12.54, '12.5 requests/s'],
    [Number.NaN, '—'],
  ])('formatRate(%s)', (r, text) => expect(formatRate(r)).toBe(text));
});

describe('renderLoadTestSeries', () => {
  const noKnee: LoadTestRecord = { ...run, id: 8, target: 'blog', knee: null, outcome: 'stopped_errors' };
  const gone: LoadTestRecord = { ...run, id: 9, target: 'removed' };
  const text = renderLoadTestSeries([run, noKnee, gone], new Set(['shop', 'blog']));

  it('exports the last run of each configured target, knee series only where there is a knee', () => {
    expect(text).toContain('vantage_load_test_timestamp_seconds{target="shop"} 1700000030\n');
    expect(text).toContain('vantage_load_test_duration_seconds{target="shop"} 30\n');
    expect(text).toContain('vantage_load_test_knee_requests_per_second{target="shop"} 200\n');
    expect(text).toContain('vantage_load_test_knee_latency_p95_seconds{target="shop"} 0.05\n');
    expect(text).toContain('vantage_load_test_achieved_requests_per_second{target="shop"} 240\n');
    expect(text).toContain('vantage_load_test_info{target="shop",outcome="stopped_latency"} 1\n');
    expect(text).toContain('vantage_load_test_info{target="blog",outcome="stopped_errors"} 1\n');
    expect(text).not.toContain('knee_requests_per_second{target="blog"}');
    expect(text).not.toContain('removed');
    expect(renderLoadTestSeries([gone], new Set(['shop']))).toBe('');
  });

  it('passes promtool check metrics', () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('runLoadTest, with a step runner that answers at once', () => {
  const plan = (): LoadPlan => {
    const r = planLoadTest({ target: 'shop', rate: '100..400', steps: '4', 'step-duration': '1s' }, config());
    if (!r.ok) throw new Error(r.refusal.message);
    return r.plan;
  };
  /** Each step within the objective unless `fail` names its index; `hold` waits for the signal. */
  const runner =
    (options: { fail?: number; hold?: number } = {}) =>
    async (input: StepInput): Promise<StepOutcome> => {
      if (input.index === options.hold)
        await new Promise((resolve) => input.signal.addEventListener('abort', resolve, { once: true }));
      const failing = input.index === options.fail;
      return {
        step: step(input.rate, failing ? 0.9 : 0.05),
        abort: failing ? { outcome: 'stopped_latency', reason: `step ${input.index} too slow` } : null,
        cut: input.signal.aborted,
      };
    };

  it('walks every step and records a completed run with its change', async () => {
    const { run, change } = await runLoadTest({
      plan: plan(),
      signal: new AbortController().signal,
      runStep: runner(),
    });
    expect(run.outcome).toBe('completed');
    expect(run.steps.map((s) => s.requestedRate)).toEqual([100, 200, 300, 400]);
    expect(run.knee?.rate).toBe(400);
    expect(change).toMatchObject({
      kind: 'load_test',
      target: 'shop',
      at: run.startedAt,
      title: 'Load test of shop: knee 400 requests/s',
    });
  });

  it('stops at the step the abort rules stopped, and runs no later step', async () => {
    const ran: number[] = [];
    const inner = runner({ fail: 3 });
    const { run } = await runLoadTest({
      plan: plan(),
      signal: new AbortController().signal,
      runStep: (input) => (ran.push(input.index), inner(input)),
    });
    expect(ran).toEqual([1, 2, 3]);
    expect(run).toMatchObject({
      outcome: 'stopped_latency',
      stopReason: 'step 3 too slow',
      knee: { rate: 200 },
    });
  });

  it('on a signal: interrupted, the cut step kept but not used for the knee', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort('SIGINT'), 20);
    const { run } = await runLoadTest({ plan: plan(), signal: stop.signal, runStep: runner({ hold: 2 }) });
    expect(run.outcome).toBe('interrupted');
    expect(run.stopReason).toBe('interrupted by SIGINT during step 2 of 4');
    expect(run.steps).toHaveLength(2);
    expect(run.knee?.rate).toBe(100);
  });

  it('at the max duration: stopped_max_duration', async () => {
    const p = { ...plan(), maxDurationMs: 30 };
    const { run } = await runLoadTest({
      plan: p,
      signal: new AbortController().signal,
      runStep: runner({ hold: 1 }),
    });
    expect(run.outcome).toBe('stopped_max_duration');
    expect(run.stopReason).toBe('the max duration ran out during step 1 of 4');
    expect(run.knee).toBeNull();
  });
});
