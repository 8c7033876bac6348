/**
 * What every vantage dashboard shares: uids, variables, selectors, annotations, thresholds and
 * the reasons a query may return nothing. Change a threshold here and every panel, the docs
 * and the lint test follow.
 */
import type { Annotation, Link, Thresholds, ValueMapping, Variable } from './model.js';

/**
 * Dashboard uids: a contract. Alert annotations link to /d/<uid>?var-target=<target>
 * (prometheus/rules/vantage-alerts.rules.yml), and so may bookmarks and runbooks.
 */
export const UID = {
  overview: 'vantage-overview',
  target: 'vantage-target',
  webVitals: 'vantage-web-vitals',
  slo: 'vantage-slo',
  trends: 'vantage-trends',
  service: 'vantage-service',
  journeys: 'vantage-journeys',
  field: 'vantage-field',
  capacity: 'vantage-capacity',
} as const;

/** vantage's address as the browser sees it; the compose default. */
export const DEFAULT_VANTAGE_URL = 'http://localhost:9470';

// ---------------------------------------------------------------------------------------------
// Selectors
//
// Raw series (probe_*, lighthouse_*, vantage_*) carry `location` when several vantage
// instances probe from several places, so they filter on both variables. Target-level recorded
// series (target:...) aggregate location away (docs/alerting.md): they cover every location
// and filter on the target only. A location-less setup still matches: location's "All" is .*,
// which matches a missing label.

/** `metric{extra, target=~"$target", location=~"$location"}`: a raw series of the selection. */
export function raw(metric: string, extra?: string): string {
  return `${metric}{${extra ? `${extra}, ` : ''}target=~"$target", location=~"$location"}`;
}

/** `metric{extra, target=~"$target"}`: a target-level recorded series (every location). */
export function rec(metric: string, extra?: string): string {
  return `${metric}{${extra ? `${extra}, ` : ''}target=~"$target"}`;
}

/**
 * The lighthouse_* series of a Lighthouse audit have no `step` label; a browser flow's
 * (prober: browser) have one per step, in the same families. A panel about audits selects
 * `step=""` so a flow's steps never average into it; a panel about flow steps selects
 * `step!=""`.
 */
export const AUDITS_ONLY = 'step=""';
export const FLOW_STEPS_ONLY = 'step!=""';

/** Lighthouse's form factor (mobile, desktop) joined onto a per-target, per-module series. */
export function withFormFactor(expr: string): string {
  return (
    `${expr}\n* on (target, module) group_left (form_factor)\n` +
    `topk by (target, module) (1, max by (target, module, form_factor) (${raw('lighthouse_target_info')}))`
  );
}

// ---------------------------------------------------------------------------------------------
// Variables

export const datasourceVariable: Variable = {
  kind: 'datasource',
  name: 'datasource',
  label: 'Data source',
  pluginId: 'prometheus',
};

/** `.*`: a single-location setup has no location label, and .* matches its absence. */
export const locationVariable: Variable = {
  kind: 'query',
  name: 'location',
  label: 'Location',
  query: 'label_values(vantage_target_info, location)',
  allValue: '.*',
  multi: true,
  includeAll: true,
};

/** `.+` for All: one short regex whatever the number of targets (10,000 names would not be). */
export const targetVariable: Variable = {
  kind: 'query',
  name: 'target',
  label: 'Target',
  query: 'label_values(vantage_target_info{location=~"$location"}, target)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

export const vantageUrlVariable: Variable = {
  kind: 'textbox',
  name: 'vantage_url',
  label: 'vantage URL',
  value: DEFAULT_VANTAGE_URL,
  description: "vantage's address as your browser reaches it, for links to Lighthouse reports.",
};

/** The variables of the dashboards about targets. */
export const targetVariables: readonly Variable[] = [datasourceVariable, locationVariable, targetVariable];

// ---------------------------------------------------------------------------------------------
// Links

/** A link to another vantage dashboard for the row's target, keeping the time range and data source. */
export function dashboardLink(uid: string, title: string, target = '${__value.raw}'): Link {
  return {
    title,
    url: `/d/${uid}?var-target=${target}&\${datasource:queryparam}&\${location:queryparam}&\${__url_time_range}`,
  };
}

/** The latest Lighthouse report of a series' target and module, served by vantage. */
export const latestReportLink: Link = {
  title: 'Latest Lighthouse report of ${__field.labels.target} (${__field.labels.module})',
  url: '${vantage_url}/lighthouse/${__field.labels.target}/${__field.labels.module}/latest.html',
  newTab: true,
};

/**
 * The latest run of a browser flow: Lighthouse's flow report (or vantage's page of the run when
 * the flow has no Lighthouse step), served by vantage at the same address as an audit's report.
 */
export const latestFlowReportLink: Link = {
  title: 'Latest flow report of ${__field.labels.target} (${__field.labels.module})',
  url: '${vantage_url}/lighthouse/${__field.labels.target}/${__field.labels.module}/latest.html',
  newTab: true,
};

export const allReportsLink: Link = {
  title: 'All Lighthouse reports',
  url: '${vantage_url}/lighthouse/',
  newTab: true,
};

// ---------------------------------------------------------------------------------------------
// Thresholds and mappings

/** Status of a target: the share of its checks (modules x locations) that succeed now. */
export const statusMappings: readonly ValueMapping[] = [
  { type: 'value', value: '1', text: 'UP', color: 'green' },
  { type: 'value', value: '0', text: 'DOWN', color: 'red' },
  { type: 'range', from: 0.0001, to: 0.9999, text: 'DEGRADED', color: 'orange' },
];

export const upMappings: readonly ValueMapping[] = [
  { type: 'value', value: '1', text: 'UP', color: 'green' },
  { type: 'value', value: '0', text: 'DOWN', color: 'red' },
];

/** Google's Core Web Vitals: good up to the first bound, poor above the second. */
export const CWV = {
  lcp: {
    base: 'green',
    steps: [
      [2.5, 'orange'],
      [4, 'red'],
    ],
  },
  cls: {
    base: 'green',
    steps: [
      [0.1, 'orange'],
      [0.25, 'red'],
    ],
  },
  tbt: {
    base: 'green',
    steps: [
      [0.2, 'orange'],
      [0.6, 'red'],
    ],
  },
  fcp: {
    base: 'green',
    steps: [
      [1.8, 'orange'],
      [3, 'red'],
    ],
  },
  /** Measured by a browser flow's timespan steps that interact; an audit has none. */
  inp: {
    base: 'green',
    steps: [
      [0.2, 'orange'],
      [0.5, 'red'],
    ],
  },
} as const satisfies Record<string, Thresholds>;

/** Lighthouse's own colours for a 0..1 score: red below 0.5, orange below 0.9. */
export const SCORE: Thresholds = {
  base: 'red',
  steps: [
    [0.5, 'orange'],
    [0.9, 'green'],
  ],
};

/** VantageCertificateExpiring: warning under 14 days, critical under 3. */
export const CERTIFICATE: Thresholds = {
  base: 'red',
  steps: [
    [3 * 86400, 'orange'],
    [14 * 86400, 'green'],
  ],
};

/** Share of the 30-day error budget left: spent at 0, worth a look under a quarter. */
export const BUDGET: Thresholds = {
  base: 'red',
  steps: [
    [0, 'orange'],
    [0.25, 'green'],
  ],
};

export const NONE_IS_GOOD: Thresholds = { base: 'green', steps: [[1, 'red']] };

// ---------------------------------------------------------------------------------------------
// Why a query may return nothing (grafana/dashboards/empty-results.yml)

export const EMPTY = {
  noTls: 'No target is probed over HTTPS: certificate series exist only for TLS probes.',
  noTlsPhase: 'No target is probed over HTTPS: the tls phase exists only for TLS probes.',
  noAlerts: 'No alert is firing (Watchdog, which always fires, is left out).',
  noChanges:
    "No change is recorded in vantage's change log: vantage_change_timestamp_seconds has a series per entry (and none before the change log exports it).",
  noFailure:
    'No probe has failed since vantage started: a failure reason gets its series at its first failure.',
  failingNow: 'Every check succeeds: probe_failure_info exists only while a check fails.',
  noReload: 'No configuration reload since vantage started: the counter gets its series at the first reload.',
  categoryNotAudited: 'No Lighthouse module audits this category (lighthouse.categories leaves it out).',
  noOpportunity: 'No audit found an opportunity with a saving (a fast page has none).',
  noRestart: 'No vantage restart in the time range.',
  downsample5m:
    'Needs about 10 minutes of history: reads the 5-minute copy of the probe counters, which needs two samples.',
  downsample1h:
    'Needs about 2 hours of history: reads the hourly copy of the probe counters, which needs two samples.',
  hourlySeries:
    'Needs about 10 minutes of history: a 7-day function over an hourly series recorded every 5 minutes, which needs two samples.',
  dayAgo: 'Needs a day of history: the same hour yesterday.',
  weekAgo: 'Needs a week of history: the same hour a week ago.',
  seasonal:
    'Needs more than a week of history: the seasonal prediction reads the same hour in earlier weeks.',
} as const;

// ---------------------------------------------------------------------------------------------
// Annotations of the dashboards about targets

/**
 * Changes from vantage's change log, on every dashboard (every one has a time axis): the
 * README and docs/changes.md promise them there, and test/unit/dashboards.test.ts holds every
 * dashboard to it. Dashboards with a target variable show the selected targets' changes and
 * those without a target; the Service dashboard, which has none, uses
 * {@link allChangesAnnotation}.
 */
export const changesAnnotation: Annotation = {
  name: 'Changes',
  description:
    "Entries of vantage's change log (deploys, config and content changes): the series' value is the change's Unix time. Changes without a target apply to every target.",
  expr: 'max by (change_id, kind, target, title) (vantage_change_timestamp_seconds{target=~"$target|"})',
  color: 'blue',
  titleFormat: '{{kind}}: {{title}}',
  textFormat: '{{target}} (change {{change_id}})',
  tagKeys: ['kind', 'target'],
  useValueForTime: true,
  step: '1m',
  mayBeEmpty: EMPTY.noChanges,
};

/** The Changes annotation of a dashboard without a target variable: every target's changes. */
export const allChangesAnnotation: Annotation = {
  ...changesAnnotation,
  description:
    "Entries of vantage's change log (deploys, config and content changes) for every target: the series' value is the change's Unix time.",
  expr: 'max by (change_id, kind, target, title) (vantage_change_timestamp_seconds)',
};

export const alertsAnnotation: Annotation = {
  name: 'Alerts',
  description:
    'Alerts firing for the selected targets, and alerts without a target (the probe service, maintenance windows).',
  expr: 'ALERTS{alertstate="firing", alertname!="Watchdog", target=~"$target|"}',
  color: 'red',
  titleFormat: '{{alertname}}',
  textFormat: '{{severity}}: {{target}}',
  tagKeys: ['alertname', 'severity'],
  step: '1m',
  mayBeEmpty: EMPTY.noAlerts,
};

/**
 * $__rate_interval, not $__interval: consecutive windows then overlap by a scrape interval, so
 * a change between the last sample of one window and the first of the next is not missed.
 */
export const restartsAnnotation: Annotation = {
  name: 'vantage restarts',
  description:
    'A vantage process started: its latest probe results, queue and counters began afresh (counters reset).',
  expr: 'changes(process_start_time_seconds{job=~"vantage(-.+)?", location=~"$location"}[$__rate_interval]) > 0',
  color: 'purple',
  titleFormat: 'vantage restarted',
  textFormat: '{{instance}}',
  tagKeys: ['instance'],
  step: '1m',
  mayBeEmpty: EMPTY.noRestart,
};

export const reloadsAnnotation: Annotation = {
  name: 'Config reloads',
  description: 'vantage loaded a new configuration (targets, modules, objectives may have changed).',
  expr: 'changes(vantage_config_last_reload_success_timestamp_seconds{location=~"$location"}[$__rate_interval]) > 0',
  color: 'orange',
  titleFormat: 'vantage configuration reloaded',
  textFormat: '{{instance}}',
  tagKeys: ['instance'],
  step: '1m',
  mayBeEmpty: 'No configuration reload in the time range.',
};

export const targetAnnotations: readonly Annotation[] = [
  changesAnnotation,
  alertsAnnotation,
  restartsAnnotation,
  reloadsAnnotation,
];
