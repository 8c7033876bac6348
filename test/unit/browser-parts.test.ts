/**
 * The pure parts of the browser-flow prober, table-tested: why a step failed (classify.ts),
 * Lighthouse's figures per step mode (flowFigures.ts), the ProbeResult of a run (result.ts), and
 * the step schema's rules (browserSchema.ts).
 */
import { describe, expect, it } from 'vitest';
import { browserModuleSchema, stepAction } from '../../src/config/browserSchema.js';
import { classifyStepError, StepError, stepFailureOf } from '../../src/probers/browser/classify.js';
import { flowFigures, type FlowResultLike } from '../../src/probers/browser/flowFigures.js';
import { buildFlowResult, type FlowResultInput } from '../../src/probers/browser/result.js';
import { flowSummary } from '../../src/probers/browser/summary.js';

describe('classifyStepError', () => {
  it.each([
    ['net::ERR_NAME_NOT_RESOLVED at https://shop.invalid/', 'dns_error'],
    ['net::ERR_CONNECTION_REFUSED at http://127.0.0.1:1/', 'connection_refused'],
    ['net::ERR_CONNECTION_RESET at http://127.0.0.1/', 'connection_reset'],
    ['net::ERR_EMPTY_RESPONSE at http://127.0.0.1/', 'connection_reset'],
    ['net::ERR_CERT_DATE_INVALID at https://127.0.0.1/', 'tls_cert_expired'],
    ['net::ERR_CERT_AUTHORITY_INVALID at https://127.0.0.1/', 'tls_cert_untrusted'],
    ['net::ERR_CERT_COMMON_NAME_INVALID at https://127.0.0.1/', 'tls_hostname_mismatch'],
    ['net::ERR_SSL_PROTOCOL_ERROR at https://127.0.0.1/', 'tls_error'],
    ['net::ERR_TIMED_OUT at http://10.0.0.1/', 'timeout'],
    ['Protocol error (Runtime.callFunctionOn): Target closed', 'chrome_crashed'],
    ['Navigating frame was detached: Session closed', 'chrome_crashed'],
    ['Page crashed!', 'chrome_crashed'],
    ["Failed to execute 'querySelector' on 'Document': '#a[' is not a valid selector.", 'page_error'],
    ['Node is either not clickable or not an Element', 'page_error'],
  ])('%s -> %s', (message, reason) => {
    expect(classifyStepError(new Error(message))).toEqual({ reason, message });
  });

  it("keeps a StepError's own reason", () => {
    expect(stepFailureOf(new StepError('selector_not_found', 'no element'))).toEqual({
      reason: 'selector_not_found',
      message: 'no element',
    });
  });
});

const audit = (numericValue?: number) => (numericValue === undefined ? {} : { numericValue });
const lhr = (
  gatherMode: string,
  audits: Record<string, { numericValue?: number }>,
  scores: Record<string, number | null> = {},
) => ({
  name: gatherMode,
  lhr: {
    lighthouseVersion: '12.8.2',
    gatherMode,
    categories: Object.fromEntries(Object.entries(scores).map(([id, score]) => [id, { id, score }])),
    audits: Object.fromEntries(Object.entries(audits).map(([id, a]) => [id, { id, ...a }])),
  },
});

describe('flowFigures', () => {
  it('reads what each mode measures, in seconds, and scores navigations only', () => {
    const flow: FlowResultLike = {
      steps: [
        {
          ...lhr(
            'navigation',
            {
              'first-contentful-paint': audit(200),
              'largest-contentful-paint': audit(450),
              'total-blocking-time': audit(30),
              'speed-index': audit(300),
              'cumulative-layout-shift': audit(0.02),
              'interaction-to-next-paint': audit(999), // not a navigation's metric
            },
            { performance: 0.97, seo: null },
          ),
          name: 'home',
        },
        {
          ...lhr(
            'timespan',
            {
              'total-blocking-time': audit(260),
              'interaction-to-next-paint': audit(370),
              'cumulative-layout-shift': audit(0),
              'largest-contentful-paint': audit(1), // not a timespan's metric
            },
            { performance: 0.8 },
          ),
          name: 'add_to_cart',
        },
        {
          ...lhr('timespan', { 'total-blocking-time': audit(0), 'interaction-to-next-paint': audit() }),
          name: 'wait',
        },
        {
          ...lhr('snapshot', { 'cumulative-layout-shift': audit(0.5) }, { performance: 0, accessibility: 1 }),
          name: 'check',
        },
        { ...lhr('unknown', {}), name: 'odd' },
      ],
    };
    expect(flowFigures(flow)).toEqual([
      {
        step: 'home',
        mode: 'navigation',
        timings: {
          first_contentful_paint: 0.2,
          largest_contentful_paint: 0.45,
          total_blocking_time: 0.03,
          speed_index: 0.3,
        },
        cls: 0.02,
        scores: { performance: 0.97 },
      },
      {
        step: 'add_to_cart',
        mode: 'timespan',
        timings: { total_blocking_time: 0.26, interaction_to_next_paint: 0.37 },
        cls: 0,
        scores: {},
      },
      { step: 'wait', mode: 'timespan', timings: { total_blocking_time: 0 }, scores: {} },
      { step: 'check', mode: 'snapshot', timings: {}, scores: {} },
    ]);
  });
});

const steps = browserModuleSchema.parse({
  steps: [
    { name: 'home', navigate: '/' },
    {
      name: 'search',
      type: { selector: '#q', text: 'mug' },
      then: { press: 'Enter' },
      slo: { latency: '300ms' },
    },
    { name: 'add', click: '#add' },
  ],
}).steps;

function run(input: Partial<FlowResultInput>) {
  const result = buildFlowResult({
    steps,
    records: [],
    figures: [],
    startedAtMs: 1_000,
    trace: [],
    ...input,
  });
  const series = (name: string) =>
    Object.fromEntries(
      result.samples.filter((s) => s.family.name === name).map((s) => [s.labels?.step, s.value]),
    );
  return { result, series };
}

describe('buildFlowResult', () => {
  it('sums the steps into the transaction time, with each step objective and observation', () => {
    const { result, series } = run({
      latencyObjectiveSeconds: 1,
      records: [{ durationMs: 400 }, { durationMs: 250 }, { durationMs: 350 }],
    });
    expect(result.success).toBe(true);
    expect(result.durationSeconds).toBeCloseTo(1.0, 9);
    expect(series('browser_step_duration_seconds')).toEqual({ home: 0.4, search: 0.25, add: 0.35 });
    expect(series('browser_step_success')).toEqual({ home: 1, search: 1, add: 1 });
    expect(series('vantage_journey_step_latency_threshold_seconds')).toEqual({
      home: 1,
      search: 0.3,
      add: 1,
    });
    expect(result.observations?.map((o) => [o.labels?.step, o.value, o.boundary])).toEqual([
      ['home', 0.4, 1],
      ['search', 0.25, 0.3],
      ['add', 0.35, 1],
    ]);
    expect(result.counters).toEqual([]);
  });

  it('fails at the failing step, phase its action; later steps have no series', () => {
    const { result, series } = run({
      records: [
        { durationMs: 400 },
        { durationMs: 2000, failure: { reason: 'selector_not_found', message: 'no #q' } },
      ],
      evidence: 'screenshot /lighthouse/t/m/x.png',
    });
    expect(result.failure).toEqual({
      phase: 'type',
      reason: 'selector_not_found',
      step: 'search',
      message: 'step search: no #q; screenshot /lighthouse/t/m/x.png',
    });
    expect(series('browser_step_success')).toEqual({ home: 1, search: 0 });
    expect(result.durationSeconds).toBeCloseTo(2.4, 9);
    expect(result.counters?.map((c) => c.labels)).toEqual([{ step: 'search', reason: 'selector_not_found' }]);
  });

  it('fails a run cut off mid-step at that step, timed by vantage', () => {
    const { result, series } = run({
      records: [{ durationMs: 400 }],
      cutOff: { reason: 'timeout', message: 'the flow did not finish', step: 1, stepElapsedMs: 5000 },
    });
    expect(result.failure).toMatchObject({ phase: 'type', reason: 'timeout', step: 'search' });
    expect(series('browser_step_duration_seconds')).toEqual({ home: 0.4, search: 5 });
  });

  it('fails a run that ended between steps at the next one', () => {
    const { result } = run({
      records: [{ durationMs: 400 }],
      cutOff: { reason: 'chrome_crashed', message: 'gone' },
    });
    expect(result.failure).toMatchObject({ phase: 'type', reason: 'chrome_crashed', step: 'search' });
  });

  it('fails a run where nothing ran at the browser, with no step series', () => {
    const { result } = run({ cutOff: { reason: 'chrome_crashed', message: 'Chrome did not start' } });
    expect(result.failure).toEqual({
      phase: 'browser',
      reason: 'chrome_crashed',
      message: 'Chrome did not start',
    });
    expect(result.samples).toEqual([]);
  });

  it('passes a flow whose steps all passed even if the run was then cut off (Lighthouse analysis)', () => {
    const { result } = run({
      records: [{ durationMs: 1 }, { durationMs: 1 }, { durationMs: 1 }],
      cutOff: { reason: 'timeout', message: 'late' },
    });
    expect(result.success).toBe(true);
  });

  it("publishes Lighthouse's figures with the step label", () => {
    const { result } = run({
      records: [{ durationMs: 1 }, { durationMs: 1 }, { durationMs: 1 }],
      figures: [
        {
          step: 'add',
          mode: 'timespan',
          timings: { interaction_to_next_paint: 0.37 },
          cls: 0.01,
          scores: {},
        },
      ],
    });
    expect(
      result.samples
        .filter((s) => s.family.name.startsWith('lighthouse_'))
        .map((s) => [s.family.name, s.labels, s.value]),
    ).toEqual([
      ['lighthouse_timing_seconds', { step: 'add', metric: 'interaction_to_next_paint' }, 0.37],
      ['lighthouse_cumulative_layout_shift', { step: 'add' }, 0.01],
    ]);
  });
});

describe('browser step schema', () => {
  it.each([
    [{ name: 'a', navigate: '/' }, 'navigate'],
    [{ name: 'a', click: '#x' }, 'click'],
    [{ name: 'a', type: { selector: '#q', text: 'x' }, then: { click: '#go' } }, 'type'],
    [{ name: 'a', select: { selector: '#size', value: 'L' } }, 'select'],
    [{ name: 'a', assert: { selector: '#t', text: 'ok' } }, 'assert'],
    [{ name: 'a', screenshot: true }, 'screenshot'],
    [{ name: 'a', wait_for: { network_idle: true } }, 'wait_for'],
  ])('%j is a %s step with a 30 s timeout', (step, action) => {
    const [parsed] = browserModuleSchema.parse({ steps: [step] }).steps;
    expect(stepAction(parsed!)).toBe(action);
    expect(parsed!.timeout).toBe(30_000);
  });

  it.each([
    [{ name: 'a', then: { press: 'Enter' }, click: '#x' }, 'then follows a type action only'],
    [{ name: 'a', wait_for: {} }, 'say what to wait for'],
    [{ name: 'a', wait_for: { selector: '#a', text: 'b' } }, 'selector and text are mutually exclusive'],
    [{ name: 'a', type: { selector: '#q', text: 'x' }, then: {} }, 'say one of press or click'],
    [
      { name: 'a', assert: { selector: '#t', text: 'a', matches: 'b' } },
      'text and matches are mutually exclusive',
    ],
    [{ name: 'a', navigate: '/${name}' }, 'unknown variable'],
    [{ name: 'A b', navigate: '/' }, 'must match [a-z0-9_]+'],
  ])('refuses %j', (step, message) => {
    const parsed = browserModuleSchema.safeParse({ steps: [step] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('\n')).toContain(message);
  });
});

describe('flowSummary', () => {
  it('adds the step with the worst INP to the steps line', () => {
    const { result } = run({
      records: [{ durationMs: 100 }, { durationMs: 500 }, { durationMs: 400 }],
      figures: [
        { step: 'search', mode: 'timespan', timings: { interaction_to_next_paint: 0.12 }, scores: {} },
        { step: 'add', mode: 'timespan', timings: { interaction_to_next_paint: 0.358 }, scores: {} },
      ],
    });
    expect(flowSummary(result)).toBe('3 of 3 steps passed; slowest search 500 ms; worst INP add 358 ms');
  });

  it('is the steps line alone without Lighthouse', () => {
    const { result } = run({ records: [{ durationMs: 100 }, { durationMs: 500 }, { durationMs: 400 }] });
    expect(flowSummary(result)).toBe('3 of 3 steps passed; slowest search 500 ms');
  });
});
