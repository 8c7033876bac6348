/**
 * The Capacity part of the report, formatted once for Markdown and HTML: the host table, the
 * filling filesystems, the headroom table, the load tests of the period and the sentences around
 * them. Pure; figures through src/format/ as everywhere in the report.
 */
import {
  NO_DATA,
  formatDays,
  formatMultiple,
  formatRate,
  formatRatio,
  formatSeconds,
  usable,
} from '../../format/index.js';
import {
  LOW_HEADROOM,
  formatTraffic,
  trafficSourceText,
  type CapacityMonitoring,
  type FillingFilesystem,
  type HostCapacity,
  type LoadTestChange,
  type LoadTestCitation,
  type TargetHeadroom,
} from '../capacityFigures.js';
import { formatDate, formatTimestamp } from './format.js';

/** node-mixin's NodeCPUHighUsage and NodeMemoryHighUtilization fire at 90 %: a figure there is marked. */
export const HIGH_UTILISATION = 0.9;

/** Whether the part has anything to show; without, one line says so (no empty tables). */
export function hasCapacity(c: CapacityMonitoring): boolean {
  return (
    c.hosts.length > 0 || c.headroom.length > 0 || c.loadTests.length > 0 || c.hostsWithoutRules.length > 0
  );
}

export const NO_CAPACITY_SENTENCE =
  'No hosts and no load tests: no target lists hosts, Prometheus holds no capacity series for the period, and no load test has been run.';

export const HOST_COLUMNS = [
  'Host',
  'Targets',
  'CPU mean',
  'CPU peak',
  'CPU in 30 days',
  'Memory mean',
  'Memory peak',
  'Memory in 30 days',
  'Disk I/O peak',
] as const;

/**
 * One host's row, with the columns at or above HIGH_UTILISATION (to be marked ✗). `text` escapes
 * what comes from labels (host, targets, the disk's device) for the format; figures stay as they are.
 */
export function hostRow(
  h: HostCapacity,
  text: (s: string) => string = (s) => s,
): { cells: string[]; high: number[] } {
  const figures = [
    h.cpu.mean,
    h.cpu.peak,
    h.cpu.forecast30d,
    h.memory.mean,
    h.memory.peak,
    h.memory.forecast30d,
    h.diskIo.peak,
  ];
  const cells = [text(h.host), h.targets.length > 0 ? text(h.targets.join(', ')) : NO_DATA];
  const high: number[] = [];
  figures.forEach((v, i) => {
    if (usable(v) && v >= HIGH_UTILISATION) high.push(cells.length);
    cells.push(formatRatio(v, 1) + (i === 6 && h.diskIo.device ? ` (${text(h.diskIo.device)})` : ''));
  });
  return { cells, high };
}

/** Hosts named by a target but without any capacity series: said under the table. */
export function hostsWithoutSeriesSentence(c: CapacityMonitoring): string | null {
  const missing = c.hosts.filter((h) => !h.hasSeries).map((h) => h.host);
  if (missing.length === 0) return null;
  return (
    `No capacity series in the period for ${missing.join(', ')}: is its node_exporter scraped by ` +
    'this Prometheus under that address (its instance label)?'
  );
}

export function hostsWithoutRulesSentence(c: CapacityMonitoring): string | null {
  if (c.hostsWithoutRules.length === 0) return null;
  return (
    `Prometheus scrapes node_exporter on ${c.hostsWithoutRules.join(', ')} but holds none of the ` +
    'capacity recording rules for it: load prometheus/rules/vantage-capacity.rules.yml.'
  );
}

export function hostsLeftOutSentence(c: CapacityMonitoring): string | null {
  return c.hostsLeftOut > 0
    ? `${c.hostsLeftOut} quieter hosts are left out of the table (the Capacity dashboard has them all).`
    : null;
}

export const FILESYSTEM_COLUMNS = ['Host', 'Mount point', 'Device', 'Full in', 'Around', 'Free now'] as const;

export function filesystemRow(f: FillingFilesystem, timeZone: string): string[] {
  return [
    f.host,
    f.mountpoint,
    f.device,
    f.secondsUntilFull <= 0 ? 'full' : formatDays(f.secondsUntilFull / 86_400),
    formatDate(f.fullAt, timeZone),
    formatRatio(f.availableRatio, 1),
  ];
}

export function noFillingFilesystemsSentence(c: CapacityMonitoring): string {
  return `No filesystem fills within ${c.horizonDays} days at its 7-day trend.`;
}

export const HEADROOM_COLUMNS = [
  'Target',
  'Knee (p95 there)',
  'Peak traffic',
  'From',
  'Headroom',
  'Load test',
] as const;

/** "#3, 2025-01-10, completed, change #41". */
export function loadTestRef(t: LoadTestCitation, timeZone: string): string {
  const change = t.changeId === null ? '' : `, change #${t.changeId}`;
  return `#${t.id}, ${formatDate(t.finishedAt, timeZone)}, ${t.outcome.replace(/_/g, ' ')}${change}`;
}

/** One target's headroom row; `warn` when below LOW_HEADROOM (to be marked). */
export function headroomRow(h: TargetHeadroom, timeZone: string): { cells: string[]; warn: boolean } {
  const knee = h.loadTest.knee;
  return {
    cells: [
      h.target,
      knee === null ? 'none' : `${formatRate(knee.rate)} (p95 ${formatSeconds(knee.p95Seconds)})`,
      h.traffic === null ? NO_DATA : formatTraffic(h.traffic),
      h.traffic === null ? NO_DATA : trafficSourceText(h.traffic),
      h.ratio === null ? NO_DATA : formatMultiple(h.ratio),
      loadTestRef(h.loadTest, timeZone),
    ],
    warn: h.status === 'low' || h.status === 'exceeded',
  };
}

/** A load test of the period, in one line. */
export function loadTestLine(l: LoadTestChange, timeZone: string): string {
  const c = l.change;
  const what = `${formatTimestamp(c.at, timeZone)} — ${c.title} (change #${c.id}${c.target ? `, ${c.target}` : ''})`;
  if (!l.run) return `${what}; no stored run.`;
  const r = l.run;
  const knee = r.knee === null ? 'no knee' : `knee ${formatRate(r.knee.rate)}`;
  const stop = r.stopReason ? `: ${r.stopReason}` : '';
  return `${what}: load test #${r.id}, ${r.outcome.replace(/_/g, ' ')}${stop}, ${knee}.`;
}

export const LOAD_TESTS_NOTE =
  'Load tests are not changes to the site: they are listed here and left out of the Evaluation.';

/** Said under the Capacity tables: what each figure is. */
export const CAPACITY_NOTE =
  'Utilisation: the capacity recording rules over the period (CPU busy share, 1 − available memory, ' +
  'the busiest disk’s time busy); “in 30 days”: the 7-day linear trend carried 30 days past the ' +
  `period’s end. ✗: at or above ${formatRatio(HIGH_UTILISATION, 0)}, where node-mixin’s alerts fire.`;

export const HEADROOM_NOTE =
  'Headroom: the last load test’s knee (the highest rate with p95 under the latency objective and ' +
  'errors under 1 %) divided by the period’s highest 5-minute traffic rate. Field data counts page ' +
  'views, not requests: a page view is one request for the page plus its assets and API calls, and ' +
  'only visitors whose browsers send beacons are counted, so a ratio against page views/s is an upper ' +
  `bound. Below ${formatMultiple(LOW_HEADROOM)}: a warning.`;
