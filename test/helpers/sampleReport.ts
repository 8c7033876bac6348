/**
 * Realistic, fully typed reports for the renderer tests: `sampleReport()` is a day in
 * Europe/Berlin with two targets (shop with Lighthouse audits, api without), one change
 * evaluated as an improvement on ~200 samples a side, incidents, a recurring alert, a failure
 * pattern, a trend warning, two recommendations, open problems and hourly trends with a gap;
 * `emptyReport()` is the same day with no probes in Prometheus. The figures go through the
 * real compareMonitoring and compareBeforeAfter, so they have the shapes report.ts produces.
 */
import {
  REPORT_SCHEMA_VERSION,
  type ChangeEvaluation,
  type MetricEvaluation,
  type Report,
  type ReportChange,
  type SeriesPoint,
  type TargetTrend,
} from '../../src/report/model.js';
import {
  compareMonitoring,
  type MonitoringFigures,
  type MonitoringResult,
} from '../../src/report/monitoring.js';
import { compareBeforeAfter, type BeforeAfterComparison } from '../../src/stats/compare.js';
import { detectFailurePatterns } from '../../src/stats/patterns.js';
import { reportPeriods } from '../../src/time/period.js';
import { mulberry32 } from './random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const SAMPLE_ZONE = 'Europe/Berlin';
/** A Prometheus without rum_* series: the report's field figures (sampleField.ts has some). */
const NO_FIELD_DATA = { exact: true, sites: [], sitesWithoutData: [] };
/** A Prometheus without capacity series and a store without load tests (sampleCapacity.ts has some). */
export const NO_CAPACITY = {
  horizonDays: 30,
  hosts: [],
  hostsLeftOut: 0,
  filesystems: [],
  headroom: [],
  loadTests: [],
  trends: [],
  hostsWithoutRules: [],
};

/** `n` log-normal values around `median` (Box-Muller), like response times: skewed, never negative. */
function logNormal(rand: () => number, n: number, median: number, sigma: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    out.push(Math.round(median * Math.exp(sigma * z) * 1000) / 1000);
  }
  return out;
}

type Lighthouse = MonitoringFigures['lighthouse'];

function figures(
  target: string | null,
  probes: number,
  failures: number,
  objective: number,
  mean: number,
  p95: number,
  ttfb: number | null,
  lighthouse: Lighthouse,
): MonitoringFigures {
  const uptime = (probes - failures) / probes;
  return {
    target,
    hasData: true,
    probes,
    failures,
    uptime,
    objective,
    meetsObjective: uptime >= objective,
    meanResponseSeconds: mean,
    p95ResponseSeconds: p95,
    // One scrape per probe: as many raw samples as probes.
    p95Source: {
      kind: 'raw-samples',
      samples: probes,
      bucketLowerSeconds: null,
      bucketUpperSeconds: null,
      maxErrorRatio: null,
    },
    errorRate: failures / probes,
    ttfbSeconds: ttfb,
    lighthouse,
  };
}

function noFigures(target: string | null): MonitoringFigures {
  return {
    target,
    hasData: false,
    probes: 0,
    failures: 0,
    uptime: null,
    objective: null,
    meetsObjective: null,
    meanResponseSeconds: null,
    p95ResponseSeconds: null,
    p95Source: null,
    errorRate: null,
    ttfbSeconds: null,
    lighthouse: null,
  };
}

function result(
  start: number,
  end: number,
  targets: MonitoringFigures[],
  overall: MonitoringFigures,
): MonitoringResult {
  return { start, end, exact: true, targets, overall };
}

/** 168 hourly points ending at `end`, from `value(i)`; null where `value` says so (a gap). */
function hourly(end: number, value: (i: number) => number | null): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let i = 0; i < 168; i++) points.push({ t: end - (168 - i) * HOUR_MS, value: value(i) });
  return points;
}

function metric(
  m: Pick<MetricEvaluation, 'metric' | 'label' | 'unit' | 'higherIsBetter'>,
  before: number[],
  after: number[],
  sentence: (c: BeforeAfterComparison) => string,
): MetricEvaluation {
  const comparison = compareBeforeAfter(before, after, { higherIsBetter: m.higherIsBetter });
  return { ...m, comparison, before, after, sentence: sentence(comparison) };
}

/** The sentence report.ts writes, from the comparison's own figures (−, not -). */
function sentenceOf(label: string, digits: number, c: BeforeAfterComparison): string {
  const n = (v: number | null) => (v === null ? '?' : v.toFixed(digits));
  const pct = ((c.changeRatio ?? 0) * 100).toFixed(1).replace('-', '−');
  const p = c.p === null ? 'no test' : c.p < 0.001 ? 'p < 0.001' : `p = ${c.p.toFixed(3)}`;
  const delta = c.effectSize.toFixed(2).replace('-', '−');
  return (
    `${label} ${c.verdict}: median ${n(c.medianBefore)} → ${n(c.medianAfter)} (${pct} %), ${p}, ` +
    `${c.effectMagnitude} effect (δ = ${delta}).`
  );
}

export function sampleReport(overrides: Partial<Report> = {}): Report {
  const periods = reportPeriods('2025-01-14', 'day', SAMPLE_ZONE);
  const { current, previous, weekEarlier } = periods;
  const { start, end } = current;
  const rand = mulberry32(42);

  // shop: 99.95 % (5 of 10,000 failed) against 99.90 % the day before: +0.05 pp.
  const shopLh = {
    performance: 0.87,
    accessibility: 0.96,
    bestPractices: 1,
    seo: null,
    lcpSeconds: 2.1,
    cls: 0.052,
    tbtSeconds: 0.18,
  };
  const cur = result(
    start,
    end,
    [
      figures('api', 8640, 20, 0.999, 0.142, 0.31, null, null),
      figures('shop', 10_000, 5, 0.999, 0.4873, 0.92, 0.212, shopLh),
    ],
    figures(null, 18_640, 25, 0.999, 0.327, 0.81, 0.212, shopLh),
  );
  const prevShopLh = {
    performance: 0.81,
    accessibility: 0.96,
    bestPractices: 0.92,
    seo: null,
    lcpSeconds: 2.4,
    cls: null,
    tbtSeconds: 0.25,
  };
  const prev = result(
    previous.start,
    previous.end,
    [
      figures('api', 8640, 9, 0.999, 0.139, 0.3, 0.051, null),
      figures('shop', 10_000, 10, 0.999, 0.8123, 1.42, 0.31, prevShopLh),
    ],
    figures(null, 18_640, 19, 0.999, 0.5, 1.2, 0.2, prevShopLh),
  );
  // A week earlier shop had no Lighthouse audits yet, api no TTFB: those cells read "—".
  const week = result(
    weekEarlier.start,
    weekEarlier.end,
    [
      figures('api', 8640, 4, 0.999, 0.151, 0.33, null, null),
      figures('shop', 10_000, 2, 0.999, 0.79, 1.3, 0.3, null),
    ],
    figures(null, 18_640, 6, 0.999, 0.49, 1.1, 0.3, null),
  );
  const compared = compareMonitoring(cur, prev, week);

  const change: ReportChange = {
    id: 42,
    at: start - 2 * DAY_MS + 10 * HOUR_MS,
    title: 'Enable Brotli compression on the CDN',
    kind: 'deploy',
    target: 'shop',
    description: 'Brotli level 5 for text assets.',
  };
  const periodChange: ReportChange = {
    id: 43,
    at: start + 9 * HOUR_MS,
    title: 'Upgrade api to v2.3.1',
    kind: 'release',
    target: 'api',
    description: null,
  };
  const windowMs = 2 * DAY_MS;
  const before = logNormal(rand, 200, 0.81, 0.25);
  const after = logNormal(rand, 205, 0.49, 0.25);
  const uptimeBefore = Array.from({ length: 48 }, () => (rand() < 0.1 ? 0.99 : 1));
  const uptimeAfter = Array.from({ length: 48 }, () => (rand() < 0.1 ? 0.99 : 1));
  const perfBefore = Array.from({ length: 24 }, () => 0.78 + rand() * 0.06);
  const perfAfter = Array.from({ length: 24 }, () => 0.84 + rand() * 0.06);
  const evaluation: ChangeEvaluation = {
    change,
    target: 'shop',
    windowMs,
    before: { start: change.at - windowMs, end: change.at },
    after: { start: change.at, end: change.at + windowMs },
    excludedMaintenanceMs: HOUR_MS,
    note: null,
    metrics: [
      metric(
        { metric: 'response_time', label: 'response time', unit: 'seconds', higherIsBetter: false },
        before,
        after,
        (c) => sentenceOf('response time', 3, c),
      ),
      metric(
        { metric: 'availability', label: 'availability', unit: 'ratio', higherIsBetter: true },
        uptimeBefore,
        uptimeAfter,
        (c) => sentenceOf('availability', 4, c),
      ),
      metric(
        {
          metric: 'lighthouse_performance',
          label: 'Lighthouse performance score',
          unit: 'score',
          higherIsBetter: true,
        },
        perfBefore,
        perfAfter,
        (c) => sentenceOf('Lighthouse performance score', 2, c),
      ),
    ],
    verdict: 'improved',
  };

  const trend = (target: string, base: number, threshold: number | null, gapFrom: number): TargetTrend => ({
    target,
    responseSeconds: hourly(end, (i) =>
      i >= gapFrom && i < gapFrom + 4 ? null : base * (1 + 0.2 * Math.sin(i / 4)),
    ),
    uptime: hourly(end, (i) => (i >= gapFrom && i < gapFrom + 4 ? null : i % 24 === 2 ? 0.96 : 1)),
    latencyThresholdSeconds: threshold,
    objective: 0.999,
  });

  // api fails around 02:00 every night: the pattern detector on a matching history.
  const patternFrom = end - 14 * DAY_MS;
  const nightly = Array.from({ length: 14 }, (_, d) => patternFrom + d * DAY_MS + 2 * HOUR_MS + 5 * 60_000);
  const pattern = detectFailurePatterns(nightly, { timeZone: SAMPLE_ZONE, from: patternFrom, to: end })[0]!;

  const incidentStart = start + 2 * HOUR_MS;
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: 'vantage daily report 2025-01-14 (Europe/Berlin)',
    period: { ...current, kind: 'day', timeZone: SAMPLE_ZONE },
    previous,
    weekEarlier,
    generatedAt: end + 5 * 60_000,
    prometheusUrl: 'http://prometheus:9090',
    hasData: true,
    exact: true,
    summary: {
      headline: '2 targets, uptime 99.87 % (objective met on 1 of 2); 1 change improved; 3 open problems',
      highlights: [
        'api missed its 99.90 % uptime objective: 99.77 %.',
        'Enable Brotli compression on the CDN improved response time on shop by 40.0 %.',
        'api fails every day around 02:00 Europe/Berlin.',
      ],
    },
    monitoring: {
      overall: compared.overall,
      targets: compared.targets,
      changes: [periodChange],
      trends: [trend('api', 0.14, 0.5, 200), trend('shop', 0.5, 1, 50)],
      journeys: [],
      field: NO_FIELD_DATA,
      capacity: NO_CAPACITY,
    },
    evaluation: {
      changes: [evaluation],
      field: [],
      incidents: [
        {
          id: 7,
          alertname: 'VantageTargetDown',
          target: 'api',
          severity: 'critical',
          summary: 'api is down: connection refused',
          startsAt: incidentStart,
          endsAt: incidentStart + 5520_000,
          durationSeconds: 5520,
          timesFrom: 'probes',
          alertStartsAt: incidentStart + 70_000,
          alertEndsAt: incidentStart + 5545_000,
          openedInPeriod: true,
          resolvedInPeriod: true,
          openAtEnd: false,
        },
        {
          id: 8,
          alertname: 'VantageLatencyHigh',
          target: 'shop',
          severity: 'warning',
          summary: 'shop p95 above 1 s',
          startsAt: end - 2 * HOUR_MS,
          endsAt: null,
          durationSeconds: 7200,
          timesFrom: 'alert',
          alertStartsAt: end - 2 * HOUR_MS,
          alertEndsAt: null,
          openedInPeriod: true,
          resolvedInPeriod: false,
          openAtEnd: true,
        },
      ],
    },
    learning: {
      recurringIncidents: [
        {
          alertname: 'VantageTargetDown',
          target: 'api',
          count: 3,
          firstAt: start - 9 * DAY_MS,
          lastAt: incidentStart,
          sentence: 'VantageTargetDown fired 3 times on api in 14 days.',
        },
      ],
      failurePatterns: [
        { target: 'api', from: patternFrom, to: end, pattern, sentence: `api ${pattern.sentence}` },
      ],
      trends: [
        {
          target: 'shop',
          figure: 'lcp',
          label: 'largest contentful paint',
          unit: 'seconds',
          threshold: 2.5,
          thresholdSource: "Core Web Vitals 'good' limit",
          status: 'will-cross',
          valueNow: 2.1,
          slopePerDay: 0.095,
          crossesAt: end + 4.2 * DAY_MS,
          daysUntil: 4.2,
          sentence: 'shop largest contentful paint is heading for 2.5 s: it crosses in about 4 days.',
        },
      ],
      recommendations: [
        {
          target: 'shop',
          audit: 'render-blocking-resources',
          title: 'Eliminate render-blocking resources',
          advice: 'Inline critical CSS and defer the rest.',
          savingsSeconds: 1.2,
          savingsBytes: 340 * 1024,
        },
        {
          target: 'shop',
          audit: 'unused-javascript',
          title: 'Reduce unused JavaScript',
          advice: 'Split the vendor bundle by route.',
          savingsSeconds: null,
          savingsBytes: 1.5 * 1024 * 1024,
        },
      ],
      openProblems: [
        {
          target: 'api',
          kind: 'objective-missed',
          sentence: 'api missed its uptime objective (99.77 % < 99.90 %).',
        },
        { target: 'shop', kind: 'incident-open', sentence: 'VantageLatencyHigh is still firing on shop.' },
        { target: 'shop', kind: 'trend', sentence: 'shop LCP will cross 2.5 s in about 4 days.' },
      ],
    },
  };
  return { ...report, ...overrides };
}

/** The same day with no probes in Prometheus: every figure absent, nothing to chart. */
export function emptyReport(): Report {
  const base = sampleReport();
  const periods = reportPeriods('2025-01-14', 'day', SAMPLE_ZONE);
  const none = result(periods.current.start, periods.current.end, [], noFigures(null));
  const compared = compareMonitoring(none, none, none);
  return {
    ...base,
    hasData: false,
    summary: {
      headline: 'No data: Prometheus holds no vantage probes for 2025-01-14 (Europe/Berlin).',
      highlights: [],
    },
    monitoring: {
      overall: compared.overall,
      targets: [],
      changes: [],
      trends: [],
      journeys: [],
      field: NO_FIELD_DATA,
      capacity: NO_CAPACITY,
    },
    evaluation: { changes: [], field: [], incidents: [] },
    learning: {
      recurringIncidents: [],
      failurePatterns: [],
      trends: [],
      recommendations: [],
      openProblems: [],
    },
  };
}
