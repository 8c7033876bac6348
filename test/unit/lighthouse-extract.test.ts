/**
 * Metric extraction and batch statistics, without Chrome: against a real Lighthouse 12.8 LHR of the heavy
 * test page (test/fixtures/lhr-heavy.json, mobile, simulate, all four categories) and small variants of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lighthouseModuleSchema, type LighthouseModule } from '../../src/config/schema.js';
import {
  cwvCounts,
  CWV_THRESHOLDS,
  medianRunIndex,
  rateCwv,
  spreadRatio,
  timingSpreads,
} from '../../src/probers/lighthouse/batchStats.js';
import { median } from '../../src/stats/descriptive.js';
import {
  benchmarkIndex,
  categoryScores,
  chromeVersionFromLhr,
  cumulativeLayoutShift,
  invalidRunReason,
  opportunitySavings,
  resourceSummary,
  timingsSeconds,
  type Lhr,
} from '../../src/probers/lighthouse/extract.js';
import { lighthouseFamilies } from '../../src/probers/lighthouse/index.js';
import { buildBatchResult, type RunRecord } from '../../src/probers/lighthouse/result.js';
import { lighthouseFlags } from '../../src/probers/lighthouse/workerProtocol.js';
import type { ProbeResult } from '../../src/probers/types.js';

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lhr-heavy.json'), 'utf8'),
) as Lhr;
const audit = (id: string) => fixture.audits[id]!.numericValue!;

function lhrWith(changes: Record<string, number>, base: Lhr = fixture): Lhr {
  const copy = structuredClone(base);
  for (const [id, v] of Object.entries(changes)) copy.audits[id]!.numericValue = v;
  return copy;
}

function moduleOf(settings: Record<string, unknown> = {}): LighthouseModule {
  return { prober: 'lighthouse', timeout: 60_000, lighthouse: lighthouseModuleSchema.parse(settings) };
}

function value(result: ProbeResult, name: string, labels: Record<string, string> = {}) {
  return result.samples.find(
    (s) => s.family.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v),
  )?.value;
}

describe('extraction from a real LHR', () => {
  it('reads timings from numericValue, in seconds, TTFB from server-response-time', () => {
    expect(timingsSeconds(fixture)).toEqual({
      first_contentful_paint: audit('first-contentful-paint') / 1000,
      largest_contentful_paint: audit('largest-contentful-paint') / 1000,
      speed_index: audit('speed-index') / 1000,
      total_blocking_time: audit('total-blocking-time') / 1000,
      interactive: audit('interactive') / 1000,
      max_potential_fid: audit('max-potential-fid') / 1000,
      time_to_first_byte: audit('server-response-time') / 1000,
    });
    // The heavy page, as built: > 0.3 s of blocking between FCP and TTI, a late shift > 0.1.
    expect(timingsSeconds(fixture).total_blocking_time).toBeGreaterThan(0.3);
    expect(cumulativeLayoutShift(fixture)).toBeGreaterThan(0.1);
  });

  it('leaves out a timing whose audit errored (no numericValue)', () => {
    const copy = structuredClone(fixture);
    delete copy.audits['speed-index']!.numericValue;
    expect(timingsSeconds(copy).speed_index).toBeUndefined();
    expect(Object.keys(timingsSeconds(copy))).toHaveLength(6);
  });

  it('reads category scores 0..1 and omits null scores', () => {
    expect(categoryScores(fixture)).toEqual({
      performance: fixture.categories.performance!.score,
      accessibility: fixture.categories.accessibility!.score,
      'best-practices': fixture.categories['best-practices']!.score,
      seo: fixture.categories.seo!.score,
    });
    const copy = structuredClone(fixture);
    copy.categories.seo!.score = null;
    expect(Object.keys(categoryScores(copy))).toEqual(['performance', 'accessibility', 'best-practices']);
  });

  it('reads the resource summary with label-safe resource types', () => {
    const rows = resourceSummary(fixture);
    expect(rows.map((r) => r.resourceType).sort()).toEqual(
      ['document', 'font', 'image', 'media', 'other', 'script', 'stylesheet', 'third_party', 'total'].sort(),
    );
    const image = rows.find((r) => r.resourceType === 'image')!;
    expect(image.requests).toBe(2);
    expect(image.transferBytes).toBeGreaterThan(1_000_000);
    const total = rows.find((r) => r.resourceType === 'total')!;
    expect(total.transferBytes).toBeGreaterThanOrEqual(image.transferBytes);
  });

  it('lists opportunities with positive savings only, by audit id', () => {
    const savings = opportunitySavings(fixture);
    const images = savings.find((o) => o.audit === 'modern-image-formats');
    const details = fixture.audits['modern-image-formats']!.details!;
    expect(images).toEqual({
      audit: 'modern-image-formats',
      seconds: details.overallSavingsMs! / 1000,
      bytes: details.overallSavingsBytes,
    });
    for (const o of savings) {
      expect(fixture.audits[o.audit]!.details!.type).toBe('opportunity');
      expect((o.seconds ?? 0) + (o.bytes ?? 0)).toBeGreaterThan(0);
    }
    // Zero-saving opportunities (e.g. redirects on this page) produce no entry.
    expect(savings.find((o) => o.audit === 'redirects')).toBeUndefined();
  });

  it('reads the benchmark index and the Chrome version', () => {
    expect(benchmarkIndex(fixture)).toBe(fixture.environment!.benchmarkIndex);
    expect(chromeVersionFromLhr(fixture)).toMatch(/^\d+\.0\.0\.0$/);
  });

  it('tells valid runs from invalid ones', () => {
    expect(invalidRunReason(fixture)).toBeUndefined();
    const failed = { ...structuredClone(fixture), runtimeError: { code: 'NO_FCP', message: 'no paint' } };
    expect(invalidRunReason(failed)).toBe('NO_FCP: no paint');
    const noTti = structuredClone(fixture);
    delete noTti.audits.interactive!.numericValue;
    expect(invalidRunReason(noTti)).toMatch(/interactive/);
  });
});

describe('batch statistics', () => {
  it("picks the median run as Lighthouse's computeMedianRun does (closest to median FCP and TTI)", () => {
    const runs = [
      lhrWith({ 'first-contentful-paint': 1000, interactive: 5000 }),
      lhrWith({ 'first-contentful-paint': 3000, interactive: 9000 }),
      lhrWith({ 'first-contentful-paint': 2000, interactive: 7000 }),
    ];
    expect(medianRunIndex(runs)).toBe(2);
    // Medians FCP 2000, TTI 7000: runs 0 and 1 are both 1000 ms away; the lower TTI (run 0) wins.
    const split = [
      lhrWith({ 'first-contentful-paint': 2000, interactive: 6000 }),
      lhrWith({ 'first-contentful-paint': 3000, interactive: 7000 }),
      lhrWith({ 'first-contentful-paint': 1000, interactive: 8000 }),
    ];
    expect(medianRunIndex(split)).toBe(0);
    expect(medianRunIndex([fixture])).toBe(0);
  });

  it('computes median and spread = (max - min) / median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(spreadRatio([2])).toBe(0);
    expect(spreadRatio([1, 2, 3])).toBe(1);
    expect(spreadRatio([2, 2, 2])).toBe(0);
    expect(spreadRatio([0, 0, 0])).toBe(0);
    expect(spreadRatio([0, 0, 0.04])).toBeUndefined(); // infinite: no series rather than +Inf
    expect(spreadRatio([])).toBeUndefined();
    const spreads = timingSpreads([
      lhrWith({ 'first-contentful-paint': 1000 }),
      lhrWith({ 'first-contentful-paint': 1200 }),
      lhrWith({ 'first-contentful-paint': 1100 }),
    ]);
    expect(spreads.first_contentful_paint).toBeCloseTo(200 / 1100, 12);
    expect(spreads.largest_contentful_paint).toBe(0);
  });

  it('rates Core Web Vitals at the exact boundaries', () => {
    const cases: [keyof typeof CWV_THRESHOLDS, number, string][] = [
      ['largest_contentful_paint', 2500 / 1000, 'good'],
      ['largest_contentful_paint', 2.501, 'needs_improvement'],
      ['largest_contentful_paint', 4000 / 1000, 'needs_improvement'],
      ['largest_contentful_paint', 4.001, 'poor'],
      ['cumulative_layout_shift', 0.1, 'good'],
      ['cumulative_layout_shift', 0.1 + 0.2 - 0.2, 'good'], // float noise around the boundary
      ['cumulative_layout_shift', 0.10001, 'needs_improvement'],
      ['cumulative_layout_shift', 0.25, 'needs_improvement'],
      ['cumulative_layout_shift', 0.2501, 'poor'],
      ['total_blocking_time', 200 / 1000, 'good'],
      ['total_blocking_time', 0.201, 'needs_improvement'],
      ['total_blocking_time', 600 / 1000, 'needs_improvement'],
      ['total_blocking_time', 0.601, 'poor'],
      ['first_contentful_paint', 1800 / 1000, 'good'],
      ['first_contentful_paint', 1.801, 'needs_improvement'],
      ['first_contentful_paint', 3, 'needs_improvement'],
      ['first_contentful_paint', 3.001, 'poor'],
      ['first_contentful_paint', 0, 'good'],
    ];
    for (const [metric, v, rating] of cases) expect(rateCwv(metric, v), `${metric} ${v}`).toBe(rating);
  });

  it('counts CWV ratings per run, every metric x rating present', () => {
    const counts = cwvCounts([
      lhrWith({ 'largest-contentful-paint': 2000, 'cumulative-layout-shift': 0.05 }),
      lhrWith({ 'largest-contentful-paint': 3000, 'cumulative-layout-shift': 0.3 }),
      lhrWith({ 'largest-contentful-paint': 5000, 'cumulative-layout-shift': 0.3 }),
    ]);
    expect(counts.largest_contentful_paint).toEqual({ good: 1, needs_improvement: 1, poor: 1 });
    expect(counts.cumulative_layout_shift).toEqual({ good: 1, needs_improvement: 0, poor: 2 });
    expect(cwvCounts([]).first_contentful_paint).toEqual({ good: 0, needs_improvement: 0, poor: 0 });
  });
});

describe('batch result', () => {
  const base = {
    url: 'http://127.0.0.1:1/heavy',
    module: moduleOf(),
    startedAtMs: 1_764_121_500_000,
    finishedAtMs: 1_764_121_530_000,
    durationSeconds: 30,
    lighthouseVersion: '12.8.2',
    trace: [],
  };

  it('publishes the median run, the spread, and per-run counters', () => {
    const runs: RunRecord[] = [
      { valid: true, wallMs: 9000, lhr: lhrWith({ 'first-contentful-paint': 4000, interactive: 8000 }) },
      { valid: false, wallMs: 15000, reason: 'timeout', message: 'timed out' },
      {
        valid: true,
        wallMs: 10000,
        lhr: lhrWith({ 'first-contentful-paint': 4400, interactive: 9200 }),
        chromeVersion: '156.0.8078.108',
      },
      {
        valid: true,
        wallMs: 11000,
        lhr: lhrWith({ 'first-contentful-paint': 4200, interactive: 9000 }),
        chromeVersion: '156.0.8078.108',
      },
    ];
    const { result, medianIndex } = buildBatchResult({ ...base, runs });
    expect(medianIndex).toBe(3);
    expect(result.success).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(value(result, 'lighthouse_up')).toBe(1);
    expect(value(result, 'lighthouse_runs')).toBe(3);
    expect(value(result, 'lighthouse_timing_seconds', { metric: 'first_contentful_paint' })).toBe(4.2);
    expect(value(result, 'lighthouse_timing_spread_ratio', { metric: 'first_contentful_paint' })).toBeCloseTo(
      400 / 4200,
      12,
    );
    expect(value(result, 'lighthouse_timing_spread_ratio', { metric: 'interactive' })).toBeCloseTo(
      1200 / 9000,
      12,
    );
    expect(value(result, 'lighthouse_run_duration_seconds')).toBe(11);
    expect(value(result, 'lighthouse_last_run_timestamp_seconds')).toBe(1_764_121_530);
    expect(value(result, 'lighthouse_benchmark_index')).toBe(fixture.environment!.benchmarkIndex);
    expect(value(result, 'lighthouse_category_score', { category: 'best-practices' })).toBe(
      fixture.categories['best-practices']!.score,
    );
    expect(value(result, 'lighthouse_failure_info', { reason: 'timeout' })).toBeUndefined();
    expect(result.samples.find((s) => s.family.name === 'lighthouse_target_info')?.labels).toEqual({
      url: base.url,
      form_factor: 'mobile',
      throttling_method: 'simulate',
      lighthouse_version: fixture.lighthouseVersion,
      chrome_version: '156.0.8078.108',
    });
    const counters = result.counters ?? [];
    const runsTotal = (r: string) =>
      counters.find((s) => s.family.name === 'lighthouse_runs_total' && s.labels?.result === r)?.value;
    expect(runsTotal('success')).toBe(3);
    expect(runsTotal('failure')).toBe(1);
    expect(counters.filter((s) => s.family.name === 'lighthouse_cwv_runs_total')).toHaveLength(12);
    // No sample carries a score x100, milliseconds, or NaN.
    for (const s of result.samples) expect(Number.isFinite(s.value), s.family.name).toBe(true);
    for (const s of result.samples.filter((x) => x.family.name === 'lighthouse_category_score')) {
      expect(s.value).toBeLessThanOrEqual(1);
    }
  });

  it('reports a batch without a valid run: up 0, runs 0, the most frequent reason', () => {
    const runtimeError = {
      ...structuredClone(fixture),
      runtimeError: { code: 'NO_FCP', message: 'no paint' },
    };
    const runs: RunRecord[] = [
      {
        valid: false,
        wallMs: 1000,
        reason: 'page_load_error',
        message: 'NO_FCP: no paint',
        lhr: runtimeError,
      },
      {
        valid: false,
        wallMs: 1000,
        reason: 'chrome_crashed',
        message: 'Chrome (pid 1) exited mid-run (SIGKILL)',
      },
      {
        valid: false,
        wallMs: 1000,
        reason: 'page_load_error',
        message: 'NO_FCP: no paint',
        lhr: runtimeError,
      },
    ];
    const { result, medianIndex } = buildBatchResult({ ...base, runs });
    expect(medianIndex).toBeUndefined();
    expect(result.success).toBe(false);
    expect(result.failure).toEqual({
      phase: 'audit',
      reason: 'page_load_error',
      message: '2/3 runs failed: NO_FCP: no paint',
    });
    expect(result.samples.map((s) => s.family.name).sort()).toEqual(
      [
        'lighthouse_failure_info',
        'lighthouse_last_run_timestamp_seconds',
        'lighthouse_runs',
        'lighthouse_target_info',
        'lighthouse_up',
      ].sort(),
    );
    expect(value(result, 'lighthouse_up')).toBe(0);
    expect(value(result, 'lighthouse_runs')).toBe(0);
    expect(value(result, 'lighthouse_failure_info', { reason: 'page_load_error' })).toBe(1);
    // Versions still known from the failed run's LHR.
    expect(
      result.samples.find((s) => s.family.name === 'lighthouse_target_info')?.labels?.lighthouse_version,
    ).toBe('12.8.2');
  });

  it('uses "unknown" for a Chrome version it never learnt', () => {
    const { result } = buildBatchResult({
      ...base,
      runs: [{ valid: false, wallMs: 100, reason: 'chrome_launch_failed', message: 'ENOENT' }],
    });
    const labels = result.samples.find((s) => s.family.name === 'lighthouse_target_info')?.labels;
    expect(labels?.chrome_version).toBe('unknown');
    expect(labels?.lighthouse_version).toBe('12.8.2');
    expect(result.failure?.reason).toBe('chrome_launch_failed');
  });
});

describe('lighthouse flags and families', () => {
  it('maps module options onto Lighthouse flags, sending optional ones only when set', () => {
    expect(lighthouseFlags(moduleOf())).toEqual({
      output: ['html', 'json'],
      logLevel: 'error',
      hostname: '127.0.0.1',
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
      formFactor: 'mobile',
      throttlingMethod: 'simulate',
      locale: 'en-US',
    });
    const flags = lighthouseFlags(
      moduleOf({
        form_factor: 'desktop',
        categories: ['performance'],
        throttling_method: 'devtools',
        cpu_slowdown_multiplier: 2,
        headers: { 'X-Test': '1' },
        locale: 'de',
        blocked_url_patterns: ['*.ads.example/*'],
      }),
    );
    expect(flags).toMatchObject({
      formFactor: 'desktop',
      onlyCategories: ['performance'],
      throttlingMethod: 'devtools',
      throttling: { cpuSlowdownMultiplier: 2 },
      extraHeaders: { 'X-Test': '1' },
      locale: 'de',
      blockedUrlPatterns: ['*.ads.example/*'],
    });
  });

  it('declares valid Prometheus names, counters ending in _total', () => {
    for (const family of Object.values(lighthouseFamilies)) {
      expect(family.name).toMatch(/^lighthouse_[a-z_]+$/);
      expect(family.name.endsWith('_total')).toBe(family.type === 'counter');
      expect(family.help.length).toBeGreaterThan(10);
    }
  });
});
