/**
 * The arithmetic and the words of the report's Capacity part, pure: which filesystems fill
 * within the forecast horizon, a load-tested target's headroom (its knee against the peak
 * traffic of the period) and the sentences the JSON, the Markdown and the HTML share.
 * capacity.ts reads the figures from Prometheus and the store and calls these.
 *
 * Headroom = knee / peak: the knee is the highest request rate at which the last load test kept
 * p95 under the target's latency objective and errors under 1 % (src/store/loadTests.ts); the peak
 * is the highest 5-minute rate of the target's traffic in the period. "3.2×" means the target
 * could take 3.2 times the period's peak before breaking its objective, as far as the load test
 * saw. Below LOW_HEADROOM a growth spurt or a marketing mail reaches the knee: a warning; below 1
 * the peak was already past the knee.
 *
 * The peak comes from field data (page views/s) or from the target's `traffic_query`
 * (requests/s). A page view is not a request: it is one request for the page's document plus its
 * assets and API calls, and only visitors whose browsers send beacons are counted. The report
 * compares page views/s with the knee's requests/s one to one and labels the unit everywhere, so
 * the ratio reads as an upper bound when the peak is in page views.
 */
import { formatDays, formatMultiple, formatRate, formatRatio, formatSeconds } from '../format/index.js';
import type { LoadTestRecord } from '../store/loadTests.js';
import type { ReportChange, SeriesPoint } from './model.js';
import { formatDate } from './render/format.js';

/** Forecasts look this far ahead: the contract's predict_linear30d series and the filesystem cut-off. */
export const FORECAST_HORIZON_DAYS = 30;
/** Headroom below this is a warning: 1.5× is a traffic spike or a season's growth away. */
export const LOW_HEADROOM = 1.5;
/** A knee measured longer ago than this is flagged: the code and the hosts have changed since. */
export const STALE_LOAD_TEST_DAYS = 90;

const DAY_MS = 86_400_000;

/** A utilisation ratio (0..1) over the period and its forecast at the period's end. */
export interface UtilisationFigures {
  /** Mean of the recorded 5-minute utilisation over the period; null without series. */
  mean: number | null;
  /** Highest recorded 5-minute utilisation in the period. */
  peak: number | null;
  /** The predict_linear30d series at the period's end: the utilisation 30 days on at the 7-day trend. */
  forecast30d: number | null;
}

export interface HostCapacity {
  /** node_exporter's host:port, the node series' `instance`. */
  host: string;
  /** Targets that name the host (config `hosts`, vantage_target_host_info), by name. */
  targets: string[];
  cpu: UtilisationFigures;
  memory: UtilisationFigures;
  /** The busiest disk's peak I/O utilisation (time busy per second, 0..1) and its device. */
  diskIo: { peak: number | null; device: string | null };
  /** False when Prometheus holds no capacity series of the host in the period: every figure is null. */
  hasSeries: boolean;
}

export interface FillingFilesystem {
  host: string;
  device: string;
  mountpoint: string;
  fstype: string;
  /** Seconds until full at the 7-day linear trend, at the period's end; 0 when already full. */
  secondsUntilFull: number;
  /** When it fills at that trend, Unix ms. */
  fullAt: number;
  /** Free space / size at the period's end, 0..1; null without the series. */
  availableRatio: number | null;
  /** "web-1:9100 /var (/dev/sda2) fills in 12.3 days at the 7-day trend (around 2025-01-26); 18.00 % free now." */
  sentence: string;
}

/** The fields of a stored load test (src/store/loadTests.ts) the report cites: the run without its steps. */
export const CITED_LOAD_TEST_FIELDS = [
  'id',
  'changeId',
  'url',
  'startedAt',
  'finishedAt',
  'outcome',
  'stopReason',
  'sloLatencySeconds',
  'knee',
] as const satisfies readonly (keyof LoadTestRecord)[];

/** The stored load test a headroom rests on, cited by its ids (knee null: even the first step missed). */
export type LoadTestCitation = Pick<LoadTestRecord, (typeof CITED_LOAD_TEST_FIELDS)[number]>;

export type TrafficUnit = 'page_views_per_second' | 'requests_per_second';

export interface PeakTraffic {
  /** Field data (rum_page_views_total of the target's sites) or the target's traffic_query. */
  source: 'field' | 'traffic_query';
  unit: TrafficUnit;
  /** The highest 5-minute rate in the period. */
  perSecond: number;
  /** The field-data sites counted (source field). */
  sites: string[];
  /** The PromQL asked (source traffic_query). */
  query: string | null;
}

export type HeadroomStatus =
  /** knee / peak >= LOW_HEADROOM */
  | 'ample'
  /** 1 <= knee / peak < LOW_HEADROOM */
  | 'low'
  /** the peak was above the knee */
  | 'exceeded'
  /** no traffic at all in the period: nothing to compare */
  | 'idle'
  /** the load test found no knee (the first step already missed) */
  | 'no-knee'
  /** no traffic figure: no field data and no (working) traffic_query */
  | 'no-traffic';

export interface TargetHeadroom {
  target: string;
  loadTest: LoadTestCitation;
  /** Null when no traffic figure could be had (see trafficNote). */
  traffic: PeakTraffic | null;
  /** Why there is no traffic figure, or what failed ("traffic_query failed: ..."); null with one. */
  trafficNote: string | null;
  /** knee / peak; null without a knee, without traffic, or with a zero peak. */
  ratio: number | null;
  status: HeadroomStatus;
  /** Days between the load test and the period's end. */
  loadTestAgeDays: number;
  /** "shop can take 3.2× the day's peak: ...". */
  sentence: string;
}

/** A load test recorded in the period: its change log entry, and the run when the store has it. */
export interface LoadTestChange {
  change: ReportChange;
  run: LoadTestCitation | null;
}

/** One host's hourly utilisation over the 7 days up to the period's end, for the charts. */
export interface HostTrend {
  host: string;
  cpu: SeriesPoint[];
  memory: SeriesPoint[];
  cpuForecast30d: number | null;
  memoryForecast30d: number | null;
}

export interface CapacityMonitoring {
  /** FORECAST_HORIZON_DAYS, said in the data so a reader of the JSON knows the cut-off. */
  horizonDays: number;
  /** Every host a target names and every host with capacity series in the period, by name. */
  hosts: HostCapacity[];
  /** Hosts beyond the table's cap, left out (the busiest are kept). */
  hostsLeftOut: number;
  /** Filesystems that fill within horizonDays, most urgent first. */
  filesystems: FillingFilesystem[];
  /** Load-tested targets (last run finished by the period's end), by name. */
  headroom: TargetHeadroom[];
  /** Load tests recorded in the period (not evaluated as site changes), oldest first. */
  loadTests: LoadTestChange[];
  /** Charts of the busiest hosts. */
  trends: HostTrend[];
  /**
   * Hosts whose node_exporter Prometheus scrapes but for which it holds no capacity series:
   * the recording rules (prometheus/rules/vantage-capacity.rules.yml) are not loaded there.
   */
  hostsWithoutRules: string[];
}

/** What capacity.ts reads of one filesystem's forecast series. */
export interface FilesystemForecast {
  host: string;
  device: string;
  mountpoint: string;
  fstype: string;
  /** instance:node_filesystem_until_full_seconds:predict_linear7d at the period's end (may be +Inf, NaN). */
  secondsUntilFull: number;
  availableRatio: number | null;
}

/**
 * The filesystems that fill within `horizonDays` of `end`, most urgent first (then by host and
 * mount point). +Inf and NaN (not filling) are left out; a forecast at or below zero (the trend
 * says it is full already) counts as 0 seconds.
 */
export function fillingFilesystems(
  forecasts: readonly FilesystemForecast[],
  end: number,
  timeZone: string,
  horizonDays = FORECAST_HORIZON_DAYS,
): FillingFilesystem[] {
  const horizon = horizonDays * 86_400;
  return forecasts
    .filter((f) => Number.isFinite(f.secondsUntilFull) && f.secondsUntilFull < horizon)
    .map((f) => {
      const secondsUntilFull = Math.max(0, f.secondsUntilFull);
      const fs = {
        host: f.host,
        device: f.device,
        mountpoint: f.mountpoint,
        fstype: f.fstype,
        secondsUntilFull,
        fullAt: end + secondsUntilFull * 1000,
        availableRatio: f.availableRatio,
      };
      return { ...fs, sentence: describeFillingFilesystem(fs, timeZone) };
    })
    .sort(
      (a, b) =>
        a.secondsUntilFull - b.secondsUntilFull ||
        compareText(a.host, b.host) ||
        compareText(a.mountpoint, b.mountpoint),
    );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function describeFillingFilesystem(fs: Omit<FillingFilesystem, 'sentence'>, timeZone: string): string {
  const where = `${fs.host} ${fs.mountpoint} (${fs.device})`;
  const free = fs.availableRatio === null ? '' : `; ${formatRatio(fs.availableRatio)} free now`;
  if (fs.secondsUntilFull <= 0) return `${where} is full at its 7-day trend${free}.`;
  return (
    `${where} fills in ${formatDays(fs.secondsUntilFull / 86_400)} at the 7-day trend ` +
    `(around ${formatDate(fs.fullAt, timeZone)})${free}.`
  );
}

/** The ratio and its reading, from the knee and the peak. */
export function headroomOf(
  kneeRate: number | null,
  peak: number | null,
): { ratio: number | null; status: HeadroomStatus } {
  if (kneeRate === null) return { ratio: null, status: 'no-knee' };
  if (peak === null || !Number.isFinite(peak)) return { ratio: null, status: 'no-traffic' };
  if (peak <= 0) return { ratio: null, status: 'idle' };
  const ratio = kneeRate / peak;
  return { ratio, status: ratio < 1 ? 'exceeded' : ratio < LOW_HEADROOM ? 'low' : 'ample' };
}

/** "page views/s" or "requests/s", with the figure: the unit is never left to the reader. */
export function formatTraffic(t: Pick<PeakTraffic, 'perSecond' | 'unit'>): string {
  return formatRate(t.perSecond, t.unit === 'page_views_per_second' ? 'page views' : 'requests');
}

/** Where the peak came from, in words: "field data of shop" or "traffic_query". */
export function trafficSourceText(t: PeakTraffic): string {
  return t.source === 'field' ? `field data of ${t.sites.join(', ')}` : 'traffic_query';
}

/** "the day's", "the week's", "the month's". */
function periodPossessive(kind: 'day' | 'week' | 'month'): string {
  return `the ${kind}'s`;
}

/** The sentence of one target's headroom, with its warning when low. */
export function describeHeadroom(
  h: Omit<TargetHeadroom, 'sentence'>,
  period: 'day' | 'week' | 'month',
  timeZone: string,
): string {
  const t = h.target;
  const knee = h.loadTest.knee;
  const tested = `load test #${h.loadTest.id} of ${formatDate(h.loadTest.finishedAt, timeZone)}`;
  const stale =
    h.loadTestAgeDays > STALE_LOAD_TEST_DAYS
      ? ` The knee is ${Math.floor(h.loadTestAgeDays)} days old: run the load test again.`
      : '';
  if (knee === null) {
    return (
      `${t} has no knee: in ${tested} even the first step missed the latency objective ` +
      `(${formatSeconds(h.loadTest.sloLatencySeconds)}) or had 1 % errors, so its headroom is unknown.${stale}`
    );
  }
  const kneeText = `knee ${formatRate(knee.rate)} (${tested})`;
  if (h.traffic === null) return `${t}: ${kneeText}; no traffic figure: ${h.trafficNote ?? ''}${stale}`;
  const peak = `${periodPossessive(period)} peak of ${formatTraffic(h.traffic)} (${trafficSourceText(h.traffic)})`;
  const pageViews = h.traffic.unit === 'page_views_per_second' ? ', page views counted as requests' : '';
  switch (h.status) {
    case 'idle':
      return `${t}: ${kneeText}; no traffic in the period, nothing to compare it with.${stale}`;
    case 'exceeded':
      return (
        `Warning: ${t}'s traffic went past its knee: ${peak} against a ${kneeText}, ` +
        `${formatMultiple(h.ratio)}${pageViews}; at that peak its p95 latency likely broke the objective.${stale}`
      );
    case 'low':
      return (
        `Warning: ${t} can take only ${formatMultiple(h.ratio)} ${peak}${pageViews}: ${kneeText}. ` +
        `Below ${formatMultiple(LOW_HEADROOM)} a traffic spike reaches the knee; add capacity or make it faster.${stale}`
      );
    default:
      return `${t} can take ${formatMultiple(h.ratio)} ${peak}${pageViews}: ${kneeText}.${stale}`;
  }
}

/** Whole days from the load test's end to the period's end (never negative). */
export function loadTestAgeDays(finishedAt: number, end: number): number {
  return Math.max(0, (end - finishedAt) / DAY_MS);
}
