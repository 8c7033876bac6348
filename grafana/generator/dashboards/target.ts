/**
 * Target: one target in depth. Where alerts link (VantageTargetDown, certificates, slow
 * responses, Lighthouse audits), so it answers "what is wrong, since when, and why", with the
 * latest report of each browser flow and Lighthouse audit.
 */
import {
  CERTIFICATE,
  EMPTY,
  UID,
  raw,
  rec,
  statusMappings,
  targetAnnotations,
  targetVariables,
  vantageUrlVariable,
} from '../common.js';
import type { Dashboard, Link, ValueMapping } from '../model.js';
import { browserFlowPanels } from './targetBrowser.js';
import { lighthousePanels } from './targetLighthouse.js';

/** Probe phases in the order a request goes through them, so the stack reads bottom-up. */
const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

/** The selected targets' journeys, step by step: a failed journey's step and reason are there. */
const journeysLink: Link = {
  title: 'Journeys dashboard: which step fails',
  url: `/d/${UID.journeys}?\${target:queryparam}&\${datasource:queryparam}&\${location:queryparam}&\${__url_time_range}`,
};

const statusCodeMappings: ValueMapping[] = [
  { type: 'range', from: 200, to: 299, color: 'green' },
  { type: 'range', from: 300, to: 399, color: 'blue' },
  { type: 'range', from: 400, to: 499, color: 'orange' },
  { type: 'range', from: 500, to: 599, color: 'red' },
  { type: 'value', value: '0', text: 'no response', color: 'purple' },
];

export const target: Dashboard = {
  uid: UID.target,
  file: 'target.json',
  title: 'vantage / Target',
  description:
    'One target in depth: status and failure reasons, response time by phase against yesterday and last week, status codes, certificates, its browser flows and its Lighthouse audits.',
  time: { from: 'now-24h', to: 'now' },
  refresh: '1m',
  variables: [...targetVariables, vantageUrlVariable],
  annotations: targetAnnotations,
  rows: [
    {
      title: 'Now',
      panels: [
        {
          kind: 'stat',
          title: 'Status',
          question: 'Is the target up right now?',
          description:
            'Share of its HTTP checks (modules x locations) whose latest probe succeeded: UP, DEGRADED (some fail) or DOWN (all fail).',
          unit: 'none',
          width: 4,
          background: true,
          mappings: statusMappings,
          queries: [{ expr: `avg by (target) (${raw('probe_success')})`, legend: '{{target}}' }],
        },
        {
          kind: 'stat',
          title: 'Availability, 24 hours',
          question: 'How many probes succeeded over the last day, against the objective?',
          description:
            'Share of probes that succeeded over 24 hours across every location, and the objective (slo.availability).',
          unit: 'percentunit',
          width: 6,
          decimals: 3,
          queries: [
            {
              expr: rec('target:vantage_probe_availability:ratio_rate1d'),
              legend: '{{target}}',
              mayBeEmpty: EMPTY.downsample5m,
            },
            { expr: rec('target:vantage_slo_objective:max'), legend: '{{target}} objective' },
          ],
        },
        {
          kind: 'stat',
          title: 'Response time now',
          question: 'How fast does the target answer now, against its latency threshold?',
          description:
            "Mean probe duration over 5 minutes, the 95th percentile of the probes' own durations over 5 minutes (the slowest module or location where there are several), and the latency threshold (slo.latency) above which the median fires VantageSlowResponse.",
          unit: 's',
          width: 8,
          queries: [
            { expr: rec('target:vantage_probe_duration_seconds:mean_rate5m'), legend: '{{target}} mean' },
            {
              expr: rec('target:probe_duration_seconds:quantile_over_time5m', 'quantile="0.95"'),
              legend: '{{target}} p95',
            },
            { expr: rec('target:vantage_latency_threshold_seconds:max'), legend: '{{target}} threshold' },
          ],
        },
        {
          kind: 'stat',
          title: 'Certificate expires in',
          question: 'How long until the certificate expires?',
          description:
            'Time until the earliest certificate of the chain expires: orange under 14 days (warning), red under 3 (page).',
          unit: 's',
          width: 6,
          background: true,
          thresholds: CERTIFICATE,
          queries: [
            {
              expr: `min by (target) (${raw('probe_ssl_earliest_cert_expiry')}) - time()`,
              legend: '{{target}}',
              mayBeEmpty: EMPTY.noTls,
            },
          ],
        },
        {
          kind: 'table',
          title: 'Failing now',
          question: 'Which checks fail right now, where, and why?',
          description:
            'Every check whose latest probe failed, with the phase it failed in and the reason (docs/metrics.md lists the reasons). Empty is good. A failed journey or browser flow also names its step: the Journeys dashboard shows it.',
          unit: 'none',
          width: 24,
          height: 5,
          links: [journeysLink],
          labels: [
            { label: 'target', title: 'Target' },
            { label: 'module', title: 'Module' },
            { label: 'location', title: 'Location' },
            { label: 'phase', title: 'Phase' },
            { label: 'reason', title: 'Reason' },
          ],
          queries: [
            {
              title: 'Failing',
              expr: `max by (target, module, location, phase, reason) (${raw('probe_failure_info')})`,
              mayBeEmpty: EMPTY.failingNow,
            },
          ],
        },
      ],
    },
    {
      title: 'Response time',
      panels: [
        {
          kind: 'timeseries',
          title: 'Response time by phase',
          question: 'Where does a probe spend its time: DNS, connecting, TLS, the server, or the transfer?',
          description:
            "The latest probe's time in each phase, stacked, so the top of the stack is the whole request. With several targets selected, each phase is their mean.",
          unit: 's',
          min: 0,
          stack: true,
          queries: PHASES.map((phase) => ({
            expr: `avg(${raw('probe_http_duration_seconds', `phase="${phase}"`)})`,
            legend: phase,
            mayBeEmpty: phase === 'tls' ? EMPTY.noTlsPhase : undefined,
          })),
        },
        {
          kind: 'timeseries',
          title: 'Now, yesterday and last week',
          question: 'Is the target slower than at the same time yesterday, or a week ago?',
          description:
            'Mean response time over each hour, and the same hour one day and one week earlier (dashed). VantageResponseTimeRegression fires at 1.5 times a week ago.',
          unit: 's',
          min: 0,
          styles: [{ match: '.* (yesterday|last week)$', dashed: true, fill: 0 }],
          queries: [
            { expr: rec('target:vantage_probe_duration_seconds:mean_rate1h'), legend: '{{target}} now' },
            {
              expr: rec('target:vantage_probe_duration_seconds:mean_rate1h_offset1d'),
              legend: '{{target}} yesterday',
              mayBeEmpty: EMPTY.dayAgo,
            },
            {
              expr: rec('target:vantage_probe_duration_seconds:mean_rate1h_offset1w'),
              legend: '{{target}} last week',
              mayBeEmpty: EMPTY.weekAgo,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Response time percentiles',
          question: 'How slow are the slowest probes, against the latency threshold?',
          description:
            "Median, 90th, 95th and 99th percentile of the probes' own durations over 5 minutes (raw samples, not histogram buckets, so fast targets read true; the slowest module or location where there are several), and the latency threshold (dashed).",
          unit: 's',
          min: 0,
          styles: [{ match: '.* threshold$', dashed: true, fill: 0, color: 'red' }],
          queries: [
            {
              expr: rec('target:probe_duration_seconds:quantile_over_time5m'),
              legend: '{{target}} p{{quantile}}',
            },
            { expr: rec('target:vantage_latency_threshold_seconds:max'), legend: '{{target}} threshold' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Response time by location',
          question: 'Is the target slower from one location than from the others?',
          description:
            'Duration of the latest probe of each check, by location (one line per vantage instance).',
          unit: 's',
          min: 0,
          queries: [
            {
              expr: `max by (target, location, instance) (${raw('probe_duration_seconds')})`,
              legend: '{{target}} {{location}} {{instance}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Response time forecast',
          question: 'At this rate, how fast will the target answer in 14 days?',
          description:
            'Mean response time over each hour, and the linear forecast 14 days ahead from the last 7 days (dashed): each point is where the trend at that time leads two weeks later.',
          unit: 's',
          min: 0,
          width: 24,
          styles: [{ match: '.* in 14 days$', dashed: true, fill: 0 }],
          queries: [
            { expr: rec('target:vantage_probe_duration_seconds:mean_rate1h'), legend: '{{target}} now' },
            {
              expr: rec('target:vantage_probe_duration_seconds:mean_rate1h_forecast14d'),
              legend: '{{target}} in 14 days',
              mayBeEmpty: EMPTY.hourlySeries,
            },
          ],
        },
      ],
    },
    {
      title: 'HTTP',
      panels: [
        {
          kind: 'state-timeline',
          title: 'Status codes',
          question: 'What status code did the target answer with, and when did it change?',
          description:
            'Status code of the final response of each check: 2xx green, 3xx blue, 4xx orange, 5xx red, purple when no response arrived (0).',
          unit: 'none',
          mappings: statusCodeMappings,
          queries: [
            {
              expr: `max by (target, module, location) (${raw('probe_http_status_code')})`,
              legend: '{{target}} {{module}} {{location}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Failures by reason',
          question: 'Why did probes fail, and how often?',
          description:
            'Failed probes per interval by failure reason (dns_error, timeout, status_code, tls_cert_expired, ...), from the exact counter: no failure between scrapes is lost.',
          unit: 'short',
          min: 0,
          bars: true,
          stack: true,
          queries: [
            {
              expr: `sum by (target, reason) (increase(${raw('vantage_probe_failures_total')}[$__rate_interval]))`,
              legend: '{{target}} {{reason}}',
              mayBeEmpty: EMPTY.noFailure,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Certificate expiry',
          question: 'When does each certificate expire, and was it renewed?',
          description:
            'Time left until the earliest certificate of the chain expires, per HTTP module. A renewal shows as a jump up; orange under 14 days, red under 3.',
          unit: 's',
          min: 0,
          thresholds: CERTIFICATE,
          showThresholds: 'area',
          queries: [
            {
              expr: `min by (target, module) (${raw('probe_ssl_earliest_cert_expiry')}) - time()`,
              legend: '{{target}} {{module}}',
              mayBeEmpty: EMPTY.noTls,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Probe results',
          question: 'How many probes ran, and how many failed?',
          description: 'Probes per second by result, across every module and location.',
          unit: 'ops',
          min: 0,
          stack: true,
          styles: [
            { match: '.* failure$', color: 'red' },
            { match: '.* success$', color: 'green' },
          ],
          queries: [
            {
              expr: `sum by (target, result) (rate(${raw('vantage_probes_total')}[$__rate_interval]))`,
              legend: '{{target}} {{result}}',
            },
          ],
        },
      ],
    },
    { title: 'Browser flows', panels: browserFlowPanels },
    { title: 'Lighthouse', panels: lighthousePanels },
  ],
};
