/**
 * The Browser flows row of the Target dashboard: each browser flow's (prober: browser) latest
 * run and a link to its flow report, as the Lighthouse row links each audit's report. vantage
 * serves both at /lighthouse/<target>/<module>/latest.html.
 *
 * A flow is a check like any other (probe_success, probe_duration_seconds, its last run time);
 * what sets it apart is its browser_step_* series, so the generic series are kept only for
 * the target and module pairs that have those.
 */
import { UID, allReportsLink, raw } from '../common.js';
import type { Link, Panel, ValueMapping } from '../model.js';

/** The selected targets' browser flows: one series per target and module. */
const flows = `group by (target, module) (${raw('browser_step_success')})`;
const flowsOnly = (expr: string) => `${expr}\nand on (target, module)\n${flows}`;

const outcomeMappings: readonly ValueMapping[] = [
  { type: 'value', value: '1', text: 'OK', color: 'green' },
  { type: 'value', value: '0', text: 'FAILED', color: 'red' },
];

/** The Journeys dashboard for the selected targets: the flows step by step, with their Web Vitals. */
const journeysLink: Link = {
  title: 'Journeys dashboard: the flows step by step',
  url: `/d/${UID.journeys}?\${target:queryparam}&\${datasource:queryparam}&\${location:queryparam}&\${__url_time_range}`,
};

export const browserFlowPanels: Panel[] = [
  {
    kind: 'table',
    title: 'Latest browser flow runs',
    question: 'When did each browser flow last run, did it complete, and where is its flow report?',
    description:
      "Start of each browser flow's latest run (the latest location where there are several), whether it completed every step (every location) and how long its steps took (slowest location, without Lighthouse's analysis). Click the flow for the report of its latest run: Lighthouse's flow report, or vantage's page of the run without Lighthouse. A failed run also saved a screenshot of the failing page and the console errors (docs/runbook.md, VantageJourneyStepSlow).",
    unit: 'dateTimeFromNow',
    height: 6,
    links: [journeysLink, allReportsLink],
    labels: [
      { label: 'target', title: 'Target' },
      {
        label: 'module',
        title: 'Flow',
        link: {
          title: 'Latest flow report',
          url: '${vantage_url}/lighthouse/${__data.fields.target}/${__value.raw}/latest.html',
          newTab: true,
        },
      },
    ],
    queries: [
      {
        title: 'Last run',
        expr: flowsOnly(
          `max by (target, module) (${raw('vantage_probe_last_run_timestamp_seconds')}) * 1000`,
        ),
      },
      {
        title: 'Outcome',
        expr: flowsOnly(`min by (target, module) (${raw('probe_success')})`),
        unit: 'none',
        mappings: outcomeMappings,
        colored: true,
      },
      {
        title: 'Flow time',
        expr: flowsOnly(`max by (target, module) (${raw('probe_duration_seconds')})`),
        unit: 's',
      },
    ],
  },
];
