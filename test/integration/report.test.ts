/**
 * The performance report's exact figures, against a real Prometheus 2.42 holding three weeks
 * of backfilled synthetic history of known shape (test/helpers/syntheticHistory.ts) and a real
 * store holding the change log and the incident log:
 *
 * - shop: probed every 60 s, made 40 % faster by a change on Thursday 2025-01-23 10:00 UTC,
 *   failing every day at 02:00 Berlin time for 10 minutes, with a maintenance window (and an
 *   outage inside it) in the change's before-window, Lighthouse audits with opportunities;
 * - blog: probed every 30 s, three outages (the last on the report day), objective 99.5 %;
 * - api: 10 % slower every day, heading for its 1.5 s latency threshold.
 *
 * The report for 2025-01-23 (Europe/Berlin) must give: counts exactly and uptime to 0.01
 * percentage points for every target and overall; the change found significant (improved),
 * with exactly the samples the ground truth gives and maintenance left out; the daily failure
 * found as "fails every day around 02:00 Europe/Berlin"; the recurring incident; the trend that
 * crosses the threshold in about 2 days; the top opportunities with their savings. A day with
 * no data says so; an unreachable Prometheus is an error. The CLI writes the same report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { buildReport } from '../../src/report/report.js';
import { compareBeforeAfter } from '../../src/stats/compare.js';
import type { PeriodKind } from '../../src/time/period.js';
import type { WebhookAlert } from '../../src/store/incidents.js';
import { Store } from '../../src/store/store.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { freePort } from '../helpers/ports.js';
import { generateHistory, type SyntheticHistory, type TimeWindow } from '../helpers/syntheticHistory.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 6); // Monday 2025-01-06 00:00 UTC
const DAYS = 21;
const END = START + DAYS * DAY;
/** The report day 2025-01-23 in Europe/Berlin (UTC+1 in winter). */
const ZONE = 'Europe/Berlin';
const DAY_START = Date.UTC(2025, 0, 22, 23);
const DAY_END = Date.UTC(2025, 0, 23, 23);
const CHANGE = Date.UTC(2025, 0, 23, 10);
const GLOBAL_CHANGE = Date.UTC(2025, 0, 16, 12);
const MAINTENANCE: TimeWindow = { startMs: Date.UTC(2025, 0, 23, 4), endMs: Date.UTC(2025, 0, 23, 5) };
const BLOG_OUTAGES = [
  { startMs: Date.UTC(2025, 0, 12, 9), endMs: Date.UTC(2025, 0, 12, 9, 10) },
  { startMs: Date.UTC(2025, 0, 18, 20), endMs: Date.UTC(2025, 0, 18, 20, 10) },
  { startMs: Date.UTC(2025, 0, 23, 14), endMs: Date.UTC(2025, 0, 23, 15, 30) },
];
const OPPORTUNITIES = [
  { audit: 'offscreen-images', savingsSeconds: 0.1, savingsBytes: 50_000 },
  { audit: 'render-blocking-resources', savingsSeconds: 1.2, savingsBytes: 0 },
  { audit: 'unused-javascript', savingsSeconds: 0.3, savingsBytes: 120_000 },
  { audit: 'uses-optimized-images', savingsSeconds: 0.45, savingsBytes: 348_160 },
];
/** 0.01 percentage points. */
const UPTIME_TOLERANCE = 0.0001;

let history: SyntheticHistory;
let prom: BackfilledPrometheus;
let storeDir: string;
let store: Store;
let report: Report;

/** The report of the period containing `date`, in Berlin time, made after the whole history. */
function reportFor(date: string, period: PeriodKind = 'day'): Promise<Report> {
  return buildReport({ prometheusUrl: prom.url, date, period, timeZone: ZONE, store, now: END + HOUR });
}

function alert(
  name: string,
  target: string,
  startsAt: number,
  endsAt: number | null,
  summary: string,
): WebhookAlert {
  return {
    status: endsAt === null ? 'firing' : 'resolved',
    labels: { alertname: name, target, severity: 'critical' },
    annotations: { summary },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: endsAt === null ? '0001-01-01T00:00:00Z' : new Date(endsAt).toISOString(),
    fingerprint: `${name}-${target}`,
  };
}

beforeAll(async () => {
  history = generateHistory({
    startMs: START,
    endMs: END,
    scrapeIntervalSeconds: 60,
    seed: 11,
    targets: [
      {
        name: 'shop',
        probeIntervalSeconds: 60,
        latency: { baseSeconds: 0.8, jitter: 0.25, steps: [{ atMs: CHANGE, factor: 0.6 }] },
        dailyFailure: { start: '02:00', minutes: 10, timeZone: ZONE },
        outages: [{ startMs: MAINTENANCE.startMs + 10 * MINUTE, endMs: MAINTENANCE.startMs + 40 * MINUTE }],
        maintenance: [MAINTENANCE],
        latencyThresholdSeconds: 2,
        lighthouse: { performance: 0.7, lcpSeconds: 2.4, opportunities: OPPORTUNITIES },
      },
      {
        name: 'blog',
        probeIntervalSeconds: 30,
        latency: { baseSeconds: 0.3, jitter: 0.1 },
        outages: BLOG_OUTAGES,
        sloObjective: 0.995,
      },
      {
        name: 'api',
        probeIntervalSeconds: 60,
        latency: { baseSeconds: 0.5, jitter: 0.05, driftPerDay: 0.1 },
        latencyThresholdSeconds: 1.5,
      },
    ],
  });
  prom = await startBackfilledPrometheus(history);

  storeDir = await mkdtemp(join(tmpdir(), 'vantage-report-store-'));
  store = Store.open(storeDir);
  store.changes.add({
    title: 'Serve images from the CDN',
    kind: 'optimisation',
    target: 'shop',
    at: CHANGE,
    description: null,
  });
  store.changes.add({
    title: 'Upgrade the TLS library',
    kind: 'infrastructure',
    target: null,
    at: GLOBAL_CHANGE,
    description: null,
  });
  for (const o of BLOG_OUTAGES) {
    store.incidents.record([
      alert('VantageTargetDown', 'blog', o.startMs + MINUTE, o.endMs + 90_000, 'blog is down'),
    ]);
  }
  store.incidents.record([
    alert('VantageSlowResponse', 'api', Date.UTC(2025, 0, 23, 20), null, 'api is slow'),
  ]);

  report = await reportFor('2025-01-23');
}, 180_000);

afterAll(async () => {
  store?.close();
  await prom?.stop();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

describe('Monitoring', () => {
  it('covers the Berlin day and counts every probe exactly, uptime to 0.01 pp', () => {
    expect(report.period).toEqual({
      kind: 'day',
      timeZone: ZONE,
      start: DAY_START,
      end: DAY_END,
      label: '2025-01-23',
    });
    expect(report.hasData).toBe(true);
    expect(report.exact).toBe(true);
    let probes = 0;
    let failures = 0;
    for (const name of ['api', 'blog', 'shop']) {
      const truth = history.truth(name).figures(DAY_START, DAY_END);
      const figures = report.monitoring.targets.find((t) => t.target === name)!;
      expect(figures.probes.current).toBe(truth.probes);
      expect(figures.failures.current).toBe(truth.failures);
      expect(Math.abs(figures.uptime.current! - truth.uptime)).toBeLessThan(UPTIME_TOLERANCE);
      expect(figures.meanResponseSeconds.current).toBeCloseTo(truth.meanDuration, 9);
      probes += truth.probes;
      failures += truth.failures;
    }
    expect(report.monitoring.overall.probes.current).toBe(probes);
    expect(report.monitoring.overall.failures.current).toBe(failures);
    // shop: 10 daily failures and 30 in the outage inside maintenance; blog: the 90-minute outage.
    expect(report.monitoring.targets.find((t) => t.target === 'shop')!.failures.current).toBe(40);
    expect(report.monitoring.targets.find((t) => t.target === 'blog')!.failures.current).toBe(180);
    // Lighthouse: every category score (the history's other categories are 0.95), and none for
    // the targets without audits.
    const shop = report.monitoring.targets.find((t) => t.target === 'shop')!;
    for (const score of [shop.lighthouseAccessibility, shop.lighthouseBestPractices, shop.lighthouseSeo])
      expect(score.current).toBeCloseTo(0.95, 12);
    expect(
      report.monitoring.targets.find((t) => t.target === 'blog')!.lighthousePerformance.current,
    ).toBeNull();
  });

  it('compares with the previous day and the same day a week earlier', () => {
    const blog = report.monitoring.targets.find((t) => t.target === 'blog')!;
    const previous = history.truth('blog').figures(DAY_START - DAY, DAY_START);
    const weekEarlier = history.truth('blog').figures(DAY_START - 7 * DAY, DAY_END - 7 * DAY);
    expect(blog.probes.previous).toBe(previous.probes);
    expect(blog.uptime.previous).toBe(1);
    expect(blog.uptime.weekEarlier).toBeCloseTo(weekEarlier.uptime, 12);
    // 2700 of 2880 against 2880 of 2880: -6.25 percentage points.
    expect(blog.uptime.vsPrevious).toBeCloseTo(-6.25, 9);
    expect(blog.meetsObjective).toBe(false);
    expect(report.monitoring.targets.find((t) => t.target === 'shop')!.meetsObjective).toBe(false);
  });

  it('lists the changes made in the day and charts 7 days of hourly figures per target', () => {
    expect(report.monitoring.changes.map((c) => c.title)).toEqual(['Serve images from the CDN']);
    expect(report.monitoring.trends.map((t) => t.target)).toEqual(['api', 'blog', 'shop']);
    const blog = report.monitoring.trends.find((t) => t.target === 'blog')!;
    expect(blog.uptime).toHaveLength(7 * 24);
    expect(blog.uptime.at(-1)!.t).toBe(DAY_END);
    expect(blog.objective).toBe(0.995);
    // The hour 14:00-15:00 UTC lies wholly in the outage: uptime 0 (a real zero, not a gap).
    expect(blog.uptime.find((p) => p.t === Date.UTC(2025, 0, 23, 15))!.value).toBe(0);
    expect(report.monitoring.trends.find((t) => t.target === 'api')!.latencyThresholdSeconds).toBe(1.5);
  });
});

/** The evaluation's samples from the ground truth: one per 60 s scrape interval, as documented. */
function truthSamples(windowStart: number, windowEnd: number) {
  const truth = history.truth('shop');
  const maintained = (s: number) => s >= MAINTENANCE.startMs && s < MAINTENANCE.endMs;
  const response: number[] = [];
  const availability: number[] = [];
  let excluded = 0;
  for (let a = windowStart; a + MINUTE <= windowEnd; a += MINUTE) {
    const b = a + MINUTE;
    if (maintained(a) || maintained(b)) {
      excluded += MINUTE;
      continue;
    }
    const probes = truth.between(a, b);
    if (probes.length === 0) continue;
    const ok = probes.filter((p) => p.success);
    availability.push(ok.length / probes.length);
    if (ok.length === probes.length) {
      response.push(probes.reduce((s, p) => s + p.durationSeconds, 0) / probes.length);
    }
  }
  return { response, availability, excluded };
}

describe('Evaluation', () => {
  it('finds the speed-up significant, from exactly the samples of equal 24 h windows, maintenance left out', () => {
    const evaluation = report.evaluation.changes.find((e) => e.change.title === 'Serve images from the CDN')!;
    expect(evaluation.target).toBe('shop');
    expect(evaluation.before).toEqual({ start: CHANGE - DAY, end: CHANGE });
    expect(evaluation.after).toEqual({ start: CHANGE, end: CHANGE + DAY });
    const before = truthSamples(CHANGE - DAY, CHANGE);
    const after = truthSamples(CHANGE, CHANGE + DAY);
    // The maintenance hour: 60 intervals inside it and the one ending at its first scrape.
    expect(evaluation.excludedMaintenanceMs).toBe(61 * MINUTE);
    expect(before.excluded + after.excluded).toBe(61 * MINUTE);

    const response = evaluation.metrics.find((m) => m.metric === 'response_time')!;
    const expected = compareBeforeAfter(before.response, after.response);
    expect(response.comparison.n1).toBe(before.response.length);
    expect(response.comparison.n2).toBe(after.response.length);
    // 1440 intervals less 61 in maintenance and 10 with the daily failure; 1440 less 10 after.
    expect([response.comparison.n1, response.comparison.n2]).toEqual([1369, 1430]);
    expect(response.comparison.medianBefore).toBeCloseTo(expected.medianBefore!, 12);
    expect(response.comparison.medianAfter).toBeCloseTo(expected.medianAfter!, 12);
    expect(response.comparison.p).toBeCloseTo(expected.p!, 12);
    expect(response.comparison.p).toBeLessThan(0.001);
    expect(response.comparison.verdict).toBe('improved');
    expect(response.comparison.effectMagnitude).toBe('large');
    expect(response.comparison.changeRatio).toBeCloseTo(-0.4, 1);
    expect(response.sentence).toMatch(
      /^response time improved: median \d+ ms → \d+ ms \(−4\d\.\d %\), p < 0\.001, large effect/,
    );

    // The outage inside maintenance is left out: 10 daily failures on each side, no change.
    const availability = evaluation.metrics.find((m) => m.metric === 'availability')!;
    expect(availability.comparison.n1).toBe(before.availability.length);
    expect(before.availability.filter((v) => v === 0)).toHaveLength(10);
    expect(after.availability.filter((v) => v === 0)).toHaveLength(10);
    expect(availability.comparison.verdict).toBe('no significant change');

    // One value per audit (every 15 min): 96 a side, the score up and the LCP down.
    const score = evaluation.metrics.find((m) => m.metric === 'lighthouse_performance')!;
    const lcp = evaluation.metrics.find((m) => m.metric === 'lcp')!;
    expect([score.comparison.n1, score.comparison.n2]).toEqual([92, 96]);
    expect(score.comparison.verdict).toBe('improved');
    expect(lcp.comparison.verdict).toBe('improved');
    expect(evaluation.verdict).toBe('improved');
  });

  it('lists incidents opened and resolved in the day with their durations', () => {
    const incidents = report.evaluation.incidents;
    expect(incidents.map((i) => `${i.alertname}/${i.target}`)).toEqual([
      'VantageTargetDown/blog',
      'VantageSlowResponse/api',
    ]);
    const [down, slow] = incidents;
    expect(down).toMatchObject({ openedInPeriod: true, resolvedInPeriod: true, openAtEnd: false });
    expect(down!.durationSeconds).toBe(90 * 60 + 30);
    // Still firing: counted up to the end of the day (20:00 to 23:00 UTC).
    expect(slow).toMatchObject({
      openedInPeriod: true,
      resolvedInPeriod: false,
      openAtEnd: true,
      endsAt: null,
    });
    expect(slow!.durationSeconds).toBe(3 * 3600);
  });

  it('evaluates a change without a target on every target', async () => {
    const day = await reportFor('2025-01-16');
    const evaluations = day.evaluation.changes.filter((e) => e.change.title === 'Upgrade the TLS library');
    expect(evaluations.map((e) => e.target)).toEqual(['api', 'blog', 'shop']);
    for (const target of ['blog', 'shop']) {
      const response = evaluations
        .find((e) => e.target === target)!
        .metrics.find((m) => m.metric === 'response_time')!;
      expect(response.comparison.verdict).toBe('no significant change');
      expect(response.comparison.n1).toBeGreaterThan(1300);
    }
    // api's 10 % a day drift is a real slow-down across the change, and the test sees it.
    const api = evaluations
      .find((e) => e.target === 'api')!
      .metrics.find((m) => m.metric === 'response_time')!;
    expect(api.comparison.verdict).toBe('regressed');
  });
});

describe('Learning', () => {
  it('finds the daily failure in the probe history and states the pattern', () => {
    const shop = report.learning.failurePatterns.filter((p) => p.target === 'shop');
    expect(shop[0]!.pattern).toMatchObject({ kind: 'hour-of-day', hour: 2 });
    expect(shop[0]!.sentence).toMatch(
      /^shop fails every day around 02:00 Europe\/Berlin \(on 14 of 1[45] days\)$/,
    );
    // blog's three outages fall at different hours: no pattern.
    expect(report.learning.failurePatterns.filter((p) => p.target === 'blog')).toEqual([]);
  });

  it('finds the recurring incident in the incident log', () => {
    expect(report.learning.recurringIncidents).toEqual([
      expect.objectContaining({ alertname: 'VantageTargetDown', target: 'blog', count: 3 }),
    ]);
    expect(report.learning.recurringIncidents[0]!.sentence).toMatch(
      /^VantageTargetDown fired 3 times on blog/,
    );
  });

  it('forecasts api crossing its latency threshold in about two days', () => {
    const api = report.learning.trends.find((t) => t.target === 'api' && t.figure === 'response_time')!;
    expect(api.status).toBe('will-cross');
    expect(api.threshold).toBe(1.5);
    // 0.5 s x (1 + 0.1 / day): 1.40 s at the day's end, 0.05 s a day, so 1.5 s about 2 days on
    // (6-hour means lag by 3 hours).
    expect(api.slopePerDay).toBeCloseTo(0.05, 2);
    expect(api.daysUntil!).toBeGreaterThan(1.8);
    expect(api.daysUntil!).toBeLessThan(2.4);
    expect(api.sentence).toMatch(
      /^api: response time \(1\.\d\d s, \+50 ms a day\) will cross 1\.50 s in 2\.\d days/,
    );
  });

  it('turns the top Lighthouse opportunities into recommendations with their savings', () => {
    expect(report.learning.recommendations).toEqual([
      expect.objectContaining({
        target: 'shop',
        audit: 'render-blocking-resources',
        savingsSeconds: 1.2,
        savingsBytes: null,
      }),
      expect.objectContaining({
        target: 'shop',
        audit: 'uses-optimized-images',
        savingsSeconds: 0.45,
        savingsBytes: 348_160,
      }),
      expect.objectContaining({
        target: 'shop',
        audit: 'unused-javascript',
        savingsSeconds: 0.3,
        savingsBytes: 120_000,
      }),
    ]);
    expect(report.learning.recommendations[0]!.title).toBe('Eliminate render-blocking resources');
  });

  it('lists the open problems to watch', () => {
    const kinds = report.learning.openProblems.map((p) => `${p.kind}/${p.target}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'incident-open/api',
        'objective-missed/blog',
        'objective-missed/shop',
        'recurring/blog',
        'recurring/shop',
        'trend/api',
      ]),
    );
    expect(report.summary.headline).toMatch(/^3 targets · uptime \d+\.\d\d % \(objective met on 1 of 3\)/);
  });
});

describe('no data and no Prometheus', () => {
  it('a day without data says so instead of inventing figures', async () => {
    const empty = await buildReport({
      prometheusUrl: prom.url,
      date: '2025-02-20',
      period: 'day',
      timeZone: 'UTC',
      store,
      now: Date.UTC(2025, 1, 21),
    });
    expect(empty.hasData).toBe(false);
    expect(empty.summary.headline).toMatch(
      /^No data: Prometheus at http:\/\/127\.0\.0\.1:\d+ holds no vantage probes/,
    );
    expect(empty.monitoring.overall.uptime.current).toBeNull();
    expect(empty.monitoring.overall.probes.current).toBeNull();
    expect(empty.monitoring.targets).toEqual([]);
    expect(empty.evaluation.changes).toEqual([]);
  });

  it('an unreachable Prometheus is an error naming it, not an empty report', async () => {
    const port = await freePort();
    await expect(
      buildReport({
        prometheusUrl: `http://127.0.0.1:${port}`,
        date: '2025-01-23',
        period: 'day',
        timeZone: 'UTC',
      }),
    ).rejects.toThrow(
      new RegExp(`^cannot reach Prometheus at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });
});

describe('weekly report', () => {
  it('counts the ISO week exactly', async () => {
    const week = await reportFor('2025-01-23', 'week');
    expect(week.period.label).toBe('2025-W04');
    const start = Date.UTC(2025, 0, 19, 23);
    const end = Date.UTC(2025, 0, 26, 23);
    for (const name of ['api', 'blog', 'shop']) {
      const truth = history.truth(name).figures(start, end);
      const figures = week.monitoring.targets.find((t) => t.target === name)!;
      expect(figures.probes.current).toBe(truth.probes);
      expect(Math.abs(figures.uptime.current! - truth.uptime)).toBeLessThan(UPTIME_TOLERANCE);
    }
  });
});

describe('vantage report (CLI)', () => {
  const CLI = join(import.meta.dirname, '../helpers/cliEntry.ts');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', CLI, 'report', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('writes the report in every format to --out', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vantage-report-out-'));
    try {
      const result = cli(
        `--prometheus.url=${prom.url}`,
        '--date=2025-01-23',
        `--timezone=${ZONE}`,
        `--storage.path=${storeDir}`,
        `--out=${out}`,
        '--evaluation.window=6h',
      );
      expect(result.stderr).toBe(`store: ${join(storeDir, 'vantage.db')}\n`);
      expect(result.status).toBe(0);
      expect((await readdir(out)).sort()).toEqual([
        'vantage-report-day-2025-01-23.html',
        'vantage-report-day-2025-01-23.json',
        'vantage-report-day-2025-01-23.md',
      ]);
      const json = JSON.parse(
        await readFile(join(out, 'vantage-report-day-2025-01-23.json'), 'utf8'),
      ) as Report;
      expect(json.monitoring.overall.probes.current).toBe(report.monitoring.overall.probes.current);
      expect(json.evaluation.changes[0]!.verdict).toBe('improved');
      expect(json.evaluation.changes[0]!.before).toEqual({ start: CHANGE - 6 * HOUR, end: CHANGE });
      expect(await readFile(join(out, 'vantage-report-day-2025-01-23.md'), 'utf8')).toContain(
        'Serve images from the CDN',
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('rejects bad flags naming them, and fails on an unreachable Prometheus', async () => {
    const badDate = cli(`--prometheus.url=${prom.url}`, '--date=2025-02-30');
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toContain('--date: no such date: "2025-02-30"');
    const badZone = cli(`--prometheus.url=${prom.url}`, '--timezone=Mars/Base');
    expect(badZone.status).toBe(2);
    expect(badZone.stderr).toContain('--timezone: unknown time zone "Mars/Base"');
    const longWindow = cli(`--prometheus.url=${prom.url}`, '--evaluation.window=8d');
    expect(longWindow.status).toBe(2);
    expect(longWindow.stderr).toContain('--evaluation.window: must be a duration above 0 and at most 7d');
    const noUrl = cli('--date=2025-01-23');
    expect(noUrl.status).toBe(2);
    expect(noUrl.stderr).toContain('--prometheus.url is required');
    const port = await freePort();
    const down = cli(
      `--prometheus.url=http://127.0.0.1:${port}`,
      '--date=2025-01-23',
      `--storage.path=${storeDir}`,
    );
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(down.stdout).toBe('');
  });
});
