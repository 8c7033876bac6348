/**
 * vantage itself: is the probe service healthy enough to trust the other dashboards? Where
 * VantageProbeServiceDown and VantageConfigReloadFailed link.
 *
 * Unlike the target dashboards this one is about processes, so it filters on job and instance
 * (dashboard-linter's template-job-rule and template-instance-rule apply here).
 */
import {
  EMPTY,
  UID,
  allChangesAnnotation,
  datasourceVariable,
  locationVariable,
  upMappings,
} from '../common.js';
import type { Dashboard, Variable } from '../model.js';

/** `metric{extra, job=~"$job", instance=~"$instance", location=~"$location"}`. */
function svc(metric: string, extra?: string): string {
  return `${metric}{${extra ? `${extra}, ` : ''}job=~"$job", instance=~"$instance", location=~"$location"}`;
}

/**
 * Jobs and instances that export vantage_build_info. No allValue: "All" is then the regex of
 * those values, so process_* series of Prometheus and Alertmanager (same names, other jobs)
 * stay out, where `.+` would let them in.
 */
const jobVariable: Variable = {
  kind: 'query',
  name: 'job',
  label: 'Job',
  query: 'label_values(vantage_build_info{location=~"$location"}, job)',
  multi: true,
  includeAll: true,
};

const instanceVariable: Variable = {
  kind: 'query',
  name: 'instance',
  label: 'Instance',
  query: 'label_values(vantage_build_info{job=~"$job", location=~"$location"}, instance)',
  multi: true,
  includeAll: true,
};

export const service: Dashboard = {
  uid: UID.service,
  file: 'service.json',
  title: 'vantage / Service',
  description:
    'vantage itself: scrapes, versions, configuration reloads, scheduler lag, the Lighthouse queue and audit durations, CPU, memory and event loop lag.',
  time: { from: 'now-6h', to: 'now' },
  refresh: '30s',
  variables: [datasourceVariable, locationVariable, jobVariable, instanceVariable],
  annotations: [allChangesAnnotation],
  rows: [
    {
      title: 'Health',
      panels: [
        {
          kind: 'stat',
          title: 'Scrape status',
          question: 'Can Prometheus scrape every vantage instance?',
          description:
            'up of each instance. DOWN for 2 minutes fires VantageProbeServiceDown: no probe result reaches Prometheus, so no other alert can fire.',
          unit: 'none',
          background: true,
          mappings: upMappings,
          queries: [{ expr: svc('up'), legend: '{{instance}}' }],
        },
        {
          kind: 'stat',
          title: 'Configuration',
          question: 'Did the last configuration reload succeed?',
          description:
            'FAILED means the last reload was rejected and the previous configuration keeps running (VantageConfigReloadFailed); the errors are in the log and the answer to POST /-/reload.',
          unit: 'none',
          background: true,
          mappings: [
            { type: 'value', value: '1', text: 'OK', color: 'green' },
            { type: 'value', value: '0', text: 'FAILED', color: 'red' },
          ],
          queries: [{ expr: svc('vantage_config_last_reload_successful'), legend: '{{instance}}' }],
        },
        {
          kind: 'stat',
          title: 'Version',
          question: 'Which vantage version and Node.js does each instance run?',
          description: 'From vantage_build_info. Instances of one fleet should agree.',
          unit: 'none',
          showName: true,
          queries: [
            {
              expr: svc('vantage_build_info'),
              legend: '{{instance}}: {{version}}, Node.js {{nodejs_version}}',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'Uptime',
          question: 'When did each instance last restart?',
          description: 'Time since the process started. A short uptime that keeps resetting is a crash loop.',
          unit: 's',
          queries: [{ expr: `time() - ${svc('process_start_time_seconds')}`, legend: '{{instance}}' }],
        },
      ],
    },
    {
      title: 'Scheduler and configuration',
      panels: [
        {
          kind: 'timeseries',
          title: 'Scheduler lag',
          question: 'Do checks start on time?',
          description:
            'Largest delay between a check being due and starting, over the last minute. Above a few seconds the instance is saturated or max_concurrent_probes is too low: probes then run late and less often.',
          unit: 's',
          width: 8,
          min: 0,
          thresholds: {
            base: 'green',
            steps: [
              [1, 'orange'],
              [5, 'red'],
            ],
          },
          showThresholds: 'lines',
          queries: [{ expr: svc('vantage_scheduler_lag_seconds'), legend: '{{instance}}' }],
        },
        {
          kind: 'timeseries',
          title: 'Probes per second',
          question: 'How many probes does each instance run, and how many fail?',
          description: 'Scheduled probes per second by result, per instance.',
          unit: 'ops',
          width: 8,
          min: 0,
          stack: true,
          styles: [{ match: '.* failure$', color: 'red' }],
          queries: [
            {
              expr: `sum by (instance, result) (rate(${svc('vantage_probes_total')}[$__rate_interval]))`,
              legend: '{{instance}} {{result}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Checks and probes in flight',
          question: 'How many checks are scheduled, and how many probes run at once?',
          description:
            'Scheduled target/module checks, and probes running at the moment of the scrape (bounded by max_concurrent_probes).',
          unit: 'none',
          width: 8,
          min: 0,
          queries: [
            { expr: svc('vantage_scheduler_checks'), legend: '{{instance}} checks' },
            { expr: svc('vantage_scheduler_probes_in_flight'), legend: '{{instance}} in flight' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Skipped runs and worker restarts',
          question: 'Are checks still running when they are due again? Did a probe worker die?',
          description:
            'Runs skipped because the previous run of the same check had not finished (runs never overlap): any is a sign that the timeout is longer than the interval. Probe worker restarts: a worker ended (the log says why, e.g. its heap limit) and was started again with the same checks, whose counters restarted.',
          unit: 'short',
          min: 0,
          bars: true,
          styles: [{ match: '.* worker restarts$', color: 'red' }],
          queries: [
            {
              expr: `sum by (instance) (increase(${svc('vantage_scheduler_skipped_runs_total')}[$__rate_interval]))`,
              legend: '{{instance}} skipped runs',
            },
            {
              expr: `sum by (instance) (increase(${svc('vantage_probe_worker_restarts_total')}[$__rate_interval]))`,
              legend: '{{instance}} worker restarts',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Configuration reloads',
          question: 'When was the configuration reloaded, and did it work?',
          description: 'Reload attempts per interval by result (SIGHUP or POST /-/reload).',
          unit: 'short',
          min: 0,
          bars: true,
          styles: [{ match: '.* failure$', color: 'red' }],
          queries: [
            {
              expr: `sum by (instance, result) (increase(${svc('vantage_config_reloads_total')}[$__rate_interval]))`,
              legend: '{{instance}} {{result}}',
              mayBeEmpty: EMPTY.noReload,
            },
          ],
        },
      ],
    },
    {
      title: 'Lighthouse',
      panels: [
        {
          kind: 'timeseries',
          title: 'Lighthouse queue',
          question: 'Do audits keep up with their schedule?',
          description:
            'Audits waiting for their turn (one runs at a time per instance). A queue that keeps growing means audits take longer than their intervals allow: add an instance or lengthen the interval.',
          unit: 'none',
          width: 8,
          min: 0,
          queries: [{ expr: svc('vantage_lighthouse_queue_length'), legend: '{{instance}}' }],
        },
        {
          kind: 'timeseries',
          title: 'Audit durations',
          question: 'How long does one Lighthouse run take?',
          description:
            "Wall time of the median run of each check's latest batch; a batch takes about runs times this.",
          unit: 's',
          width: 8,
          min: 0,
          queries: [
            {
              expr: `max by (target, module) (${svc('lighthouse_run_duration_seconds')})`,
              legend: '{{target}} {{module}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Audit runs by result',
          question: 'Do Lighthouse runs fail?',
          description:
            'Lighthouse runs per interval by result. Failures with lighthouse_up at 1 are single runs of a batch; lighthouse_failure_info says why a whole batch failed.',
          unit: 'short',
          width: 8,
          min: 0,
          bars: true,
          stack: true,
          styles: [{ match: '.* failure$', color: 'red' }],
          queries: [
            {
              expr: `sum by (instance, result) (increase(${svc('lighthouse_runs_total')}[$__rate_interval]))`,
              legend: '{{instance}} {{result}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Process',
      panels: [
        {
          kind: 'timeseries',
          title: 'CPU',
          question: 'How much CPU does vantage use?',
          description:
            'CPU time per second of the vantage process (100 % is one core). Chrome, which audits run in, is not included.',
          unit: 'percentunit',
          min: 0,
          width: 6,
          queries: [
            {
              expr: `rate(${svc('process_cpu_seconds_total')}[$__rate_interval])`,
              legend: '{{instance}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Memory',
          question: 'How much memory does vantage use, and is it growing?',
          description:
            "Resident set size of the process, the main thread's V8 heap in use, and the probe workers' heaps in use (each worker's heap limit grows with its checks). RSS that only grows is a leak.",
          unit: 'bytes',
          min: 0,
          width: 6,
          queries: [
            { expr: svc('process_resident_memory_bytes'), legend: '{{instance}} RSS' },
            { expr: svc('nodejs_heap_size_used_bytes'), legend: '{{instance}} main heap used' },
            {
              expr: `sum by (instance) (${svc('vantage_probe_worker_heap_used_bytes')})`,
              legend: '{{instance}} probe workers heap used',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Event loop lag',
          question: 'Is a probe worker blocked, skewing probe timings?',
          description:
            "Event loop delay of each probe worker (99th percentile and maximum over 5 s): HTTP probes read their clock on these loops, so lag of tens of milliseconds adds to their figures. The main thread's p99 (pages, /metrics, the store) is shown for comparison; it does not touch probe timings.",
          unit: 's',
          min: 0,
          width: 6,
          queries: [
            {
              expr: svc('vantage_probe_worker_eventloop_lag_p99_seconds'),
              legend: '{{instance}} worker {{worker}} p99',
            },
            {
              expr: svc('vantage_probe_worker_eventloop_lag_max_seconds'),
              legend: '{{instance}} worker {{worker}} max',
            },
            { expr: svc('nodejs_eventloop_lag_p99_seconds'), legend: '{{instance}} main thread p99' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Scrape duration',
          question: 'How long does Prometheus take to scrape vantage?',
          description:
            'Duration of each scrape of /metrics. It renders stored results and never probes, so it should stay far below the scrape timeout (10 s) even with 10,000 checks.',
          unit: 's',
          min: 0,
          width: 6,
          queries: [{ expr: svc('scrape_duration_seconds'), legend: '{{instance}}' }],
        },
      ],
    },
  ],
};
