/**
 * The Lighthouse row of the Target dashboard: Web Vitals, scores, bytes, opportunities, reports.
 * About audits: the families a browser flow also exports per step (timings, CLS, scores) are read
 * with `step=""`, or a flow's steps would average into its module's line. The Journeys dashboard
 * shows flow steps.
 */
import { AUDITS_ONLY, CWV, EMPTY, SCORE, allReportsLink, latestReportLink, raw } from '../common.js';
import type { Panel, Query } from '../model.js';

function lighthouseTiming(metric: string): Query {
  return {
    expr: `avg by (target, module) (${raw('lighthouse_timing_seconds', `${AUDITS_ONLY}, metric="${metric}"`)})`,
    legend: '{{target}} {{module}}',
  };
}

/** Web Vitals against their thresholds, scores, what the page loads, what to fix. */
export const lighthousePanels: Panel[] = [
  {
    kind: 'timeseries',
    title: 'Largest Contentful Paint',
    question: 'How long until the main content is painted, against the Core Web Vitals thresholds?',
    description:
      "LCP of each audit's median run. Good up to 2.5 s (green), poor above 4 s (red), where VantageWebVitalsPoor fires after 30 minutes.",
    unit: 's',
    width: 8,
    min: 0,
    thresholds: CWV.lcp,
    showThresholds: 'area',
    dataLinks: [latestReportLink],
    queries: [lighthouseTiming('largest_contentful_paint')],
  },
  {
    kind: 'timeseries',
    title: 'Cumulative Layout Shift',
    question: 'How much does the page jump around while it loads?',
    description: "CLS of each audit's median run (unitless). Good up to 0.1, poor above 0.25.",
    unit: 'none',
    width: 8,
    min: 0,
    decimals: 2,
    thresholds: CWV.cls,
    showThresholds: 'area',
    dataLinks: [latestReportLink],
    queries: [
      {
        expr: `avg by (target, module) (${raw('lighthouse_cumulative_layout_shift', AUDITS_ONLY)})`,
        legend: '{{target}} {{module}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Total Blocking Time',
    question: 'How long is the main thread blocked, so the page cannot respond to input?',
    description:
      "TBT of each audit's median run, the lab stand-in for INP. Good up to 200 ms, poor above 600 ms.",
    unit: 's',
    width: 8,
    min: 0,
    thresholds: CWV.tbt,
    showThresholds: 'area',
    dataLinks: [latestReportLink],
    queries: [lighthouseTiming('total_blocking_time')],
  },
  {
    kind: 'timeseries',
    title: 'Lighthouse category scores',
    question: 'Did a Lighthouse score drop, and in which category?',
    description:
      'Scores of the median run of each audit, 0 to 100 %. VantageLighthouseScoreRegression fires on a performance drop of 10 points against a week ago. Click a line for the latest report.',
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: SCORE,
    dataLinks: [latestReportLink],
    legendCalcs: ['lastNotNull', 'min'],
    queries: [
      {
        expr: `avg by (target, module, category) (${raw('lighthouse_category_score', AUDITS_ONLY)})`,
        legend: '{{target}} {{module}} {{category}}',
      },
    ],
  },
  {
    kind: 'bargauge',
    title: 'Bytes by resource type',
    question: 'What does the page download, by type of resource?',
    description:
      "Bytes transferred by the latest audit's median run, by resource type. Types without bytes, third_party (which overlaps the others) and total (their sum) are left out.",
    unit: 'bytes',
    min: 0,
    queries: [
      {
        expr: `avg by (target, module, resource_type) (${raw('lighthouse_transfer_bytes', 'resource_type!~"total|third_party"')}) > 0`,
        legend: '{{target}} {{module}} {{resource_type}}',
      },
    ],
  },
  {
    kind: 'bargauge',
    title: 'Top opportunities',
    question: 'What would make the page load faster, and by how much?',
    description:
      "Lighthouse's ten largest estimated load-time savings in the latest audit, by audit id (e.g. render-blocking-resources). The report explains each one.",
    unit: 's',
    min: 0,
    links: [allReportsLink],
    queries: [
      {
        expr: `topk(10, avg by (target, module, audit) (${raw('lighthouse_opportunity_savings_seconds')}))`,
        legend: '{{target}} {{module}} {{audit}}',
        mayBeEmpty: EMPTY.noOpportunity,
      },
    ],
  },
  {
    kind: 'table',
    title: 'Latest Lighthouse reports',
    question: 'When did the last audit finish, and where is its report?',
    description:
      "Time of each check's latest audit batch. Click the module for the median run's full Lighthouse HTML report, served by vantage at the address in the vantage URL variable.",
    unit: 'dateTimeFromNow',
    height: 6,
    links: [allReportsLink],
    labels: [
      { label: 'target', title: 'Target' },
      {
        label: 'module',
        title: 'Module',
        link: {
          title: 'Latest Lighthouse report',
          url: '${vantage_url}/lighthouse/${__data.fields.target}/${__value.raw}/latest.html',
          newTab: true,
        },
      },
    ],
    queries: [
      {
        title: 'Last audit',
        expr: `max by (target, module) (${raw('lighthouse_last_run_timestamp_seconds')}) * 1000`,
      },
      {
        title: 'Valid runs',
        expr: `min by (target, module) (${raw('lighthouse_runs')})`,
        unit: 'none',
      },
    ],
  },
];
