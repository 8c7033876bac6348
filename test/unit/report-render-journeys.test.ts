/**
 * The report's journey tables in every format: figures through src/format/, names escaped,
 * a bucket-estimated percentile with its bounds, a step over its latency objective marked, and
 * no journey section at all for a report without journeys.
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
  ])('%#', (j, sentence) => {
    expect(describeJourney(j)).toBe(sentence);
  });
});
