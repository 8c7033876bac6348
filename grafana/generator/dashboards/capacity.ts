/**
 * Capacity: the hosts behind the targets (node_exporter's `node` job, docs/capacity.md). Per
 * host, its saturation (CPU, memory, filesystems, disks, network) against the 30-day forecast;
 * per target, its response time beside its hosts' CPU and disk I/O on one time axis, so a
 * slowdown that follows a host's saturation shows as two curves rising together. Where the
 * host alerts (node-mixin's Node*) link, with `?var-host=<instance>`.
 *
 * Host series are node_exporter's and the recording rules of
 * prometheus/rules/vantage-capacity.rules.yml: they are filtered by `instance=~"$host"`, never
 * by location (a host is where it is; the vantage that probes it says nothing about it). The
 * per-target rows read target-level recorded series (every location) and the targets' hosts
 * from vantage_target_host_info.
 */
import { UID, rec, raw, targetAnnotations, targetVariables } from '../common.js';
import type { Dashboard, FieldStyle, Thresholds, TimeseriesPanel, Variable } from '../model.js';

/** Every host the node job scrapes (one node_uname_info series each), `.+` for All. */
const hostVariable: Variable = {
  kind: 'query',
  name: 'host',
  label: 'Host',
  query: 'label_values(node_uname_info{job="node"}, instance)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

const HOST = 'instance=~"$host"';
/** A per-host series (node_exporter's, or instance:... / instance_device:... recorded) of the selection. */
const host = (metric: string, extra?: string) => `${metric}{${extra ? `${extra}, ` : ''}${HOST}}`;

/** Forecasts dashed, over the measured line of the same host. */
const forecastDashed: FieldStyle[] = [{ match: '.* in 30 days$', dashed: true, fill: 0 }];

/** Busy or full: node-mixin's 90 % for CPU and memory. */
const UTILISATION: Thresholds = {
  base: 'green',
  steps: [
    [0.8, 'orange'],
    [0.9, 'red'],
  ],
};
/** Free space: NodeFilesystemAlmostOutOfSpace at 5 %, NodeFilesystemSpaceFillingUp from 40 %. */
const FREE: Thresholds = {
  base: 'red',
  steps: [
    [0.05, 'orange'],
    [0.2, 'green'],
  ],
};
/** Days until full: under a week is urgent, under 30 days is for the next capacity plan. */
const UNTIL_FULL: Thresholds = {
  base: 'red',
  steps: [
    [7 * 86400, 'orange'],
    [30 * 86400, 'green'],
  ],
};

const notFilling =
  'No filesystem is filling: the forecast exists only for filesystems whose available space shrinks over the last 7 days.';
const youngForecast =
  'With less than 7 days of history the fit uses the samples there are; the first days are noisy.';

/** A host's utilisation (0..1) and, dashed, its 30-day forecast, one line each per host. */
function utilisationAgainstForecast(p: {
  title: string;
  question: string;
  description: string;
  measured: string;
  forecast: string;
}): TimeseriesPanel {
  return {
    kind: 'timeseries',
    title: p.title,
    question: p.question,
    description: p.description,
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: UTILISATION,
    showThresholds: 'lines',
    styles: forecastDashed,
    queries: [
      { expr: host(p.measured), legend: '{{instance}}' },
      { expr: host(p.forecast), legend: '{{instance}} in 30 days' },
    ],
  };
}

export const capacity: Dashboard = {
  uid: UID.capacity,
  file: 'capacity.json',
  title: 'vantage / Capacity',
  description:
    "The hosts behind the targets, from node_exporter: CPU, memory, filesystems, disk I/O and network per host against their 30-day forecasts, and each target's response time beside its hosts' CPU and disk I/O on one time axis. Where the node-mixin host alerts link.",
  time: { from: 'now-24h', to: 'now' },
  refresh: '1m',
  variables: [...targetVariables, hostVariable],
  annotations: targetAnnotations,
  rows: [
    {
      title: 'Hosts now',
      panels: [
        {
          kind: 'table',
          title: 'Hosts',
          question: 'How saturated is each host now, and where is it heading?',
          description:
            "One row per host of the node job. CPU busy (every mode but idle, iowait and steal over 5 minutes), memory in use (1 - MemAvailable / MemTotal), load per CPU, the fullest filesystem's free space, the busiest disk, and the 30-day forecasts of CPU and memory on their 7-day trend; the days until the first filesystem is full when one is filling. node-mixin alerts at 90 % CPU or memory, a load of 2 per CPU and 5 % free space.",
          unit: 'percentunit',
          height: 7,
          labels: [{ label: 'instance', title: 'Host' }],
          queries: [
            {
              title: 'CPU',
              expr: host('instance:node_cpu_utilisation:rate5m'),
              thresholds: UTILISATION,
              colored: true,
              decimals: 1,
            },
            {
              title: 'CPU in 30 days',
              expr: host('instance:node_cpu_utilisation:predict_linear30d'),
              thresholds: UTILISATION,
              colored: true,
              decimals: 1,
            },
            {
              title: 'Memory',
              expr: host('instance:node_memory_utilisation:ratio'),
              thresholds: UTILISATION,
              colored: true,
              decimals: 1,
            },
            {
              title: 'Memory in 30 days',
              expr: host('instance:node_memory_utilisation:predict_linear30d'),
              thresholds: UTILISATION,
              colored: true,
              decimals: 1,
            },
            {
              title: 'Load per CPU',
              expr: host('instance:node_load1_per_cpu:ratio'),
              unit: 'none',
              decimals: 2,
            },
            {
              title: 'Fullest filesystem free',
              expr: `min by (instance) (${host('instance:node_filesystem_avail:ratio')})`,
              thresholds: FREE,
              colored: true,
              decimals: 1,
            },
            {
              title: 'Busiest disk',
              expr: `max by (instance) (${host('instance_device:node_disk_io_time_seconds:rate5m')})`,
              thresholds: UTILISATION,
              decimals: 1,
            },
            {
              title: 'First filesystem full in',
              expr: `min by (instance) (${host('instance:node_filesystem_until_full_seconds:predict_linear7d')})`,
              unit: 's',
              thresholds: UNTIL_FULL,
              colored: true,
              mayBeEmpty: notFilling,
            },
          ],
        },
      ],
    },
    {
      title: 'Host saturation against its forecast',
      panels: [
        utilisationAgainstForecast({
          title: 'CPU busy',
          question: 'How busy are the CPUs, and where does the trend take them in 30 days?',
          description: `instance:node_cpu_utilisation:rate5m (node-mixin: every mode but idle, iowait and steal, averaged over the CPUs), and dashed, the same 30 days ahead on its 7-day linear trend, held to 0..1. ${youngForecast}`,
          measured: 'instance:node_cpu_utilisation:rate5m',
          forecast: 'instance:node_cpu_utilisation:predict_linear30d',
        }),
        utilisationAgainstForecast({
          title: 'Memory in use',
          question: 'How much memory is in use, and where does the trend take it in 30 days?',
          description: `instance:node_memory_utilisation:ratio, 1 - MemAvailable / MemTotal (memory the kernel could not hand out without swapping), and dashed, 30 days ahead on its 7-day trend. NodeMemoryHighUtilization fires above 90 % for 15 minutes. ${youngForecast}`,
          measured: 'instance:node_memory_utilisation:ratio',
          forecast: 'instance:node_memory_utilisation:predict_linear30d',
        }),
        {
          kind: 'timeseries',
          title: 'Filesystem free',
          question: 'How much space is left on each filesystem?',
          description:
            'instance:node_filesystem_avail:ratio: space available to unprivileged users over the size, per filesystem (pseudo filesystems left out). NodeFilesystemAlmostOutOfSpace fires under 5 %, NodeFilesystemSpaceFillingUp under 40 % when the 6-hour trend reaches zero within a day.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: FREE,
          showThresholds: 'lines',
          queries: [
            {
              expr: host('instance:node_filesystem_avail:ratio'),
              legend: '{{instance}} {{mountpoint}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Filesystem full in',
          question: 'When is each filling filesystem full if it keeps its 7-day rate?',
          description: `instance:node_filesystem_until_full_seconds:predict_linear7d: the space available now over the rate it shrank at over the last 7 days (least squares). Only filesystems that are filling; under 30 days is for the next capacity plan, under 7 urgent. ${youngForecast}`,
          unit: 's',
          min: 0,
          thresholds: UNTIL_FULL,
          showThresholds: 'lines',
          queries: [
            {
              expr: host('instance:node_filesystem_until_full_seconds:predict_linear7d'),
              legend: '{{instance}} {{mountpoint}}',
              mayBeEmpty: notFilling,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Disk I/O busy',
          question: 'What share of the time is each disk busy?',
          description:
            "instance_device:node_disk_io_time_seconds:rate5m: seconds spent doing I/O per second, per device (iostat's %util). Near 1 a spinning disk is saturated; an SSD or an array serves parallel requests and may have room left: the queue panel says.",
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: UTILISATION,
          queries: [
            {
              expr: host('instance_device:node_disk_io_time_seconds:rate5m'),
              legend: '{{instance}} {{device}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Disk I/O queue',
          question: 'How many I/O requests wait on each disk?',
          description:
            "instance_device:node_disk_io_time_weighted_seconds:rate5m, the average queue length (iostat's aqu-sz). NodeDiskIOSaturation fires above 10 for 30 minutes.",
          unit: 'none',
          min: 0,
          thresholds: { base: 'green', steps: [[10, 'red']] },
          showThresholds: 'lines',
          queries: [
            {
              expr: host('instance_device:node_disk_io_time_weighted_seconds:rate5m'),
              legend: '{{instance}} {{device}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Network throughput',
          question: 'How many bytes does each host receive and send?',
          description:
            'instance:node_network_receive_bytes_excluding_lo:rate5m and ..._transmit_..., every interface but loopback, in bytes per second; sent drawn below the axis. Compare with the link speed (node_network_speed_bytes).',
          unit: 'Bps',
          queries: [
            {
              expr: host('instance:node_network_receive_bytes_excluding_lo:rate5m'),
              legend: '{{instance}} received',
            },
            {
              expr: `-${host('instance:node_network_transmit_bytes_excluding_lo:rate5m')}`,
              legend: '{{instance}} sent',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Load per CPU',
          question: 'How many tasks wait for a CPU (or for the disk), per CPU?',
          description:
            'instance:node_load1_per_cpu:ratio: the 1-minute load average over the number of CPUs. Above 1, work queues; NodeSystemSaturation fires above 2 for 15 minutes.',
          unit: 'none',
          min: 0,
          thresholds: {
            base: 'green',
            steps: [
              [1, 'orange'],
              [2, 'red'],
            ],
          },
          showThresholds: 'lines',
          queries: [{ expr: host('instance:node_load1_per_cpu:ratio'), legend: '{{instance}}' }],
        },
      ],
    },
    {
      title: 'Targets and their hosts',
      panels: [
        {
          kind: 'timeseries',
          title: 'Target response time',
          question: 'How long do the selected targets take to answer?',
          description:
            "The median and 95th percentile probe duration over 5 minutes, every location pooled (target:vantage_probe_duration_seconds:quantile_rate5m), dashed p95. Read it against the two panels beside it, on the same time axis: a slowdown that rises with the hosts' CPU or disk is capacity; one that does not is elsewhere (the network, a dependency, a deploy: the Changes annotations).",
          unit: 's',
          width: 8,
          min: 0,
          styles: [{ match: '.* p95$', dashed: true, fill: 0 }],
          queries: [
            {
              expr: `max by (target) (${rec('target:vantage_probe_duration_seconds:quantile_rate5m', 'quantile="0.5"')})`,
              legend: '{{target}} median',
            },
            {
              expr: `max by (target) (${rec('target:vantage_probe_duration_seconds:quantile_rate5m', 'quantile="0.95"')})`,
              legend: '{{target}} p95',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: "Target's busiest host CPU",
          question: 'How busy is the busiest CPU among the hosts that serve each target?',
          description:
            "target:node_cpu_utilisation:max: the highest instance:node_cpu_utilisation:rate5m among the target's hosts (its `hosts` in vantage.yml, joined through vantage_target_host_info). A target without hosts, or whose hosts the node job does not scrape, has no line.",
          unit: 'percentunit',
          width: 8,
          min: 0,
          max: 1,
          thresholds: UTILISATION,
          showThresholds: 'lines',
          queries: [{ expr: rec('target:node_cpu_utilisation:max'), legend: '{{target}}' }],
        },
        {
          kind: 'timeseries',
          title: "Target's busiest disk",
          question: 'How busy is the busiest disk among the hosts that serve each target?',
          description:
            "target:node_disk_io_time_seconds:max: the highest disk I/O utilisation (instance_device:node_disk_io_time_seconds:rate5m) among the target's hosts.",
          unit: 'percentunit',
          width: 8,
          min: 0,
          max: 1,
          thresholds: UTILISATION,
          showThresholds: 'lines',
          queries: [{ expr: rec('target:node_disk_io_time_seconds:max'), legend: '{{target}}' }],
        },
        {
          kind: 'table',
          title: 'Hosts of each target',
          question: 'Which hosts serve each target, and does Prometheus scrape them?',
          description:
            "Every host named in a target's `hosts` (vantage_target_host_info), and target_host:up:max, `up` of the node job for that address: UP when the last scrape succeeded, DOWN when it failed, empty when no node job lists the address (add it to prometheus/targets/node-*.yml, spelt as in vantage.yml: docs/capacity.md).",
          unit: 'none',
          height: 6,
          labels: [
            { label: 'target', title: 'Target' },
            { label: 'host', title: 'Host' },
          ],
          queries: [
            {
              title: 'Named',
              expr: `max by (target, host) (${raw('vantage_target_host_info')})`,
              mappings: [{ type: 'value', value: '1', text: 'yes', color: 'text' }],
            },
            {
              title: 'Scraped',
              expr: `max by (target, host) (${rec('target_host:up:max')})`,
              mappings: [
                { type: 'value', value: '1', text: 'UP', color: 'green' },
                { type: 'value', value: '0', text: 'DOWN', color: 'red' },
              ],
              colored: true,
            },
          ],
        },
      ],
    },
    {
      title: 'Load tests',
      panels: [
        {
          kind: 'table',
          title: 'Last load test',
          question: 'How much traffic did each target take in its last load test, and when was it run?',
          description:
            "Each target's last `vantage load` run (vantage_load_test_*, from vantage's store; docs/load-testing.md): the knee, the highest requested rate whose step kept p95 under the target's slo.latency and errors under 1 % (empty when even the first step missed), the p95 at the knee, the highest rate the run reached, and when it finished. Compare the knee with the traffic panels of the report's Capacity part (headroom) before a launch or a sale.",
          unit: 'reqps',
          height: 6,
          labels: [{ label: 'target', title: 'Target' }],
          queries: [
            {
              title: 'Knee',
              expr: `max by (target) (${raw('vantage_load_test_knee_requests_per_second')})`,
              decimals: 0,
            },
            {
              title: 'p95 at the knee',
              expr: `max by (target) (${raw('vantage_load_test_knee_latency_p95_seconds')})`,
              unit: 's',
            },
            {
              title: 'Highest rate reached',
              expr: `max by (target) (${raw('vantage_load_test_achieved_requests_per_second')})`,
              decimals: 0,
            },
            {
              title: 'Finished',
              expr: `max by (target) (${raw('vantage_load_test_timestamp_seconds')}) * 1000`,
              unit: 'dateTimeFromNow',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'How the last load test ended',
          question: 'Did each last load test walk every step, or what stopped it?',
          description:
            'vantage_load_test_info{outcome}: completed (every step ran), stopped_errors (a step passed 5 % errors), stopped_latency (a step passed 3x the latency objective at p95), stopped_max_duration, or interrupted (Ctrl-C). A stopped run still has its knee: the steps before the stop.',
          unit: 'none',
          width: 8,
          height: 6,
          showName: true,
          queries: [
            {
              expr: `max by (target, outcome) (${raw('vantage_load_test_info')})`,
              legend: '{{target}}: {{outcome}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Knee over time',
          question: "Has a target's capacity moved between load tests?",
          description:
            "The knee of each target's last load test, held until the next run: a step down after a deploy (the Changes annotations, where each load test is marked too) is capacity lost. Dashed, the highest rate the run reached.",
          unit: 'reqps',
          width: 16,
          height: 6,
          min: 0,
          styles: [{ match: '.* reached$', dashed: true, fill: 0 }],
          queries: [
            {
              expr: `max by (target) (${raw('vantage_load_test_knee_requests_per_second')})`,
              legend: '{{target}} knee',
            },
            {
              expr: `max by (target) (${raw('vantage_load_test_achieved_requests_per_second')})`,
              legend: '{{target}} reached',
            },
          ],
        },
      ],
    },
  ],
};
