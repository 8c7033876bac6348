/**
 * Trends and baselines: is the target getting slower, is now unusual for this time of the
 * week, and where do the trends lead. Where VantageResponseTimeRegression and
 * VantageLatencyAnomaly link.
 */
import { AUDITS_ONLY, EMPTY, SCORE, UID, rec, targetAnnotations, targetVariables } from '../common.js';
import type { Dashboard } from '../model.js';

const meanHour = 'target:vantage_probe_duration_seconds:mean_rate1h';
/** Audits' baselines: a browser flow's steps have baselines of their own, with a `step` label. */
const score = (suffix: string) =>
  rec(`target:lighthouse_category_score:avg1h${suffix}`, `${AUDITS_ONLY}, category="performance"`);
const lcp = (suffix: string) =>
  rec(`target:lighthouse_timing_seconds:avg1h${suffix}`, `${AUDITS_ONLY}, metric="largest_contentful_paint"`);

/** Three standard deviations, at least 1 ms: the band VantageLatencyAnomaly fires outside of. */
const band = `3 * clamp_min(${rec(`${meanHour}_stddev1w`)}, 0.001)`;

const weekAgoStyle = [{ match: '.* (a week ago|yesterday)$', dashed: true, fill: 0 }];

export const trends: Dashboard = {
  uid: UID.trends,
  file: 'trends.json',
  title: 'vantage / Trends and baselines',
  description:
    'Week over week, the seasonal prediction of response time with its band, and 14-day forecasts of response time and performance score.',
  time: { from: 'now-7d', to: 'now' },
  refresh: '5m',
  variables: targetVariables,
  annotations: targetAnnotations,
  rows: [
    {
      title: 'Week over week',
      panels: [
        {
          kind: 'timeseries',
          title: 'Response time, this week and last week',
          question: 'Is the target slower than at the same time last week?',
          description:
            'Mean response time over each hour, and the same hour a week ago and a day ago (dashed). Weekly patterns (traffic, batch jobs) line up; a gap that opens is a regression.',
          unit: 's',
          min: 0,
          styles: weekAgoStyle,
          queries: [
            { expr: rec(meanHour), legend: '{{target}} now' },
            { expr: rec(`${meanHour}_offset1w`), legend: '{{target}} a week ago', mayBeEmpty: EMPTY.weekAgo },
            { expr: rec(`${meanHour}_offset1d`), legend: '{{target}} yesterday', mayBeEmpty: EMPTY.dayAgo },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Response time against a week ago',
          question: 'How many times slower than last week is the target?',
          description:
            'Hourly mean response time divided by the same hour a week ago: 1 is unchanged. VantageResponseTimeRegression fires above 1.5 for 15 minutes.',
          unit: 'none',
          min: 0,
          decimals: 2,
          thresholds: { base: 'green', steps: [[1.5, 'red']] },
          showThresholds: 'lines',
          queries: [
            {
              expr: `${rec(meanHour)}\n/\n${rec(`${meanHour}_offset1w`)}`,
              legend: '{{target}}',
              mayBeEmpty: EMPTY.weekAgo,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Performance score, this week and last week',
          question: 'Did the Lighthouse performance score drop since last week?',
          description:
            'Hourly average performance score, and the same hour a week ago and a day ago (dashed). VantageLighthouseScoreRegression fires on a drop of 0.1 or more against a week ago.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          styles: weekAgoStyle,
          queries: [
            { expr: score(''), legend: '{{target}} {{module}} now' },
            {
              expr: score('_offset1w'),
              legend: '{{target}} {{module}} a week ago',
              mayBeEmpty: EMPTY.weekAgo,
            },
            { expr: score('_offset1d'), legend: '{{target}} {{module}} yesterday', mayBeEmpty: EMPTY.dayAgo },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Largest Contentful Paint, this week and last week',
          question: 'Is the main content painted later than last week?',
          description:
            'Hourly average LCP of the median runs, and the same hour a week ago and a day ago (dashed).',
          unit: 's',
          min: 0,
          styles: weekAgoStyle,
          queries: [
            { expr: lcp(''), legend: '{{target}} {{module}} now' },
            { expr: lcp('_offset1w'), legend: '{{target}} {{module}} a week ago', mayBeEmpty: EMPTY.weekAgo },
            { expr: lcp('_offset1d'), legend: '{{target}} {{module}} yesterday', mayBeEmpty: EMPTY.dayAgo },
          ],
        },
      ],
    },
    {
      title: 'Seasonal baseline',
      panels: [
        {
          kind: 'timeseries',
          title: 'Response time against its seasonal prediction',
          question: 'Is the response time unusual for this hour of the week?',
          description:
            'Mean response time over 5 minutes, the seasonal prediction (the median of the same hour in the last three weeks plus the weekly trend) and the band of 3 standard deviations around it (dashed). Outside the band for 10 minutes, VantageLatencyAnomaly fires (info: dashboards only).',
          unit: 's',
          min: 0,
          styles: [
            { match: '.* prediction$', dashed: true, fill: 0, width: 2 },
            { match: '.* (upper|lower) bound$', dashed: true, fill: 0, color: 'orange' },
          ],
          queries: [
            { expr: rec('target:vantage_probe_duration_seconds:mean_rate5m'), legend: '{{target}} now' },
            {
              expr: rec(`${meanHour}_prediction`),
              legend: '{{target}} prediction',
              mayBeEmpty: EMPTY.seasonal,
            },
            {
              expr: `${rec(`${meanHour}_prediction`)}\n+ ${band}`,
              legend: '{{target}} upper bound',
              mayBeEmpty: EMPTY.seasonal,
            },
            {
              expr: `clamp_min(\n  ${rec(`${meanHour}_prediction`)}\n  - ${band},\n  0\n)`,
              legend: '{{target}} lower bound',
              mayBeEmpty: EMPTY.seasonal,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Deviation from the prediction',
          question: 'How many standard deviations from its usual value is the response time?',
          description:
            'The 5-minute mean minus the seasonal prediction, in weekly standard deviations (at least 1 ms). Beyond +3 or -3 for 10 minutes, VantageLatencyAnomaly fires.',
          unit: 'none',
          decimals: 1,
          thresholds: {
            base: 'red',
            steps: [
              [-3, 'green'],
              [3, 'red'],
            ],
          },
          showThresholds: 'lines',
          queries: [
            {
              expr:
                `(\n  ${rec('target:vantage_probe_duration_seconds:mean_rate5m')}\n  - ${rec(`${meanHour}_prediction`)}\n)\n` +
                `/ clamp_min(${rec(`${meanHour}_stddev1w`)}, 0.001)`,
              legend: '{{target}}',
              mayBeEmpty: EMPTY.seasonal,
            },
          ],
        },
      ],
    },
    {
      title: 'Forecasts',
      panels: [
        {
          kind: 'timeseries',
          title: 'Response time in 14 days',
          question: 'At this rate, will the target breach its latency threshold within two weeks?',
          description:
            'Linear forecast 14 days ahead from the last 7 days of hourly means (dashed), the hourly mean now, and the latency threshold (red, dashed). A forecast that crosses the threshold is a slow regression to act on before it alerts.',
          unit: 's',
          min: 0,
          styles: [
            { match: '.* in 14 days$', dashed: true, fill: 0 },
            { match: '.* threshold$', dashed: true, fill: 0, color: 'red' },
          ],
          queries: [
            { expr: rec(meanHour), legend: '{{target}} now' },
            {
              expr: rec(`${meanHour}_forecast14d`),
              legend: '{{target}} in 14 days',
              mayBeEmpty: EMPTY.hourlySeries,
            },
            { expr: rec('target:vantage_latency_threshold_seconds:max'), legend: '{{target}} threshold' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Performance score in 14 days',
          question: 'At this rate, where will the Lighthouse performance score be in two weeks?',
          description:
            'Linear forecast 14 days ahead from the last 7 days of hourly average scores (dashed), and the score now. The forecast is a trend line: it can leave the 0..1 range.',
          unit: 'percentunit',
          thresholds: SCORE,
          showThresholds: 'lines',
          styles: [{ match: '.* in 14 days$', dashed: true, fill: 0 }],
          queries: [
            { expr: score(''), legend: '{{target}} {{module}} now' },
            {
              expr: score('_forecast14d'),
              legend: '{{target}} {{module}} in 14 days',
              mayBeEmpty: EMPTY.hourlySeries,
            },
          ],
        },
      ],
    },
  ],
};
