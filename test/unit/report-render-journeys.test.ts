/**
 * The report's journey tables in every format: figures through src/format/, names escaped,
 * a bucket-estimated percentile with its bounds, a step over its latency objective marked, and
 * no journey section at all for a report without journeys. Browser journeys: the Kind column
 * tells them from HTTP ones, their worst INP and CLS step (and each step's) are shown, marked
 * above the Core Web Vitals "good" limits, and a report of HTTP journeys only has no such columns.
 */
import { describe, expect, it } from 'vitest';
import type { JourneyFigures } from '../../src/report/journeys.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/render/index.js';
import { describeJourney } from '../../src/report/wording.js';
import { sampleReport } from '../helpers/sampleReport.js';

const HOSTILE = 'shop | <b>*x*</b>';

function journey(overrides: Partial<JourneyFigures> = {}): JourneyFigures {
  return {
    target: 'shop',
    module: 'checkout',
    kind: 'http',
    runs: 1440,
    completed: 1405,
    completionRate: 1405 / 1440,
    meanSeconds: 1.234,
    p95Seconds: 2.1,
    p95Source: {
      kind: 'raw-samples',
      samples: 1440,
      bucketLowerSeconds: null,
      bucketUpperSeconds: null,
      maxErrorRatio: null,
    },
    mostFailingStep: { step: 'payment', failures: 30, reason: 'timeout', reasonFailures: 28 },
    slowestStep: { step: 'payment', p95Seconds: 0.9 },
    worstInp: null,
    worstCls: null,
    steps: [
      {
        step: 'login',
        responses: 1440,
        failures: 5,
        topReason: 'extraction_failed',
        p95Seconds: 0.45,
        p95Source: {
          kind: 'buckets',
          samples: 1440,
          bucketLowerSeconds: 0.25,
          bucketUpperSeconds: 0.5,
          maxErrorRatio: 0.8,
        },
        latencyObjectiveSeconds: 0.3,
        inpP75Seconds: null,
        clsP75: null,
      },
      {
        step: 'payment',
        responses: 1405,
        failures: 30,
        topReason: 'timeout',
        p95Seconds: 0.9,
        p95Source: {
          kind: 'raw-samples',
          samples: 1405,
          bucketLowerSeconds: null,
          bucketUpperSeconds: null,
          maxErrorRatio: null,
        },
        latencyObjectiveSeconds: null,
        inpP75Seconds: null,
        clsP75: null,
      },
    ],
    ...overrides,
  };
}

describe('journey tables', () => {
  it('renders each journey and its steps in Markdown', () => {
    const md = renderMarkdown(
      sampleReport({ monitoring: { ...sampleReport().monitoring, journeys: [journey()] } }),
    );
    expect(md).toContain(
      '| checkout | shop | 1,440 | 97.57 % (1,405) | 1.23 s | 2.10 s | payment: 30 failed, timeout 28 |',
    );
    expect(md).toContain(
      '| checkout (shop) | login | 1,440 | 450 ms (buckets: between 250 ms and 500 ms) ✗ | 300 ms | 5 (mostly extraction\\_failed) |',
    );
    expect(md).toContain('| checkout (shop) | payment | 1,405 | 900 ms | — | 30 (mostly timeout) |');
  });

  it('escapes names in Markdown and HTML', () => {
    const report = sampleReport({
      monitoring: { ...sampleReport().monitoring, journeys: [journey({ target: HOSTILE })] },
    });
    const md = renderMarkdown(report);
    expect(md).toContain('| checkout | shop \\| \\<b>\\*x\\*\\</b> | 1,440 |');
    const html = renderHtml(report);
    expect(html).toContain('aria-label="Journeys"');
    expect(html).not.toContain('<b>*x*</b>');
    expect(html).toContain('shop | &lt;b&gt;*x*&lt;/b&gt;');
    expect(html).toContain('<span class="mark-missed" title="over its latency objective">✗</span>');
  });

  it('says "none failed" for a journey that always completed', () => {
    const md = renderMarkdown(
      sampleReport({
        monitoring: {
          ...sampleReport().monitoring,
          journeys: [journey({ completed: 1440, completionRate: 1, mostFailingStep: null })],
        },
      }),
    );
    expect(md).toContain('| 100.00 % (1,440) | 1.23 s | 2.10 s | none failed |');
  });

  it('shows no journey section without journeys, and an empty list in JSON', () => {
    const report = sampleReport();
    expect(renderMarkdown(report)).not.toContain('Journeys');
    expect(renderHtml(report)).not.toContain('Journeys');
    expect(
      (JSON.parse(renderJson(report)) as { monitoring: { journeys: unknown[] } }).monitoring.journeys,
    ).toEqual([]);
  });
});

/** A browser flow: the same figures, with Lighthouse's INP and CLS per step. */
function browserJourney(overrides: Partial<JourneyFigures> = {}): JourneyFigures {
  const base = journey();
  return {
    ...base,
    module: 'shop_flow',
    kind: 'browser',
    worstInp: { step: 'payment', p75: 0.35, runs: 1405 },
    worstCls: { step: 'login', p75: 0.05, runs: 1440 },
    steps: [
      { ...base.steps[0]!, inpP75Seconds: null, clsP75: 0.05 },
      { ...base.steps[1]!, inpP75Seconds: 0.35, clsP75: 0.012 },
    ],
    ...overrides,
  };
}

const withJourneys = (...journeys: JourneyFigures[]) =>
  sampleReport({ monitoring: { ...sampleReport().monitoring, journeys } });

describe('browser journeys in the journey tables', () => {
  it('tells the kinds apart and gives the slowest step, with INP and CLS columns for browser flows', () => {
    const md = renderMarkdown(withJourneys(journey(), browserJourney()));
    expect(md).toContain(
      '| Journey | Target | Runs | Completed | Mean transaction time | p95 transaction time | Most failing step | Slowest step (p95) | Worst INP step (p75) | Worst CLS step (p75) | Kind |',
    );
    expect(md).toContain(
      '| checkout | shop | 1,440 | 97.57 % (1,405) | 1.23 s | 2.10 s | payment: 30 failed, timeout 28 | payment: 900 ms | — | — | HTTP |',
    );
    // 350 ms is over INP's 200 ms "good" limit, a CLS of 0.05 within its 0.1.
    expect(md).toContain(
      '| shop\\_flow | shop | 1,440 | 97.57 % (1,405) | 1.23 s | 2.10 s | payment: 30 failed, timeout 28 | payment: 900 ms | payment: 350 ms ✗ | login: 0.050 | browser |',
    );
    expect(md).toContain('| INP (p75) | CLS (p75) |');
    expect(md).toContain(
      '| shop\\_flow (shop) | payment | 1,405 | 900 ms | — | 30 (mostly timeout) | 350 ms ✗ | 0.012 |',
    );
    expect(md).toContain('| checkout (shop) | payment | 1,405 | 900 ms | — | 30 (mostly timeout) | — | — |');
    expect(md).toContain('above the Core Web Vitals "good" limit (200 ms, 0.1)');
  });

  it('marks a figure above its "good" limit in HTML', () => {
    const html = renderHtml(
      withJourneys(browserJourney({ worstCls: { step: 'login', p75: 0.3, runs: 1440 } })),
    );
    const mark = '<span class="mark-missed" title="above the Core Web Vitals good limit">✗</span>';
    expect(html).toContain(`<td>payment: 350 ms ${mark}</td>`);
    expect(html).toContain(`<td>login: 0.300 ${mark}</td>`);
    expect(html).toContain('<td>browser</td>');
  });

  it('shows a browser flow without Lighthouse figures with empty INP and CLS cells', () => {
    const md = renderMarkdown(withJourneys(browserJourney({ worstInp: null, worstCls: null })));
    expect(md).toContain('| payment: 900 ms | — | — | browser |');
  });

  it('has no INP or CLS columns for HTTP journeys only, and says what Kind means', () => {
    const md = renderMarkdown(withJourneys(journey()));
    expect(md).not.toContain('INP');
    expect(md).toContain('| Most failing step | Slowest step (p95) | Kind |');
    expect(md).toContain('| payment: 30 failed, timeout 28 | payment: 900 ms | HTTP |');
    expect(md).toContain('Kind: HTTP journeys (prober: journey).');
    expect(renderHtml(withJourneys(journey()))).not.toContain('INP');
  });

  it('gives the kind, the slowest step and the worst steps in JSON', () => {
    const json = JSON.parse(renderJson(withJourneys(browserJourney()))) as {
      monitoring: { journeys: JourneyFigures[] };
    };
    expect(json.monitoring.journeys[0]).toMatchObject({
      kind: 'browser',
      slowestStep: { step: 'payment', p95Seconds: 0.9 },
      worstInp: { step: 'payment', p75: 0.35, runs: 1405 },
      worstCls: { step: 'login', p75: 0.05, runs: 1440 },
    });
  });
});

describe('describeJourney', () => {
  it.each([
    [
      journey(),
      'Journey checkout on shop: 97.57 % of 1,440 journeys completed, mean 1.23 s, p95 2.10 s; most failures at step payment (30, 28 of them timeout).',
    ],
    [
      journey({ meanSeconds: null, p95Seconds: null, mostFailingStep: null }),
      'Journey checkout on shop: 97.57 % of 1,440 journeys completed.',
    ],
    [
      browserJourney({ mostFailingStep: null }),
      'Browser journey shop_flow on shop: 97.57 % of 1,440 journeys completed, mean 1.23 s, p95 2.10 s.',
    ],
  ])('%#', (j, sentence) => {
    expect(describeJourney(j)).toBe(sentence);
  });
});
