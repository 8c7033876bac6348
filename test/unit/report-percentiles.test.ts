/**
 * The arithmetic behind the report's percentiles (src/report/percentiles.ts) and how every
 * format says where a p95 came from: weighted raw samples (a probe scraped twice counts once, a
 * sample standing for k probes counts k times), the bucket fallback's bounds, and the row label
 * in Markdown and HTML, the source in JSON.
 */
import { describe, expect, it } from 'vitest';
import { bucketPercentile, weightedQuantile, type PercentileSource } from '../../src/report/percentiles.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/render/index.js';
import type { Report } from '../../src/report/model.js';
import { sampleReport } from '../helpers/sampleReport.js';

/** PromQL's quantile_over_time on plain values (linear interpolation at q·(n − 1)). */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.ceil(pos)]! - s[lo]!) * (pos - lo);
}

describe('weightedQuantile', () => {
  const durations = Array.from({ length: 200 }, (_, i) => 0.005 + i * 0.0001);

  it('with weight 1 is quantile_over_time', () => {
    const p = weightedQuantile(
      durations.map((value) => ({ value, weight: 1 })),
      0.95,
    )!;
    expect(p.seconds).toBeCloseTo(quantile(durations, 0.95), 12);
    expect(p.source).toMatchObject({ kind: 'raw-samples', samples: 200 });
  });

  it('counts a probe scraped again once, and a sample standing for 3 probes three times', () => {
    // Scraped twice as often as probed: every second sample repeats the probe (weight 0).
    const repeated = durations.flatMap((value) => [
      { value, weight: 1 },
      { value, weight: 0 },
    ]);
    expect(weightedQuantile(repeated, 0.95)!.seconds).toBeCloseTo(quantile(durations, 0.95), 12);
    const tripled = durations.map((value) => ({ value, weight: 3 }));
    expect(weightedQuantile(tripled, 0.95)!.seconds).toBeCloseTo(
      quantile(
        durations.flatMap((d) => [d, d, d]),
        0.95,
      ),
      12,
    );
  });

  it('has nothing to say without a probe', () => {
    expect(weightedQuantile([], 0.95)).toBeNull();
    expect(weightedQuantile([{ value: 1, weight: 0 }], 0.95)).toBeNull();
  });
});

describe('bucketPercentile', () => {
  const cumulative = (counts: [number, number][]) => counts.map(([le, count]) => ({ le, count }));

  it('gives the 24 ms artefact of a fast target, and says the true value is anywhere in 0..25 ms', () => {
    const p = bucketPercentile(
      0.95,
      cumulative([
        [0.025, 1440],
        [0.05, 1440],
        [Infinity, 1440],
      ]),
    )!;
    expect(p.seconds).toBeCloseTo(0.02375, 12);
    expect(p.source).toEqual({
      kind: 'buckets',
      samples: 1440,
      bucketLowerSeconds: 0,
      bucketUpperSeconds: 0.025,
      maxErrorRatio: null,
    });
  });

  it('bounds the error inside a finite bucket, and has no upper bound in +Inf', () => {
    const mid = bucketPercentile(
      0.95,
      cumulative([
        [0.5, 50],
        [1, 100],
        [Infinity, 100],
      ]),
    )!;
    expect(mid.seconds).toBeCloseTo(0.95, 12);
    expect(mid.source.bucketLowerSeconds).toBe(0.5);
    expect(mid.source.bucketUpperSeconds).toBe(1);
    expect(mid.source.maxErrorRatio).toBeCloseTo(0.9, 12); // (0.95 − 0.5) / 0.5
    const top = bucketPercentile(
      0.95,
      cumulative([
        [10, 90],
        [Infinity, 100],
      ]),
    )!;
    expect(top.seconds).toBe(10);
    expect(top.source.bucketUpperSeconds).toBeNull();
  });
});

describe('every format says where the p95 came from', () => {
  const buckets: PercentileSource = {
    kind: 'buckets',
    samples: 1440,
    bucketLowerSeconds: 0.25,
    bucketUpperSeconds: 0.5,
    maxErrorRatio: 0.9,
  };
  const narrow: PercentileSource = { ...buckets, bucketUpperSeconds: 0.26, maxErrorRatio: 0.031 };

  /** The sample report with its overall p95 from `current`, the week earlier's from `week`. */
  function withSources(current: PercentileSource, week: PercentileSource | null = null): Report {
    const r = sampleReport();
    const overall = r.monitoring.overall;
    return {
      ...r,
      monitoring: {
        ...r.monitoring,
        overall: {
          ...overall,
          p95Source: { ...overall.p95Source, current, weekEarlier: week ?? overall.p95Source.weekEarlier },
        },
      },
    };
  }

  it('names the raw samples in Markdown and HTML', () => {
    const r = sampleReport();
    const samples = r.monitoring.overall.p95Source.current!.samples.toLocaleString('en-US');
    expect(renderMarkdown(r)).toContain(`| p95 response time (from ${samples} raw samples) |`);
    expect(renderHtml(r)).toContain(`<th scope="row">p95 response time (from ${samples} raw samples)</th>`);
  });

  it('gives the bounds of a bucket estimate, or its error when the bucket is narrow', () => {
    expect(renderMarkdown(withSources(buckets))).toContain(
      '| p95 response time (from buckets: between 250 ms and 500 ms; previous from 18,640 raw samples;',
    );
    expect(renderMarkdown(withSources(narrow))).toContain(
      '| p95 response time (from buckets, within ±3.1 %; previous from',
    );
  });

  it('says when a compared period came from another source', () => {
    const raw = sampleReport().monitoring.overall.p95Source.current!;
    expect(renderMarkdown(withSources(raw, buckets))).toContain(
      `| p95 response time (from ${raw.samples.toLocaleString('en-US')} raw samples; week earlier from buckets: between 250 ms and 500 ms) |`,
    );
  });

  it('carries the source in JSON', () => {
    const json = JSON.parse(renderJson(withSources(buckets))) as Report;
    expect(json.monitoring.overall.p95Source.current).toEqual(buckets);
  });
});
