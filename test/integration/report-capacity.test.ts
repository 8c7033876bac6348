/**
 * The report's Capacity part against a real Prometheus 2.42 holding three days of backfilled
 * series of known shape (test/helpers/syntheticSeries.ts), under the recording rules' names of
 * issue 18's contract, and a real store holding load tests:
 *
 * - web-1:9100 (named by shop in vantage.yml and by vantage_target_host_info): CPU 40 % with a
 *   30-minute spike to 85 % on the report day, memory 70 % rising, forecasts 62 % and 93 %;
 *   disks sda (20 %) and sdb (peak 55 %); "/" filling to full 12.5 days after the day's end,
 *   "/data" not filling;
 * - db-1:9100 (no target names it, Prometheus has its series): "/srv" full in 3 days, "/var" in
 *   40 days;
 * - cache-1:9100: node_exporter scraped (node_uname_info) but no capacity series;
 * - web-2:9100: named by shop in vantage.yml, no series at all;
 * - page views of shop (through vantage_rum_target_page_group_info): 20/s on two page groups,
 *   50/s on one for 40 minutes on the report day: peak 70 page views/s;
 * - api's traffic_query: 100 requests/s, 160/s for 40 minutes: peak 160 requests/s.
 *
 * Load tests: shop knee 224 (3.2× against 70 page views/s), a later shop run after the day
 * (not cited), api knee 200 (1.25×: a warning), blog without a knee, docs without any traffic
 * figure, broken with a traffic_query Prometheus rejects.
 *
 * shop's probes (test/helpers/syntheticHistory.ts) are there too, so the deploy is evaluated.
 *
 * The report is made by `vantage report` in-process with --config.file (the config's hosts and
 * traffic_query reach the part) in all three formats; the figures are checked in the JSON, their
 * presence in the Markdown and the HTML, and the load test changes are out of the Evaluation.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { reportCommand } from '../../src/report/reportCommand.js';
import type { NewLoadTest } from '../../src/store/loadTests.js';
import { Store } from '../../src/store/store.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory } from '../helpers/syntheticHistory.js';
import { syntheticSeries, type SeriesSpec } from '../helpers/syntheticSeries.js';
import { newLoadTest } from '../helpers/loadTestRecords.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 12);
const DAY_START = Date.UTC(2025, 0, 14);
const DAY_END = DAY_START + DAY;
const END = DAY_END + HOUR;
const SCRAPE_S = 120;
const SPIKE = { from: Date.UTC(2025, 0, 14, 9), to: Date.UTC(2025, 0, 14, 9, 30) };
const BURST = { from: Date.UTC(2025, 0, 14, 18), to: Date.UTC(2025, 0, 14, 18, 40) };
const ROOT_FULL_AT = DAY_END + 12.5 * DAY;

const inWindow = (t: number, w: { from: number; to: number }) => t >= w.from && t < w.to;
const node = (instance: string) => ({ instance, job: 'node' });
const gauge = (name: string, labels: Record<string, string>, value: (t: number) => number): SeriesSpec => ({
  name,
  type: 'gauge',
  labels,
  value,
});
/** A counter growing at rate(t) per second, integrated exactly over each scrape interval. */
function counter(name: string, labels: Record<string, string>, rate: (t: number) => number): SeriesSpec {
  const cache = new Map<number, number>();
  const value = (t: number): number => {
    if (t <= START) return 0;
    const hit = cache.get(t);
    if (hit !== undefined) return hit;
    const prev = t - SCRAPE_S * 1000;
    const v = value(prev) + rate(prev) * SCRAPE_S;
    cache.set(t, v);
    return v;
  };
  // Fill the cache in time order, so the recursion never runs deep.
  for (let t = START; t <= END; t += SCRAPE_S * 1000) value(t);
  return { name, type: 'counter', labels, value };
}
const fs = (instance: string, device: string, mountpoint: string) => ({
  ...node(instance),
  device,
  mountpoint,
  fstype: 'ext4',
});
const cpu = (t: number) => (inWindow(t, SPIKE) ? 0.85 : 0.4);
const memory = (t: number) => 0.7 + ((t - START) / DAY) * 0.01;
const sdb = (t: number) => (t === Date.UTC(2025, 0, 14, 15) ? 0.55 : 0.1);

const SERIES: SeriesSpec[] = [
  gauge('node_uname_info', { ...node('web-1:9100'), nodename: 'web-1' }, () => 1),
  gauge('node_uname_info', { ...node('db-1:9100'), nodename: 'db-1' }, () => 1),
  gauge('node_uname_info', { ...node('cache-1:9100'), nodename: 'cache-1' }, () => 1),
  gauge('vantage_target_host_info', { target: 'shop', host: 'web-1:9100', job: 'vantage' }, () => 1),
  gauge('instance:node_cpu_utilisation:rate5m', node('web-1:9100'), cpu),
  gauge('instance:node_cpu_utilisation:rate5m', node('db-1:9100'), () => 0.1),
  gauge('instance:node_cpu_utilisation:predict_linear30d', node('web-1:9100'), () => 0.62),
  gauge('instance:node_memory_utilisation:ratio', node('web-1:9100'), memory),
  gauge('instance:node_memory_utilisation:ratio', node('db-1:9100'), () => 0.3),
  gauge('instance:node_memory_utilisation:predict_linear30d', node('web-1:9100'), () => 0.93),
  gauge(
    'instance_device:node_disk_io_time_seconds:rate5m',
    { ...node('web-1:9100'), device: 'sda' },
    () => 0.2,
  ),
  gauge('instance_device:node_disk_io_time_seconds:rate5m', { ...node('web-1:9100'), device: 'sdb' }, sdb),
  gauge(
    'instance:node_filesystem_until_full_seconds:predict_linear7d',
    fs('web-1:9100', '/dev/sda1', '/'),
    (t) => (ROOT_FULL_AT - t) / 1000,
  ),
  gauge(
    'instance:node_filesystem_until_full_seconds:predict_linear7d',
    fs('web-1:9100', '/dev/sdb1', '/data'),
    () => Infinity,
  ),
  gauge(
    'instance:node_filesystem_until_full_seconds:predict_linear7d',
    fs('db-1:9100', '/dev/vdb', '/srv'),
    () => 3 * 86_400,
  ),
  gauge(
    'instance:node_filesystem_until_full_seconds:predict_linear7d',
    fs('db-1:9100', '/dev/vda', '/var'),
    () => 40 * 86_400,
  ),
  gauge('instance:node_filesystem_avail:ratio', fs('web-1:9100', '/dev/sda1', '/'), () => 0.12),
  gauge('instance:node_filesystem_avail:ratio', fs('db-1:9100', '/dev/vdb', '/srv'), () => 0.05),
  gauge(
    'vantage_rum_target_page_group_info',
    { target: 'shop', site: 'shop', page_group: 'home', job: 'vantage' },
    () => 1,
  ),
  counter(
    'rum_page_views_total',
    { site: 'shop', page_group: 'home', device: 'mobile', job: 'vantage' },
    (t) => (inWindow(t, BURST) ? 50 : 20),
  ),
  counter(
    'rum_page_views_total',
    { site: 'shop', page_group: 'product', device: 'desktop', job: 'vantage' },
    () => 20,
  ),
  counter('nginx_http_requests_total', { server: 'api', job: 'nginx' }, (t) =>
    inWindow(t, BURST) ? 160 : 100,
  ),
];

const CONFIG = `modules:
  http_2xx: {prober: http}
targets:
  - name: shop
    url: http://127.0.0.1:8080/
    hosts: [web-1:9100, web-2:9100]
  - name: api
    url: http://127.0.0.1:8081/
    traffic_query: 'sum(rate(nginx_http_requests_total{server="api"}[5m]))'
  - name: broken
    url: http://127.0.0.1:8082/
    traffic_query: 'sum(rate(nginx_http_requests_total[5m])'
`;

function run(target: string, finishedAt: number, knee: number | null): NewLoadTest {
  return newLoadTest(target, finishedAt, {
    startedAt: finishedAt - 5 * MINUTE,
    outcome: knee === null ? 'stopped_latency' : 'completed',
    stopReason: knee === null ? 'step 1 (10 requests/s): p95 1.9 s, above 3× the objective' : null,
    knee: knee === null ? null : { rate: knee, p95Seconds: 0.3 },
    params: {
      rateStart: 10,
      rateEnd: 500,
      steps: 10,
      stepDurationMs: 30_000,
      concurrency: 50,
      maxDurationMs: 600_000,
    },
  });
}

let prom: BackfilledPrometheus;
let dir: string;
let report: Report;
let md: string;
let html: string;
const ids: Record<string, { id: number; changeId: number | null }> = {};

beforeAll(async () => {
  // shop's probes too, so the report has Monitoring data and evaluates the deploy.
  const probes = generateHistory({
    startMs: START,
    endMs: END,
    seed: 4,
    targets: [{ name: 'shop', probeIntervalSeconds: 60, latency: { baseSeconds: 0.2, jitter: 0.05 } }],
  });
  const capacity = syntheticSeries({
    startMs: START,
    endMs: END,
    scrapeIntervalSeconds: SCRAPE_S,
    series: SERIES,
  });
  prom = await startBackfilledPrometheus({
    ...probes,
    openMetrics: (from, to) =>
      probes.openMetrics(from, to).replace(/# EOF\n$/, '') + capacity.openMetrics(from, to),
  });
  dir = await mkdtemp(join(tmpdir(), 'vantage-report-capacity-'));
  const store = Store.open(dir);
  const add = (key: string, r: NewLoadTest, at = r.startedAt) => {
    const stored = store.loadTests.add(r, {
      title: `Load test of ${r.target}: knee ${r.knee?.rate ?? 'none'}`,
      kind: 'load_test',
      target: r.target,
      at,
      description: null,
    });
    ids[key] = { id: stored.id, changeId: stored.changeId };
  };
  add('shop', run('shop', Date.UTC(2025, 0, 14, 10, 5), 224));
  add('shopLater', run('shop', DAY_END + 30 * MINUTE, 999));
  add('api', run('api', Date.UTC(2025, 0, 10, 8), 200));
  add('blog', run('blog', Date.UTC(2025, 0, 11, 8), null));
  add('docs', run('docs', Date.UTC(2025, 0, 13, 8), 50));
  add('broken', run('broken', Date.UTC(2025, 0, 13, 9), 80));
  store.changes.add({
    title: 'Deploy v2',
    kind: 'deploy',
    target: 'shop',
    at: Date.UTC(2025, 0, 14, 12),
    description: null,
  });
  store.close();
  await writeFile(join(dir, 'vantage.yml'), CONFIG);

  const warnings: string[] = [];
  const code = await reportCommand(
    {
      'prometheus.url': prom.url,
      date: '2025-01-14',
      period: 'day',
      timezone: 'UTC',
      'storage.path': dir,
      out: join(dir, 'out'),
      'config.file': join(dir, 'vantage.yml'),
    },
    { write: () => undefined, warn: (t) => warnings.push(t) },
  );
  expect(code, warnings.join('')).toBe(0);
  const file = (ext: string) => readFile(join(dir, 'out', `vantage-report-day-2025-01-14.${ext}`), 'utf8');
  report = JSON.parse(await file('json')) as Report;
  md = await file('md');
  html = await file('html');
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The samples of f at the scrapes inside the period, (start, end], as the report's range reads them. */
function periodSamples(f: (t: number) => number): number[] {
  const out: number[] = [];
  for (let t = START; t <= END; t += SCRAPE_S * 1000) if (t > DAY_START && t <= DAY_END) out.push(f(t));
  return out;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the Capacity part', () => {
  it('lists every named host and every host with series, with saturation and forecasts', () => {
    const c = report.monitoring.capacity;
    expect(c.hosts.map((h) => h.host)).toEqual(['db-1:9100', 'web-1:9100', 'web-2:9100']);
    const web1 = c.hosts.find((h) => h.host === 'web-1:9100')!;
    expect(web1.targets).toEqual(['shop']);
    expect(web1.cpu.mean).toBeCloseTo(mean(periodSamples(cpu)), 6);
    expect(web1.cpu.peak).toBeCloseTo(0.85, 10);
    expect(web1.cpu.forecast30d).toBeCloseTo(0.62, 10);
    expect(web1.memory.mean).toBeCloseTo(mean(periodSamples(memory)), 6);
    expect(web1.memory.peak).toBeCloseTo(memory(DAY_END), 6);
    expect(web1.memory.forecast30d).toBeCloseTo(0.93, 10);
    expect(web1.diskIo).toEqual({ peak: 0.55, device: 'sdb' });
    const web2 = c.hosts.find((h) => h.host === 'web-2:9100')!;
    expect(web2).toMatchObject({ hasSeries: false, targets: ['shop'], cpu: { mean: null } });
    expect(c.hosts.find((h) => h.host === 'db-1:9100')!.targets).toEqual([]);
    expect(c.hostsWithoutRules).toEqual(['cache-1:9100']);
    expect(c.trends.map((t) => t.host).sort()).toEqual(['db-1:9100', 'web-1:9100']);
    const spikeHour = c.trends
      .find((t) => t.host === 'web-1:9100')!
      .cpu.find((p) => p.t === SPIKE.from + HOUR)!;
    // avg_over_time(...[1h]) at 10:00 reads 09:00 to 10:00, both ends (Prometheus 2.42): the
    // 15 samples of the spike at 85 %, 16 at 40 %.
    expect(spikeHour.value).toBeCloseTo((15 * 0.85 + 16 * 0.4) / 31, 6);
  });

  it('lists the filesystems that fill within 30 days, most urgent first, with the days left', () => {
    const f = report.monitoring.capacity.filesystems;
    expect(f.map((x) => `${x.host} ${x.mountpoint}`)).toEqual(['db-1:9100 /srv', 'web-1:9100 /']);
    expect(f[0]!.secondsUntilFull / 86_400).toBeCloseTo(3, 6);
    expect(f[0]!.availableRatio).toBeCloseTo(0.05, 10);
    // The forecast's last sample lies at or before the period's end: 12.5 days, at most a scrape more.
    const rootDays = f[1]!.secondsUntilFull / 86_400;
    expect(rootDays).toBeGreaterThanOrEqual(12.5);
    expect(rootDays).toBeLessThanOrEqual(12.5 + SCRAPE_S / 86_400);
    expect(f[1]!.sentence).toMatch(
      /^web-1:9100 \/ \(\/dev\/sda1\) fills in 12\.5 days at the 7-day trend \(around 2025-01-27\); 12\.00 % free now\.$/,
    );
  });

  it('gives each load-tested target its headroom from the field data or its traffic_query', () => {
    const byTarget = new Map(report.monitoring.capacity.headroom.map((h) => [h.target, h]));
    expect([...byTarget.keys()]).toEqual(['api', 'blog', 'broken', 'docs', 'shop']);
    const shop = byTarget.get('shop')!;
    expect(shop.loadTest.id).toBe(ids.shop!.id); // the run after the period's end is not cited
    expect(shop.loadTest.changeId).toBe(ids.shop!.changeId);
    expect(shop.traffic).toMatchObject({ source: 'field', unit: 'page_views_per_second', sites: ['shop'] });
    expect(shop.traffic!.perSecond).toBeCloseTo(70, 6);
    expect(shop.ratio!.toFixed(2)).toBe('3.20');
    expect(shop.status).toBe('ample');
    expect(shop.sentence).toContain(
      "shop can take 3.2× the day's peak of 70 page views/s (field data of shop)",
    );

    const api = byTarget.get('api')!;
    expect(api.traffic).toMatchObject({ source: 'traffic_query', unit: 'requests_per_second' });
    expect(api.traffic!.perSecond).toBeCloseTo(160, 6);
    expect(api.ratio!.toFixed(2)).toBe('1.25');
    expect(api.status).toBe('low');
    expect(api.sentence).toMatch(/^Warning: api can take only 1\.3×/);
    expect(byTarget.get('blog')).toMatchObject({ status: 'no-knee', ratio: null, traffic: null });
    expect(byTarget.get('docs')).toMatchObject({ status: 'no-traffic', ratio: null });
    expect(byTarget.get('docs')!.sentence).toContain('set traffic_query');
    expect(byTarget.get('broken')!.status).toBe('no-traffic');
    expect(byTarget.get('broken')!.trafficNote).toMatch(
      /^traffic_query failed: Prometheus at .* rejected the query/,
    );
  });

  it('lists the load tests of the period there and keeps them out of the Evaluation', () => {
    const loadTests = report.monitoring.capacity.loadTests;
    expect(loadTests.map((l) => l.change.id)).toEqual([ids.shop!.changeId]);
    expect(loadTests[0]!.run?.id).toBe(ids.shop!.id);
    expect(report.monitoring.changes.map((c) => c.kind)).toEqual(['load_test', 'deploy']);
    expect(report.evaluation.changes.map((e) => e.change.title)).toEqual(['Deploy v2']);
    expect(report.evaluation.field.every((e) => e.change.kind !== 'load_test')).toBe(true);
    expect(report.summary.headline).toContain('1 change · 1 load test');
    const problems = report.learning.openProblems.filter((p) => p.kind === 'capacity').map((p) => p.sentence);
    expect(problems).toHaveLength(3); // two filesystems and api's low headroom
    expect(problems.some((p) => p.startsWith('Warning: api'))).toBe(true);
  });

  it('shows the same figures in Markdown and HTML', () => {
    expect(md).toContain('### Capacity');
    expect(md).toContain('| web-1:9100 | shop |');
    expect(md).toContain('| 62.0 % | ');
    expect(md).toContain('93.0 % ✗');
    expect(md).toContain('55.0 % (sdb)');
    expect(md).toContain('| db-1:9100 | /srv | /dev/vdb | 3.0 days | 2025-01-18 | 5.0 % |');
    expect(md).toContain(
      '| shop | 224 requests/s (p95 300 ms) | 70 page views/s | field data of shop | 3.2× |',
    );
    expect(md).toContain('| api | 200 requests/s (p95 300 ms) | 160 requests/s | traffic\\_query | 1.3× ⚠ |');
    expect(md).toContain('cache-1:9100 but holds none of the capacity recording rules');
    expect(md).toContain('(load test, not evaluated, shop)');
    // Among the open problems, a filesystem names no target; a low headroom does.
    expect(md).toContain('5.00 % free now. _(capacity)_');
    expect(md).toMatch(/make it faster\. _\(capacity, api\)_/);
    expect(html).toContain('aria-label="Capacity"');
    expect(html).toContain('<td class="num">3.0 days</td>');
    expect(html).toContain('3.2×');
    expect(html).toContain('c-host-0-cpu-title');
  });
});
