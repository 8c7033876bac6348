/**
 * Web Vitals: every audited page against Google's Core Web Vitals, mobile against desktop, and
 * how many runs were rated good. Where VantageWebVitalsPoor links for an audit; for a browser
 * flow's step it links to the Journeys dashboard, so the families flows share are read with
 * `step=""` here.
 */
import {
  AUDITS_ONLY,
  CWV,
  SCORE,
  UID,
  allReportsLink,
  dashboardLink,
  latestReportLink,
  raw,
  targetAnnotations,
  targetVariables,
  vantageUrlVariable,
  withFormFactor,
} from '../common.js';
import type { Column, Dashboard, FieldStyle, Panel, Thresholds, Unit } from '../model.js';

/** Desktop dashed, mobile solid, in every panel that shows both. */
const desktopDashed: FieldStyle[] = [{ match: '.* desktop\\b.*', dashed: true, fill: 0 }];

const timing = (metric: string) =>
  withFormFactor(
    `avg by (target, module) (${raw('lighthouse_timing_seconds', `${AUDITS_ONLY}, metric="${metric}"`)})`,
  );
const cls = withFormFactor(
  `avg by (target, module) (${raw('lighthouse_cumulative_layout_shift', AUDITS_ONLY)})`,
);
const performance = withFormFactor(
  `avg by (target, module) (${raw('lighthouse_category_score', `${AUDITS_ONLY}, category="performance"`)})`,
);

interface Vital {
  name: string;
  metric: string;
  expr: string;
  unit: Unit;
  thresholds: Thresholds;
  question: string;
  description: string;
}

const VITALS: Vital[] = [
  {
    name: 'Largest Contentful Paint',
    metric: 'largest_contentful_paint',
    expr: timing('largest_contentful_paint'),
    unit: 's',
    thresholds: CWV.lcp,
    question: 'How long until the main content of each page is painted?',
    description: 'Good up to 2.5 s, poor above 4 s (VantageWebVitalsPoor).',
  },
  {
    name: 'Cumulative Layout Shift',
    metric: 'cumulative_layout_shift',
    expr: cls,
    unit: 'none',
    thresholds: CWV.cls,
    question: 'How much does each page shift while it loads?',
    description: 'Unitless. Good up to 0.1, poor above 0.25 (VantageWebVitalsPoor).',
  },
  {
    name: 'Total Blocking Time',
    metric: 'total_blocking_time',
    expr: timing('total_blocking_time'),
    unit: 's',
    thresholds: CWV.tbt,
    question: 'How long is the main thread of each page blocked?',
    description: 'The lab stand-in for INP. Good up to 200 ms, poor above 600 ms (VantageWebVitalsPoor).',
  },
];

const latestColumns: Column[] = [
  ...VITALS.map((v) => ({
    title: v.name,
    expr: v.expr,
    unit: v.unit,
    thresholds: v.thresholds,
    colored: true,
    decimals: v.unit === 'none' ? 2 : undefined,
  })),
  {
    title: 'First Contentful Paint',
    expr: timing('first_contentful_paint'),
    unit: 's',
    thresholds: CWV.fcp,
    colored: true,
  },
  {
    title: 'Performance',
    expr: performance,
    unit: 'percentunit',
    thresholds: SCORE,
    colored: true,
    decimals: 0,
  },
];

const overTime: Panel[] = VITALS.map((v) => ({
  kind: 'timeseries',
  title: v.name,
  question: v.question,
  description: `Median run of each audit, desktop dashed. ${v.description} Click a line for the latest report.`,
  unit: v.unit,
  width: 8,
  min: 0,
  decimals: v.unit === 'none' ? 2 : undefined,
  thresholds: v.thresholds,
  showThresholds: 'area',
  styles: desktopDashed,
  dataLinks: [latestReportLink],
  queries: [{ expr: v.expr, legend: '{{target}} {{form_factor}} ({{module}})' }],
}));

/**
 * Good runs over all runs. The counters move once per audit (every 15 minutes by default): a
 * one-hour min step makes $__rate_interval at least 4 hours, so each point holds many audits.
 */
const goodShare: Panel[] = VITALS.map((v) => ({
  kind: 'timeseries',
  title: `Good ${v.name} runs`,
  question: `What share of Lighthouse runs rate ${v.name} as good?`,
  description: `Every valid run counts, not only the published median run: a page that is good in two runs out of three shows 67 %. Windows of at least 4 hours. ${v.description}`,
  unit: 'percentunit',
  width: 8,
  min: 0,
  max: 1,
  queries: [
    {
      expr:
        `sum by (target, module) (increase(${raw('lighthouse_cwv_runs_total', `metric="${v.metric}", rating="good"`)}[$__rate_interval]))\n/\n` +
        `sum by (target, module) (increase(${raw('lighthouse_cwv_runs_total', `metric="${v.metric}"`)}[$__rate_interval]))`,
      legend: '{{target}} {{module}}',
      minStep: '1h',
    },
  ],
}));

export const webVitals: Dashboard = {
  uid: UID.webVitals,
  file: 'web-vitals.json',
  title: 'vantage / Web Vitals',
  description:
    "Every audited page against Google's Core Web Vitals (lab values from Lighthouse's median run), mobile against desktop, and the share of runs rated good.",
  time: { from: 'now-7d', to: 'now' },
  refresh: '5m',
  variables: [...targetVariables, vantageUrlVariable],
  annotations: targetAnnotations,
  rows: [
    {
      title: 'Latest audit',
      panels: [
        {
          kind: 'table',
          title: 'Core Web Vitals by page',
          question: 'Which pages pass the Core Web Vitals, on mobile and on desktop?',
          description:
            "Latest audit's median run of every audited page: green good, orange needs improvement, red poor. Click a target for its dashboard, a module for its latest Lighthouse report.",
          unit: 's',
          links: [allReportsLink],
          labels: [
            { label: 'target', title: 'Target', link: dashboardLink(UID.target, 'Target dashboard') },
            {
              label: 'module',
              title: 'Module',
              link: {
                title: 'Latest Lighthouse report',
                url: '${vantage_url}/lighthouse/${__data.fields.target}/${__value.raw}/latest.html',
                newTab: true,
              },
            },
            { label: 'form_factor', title: 'Form factor' },
          ],
          queries: latestColumns,
        },
      ],
    },
    { title: 'Over time', panels: overTime },
    {
      title: 'Mobile against desktop',
      panels: [
        {
          kind: 'timeseries',
          title: 'Performance score by form factor',
          question: 'How much worse does each page score on a mobile device than on a desktop?',
          description:
            'Lighthouse performance score of each audit, mobile solid and desktop dashed. Mobile audits emulate a mid-range phone on a slow 4G network, so they score lower.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          styles: desktopDashed,
          dataLinks: [latestReportLink],
          queries: [{ expr: performance, legend: '{{target}} {{form_factor}} ({{module}})' }],
        },
        {
          kind: 'timeseries',
          title: 'First Contentful Paint by form factor',
          question: 'How long until each page shows anything, on mobile and on desktop?',
          description:
            'FCP of the median run, mobile solid and desktop dashed. Good up to 1.8 s, poor above 3 s.',
          unit: 's',
          min: 0,
          thresholds: CWV.fcp,
          showThresholds: 'lines',
          styles: desktopDashed,
          queries: [
            { expr: timing('first_contentful_paint'), legend: '{{target}} {{form_factor}} ({{module}})' },
          ],
        },
      ],
    },
    { title: 'Runs rated good', panels: goodShare },
    {
      title: 'How far to trust the figures',
      panels: [
        {
          kind: 'timeseries',
          title: 'Run-to-run spread',
          question: 'How much did the runs of one audit disagree?',
          description:
            '(max - min) / median of each timing across the valid runs of a batch. Under 10 % the median is solid; a large spread calls for more runs per audit.',
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: `avg by (target, module, metric) (${raw('lighthouse_timing_spread_ratio', 'metric=~"largest_contentful_paint|total_blocking_time"')})`,
              legend: '{{target}} {{module}} {{metric}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Benchmark index',
          question: 'Did the machine running the audits get slower?',
          description:
            "Lighthouse's measure of the auditing machine's CPU during the median run. Simulated timings scale with it: when it drops, pages look slower without having changed.",
          unit: 'none',
          min: 0,
          queries: [
            {
              expr: `avg by (target, module, instance) (${raw('lighthouse_benchmark_index')})`,
              legend: '{{target}} {{module}} {{instance}}',
            },
          ],
        },
      ],
    },
  ],
};
