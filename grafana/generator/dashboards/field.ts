/**
 * Field: what real users get (the beacons of vantage's snippet, docs/field-data.md), per site,
 * page group and device: the 75th percentile of each vital against Google's thresholds, the
 * share of good page views, traffic, bounce and conversion rates, the lab's median-run LCP of the
 * same pages beside the field p75, and what the slow page views have in common (INP interaction
 * targets, LCP element types, layout shift targets). Where VantageFieldWebVitalsPoor links.
 *
 * The vitals, their units and thresholds come from FIELD_VITALS (src/rum/vitals.ts); the p75s
 * and shares are the recording rules of prometheus/rules/vantage-field.rules.yml. rum_* series
 * are about visitors, not about where vantage runs: they are filtered by site, page group and
 * device, never by location; the lab series and vantage's own (rejections, series count) are.
 */
import { FIELD_VITALS, type FieldVital } from '../../../src/rum/vitals.js';
import {
  AUDITS_ONLY,
  UID,
  allChangesAnnotation,
  datasourceVariable,
  latestReportLink,
  locationVariable,
  reloadsAnnotation,
  restartsAnnotation,
  vantageUrlVariable,
} from '../common.js';
import type {
  Annotation,
  Column,
  Dashboard,
  FieldStyle,
  Panel,
  Thresholds,
  Unit,
  Variable,
} from '../model.js';

// ---------------------------------------------------------------------------------------------
// Variables: `.+` for All, as the target variable (every site, page group, device).

const siteVariable: Variable = {
  kind: 'query',
  name: 'site',
  label: 'Site',
  query: 'label_values(rum_page_views_total, site)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

const pageGroupVariable: Variable = {
  kind: 'query',
  name: 'page_group',
  label: 'Page group',
  query: 'label_values(rum_page_views_total{site=~"$site"}, page_group)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

const deviceVariable: Variable = {
  kind: 'query',
  name: 'device',
  label: 'Device',
  query: 'label_values(rum_page_views_total{site=~"$site", page_group=~"$page_group"}, device)',
  allValue: '.+',
  multi: true,
  includeAll: true,
};

// ---------------------------------------------------------------------------------------------
// Selectors

const SITE_GROUP = 'site=~"$site", page_group=~"$page_group"';
const SITE_GROUP_DEVICE = `${SITE_GROUP}, device=~"$device"`;

/** A per-device field series (raw rum_* or recorded site_page_group_device:*) of the selection. */
const field = (metric: string, extra?: string) =>
  `${metric}{${extra ? `${extra}, ` : ''}${SITE_GROUP_DEVICE}}`;
/** A field series without a device label (attribution counters, site_page_group:* rules). */
const fieldNoDevice = (metric: string, extra?: string) =>
  `${metric}{${extra ? `${extra}, ` : ''}${SITE_GROUP}}`;

const p75 = (v: FieldVital) => field(`site_page_group_device:${v.metric}:p75_1h`);
const goodRatio = (v: FieldVital) => field(`site_page_group_device:${v.metric}:good_ratio_1h`);

// ---------------------------------------------------------------------------------------------
// Vitals

const unitOf = (v: FieldVital): Unit => (v.unit === 'seconds' ? 's' : 'none');
const decimalsOf = (v: FieldVital) => (v.unit === 'score' ? 3 : undefined);

/** Google's colours: green up to "good", orange up to "poor", red above. */
const thresholdsOf = (v: FieldVital): Thresholds => ({
  base: 'green',
  steps: [
    [v.good, 'orange'],
    [v.poor, 'red'],
  ],
});

const limits = (v: FieldVital) =>
  v.unit === 'seconds'
    ? `good up to ${v.good * 1000} ms, poor above ${v.poor * 1000} ms`
    : `good up to ${v.good}, poor above ${v.poor}`;

/** The Core Web Vitals (VantageFieldWebVitalsPoor's); FCP and TTFB are diagnostics. */
const CORE = new Set(['lcp', 'inp', 'cls']);
const vitalNote = (v: FieldVital) =>
  `${v.title}: ${limits(v)}.${CORE.has(v.key) ? ' A Core Web Vital: VantageFieldWebVitalsPoor fires on a poor p75 over 100 page views an hour.' : ' A diagnostic, not a Core Web Vital.'}`;

const byDevice = '{{page_group}} {{device}}';
/** Desktop dashed, mobile and tablet solid, in every panel that shows devices. */
const desktopDashed: FieldStyle[] = [{ match: '.* desktop\\b.*', dashed: true, fill: 0 }];

const p75Panels: Panel[] = FIELD_VITALS.map((v) => ({
  kind: 'timeseries',
  title: `p75 ${v.title}`,
  question: `How long (or how much) is ${v.title} for three page views in four, per page group and device?`,
  description: `The 75th percentile of real page views over the last hour (site_page_group_device:${v.metric}:p75_1h), the figure Google judges pages by; desktop dashed. ${vitalNote(v)} Within 10 % of the exact p75: the histogram's buckets are at most 10 % apart around the thresholds.`,
  unit: unitOf(v),
  decimals: decimalsOf(v),
  width: CORE.has(v.key) ? 8 : 12,
  min: 0,
  thresholds: thresholdsOf(v),
  showThresholds: 'lines',
  styles: desktopDashed,
  queries: [{ expr: p75(v), legend: byDevice }],
}));

/** The share of good page views: 75 % or more good is a p75 in the good range. */
const SHARE: Thresholds = { base: 'red', steps: [[0.75, 'green']] };

const goodSharePanels: Panel[] = FIELD_VITALS.filter((v) => CORE.has(v.key)).map((v) => ({
  kind: 'timeseries',
  title: `Good ${v.title} page views`,
  question: `What share of page views rate ${v.title} as good?`,
  description: `Page views at or under ${v.unit === 'seconds' ? `${v.good * 1000} ms` : v.good} over the last hour, exactly (the threshold is a bucket edge). 75 % or more is a p75 in the good range; desktop dashed.`,
  unit: 'percentunit',
  width: 8,
  min: 0,
  max: 1,
  thresholds: SHARE,
  showThresholds: 'lines',
  styles: desktopDashed,
  queries: [{ expr: goodRatio(v), legend: byDevice }],
}));

const pageViewsPerHour = `${field('site_page_group_device:rum_page_views:rate1h')} * 3600`;

const latestColumns: Column[] = [
  ...FIELD_VITALS.map((v) => ({
    title: `p75 ${v.key.toUpperCase()}`,
    expr: p75(v),
    unit: unitOf(v),
    decimals: decimalsOf(v),
    thresholds: thresholdsOf(v),
    colored: true,
  })),
  ...FIELD_VITALS.filter((v) => CORE.has(v.key)).map((v) => ({
    title: `Good ${v.key.toUpperCase()}`,
    expr: goodRatio(v),
    unit: 'percentunit' as const,
    decimals: 0,
    thresholds: SHARE,
    colored: true,
  })),
  { title: 'Page views / hour', expr: pageViewsPerHour, unit: 'short', decimals: 0 },
];

// ---------------------------------------------------------------------------------------------
// Traffic and engagement. Counters are read per minute: a page view rate per second reads as
// 0.02 where 1.2 a minute is plain.

const perMinute = (metric: string) =>
  `sum by (site, page_group, device) (rate(${field(metric)}[$__rate_interval])) * 60`;

/** Sessions with no engaged series yet count as 0 engaged, as in the recording rule. */
const bounceByDevice =
  `clamp_min(\n  1\n  -\n  (\n` +
  `    sum by (site, page_group, device) (increase(${field('rum_engaged_sessions_total')}[$__rate_interval]))\n` +
  `    or\n` +
  `    0 * sum by (site, page_group, device) (increase(${field('rum_sessions_total')}[$__rate_interval]))\n` +
  `  )\n  /\n` +
  `  (sum by (site, page_group, device) (increase(${field('rum_sessions_total')}[$__rate_interval])) > 0),\n  0\n)`;

// ---------------------------------------------------------------------------------------------
// Lab against field: Lighthouse audits (median run, averaged over locations) of the targets whose
// URL falls in a page group, joined to it by vantage_rum_target_page_group_info. max by: the info
// series is exported by every vantage instance; one per target and page group is needed.

const labLcp =
  `avg by (target, module) (lighthouse_timing_seconds{${AUDITS_ONLY}, metric="largest_contentful_paint", location=~"$location"})\n` +
  `* on (target) group_left (site, page_group)\n` +
  `max by (target, site, page_group) (vantage_rum_target_page_group_info{${SITE_GROUP}, location=~"$location"})`;

const lcp = FIELD_VITALS.find((v) => v.key === 'lcp')!;

const fieldAlertsAnnotation: Annotation = {
  name: 'Alerts',
  description: 'VantageFieldWebVitalsPoor firing for the selected sites and page groups.',
  expr: `ALERTS{alertstate="firing", alertname="VantageFieldWebVitalsPoor", ${SITE_GROUP}}`,
  color: 'red',
  titleFormat: '{{alertname}}',
  textFormat: '{{vital}}: {{site}} {{page_group}} {{device}}',
  tagKeys: ['alertname', 'vital'],
  step: '1m',
  mayBeEmpty: 'VantageFieldWebVitalsPoor is not firing for the selection.',
};

export const fieldDashboard: Dashboard = {
  uid: UID.field,
  file: 'field.json',
  title: 'vantage / Field',
  description:
    "What real users get, from the beacons of vantage's snippet: the 75th percentile of each Web Vital per site, page group and device against Google's thresholds, the share of good page views, traffic, bounce and conversion rates, the lab's LCP of the same pages beside the field's, and what the slow page views have in common.",
  time: { from: 'now-24h', to: 'now' },
  refresh: '5m',
  variables: [
    datasourceVariable,
    locationVariable,
    siteVariable,
    pageGroupVariable,
    deviceVariable,
    vantageUrlVariable,
  ],
  annotations: [allChangesAnnotation, fieldAlertsAnnotation, restartsAnnotation, reloadsAnnotation],
  rows: [
    {
      title: 'Last hour',
      panels: [
        {
          kind: 'table',
          title: 'Web Vitals by page group and device',
          question: 'Which page groups pass the Core Web Vitals for real users, on which devices?',
          description:
            'p75 of each vital over the last hour (green good, orange needs improvement, red poor), the share of good page views of the three Core Web Vitals, and page views in the hour: a p75 over a few dozen page views moves a lot.',
          unit: 's',
          labels: [
            { label: 'site', title: 'Site' },
            { label: 'page_group', title: 'Page group' },
            { label: 'device', title: 'Device' },
          ],
          queries: latestColumns,
        },
      ],
    },
    { title: '75th percentile', panels: p75Panels },
    { title: 'Good page views', panels: goodSharePanels },
    {
      title: 'Traffic and engagement',
      panels: [
        {
          kind: 'timeseries',
          title: 'Page views per minute',
          question: 'How many page views does each page group get, per device?',
          description:
            'Page views counted from beacons (one per page view, sent when the page is hidden), per minute; desktop dashed.',
          unit: 'short',
          width: 12,
          min: 0,
          styles: desktopDashed,
          queries: [{ expr: perMinute('rum_page_views_total'), legend: byDevice }],
        },
        {
          kind: 'timeseries',
          title: 'Sessions per minute',
          question: 'How many visits start on each page group, per device?',
          description:
            'Sessions started per minute, by the page group of their landing page (30 minutes without activity end a session); desktop dashed.',
          unit: 'short',
          width: 12,
          min: 0,
          styles: desktopDashed,
          queries: [{ expr: perMinute('rum_sessions_total'), legend: byDevice }],
        },
        {
          kind: 'timeseries',
          title: 'Bounce rate',
          question: 'What share of visits landing on each page group leave without engaging?',
          description:
            "1 - engaged sessions / sessions (GA4's definition: a session is engaged after 10 s visible, a second page view or a goal), by landing page group: over the last hour for every device (solid), and per device over the graph's interval (dashed thin).",
          unit: 'percentunit',
          width: 12,
          min: 0,
          max: 1,
          styles: [{ match: '.* \\(device\\)$', dashed: true, fill: 0, width: 1 }],
          queries: [
            {
              expr: fieldNoDevice('site_page_group:rum_bounce:ratio_1h'),
              legend: '{{page_group}} (1h)',
            },
            { expr: bounceByDevice, legend: '{{page_group}} {{device}} (device)', minStep: '5m' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Conversion rate by goal',
          question: 'What share of visits landing on each page group reach each goal?',
          description:
            "Sessions that reached the goal (window.vantageRum.goal('...')) over sessions, by landing page group and goal, over the last hour.",
          unit: 'percentunit',
          width: 12,
          min: 0,
          queries: [
            {
              expr: fieldNoDevice('site_page_group:rum_conversion:ratio_1h'),
              legend: '{{page_group}} {{goal}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Lab against field',
      panels: [
        {
          kind: 'timeseries',
          title: 'Lab against field: LCP',
          question: "Does the lab's LCP of a page agree with what real users of its page group get?",
          description: `Field p75 LCP over the last hour per device (solid) against the median-run LCP of the Lighthouse audits of every target whose URL falls in the page group (dashed), with Google's thresholds (${limits(lcp)}). Lab good and field poor: the visitors' devices, networks, caches or third parties differ from the lab's profile (docs/runbook.md, VantageFieldWebVitalsPoor). Click a lab line for its latest report.`,
          unit: 's',
          min: 0,
          thresholds: thresholdsOf(lcp),
          showThresholds: 'lines',
          styles: [{ match: '.* lab: .*', dashed: true, fill: 0 }],
          dataLinks: [latestReportLink],
          queries: [
            { expr: p75(lcp), legend: '{{page_group}} {{device}} field p75' },
            { expr: labLcp, legend: '{{page_group}} lab: {{target}} ({{module}})' },
          ],
        },
      ],
    },
    {
      title: 'What the slow page views have in common',
      panels: [
        {
          kind: 'timeseries',
          title: 'Top INP interaction targets',
          question: 'Which elements do users interact with, and how fast does the page answer?',
          description:
            'The 10 interaction targets (web-vitals\' CSS selector of the element clicked, tapped or typed in) with the most page views, by INP rating: a target with many poor page views is the event handler to look at. Targets beyond the site\'s max_targets_per_site are counted as "other".',
          unit: 'short',
          width: 8,
          min: 0,
          stack: true,
          bars: true,
          queries: [
            {
              expr: `topk(10, sum by (page_group, target, interaction_type, rating) (increase(${fieldNoDevice('rum_inp_targets_total')}[$__rate_interval])))`,
              legend: '{{target}} {{interaction_type}} {{rating}} ({{page_group}})',
              minStep: '5m',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'LCP element types',
          question: 'What is the largest element of the page when it is painted, and how fast?',
          description:
            'Page views by the type of their LCP element (img, image, video, text, background-image, other) and LCP rating: a slow image calls for preloading or a smaller file, slow text for fonts or server time.',
          unit: 'short',
          width: 8,
          min: 0,
          stack: true,
          bars: true,
          queries: [
            {
              expr: `sum by (element, rating) (increase(${fieldNoDevice('rum_lcp_elements_total')}[$__rate_interval]))`,
              legend: '{{element}} {{rating}}',
              minStep: '5m',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Top layout shift targets',
          question: 'Which elements move the page under the users?',
          description:
            "The 10 elements of the largest layout shift (web-vitals' CSS selector) with the most page views, by CLS rating.",
          unit: 'short',
          width: 8,
          min: 0,
          stack: true,
          bars: true,
          queries: [
            {
              expr: `topk(10, sum by (page_group, target, rating) (increase(${fieldNoDevice('rum_cls_targets_total')}[$__rate_interval])))`,
              legend: '{{target}} {{rating}} ({{page_group}})',
              minStep: '5m',
            },
          ],
        },
      ],
    },
    {
      title: 'Collector',
      panels: [
        {
          kind: 'timeseries',
          title: 'Rejected beacons by reason',
          question: 'How many beacons does vantage turn away, and why?',
          description:
            'Per minute, by reason (origin, body_too_large, content_type, invalid_json, invalid_beacon, unknown_site, rate_limited, bot, headless, series_limit, unknown_goal). A jump in origin or unknown_site: a site moved or its configuration changed; series_limit: page views no longer counted.',
          unit: 'short',
          width: 12,
          min: 0,
          queries: [
            {
              expr: 'sum by (reason) (rate(vantage_rum_beacons_rejected_total{location=~"$location"}[$__rate_interval])) * 60',
              legend: '{{reason}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Field series against the cap',
          question: 'How close are the rum_* series to rum.limits.max_series?',
          description:
            'Series of the rum_* families each vantage exports now, against its cap: at the cap, beacons that would add a series are rejected (series_limit).',
          unit: 'short',
          width: 12,
          min: 0,
          styles: [{ match: '^cap .*', dashed: true, fill: 0 }],
          queries: [
            { expr: 'vantage_rum_series{location=~"$location"}', legend: '{{instance}}' },
            { expr: 'vantage_rum_series_limit{location=~"$location"}', legend: 'cap {{instance}}' },
          ],
        },
      ],
    },
  ],
};
