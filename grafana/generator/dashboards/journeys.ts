/**
 * Journeys: multi-step transactions, HTTP (`prober: journey`) and in a real browser (`prober:
 * browser`), step by step. Where VantageJourneyStepSlow links (with the target and the journey,
 * its module), and VantageWebVitalsPoor for a browser step, so it answers "how long does the
 * transaction take, does it complete, which step is slow or failing, and why".
 *
 * Both probers export the generic probe series and the shared step families
 * (vantage_journey_step_duration_seconds, its objective, vantage_journey_step_failures_total), so
 * those panels cover both alike. Each has its own latest-run step gauges (probe_journey_step_* and
 * browser_step_*): a panel reads the two in two queries, the browser one allowed empty, since a
 * deployment may run no browser flow. A browser step with Lighthouse also has its Web Vitals
 * (lighthouse_* with `step`), in the row of its own.
 *
 * A journey is found by the shared step histogram, so the target and module variables list
 * journeys and flows only. Every selector filters on the module as well as on the target and
 * location: a target may run a journey beside other modules, and only the journey's series
 * belong here. A step's name is unique only within its journey, so step series are kept apart
 * by target and module too.
 */
import {
  CWV,
  EMPTY,
  FLOW_STEPS_ONLY,
  SCORE,
  UID,
  dashboardLink,
  datasourceVariable,
  latestFlowReportLink,
  locationVariable,
  raw,
  rec,
  statusMappings,
  targetAnnotations,
  vantageUrlVariable,
} from '../common.js';
import type { Dashboard, Panel, Thresholds, Unit, ValueMapping, Variable } from '../model.js';

/** The series of the selected journeys: raw series filter on module, target and location. */
const sel = (metric: string, extra?: string) => raw(metric, `${extra ? `${extra}, ` : ''}module=~"$module"`);
/** Target-level recorded series cover every location: module and target only. */
const selRec = (metric: string) => rec(metric, 'module=~"$module"');

/**
 * `.+` for All, as for the target variable of every dashboard. From the step histogram both
 * probers share: it has a series for every step that ran, failed or not.
 */
const journeyTargetVariable: Variable = {
  kind: 'query',
  name: 'target',
  label: 'Target',
  query: 'label_values(vantage_journey_step_duration_seconds_count{location=~"$location"}, target)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

const journeyVariable: Variable = {
  kind: 'query',
  name: 'module',
  label: 'Journey',
  query:
    'label_values(vantage_journey_step_duration_seconds_count{target=~"$target", location=~"$location"}, module)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

/** Mean transaction time over the interval, from the exact _sum and _count, `offset` back. */
function meanTransactionTime(offset: string): string {
  const shifted = offset ? ` offset ${offset}` : '';
  const part = (suffix: string) =>
    `sum by (target, module) (rate(${sel(`vantage_probe_duration_seconds_${suffix}`)}[$__rate_interval]${shifted}))`;
  return `${part('sum')}\n/\n${part('count')}`;
}

/** A step quantile from the histogram, interpolated inside its bucket. */
function stepQuantile(q: number): string {
  return `histogram_quantile(${q}, sum by (target, module, step, le) (rate(${sel('vantage_journey_step_duration_seconds_bucket')}[$__rate_interval])))`;
}

const stepOutcomeMappings: readonly ValueMapping[] = [
  { type: 'value', value: '1', text: 'OK', color: 'green' },
  { type: 'value', value: '0', text: 'FAILED', color: 'red' },
];

/** Why journey queries may return nothing once journeys run (grafana/dashboards/empty-results.yml). */
const NO_OBJECTIVE =
  "No selected journey step has a latency objective: neither steps[].slo.latency nor the target's slo.latency is set.";
const JOURNEY_OK =
  'Every selected journey completes: probe_failure_info of a journey exists only while it fails.';
const NO_JOURNEY_FAILURE =
  'No selected journey has failed since vantage started: a step and reason get their series at the first failure.';

const thresholdStyle = { match: '.* objective$', dashed: true, fill: 0, color: 'red' } as const;

/** A browser step's Web Vital from Lighthouse, averaged over locations as VantageWebVitalsPoor averages it. */
const stepVital = (metric: string, extra: string) =>
  `avg by (target, module, step) (${sel(metric, `${extra ? `${extra}, ` : ''}${FLOW_STEPS_ONLY}`)})`;
const stepTiming = (metric: string) => stepVital('lighthouse_timing_seconds', `metric="${metric}"`);

interface StepVital {
  title: string;
  expr: string;
  unit: Unit;
  thresholds: Thresholds;
  question: string;
  description: string;
}

/** The Web Vitals of browser steps, each against Google's thresholds, as VantageWebVitalsPoor judges them. */
const STEP_VITALS: StepVital[] = [
  {
    title: 'INP per step',
    expr: stepTiming('interaction_to_next_paint'),
    unit: 's',
    thresholds: CWV.inp,
    question: "How long does the page take to answer each step's click, typing or selection?",
    description:
      'Interaction to Next Paint of the interaction steps (click, type, select: Lighthouse timespans) of the latest flow run. Good up to 200 ms, poor above 500 ms, where VantageWebVitalsPoor fires after 30 minutes. Click a line for the flow report.',
  },
  {
    title: 'LCP per step',
    expr: stepTiming('largest_contentful_paint'),
    unit: 's',
    thresholds: CWV.lcp,
    question: 'How long until the main content of each page the flow navigates to is painted?',
    description:
      'Largest Contentful Paint of the navigation steps (navigate) of the latest flow run. Good up to 2.5 s, poor above 4 s (VantageWebVitalsPoor). Click a line for the flow report.',
  },
  {
    title: 'CLS per step',
    expr: stepVital('lighthouse_cumulative_layout_shift', ''),
    unit: 'none',
    thresholds: CWV.cls,
    question: 'How much does the page shift during each step?',
    description:
      'Cumulative Layout Shift of the navigation and interaction steps of the latest flow run (unitless): a shift after a click counts here, where a page-load audit never sees it. Good up to 0.1, poor above 0.25 (VantageWebVitalsPoor).',
  },
];

const stepVitalPanels: Panel[] = STEP_VITALS.map((v) => ({
  kind: 'timeseries',
  title: v.title,
  question: v.question,
  description: v.description,
  unit: v.unit,
  width: 8,
  min: 0,
  decimals: v.unit === 'none' ? 2 : undefined,
  thresholds: v.thresholds,
  showThresholds: 'area',
  dataLinks: [latestFlowReportLink],
  queries: [{ expr: v.expr, legend: '{{target}} {{module}} {{step}}' }],
}));

export const journeys: Dashboard = {
  uid: UID.journeys,
  file: 'journeys.json',
  title: 'vantage / Journeys',
  description:
    'Multi-step transactions, HTTP (prober: journey) and in a real browser (prober: browser): transaction time against yesterday and last week, completion rate, time per step, step latency against its objective, which step fails and why, and the Web Vitals of browser steps.',
  time: { from: 'now-24h', to: 'now' },
  refresh: '1m',
  variables: [
    datasourceVariable,
    locationVariable,
    journeyTargetVariable,
    journeyVariable,
    vantageUrlVariable,
  ],
  annotations: targetAnnotations,
  rows: [
    {
      title: 'Transaction',
      panels: [
        {
          kind: 'stat',
          title: 'Completing now',
          question: 'Does each journey complete right now?',
          description:
            'Share of its locations whose latest journey completed every step: UP, DEGRADED (some locations fail) or DOWN (all fail).',
          unit: 'none',
          width: 8,
          background: true,
          mappings: statusMappings,
          queries: [
            { expr: `avg by (target, module) (${sel('probe_success')})`, legend: '{{target}} {{module}}' },
          ],
        },
        {
          kind: 'stat',
          title: 'Transaction time now',
          question: 'How long did the latest journey take, end to end?',
          description:
            "Duration of the latest journey of each location, from the first request to the last response (the slowest location where there are several). A browser flow's is the sum of its steps, without Lighthouse's analysis.",
          unit: 's',
          width: 8,
          queries: [
            {
              expr: `max by (target, module) (${sel('probe_duration_seconds')})`,
              legend: '{{target}} {{module}}',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'Steps failing now',
          question: 'How many journeys are stopped at a failing step right now?',
          description:
            'Selected journeys and browser flows whose latest run failed at a step, in any location (probe_failure_info with a step). The table "Failing now" below names the step and the reason.',
          unit: 'none',
          width: 8,
          background: true,
          thresholds: { base: 'green', steps: [[1, 'red']] },
          queries: [
            {
              expr: `count(max by (target, module) (${sel('probe_failure_info', 'step!=""')})) or vector(0)`,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Transaction time, now, yesterday and last week',
          question: 'Does the transaction take longer than at the same time yesterday, or a week ago?',
          description:
            'Mean journey duration over each interval, from the exact histogram sum and count across locations, and the same time one day and one week earlier (dashed).',
          unit: 's',
          min: 0,
          styles: [{ match: '.* (yesterday|last week)$', dashed: true, fill: 0 }],
          queries: [
            { expr: meanTransactionTime(''), legend: '{{target}} {{module}} now' },
            {
              expr: meanTransactionTime('1d'),
              legend: '{{target}} {{module}} yesterday',
              mayBeEmpty: EMPTY.dayAgo,
            },
            {
              expr: meanTransactionTime('1w'),
              legend: '{{target}} {{module}} last week',
              mayBeEmpty: EMPTY.weekAgo,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Completion rate',
          question: 'What share of journeys complete every step?',
          description:
            "Journeys that completed every step, divided by all journeys run, across locations, from the exact counter: no journey between scrapes is lost. 100% is good; each failed journey counts against the target's availability objective.",
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [
            {
              expr:
                `sum by (target, module) (rate(${sel('vantage_probes_total', 'result="success"')}[$__rate_interval]))\n/\n` +
                `sum by (target, module) (rate(${sel('vantage_probes_total')}[$__rate_interval]))`,
              legend: '{{target}} {{module}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Steps',
      panels: [
        {
          kind: 'timeseries',
          title: 'Time per step',
          question: 'Where does a journey spend its time: which step?',
          description:
            "Duration of each step of the latest journey, stacked, so the top of the stack is the time spent in the steps (the mean over locations): A an HTTP journey's, B a browser flow's (its action and wait, without Lighthouse's analysis). A step never reached in the latest journey is absent, not 0.",
          unit: 's',
          min: 0,
          stack: true,
          queries: [
            {
              expr: `avg by (target, module, step) (${sel('probe_journey_step_duration_seconds')})`,
              legend: '{{target}} {{module}} {{step}}',
            },
            {
              expr: `avg by (target, module, step) (${sel('browser_step_duration_seconds')})`,
              legend: '{{target}} {{module}} {{step}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Step latency against its objective',
          question: 'Which step is slower than its latency objective?',
          description:
            "Median and 95th percentile of each step over the interval, from the step histogram HTTP journeys and browser flows share, across locations (interpolated inside a bucket), and the step's objective (dashed red: steps[].slo.latency, else the target's slo.latency). VantageJourneyStepSlow fires when the median over 10 minutes stays above the objective for 5 minutes.",
          unit: 's',
          min: 0,
          styles: [thresholdStyle, { match: '.* p95$', dashed: true, fill: 0 }],
          queries: [
            { expr: stepQuantile(0.5), legend: '{{target}} {{module}} {{step}} p50' },
            { expr: stepQuantile(0.95), legend: '{{target}} {{module}} {{step}} p95' },
            {
              expr: `max by (target, module, step) (${sel('vantage_journey_step_latency_threshold_seconds')})`,
              legend: '{{target}} {{module}} {{step}} objective',
              mayBeEmpty: NO_OBJECTIVE,
            },
          ],
        },
        {
          kind: 'table',
          title: 'Steps now',
          question:
            'How does each step stand against its objective, and did it succeed in the latest journey?',
          description:
            'Per step of HTTP journeys and browser flows: the median over 10 minutes that VantageJourneyStepSlow compares with the objective, and the objective; for an HTTP journey, also the duration in the latest journey (slowest location) and whether it succeeded there (every location); a browser step has those in "Browser steps now". A step never reached in the latest journey has no outcome.',
          unit: 's',
          height: 8,
          labels: [
            { label: 'target', title: 'Target', link: dashboardLink(UID.target, 'Target dashboard') },
            { label: 'module', title: 'Journey' },
            { label: 'step', title: 'Step' },
          ],
          queries: [
            {
              title: 'Median, 10 min',
              expr: `max by (target, module, step) (${selRec('target:vantage_journey_step_duration_seconds:quantile_rate10m')})`,
            },
            {
              title: 'Objective',
              expr: `max by (target, module, step) (${selRec('target:vantage_journey_step_latency_threshold_seconds:max')})`,
              mayBeEmpty: NO_OBJECTIVE,
            },
            {
              title: 'Latest',
              expr: `max by (target, module, step) (${sel('probe_journey_step_duration_seconds')})`,
            },
            {
              title: 'Outcome',
              expr: `min by (target, module, step) (${sel('probe_journey_step_success')})`,
              unit: 'none',
              mappings: stepOutcomeMappings,
              colored: true,
            },
          ],
        },
      ],
    },
    {
      title: 'Failures',
      panels: [
        {
          kind: 'table',
          title: 'Failing now',
          question: 'Which step stops each failing journey, where, and why?',
          description:
            "Every journey whose latest run failed, with the step it stopped at, the phase (an HTTP phase or extract; a browser flow's step action: navigate, click, type, select, wait_for, assert, screenshot) and the reason (docs/metrics.md lists them; journeys add extraction_failed and json_mismatch, browser flows selector_not_found, navigation_timeout, assertion_failed, chrome_crashed and page_error). Empty is good. A failed browser run's screenshot and console errors are at /lighthouse/<target>/<module>/<stamp>.png and .json on vantage (docs/runbook.md).",
          unit: 'none',
          height: 6,
          labels: [
            { label: 'target', title: 'Target' },
            { label: 'module', title: 'Journey' },
            { label: 'location', title: 'Location' },
            { label: 'step', title: 'Step' },
            { label: 'phase', title: 'Phase' },
            { label: 'reason', title: 'Reason' },
          ],
          queries: [
            {
              title: 'Failing',
              expr: `max by (target, module, location, step, phase, reason) (${sel('probe_failure_info', 'step!=""')})`,
              mayBeEmpty: JOURNEY_OK,
            },
          ],
        },
        {
          kind: 'state-timeline',
          title: 'Step outcomes',
          question: 'Which step failed, and when?',
          description:
            "Outcome of each step in the latest journey over time: OK green, FAILED red (any location): A an HTTP journey's steps, B a browser flow's. A gap after a failed step is expected: the steps after it never ran.",
          unit: 'none',
          mappings: stepOutcomeMappings,
          queries: [
            {
              expr: `min by (target, module, step) (${sel('probe_journey_step_success')})`,
              legend: '{{target}} {{module}} {{step}}',
            },
            {
              expr: `min by (target, module, step) (${sel('browser_step_success')})`,
              legend: '{{target}} {{module}} {{step}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Failed journeys by step and reason',
          question: 'Which step fails most often, and why?',
          description:
            'Failed journeys and browser flow runs per interval by the step that failed and the reason, from the exact counter both share, across locations: no failure between scrapes is lost.',
          unit: 'short',
          min: 0,
          bars: true,
          stack: true,
          queries: [
            {
              expr: `sum by (target, module, step, reason) (increase(${sel('vantage_journey_step_failures_total')}[$__rate_interval]))`,
              legend: '{{target}} {{module}} {{step}} {{reason}}',
              mayBeEmpty: NO_JOURNEY_FAILURE,
            },
          ],
        },
      ],
    },
    {
      title: 'Browser steps',
      panels: [
        {
          kind: 'table',
          title: 'Browser steps now',
          question: 'How did each step of the latest browser flow run go, and how did the page feel?',
          description:
            "Per step of the selected browser flows' latest run: its duration (slowest location), whether it succeeded (every location) and, with Lighthouse, its Web Vitals and performance score (mean over locations; a navigation step has LCP, an interaction step INP, a step scores only the categories its Lighthouse mode scores). Click the flow for its latest flow report.",
          unit: 's',
          height: 8,
          labels: [
            { label: 'target', title: 'Target', link: dashboardLink(UID.target, 'Target dashboard') },
            {
              label: 'module',
              title: 'Flow',
              link: {
                title: 'Latest flow report',
                url: '${vantage_url}/lighthouse/${__data.fields.target}/${__value.raw}/latest.html',
                newTab: true,
              },
            },
            { label: 'step', title: 'Step' },
          ],
          queries: [
            {
              title: 'Latest',
              expr: `max by (target, module, step) (${sel('browser_step_duration_seconds')})`,
            },
            {
              title: 'Outcome',
              expr: `min by (target, module, step) (${sel('browser_step_success')})`,
              unit: 'none',
              mappings: stepOutcomeMappings,
              colored: true,
            },
            ...STEP_VITALS.map((v) => ({
              title: v.title.replace(/ per step$/, ''),
              expr: v.expr,
              unit: v.unit,
              thresholds: v.thresholds,
              colored: true,
              decimals: v.unit === 'none' ? 2 : undefined,
            })),
            {
              title: 'Performance',
              expr: stepVital('lighthouse_category_score', 'category="performance"'),
              unit: 'percentunit',
              thresholds: SCORE,
              colored: true,
              decimals: 0,
            },
          ],
        },
        ...stepVitalPanels,
      ],
    },
  ],
};
