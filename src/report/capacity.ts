/**
 * The report's Capacity part for a period [start, end): per host, CPU and memory utilisation
 * (mean and peak over the period, the 30-day forecast at its end) and the busiest disk's I/O
 * peak; the filesystems that fill within 30 days; each load-tested target's headroom (its last
 * knee against the period's peak traffic); the load tests recorded in the period.
 *
 * Host figures come from the capacity recording rules (prometheus/rules/vantage-capacity.rules.yml,
 * the names fixed in issue 18's contract), not from node_exporter's raw counters: the rules are
 * node-mixin's arithmetic, done once, and the forecasts only exist as rules. A Prometheus that
 * scrapes node_exporter (node_uname_info) without the rules is named in `hostsWithoutRules`
 * instead of being shown as idle hosts.
 *
 * Hosts: every host a target names (config `hosts`, and vantage_target_host_info in the period,
 * so a report made without the config still joins targets and hosts) and every host with
 * capacity series in the period (a database server no target names still runs out of disk).
 *
 * Traffic for the headroom: the highest 5-minute rate in the period, evaluated every minute
 * (a subquery). From field data when the target's sites (vantage_rum_target_page_group_info)
 * counted page views in the period, else from the target's `traffic_query`; the pure part and
 * the wording are in capacityFigures.ts.
 */
import type { TargetConfig } from '../config/schema.js';
import type { LoadTestRecord } from '../store/loadTests.js';
import type { Store } from '../store/store.js';
import type { PeriodKind } from '../time/period.js';
import {
  CITED_LOAD_TEST_FIELDS,
  FORECAST_HORIZON_DAYS,
  describeHeadroom,
  fillingFilesystems,
  headroomOf,
  loadTestAgeDays,
  type CapacityMonitoring,
  type HostCapacity,
  type HostTrend,
  type LoadTestCitation,
  type PeakTraffic,
  type TargetHeadroom,
  type UtilisationFigures,
} from './capacityFigures.js';
import { CHART_STEP_MS, chartHours, hourlyPoints } from './chartHours.js';
import type { ReportChange, SeriesPoint } from './model.js';
import { PrometheusError, type InstantSample, type PrometheusClient } from './prometheusClient.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far before the period's end a forecast sample may lie and still count as "at the end". */
const AT_END_LOOKBACK = '15m';
/** The rate window and the evaluation step of the peak-traffic subquery. */
const PEAK_RATE_WINDOW = '5m';
const PEAK_STEP = '1m';
/** Hosts in the table at most; beyond, the busiest are kept and the rest counted. */
export const MAX_HOST_ROWS = 100;
/** Hosts charted at most (the busiest), two charts each. */
export const MAX_HOST_CHARTS = 6;
/** Load tests read from the store for one period: far beyond what anyone runs in a month. */
const LOAD_TEST_READ_LIMIT = 1000;

/** The recording rules' names (issue 18's contract). */
export const CAPACITY_SERIES = {
  cpu: 'instance:node_cpu_utilisation:rate5m',
  cpuForecast: 'instance:node_cpu_utilisation:predict_linear30d',
  memory: 'instance:node_memory_utilisation:ratio',
  memoryForecast: 'instance:node_memory_utilisation:predict_linear30d',
  diskIo: 'instance_device:node_disk_io_time_seconds:rate5m',
  filesystemAvailable: 'instance:node_filesystem_avail:ratio',
  filesystemUntilFull: 'instance:node_filesystem_until_full_seconds:predict_linear7d',
} as const;

/** What the report knows of a target from vantage.yml (none of it when made without the config). */
export interface CapacityTarget {
  name: string;
  hosts: readonly string[];
  trafficQuery?: string;
}

/** The capacity keys of vantage.yml's targets, as the report takes them. */
export function capacityTargetsOf(targets: readonly TargetConfig[]): CapacityTarget[] {
  return targets.map((t) => ({ name: t.name, hosts: t.hosts, trafficQuery: t.traffic_query }));
}

export interface CapacityOptions {
  period: { start: number; end: number };
  kind: PeriodKind;
  timeZone: string;
  targets: readonly CapacityTarget[];
  store: Store | null;
  /** The period's changes (report.ts reads them once): those of kind load_test are listed here. */
  changes: readonly ReportChange[];
}

const quote = (text: string): string => JSON.stringify(text);

/** `{label=~"a|b"}` matching the values literally. */
function anyOf(label: string, values: readonly string[]): string {
  const alternatives = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return `{${label}=~${quote(alternatives)}}`;
}

function byLabel(samples: readonly InstantSample[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const key = s.metric[label];
    if (key !== undefined && Number.isFinite(s.value)) out.set(key, s.value);
  }
  return out;
}

function citation(run: LoadTestRecord): LoadTestCitation {
  return Object.fromEntries(CITED_LOAD_TEST_FIELDS.map((k) => [k, run[k]])) as LoadTestCitation;
}

export async function capacityMonitoring(
  client: PrometheusClient,
  options: CapacityOptions,
): Promise<CapacityMonitoring> {
  const { start, end } = options.period;
  const inside = `[${end - start - 1}ms]`;
  const atEnd = (metric: string, by: string) =>
    `max by (${by}) (last_over_time(${metric}[${AT_END_LOOKBACK}]))`;
  const s = CAPACITY_SERIES;
  const [
    hostInfo,
    nodeHosts,
    cpuMean,
    cpuPeak,
    cpuForecast,
    memMean,
    memPeak,
    memForecast,
    disk,
    untilFull,
    available,
  ] = await Promise.all([
    client.query(`group by (target, host) (last_over_time(vantage_target_host_info${inside}))`, end),
    client.query(`group by (instance) (last_over_time(node_uname_info${inside}))`, end),
    client.query(`avg by (instance) (avg_over_time(${s.cpu}${inside}))`, end),
    client.query(`max by (instance) (max_over_time(${s.cpu}${inside}))`, end),
    client.query(atEnd(s.cpuForecast, 'instance'), end),
    client.query(`avg by (instance) (avg_over_time(${s.memory}${inside}))`, end),
    client.query(`max by (instance) (max_over_time(${s.memory}${inside}))`, end),
    client.query(atEnd(s.memoryForecast, 'instance'), end),
    client.query(`max by (instance, device) (max_over_time(${s.diskIo}${inside}))`, end),
    client.query(atEnd(s.filesystemUntilFull, 'instance, device, mountpoint, fstype'), end),
    client.query(atEnd(s.filesystemAvailable, 'instance, device, mountpoint, fstype'), end),
  ]);

  // Which targets name which host: the config's lists and what vantage exported in the period.
  const targetsOf = new Map<string, Set<string>>();
  const name = (host: string, target: string) => {
    let set = targetsOf.get(host);
    if (!set) targetsOf.set(host, (set = new Set()));
    set.add(target);
  };
  for (const t of options.targets) for (const host of t.hosts) name(host, t.name);
  for (const x of hostInfo)
    if (x.metric.host !== undefined && x.metric.target !== undefined) name(x.metric.host, x.metric.target);

  const series = {
    cpuMean: byLabel(cpuMean, 'instance'),
    cpuPeak: byLabel(cpuPeak, 'instance'),
    cpuForecast: byLabel(cpuForecast, 'instance'),
    memMean: byLabel(memMean, 'instance'),
    memPeak: byLabel(memPeak, 'instance'),
    memForecast: byLabel(memForecast, 'instance'),
  };
  const busiestDisk = new Map<string, { peak: number; device: string | null }>();
  for (const d of disk) {
    const host = d.metric.instance;
    if (host === undefined || !Number.isFinite(d.value)) continue;
    const seen = busiestDisk.get(host);
    if (!seen || d.value > seen.peak)
      busiestDisk.set(host, { peak: d.value, device: d.metric.device ?? null });
  }
  const withSeries = new Set<string>([
    ...Object.values(series).flatMap((m) => [...m.keys()]),
    ...busiestDisk.keys(),
  ]);
  const figures =
    (mean: Map<string, number>, peak: Map<string, number>, forecast: Map<string, number>) =>
    (host: string): UtilisationFigures => ({
      mean: mean.get(host) ?? null,
      peak: peak.get(host) ?? null,
      forecast30d: forecast.get(host) ?? null,
    });
  const cpuOf = figures(series.cpuMean, series.cpuPeak, series.cpuForecast);
  const memOf = figures(series.memMean, series.memPeak, series.memForecast);
  let hosts: HostCapacity[] = [...new Set([...targetsOf.keys(), ...withSeries])].map((host) => ({
    host,
    targets: [...(targetsOf.get(host) ?? [])].sort(),
    cpu: cpuOf(host),
    memory: memOf(host),
    diskIo: busiestDisk.get(host) ?? { peak: null, device: null },
    hasSeries: withSeries.has(host),
  }));
  const load = (h: HostCapacity) => Math.max(h.cpu.peak ?? -1, h.memory.peak ?? -1, h.diskIo.peak ?? -1);
  const busiestFirst = [...hosts].sort((a, b) => load(b) - load(a) || compare(a.host, b.host));
  const hostsLeftOut = Math.max(0, hosts.length - MAX_HOST_ROWS);
  if (hostsLeftOut > 0) {
    const kept = new Set(busiestFirst.slice(0, MAX_HOST_ROWS).map((h) => h.host));
    hosts = hosts.filter((h) => kept.has(h.host));
  }
  hosts.sort((a, b) => compare(a.host, b.host));
  const hostsWithoutRules = nodeHosts
    .map((x) => x.metric.instance)
    .filter((h): h is string => h !== undefined && !withSeries.has(h))
    .sort(compare);

  const availableOf = new Map(
    available.map((a) => [fsKey(a.metric), Number.isFinite(a.value) ? a.value : null] as const),
  );
  const filesystems = fillingFilesystems(
    untilFull
      .filter((f) => f.metric.instance !== undefined)
      .map((f) => ({
        host: f.metric.instance!,
        device: f.metric.device ?? '',
        mountpoint: f.metric.mountpoint ?? '',
        fstype: f.metric.fstype ?? '',
        secondsUntilFull: f.value,
        availableRatio: availableOf.get(fsKey(f.metric)) ?? null,
      })),
    end,
    options.timeZone,
  );

  const charted = busiestFirst.filter((h) => h.hasSeries).slice(0, MAX_HOST_CHARTS);
  const [trends, headroom] = await Promise.all([
    hostTrends(client, charted, end),
    targetHeadroom(client, options),
  ]);
  return {
    horizonDays: FORECAST_HORIZON_DAYS,
    hosts,
    hostsLeftOut,
    filesystems,
    headroom,
    loadTests: loadTestsInPeriod(options),
    trends,
    hostsWithoutRules,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fsKey(m: Record<string, string>): string {
  return JSON.stringify([m.instance, m.device, m.mountpoint, m.fstype]);
}

/** Hourly CPU and memory utilisation of `hosts` over the 7 days up to `end`. */
async function hostTrends(
  client: PrometheusClient,
  hosts: readonly HostCapacity[],
  end: number,
): Promise<HostTrend[]> {
  if (hosts.length === 0) return [];
  const { start, steps } = chartHours(end);
  const sel = anyOf(
    'instance',
    hosts.map((h) => h.host),
  );
  const hourly = (metric: string) => `max by (instance) (avg_over_time(${metric}${sel}[1h]))`;
  const [cpu, memory] = await Promise.all([
    client.queryRange(hourly(CAPACITY_SERIES.cpu), start, end, CHART_STEP_MS),
    client.queryRange(hourly(CAPACITY_SERIES.memory), start, end, CHART_STEP_MS),
  ]);
  const points = (series: typeof cpu, host: string): SeriesPoint[] =>
    hourlyPoints(steps, series.find((x) => x.metric.instance === host)?.samples);
  return hosts.map((h) => ({
    host: h.host,
    cpu: points(cpu, h.host),
    memory: points(memory, h.host),
    cpuForecast30d: h.cpu.forecast30d,
    memoryForecast30d: h.memory.forecast30d,
  }));
}

/** Each load-tested target's last run by the period's end, against the period's peak traffic. */
async function targetHeadroom(client: PrometheusClient, options: CapacityOptions): Promise<TargetHeadroom[]> {
  const store = options.store;
  if (!store) return [];
  const { start, end } = options.period;
  // latestPerTarget names every target ever load-tested; the run cited is the last one finished
  // at or before the period's end (`until` is exclusive).
  const runs = store.loadTests
    .latestPerTarget()
    .map((latest) => store.loadTests.list({ target: latest.target, until: end + 1, limit: 1 })[0])
    .filter((run): run is LoadTestRecord => run !== undefined)
    .sort((a, b) => compare(a.target, b.target));
  const out: TargetHeadroom[] = [];
  for (const run of runs) {
    const config = options.targets.find((t) => t.name === run.target);
    const loadTest = citation(run);
    const { traffic, note } =
      run.knee === null
        ? { traffic: null, note: null }
        : await peakTraffic(client, run.target, config?.trafficQuery, { start, end });
    const { ratio, status } = headroomOf(run.knee?.rate ?? null, traffic?.perSecond ?? null);
    const entry = {
      target: run.target,
      loadTest,
      traffic,
      trafficNote: note,
      ratio,
      status,
      loadTestAgeDays: loadTestAgeDays(run.finishedAt, end),
    };
    out.push({ ...entry, sentence: describeHeadroom(entry, options.kind, options.timeZone) });
  }
  return out;
}

/**
 * The period's highest 5-minute traffic rate of a target: field page views of its sites when
 * they counted any, else its traffic_query; with a note saying why there is none.
 */
async function peakTraffic(
  client: PrometheusClient,
  target: string,
  trafficQuery: string | undefined,
  period: { start: number; end: number },
): Promise<{ traffic: PeakTraffic | null; note: string | null }> {
  const { start, end } = period;
  const inside = `[${end - start - 1}ms]`;
  const peakOf = (expr: string) => `max_over_time((${expr})${inside.replace(']', `:${PEAK_STEP}]`)})`;
  const sites = (
    await client.query(
      `group by (site) (last_over_time(vantage_rum_target_page_group_info{target=${quote(target)}}${inside}))`,
      end,
    )
  )
    .map((x) => x.metric.site)
    .filter((x): x is string => x !== undefined)
    .sort(compare);
  if (sites.length > 0) {
    const peak = await client.query(
      peakOf(`sum(rate(rum_page_views_total${anyOf('site', sites)}[${PEAK_RATE_WINDOW}]))`),
      end,
    );
    const value = peak[0]?.value;
    if (value !== undefined && Number.isFinite(value) && value > 0) {
      return {
        traffic: { source: 'field', unit: 'page_views_per_second', perSecond: value, sites, query: null },
        note: null,
      };
    }
  }
  const noField =
    sites.length > 0
      ? `${sites.join(', ')} counted no page views in the period`
      : 'no field data joins the target (vantage_rum_target_page_group_info)';
  if (trafficQuery === undefined) {
    return { traffic: null, note: `${noField}; set traffic_query on the target in vantage.yml.` };
  }
  let peak: InstantSample[];
  try {
    peak = await client.query(peakOf(`sum(${trafficQuery})`), end);
  } catch (err) {
    // The user's PromQL is the likely culprit: one target's headroom says so, the report goes on.
    if (err instanceof PrometheusError)
      return { traffic: null, note: `traffic_query failed: ${err.message}` };
    throw err;
  }
  const value = peak[0]?.value;
  if (value === undefined || !Number.isFinite(value)) {
    return { traffic: null, note: `${noField}, and traffic_query returned no series in the period.` };
  }
  return {
    traffic: {
      source: 'traffic_query',
      unit: 'requests_per_second',
      perSecond: value,
      sites: [],
      query: trafficQuery,
    },
    note: null,
  };
}

/** The period's changes of kind load_test, with their runs where the store has them. */
function loadTestsInPeriod(options: CapacityOptions): CapacityMonitoring['loadTests'] {
  const changes = options.changes.filter((c) => c.kind === 'load_test');
  if (changes.length === 0) return [];
  const runs = options.store
    ? // A run's change may be dated at its start and the run end after the period: a day either side.
      options.store.loadTests.list({
        since: options.period.start - DAY,
        until: options.period.end + DAY,
        limit: LOAD_TEST_READ_LIMIT,
      })
    : [];
  return changes.map((change) => {
    const run = runs.find((r) => r.changeId === change.id);
    return { change, run: run ? citation(run) : null };
  });
}
