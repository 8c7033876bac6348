/**
 * SLOs: availability against the objective and how fast the error budget burns, in the
 * windows the burn-rate alerts use. Where VantageSLOBurnRateFast and ...Slow link.
 */
import { BUDGET, EMPTY, UID, changesAnnotation, dashboardLink, rec, targetVariables } from '../common.js';
import type { Dashboard, Thresholds } from '../model.js';

const burn = (window: string) => rec(`target:vantage_slo_burn_rate:ratio_rate${window}`);

/** Orange from 1 (spending faster than the budget allows), red from the alert's factor. */
const burnThresholds = (alertAt: number): Thresholds => ({
  base: 'green',
  steps: [
    [1, 'orange'],
    [alertAt, 'red'],
  ],
});

export const slo: Dashboard = {
  uid: UID.slo,
  file: 'slo.json',
  title: 'vantage / SLOs',
  description:
    "Availability against each target's objective over a 30-day period: the error budget left, and burn rates in the windows of the multi-window, multi-burn-rate alerts.",
  time: { from: 'now-7d', to: 'now' },
  refresh: '5m',
  variables: targetVariables,
  annotations: [changesAnnotation],
  rows: [
    {
      title: 'Objectives',
      panels: [
        {
          kind: 'table',
          title: 'SLO status',
          question: 'Which targets meet their availability objective, and which are burning their budget?',
          description:
            'Objective, availability over 30 days, the share of the 30-day error budget left, and the burn rate now in each alert window: 1 spends exactly the budget over 30 days. Red at the factors that page (14.4 over 1 hour, 6 over 6 hours) or open a ticket (3 over 1 day, 1 over 3 days), when the short window agrees.',
          unit: 'percentunit',
          height: 9,
          labels: [{ label: 'target', title: 'Target', link: dashboardLink(UID.target, 'Target dashboard') }],
          queries: [
            {
              title: 'Objective',
              expr: `max by (target) (${rec('target:vantage_slo_objective:max')})`,
              decimals: 2,
            },
            {
              title: 'Availability, 30 days',
              expr: `max by (target) (${rec('target:vantage_probe_availability:ratio_rate30d')})`,
              decimals: 3,
              mayBeEmpty: EMPTY.downsample1h,
            },
            {
              title: 'Budget left',
              expr: `min by (target) (${rec('target:vantage_slo_error_budget_remaining:ratio30d')})`,
              thresholds: BUDGET,
              colored: true,
              decimals: 0,
              mayBeEmpty: EMPTY.downsample1h,
            },
            ...(
              [
                ['1h', 14.4, undefined],
                ['6h', 6, undefined],
                ['1d', 3, EMPTY.downsample5m],
                ['3d', 1, EMPTY.downsample5m],
              ] as const
            ).map(([window, alertAt, mayBeEmpty]) => ({
              title: `Burn rate ${window}`,
              expr: `max by (target) (${burn(window)})`,
              unit: 'none' as const,
              decimals: 2,
              thresholds: burnThresholds(alertAt),
              colored: true,
              mayBeEmpty,
            })),
          ],
        },
      ],
    },
    {
      title: 'Error budget',
      panels: [
        {
          kind: 'timeseries',
          title: 'Error budget left',
          question: 'How much of the 30-day error budget is left, and how fast did it go?',
          description:
            'Share of the error budget unspent over the trailing 30 days: 100 % untouched, 0 spent, below 0 overspent. A steep drop is an incident; a steady slope is chronic flakiness.',
          unit: 'percentunit',
          thresholds: BUDGET,
          showThresholds: 'lines',
          legendCalcs: ['lastNotNull', 'min'],
          queries: [
            {
              expr: rec('target:vantage_slo_error_budget_remaining:ratio30d'),
              legend: '{{target}}',
              mayBeEmpty: EMPTY.downsample1h,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Availability by window',
          question: 'How available was the target over the last hour, day and 30 days?',
          description:
            'Share of probes that succeeded over 1 hour, 1 day and 30 days (dashed), across every location, and the objective (red, dashed).',
          unit: 'percentunit',
          max: 1,
          decimals: 3,
          styles: [
            { match: '.* 30d$', dashed: true, fill: 0 },
            { match: '.* objective$', dashed: true, fill: 0, color: 'red' },
          ],
          queries: [
            { expr: rec('target:vantage_probe_availability:ratio_rate1h'), legend: '{{target}} 1h' },
            {
              expr: rec('target:vantage_probe_availability:ratio_rate1d'),
              legend: '{{target}} 1d',
              mayBeEmpty: EMPTY.downsample5m,
            },
            {
              expr: rec('target:vantage_probe_availability:ratio_rate30d'),
              legend: '{{target}} 30d',
              mayBeEmpty: EMPTY.downsample1h,
            },
            { expr: rec('target:vantage_slo_objective:max'), legend: '{{target}} objective' },
          ],
        },
      ],
    },
    {
      title: 'Burn rates',
      panels: [
        {
          kind: 'timeseries',
          title: 'Fast burn: 1 hour and 6 hours',
          question: 'Is the target burning its budget fast enough to page?',
          description:
            'Burn rates over the long windows of VantageSLOBurnRateFast (1 hour, 6 hours) and their short windows (5 and 30 minutes, dashed). It pages when both windows of a pair pass their factor (14.4 and 6, the red line at 14.4) with 3 failed probes.',
          unit: 'none',
          min: 0,
          thresholds: {
            base: 'green',
            steps: [
              [6, 'orange'],
              [14.4, 'red'],
            ],
          },
          showThresholds: 'lines',
          styles: [{ match: '.* (5m|30m)$', dashed: true, fill: 0 }],
          queries: [
            { expr: burn('1h'), legend: '{{target}} 1h' },
            { expr: burn('5m'), legend: '{{target}} 5m' },
            { expr: burn('6h'), legend: '{{target}} 6h' },
            { expr: burn('30m'), legend: '{{target}} 30m' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Slow burn: 1 day and 3 days',
          question: 'Is the target steadily spending more budget than it can afford?',
          description:
            'Burn rates over the long windows of VantageSLOBurnRateSlow (1 day, 3 days) and their short windows (2 and 6 hours, dashed). It opens a ticket when both windows of a pair pass their factor (3 and 1).',
          unit: 'none',
          min: 0,
          thresholds: {
            base: 'green',
            steps: [
              [1, 'orange'],
              [3, 'red'],
            ],
          },
          showThresholds: 'lines',
          styles: [{ match: '.* (2h|6h)$', dashed: true, fill: 0 }],
          queries: [
            { expr: burn('1d'), legend: '{{target}} 1d', mayBeEmpty: EMPTY.downsample5m },
            { expr: burn('2h'), legend: '{{target}} 2h' },
            { expr: burn('3d'), legend: '{{target}} 3d', mayBeEmpty: EMPTY.downsample5m },
            { expr: burn('6h'), legend: '{{target}} 6h' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Failed probes in the alert windows',
          question: 'Are there enough failed probes for a burn rate to mean something?',
          description:
            'Failed probes over 1 hour, 6 hours, 1 day and 3 days. The burn-rate alerts also need 3 failures in their long window, so one or two lost probes never page.',
          unit: 'short',
          min: 0,
          width: 24,
          queries: [
            { expr: rec('target:vantage_probe_failures:increase1h'), legend: '{{target}} 1h' },
            { expr: rec('target:vantage_probe_failures:increase6h'), legend: '{{target}} 6h' },
            {
              expr: rec('target:vantage_probe_failures:increase1d'),
              legend: '{{target}} 1d',
              mayBeEmpty: EMPTY.downsample5m,
            },
            {
              expr: rec('target:vantage_probe_failures:increase3d'),
              legend: '{{target}} 3d',
              mayBeEmpty: EMPTY.downsample5m,
            },
          ],
        },
      ],
    },
  ],
};
