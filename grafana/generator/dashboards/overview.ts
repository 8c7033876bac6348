/** Overview: is everything fine, and if not, which target and where to look next. */
import {
  AUDITS_ONLY,
  BUDGET,
  CERTIFICATE,
  EMPTY,
  NONE_IS_GOOD,
  SCORE,
  UID,
  allReportsLink,
  changesAnnotation,
  dashboardLink,
  raw,
  rec,
  statusMappings,
  targetVariables,
  vantageUrlVariable,
} from '../common.js';
import type { Dashboard } from '../model.js';

const status = `avg by (target) (${raw('probe_success')})`;

export const overview: Dashboard = {
  uid: UID.overview,
  file: 'overview.json',
  title: 'vantage / Overview',
  description:
    'Every target at a glance: status, availability against its objective, error budget, response time, Lighthouse scores, certificates and firing alerts.',
  time: { from: 'now-24h', to: 'now' },
  refresh: '1m',
  variables: [...targetVariables, vantageUrlVariable],
  annotations: [changesAnnotation],
  rows: [
    {
      title: 'Now',
      panels: [
        {
          kind: 'stat',
          title: 'Targets',
          question: 'How many targets does vantage probe?',
          description: 'Targets in the configuration of the selected locations.',
          unit: 'none',
          queries: [{ expr: `count(count by (target) (${raw('vantage_target_info')}))` }],
        },
        {
          kind: 'stat',
          title: 'Targets down',
          question: 'How many targets fail every HTTP check from every location right now?',
          description:
            'What VantageTargetDown pages on (after a minute). 0 is green; open the Target dashboard of a red one.',
          unit: 'none',
          background: true,
          thresholds: NONE_IS_GOOD,
          queries: [{ expr: `count(max by (target) (${raw('probe_success')}) == 0) or vector(0)` }],
        },
        {
          kind: 'stat',
          title: 'Failing checks',
          question: 'How many checks (target, module, location) fail right now?',
          description:
            'A failing check on a target that is not down is a partial outage: one location or one module. The Target dashboard says why.',
          unit: 'none',
          background: true,
          thresholds: NONE_IS_GOOD,
          queries: [{ expr: `count(${raw('probe_success')} == 0) or vector(0)` }],
        },
        {
          kind: 'stat',
          title: 'Alerts firing',
          question: 'How many alerts fire right now?',
          description:
            'Every firing alert but Watchdog, whatever its severity (info alerts are not routed but show here). The table below lists them.',
          unit: 'none',
          background: true,
          thresholds: NONE_IS_GOOD,
          queries: [{ expr: 'count(ALERTS{alertstate="firing", alertname!="Watchdog"}) or vector(0)' }],
        },
      ],
    },
    {
      title: 'Targets',
      panels: [
        {
          kind: 'table',
          title: 'Availability against objective',
          question:
            'Is each target up, and is it meeting its availability objective today, this week, this month?',
          description:
            'Status: share of its checks that succeed now (UP, DEGRADED: some locations or modules fail, DOWN). Availability: share of probes that succeeded over the last 24 hours, 7 days and 30 days, across every location, next to the objective (slo.availability). Budget left: share of the 30-day error budget unspent; below 0 it is overspent. Response time: mean probe duration over 5 minutes. Click a target for its dashboard.',
          unit: 'percentunit',
          height: 10,
          labels: [{ label: 'target', title: 'Target', link: dashboardLink(UID.target, 'Target dashboard') }],
          queries: [
            { title: 'Status', expr: status, mappings: statusMappings, colored: true, unit: 'none' },
            {
              title: 'Objective',
              expr: `max by (target) (${rec('target:vantage_slo_objective:max')})`,
              decimals: 2,
            },
            {
              title: 'Last 24 h',
              expr: `max by (target) (${rec('target:vantage_probe_availability:ratio_rate1d')})`,
              decimals: 3,
              mayBeEmpty: EMPTY.downsample5m,
            },
            {
              title: '7 days',
              expr: `max by (target) (${rec('target:vantage_probe_availability:ratio_rate7d')})`,
              decimals: 3,
              mayBeEmpty: EMPTY.downsample1h,
            },
            {
              title: '30 days',
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
            {
              title: 'Response time',
              expr: `max by (target) (${rec('target:vantage_probe_duration_seconds:mean_rate5m')})`,
              unit: 's',
            },
            {
              title: 'Certificate expires in',
              expr: `min by (target) (${raw('probe_ssl_earliest_cert_expiry')}) - time()`,
              unit: 's',
              thresholds: CERTIFICATE,
              colored: true,
              mayBeEmpty: EMPTY.noTls,
            },
          ],
        },
        {
          kind: 'table',
          title: 'Lighthouse scores',
          question: 'How does each audited page score in Lighthouse right now?',
          description:
            "Category scores of the latest audit's median run, 0 to 100 %, in Lighthouse's colours (red under 50, orange under 90). Click a module for its latest Lighthouse report.",
          unit: 'percentunit',
          height: 8,
          links: [allReportsLink],
          labels: [
            { label: 'target', title: 'Target', link: dashboardLink(UID.webVitals, 'Web Vitals dashboard') },
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
          queries: (
            [
              ['performance', 'Performance'],
              ['accessibility', 'Accessibility'],
              ['best-practices', 'Best practices'],
              ['seo', 'SEO'],
            ] as const
          ).map(([category, title]) => ({
            title,
            expr: `avg by (target, module) (${raw('lighthouse_category_score', `${AUDITS_ONLY}, category="${category}"`)})`,
            thresholds: SCORE,
            colored: true,
            decimals: 0,
            mayBeEmpty: category === 'performance' ? undefined : EMPTY.categoryNotAudited,
          })),
        },
      ],
    },
    {
      title: 'Trends',
      panels: [
        {
          kind: 'timeseries',
          title: 'Response time',
          question: 'How fast does each target answer, and did that change today?',
          description: 'Mean probe duration over 5 minutes, across every location and HTTP module.',
          unit: 's',
          min: 0,
          legendCalcs: ['mean', 'max', 'lastNotNull'],
          queries: [{ expr: rec('target:vantage_probe_duration_seconds:mean_rate5m'), legend: '{{target}}' }],
        },
        {
          kind: 'timeseries',
          title: 'Availability',
          question: 'When did targets fail probes today?',
          description:
            'Share of probes that succeeded over 5 minutes, across every location. A dip to 50 % with two locations is one location failing.',
          unit: 'percentunit',
          max: 1,
          decimals: 1,
          legendCalcs: ['mean', 'min'],
          queries: [{ expr: rec('target:vantage_probe_availability:ratio_rate5m'), legend: '{{target}}' }],
        },
      ],
    },
    {
      title: 'Certificates and alerts',
      panels: [
        {
          kind: 'bargauge',
          title: 'Certificates',
          question: "When does each target's certificate expire?",
          description:
            'Time until the earliest certificate of the served chain expires. VantageCertificateExpiring warns under 14 days (orange) and pages under 3 (red).',
          unit: 's',
          min: 0,
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
          title: 'Firing alerts',
          question: 'Which alerts fire right now, and for which targets?',
          description:
            'Every firing alert but Watchdog. Critical alerts page, warnings open tickets, info alerts stay here. The runbook (vantage /runbook) has a section per alert.',
          unit: 'none',
          width: 12,
          labels: [
            { label: 'alertname', title: 'Alert' },
            { label: 'severity', title: 'Severity' },
            { label: 'target', title: 'Target', link: dashboardLink(UID.target, 'Target dashboard') },
          ],
          queries: [
            {
              title: 'Series',
              expr: 'count by (alertname, severity, target) (ALERTS{alertstate="firing", alertname!="Watchdog"})',
              mayBeEmpty: EMPTY.noAlerts,
            },
          ],
        },
      ],
    },
  ],
};
