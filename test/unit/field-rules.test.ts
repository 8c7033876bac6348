/**
 * prometheus/rules/vantage-field.rules.yml and VantageFieldWebVitalsPoor against FIELD_VITALS
 * (src/rum/vitals.ts), the one table of the vitals' metrics, thresholds and bucket edges. The
 * rule files are YAML written by hand like the other rule files; this test is what keeps their
 * numbers equal to the table's: change a threshold there and this fails until the rules follow.
 * What the rules compute is tested by promtool (prometheus/tests/field.test.yml).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIELD_VITALS, type FieldVital } from '../../src/rum/vitals.js';

const root = new URL('../../', import.meta.url);
interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
const rulesOf = (file: string): Rule[] =>
  (
    parse(readFileSync(new URL(`prometheus/rules/${file}`, root), 'utf8')) as {
      groups: { rules: Rule[] }[];
    }
  ).groups.flatMap((g) => g.rules);

const fieldRules = rulesOf('vantage-field.rules.yml');
const recorded = new Map(fieldRules.map((r) => [r.record!, r.expr.replace(/\s+/g, ' ').trim()]));
const alert = rulesOf('vantage-alerts.rules.yml').find((r) => r.alert === 'VantageFieldWebVitalsPoor')!;

/**
 * The matcher of the bucket at a threshold: `le="2.5"`, or for an integer edge `le=~"4|4.0"`
 * (Prometheus 2 keeps `le` as exposed, String(4) = "4"; Prometheus 3 writes it as "4.0").
 */
function bucketAt(edge: number): string {
  return Number.isInteger(edge) ? `le=~"${edge}|${edge}.0"` : `le="${String(edge)}"`;
}

const WINDOWS = ['1h', '1d'] as const;
const cases = FIELD_VITALS.flatMap((v) => WINDOWS.map((w) => [v.key, w, v] as const));

describe('vantage-field.rules.yml against FIELD_VITALS', () => {
  it.each(cases)('%s over %s: p75 of the histogram by site, page group and device', (_key, w, v) => {
    expect(recorded.get(`site_page_group_device:${v.metric}:p75_${w}`)).toBe(
      `histogram_quantile(0.75, sum by (site, page_group, device, le) (rate(${v.metric}_bucket[${w}])))`,
    );
  });

  it.each(cases)('%s over %s: good, needs-improvement and poor from the threshold buckets', (_key, w, v) => {
    const bucket = (edge: number) =>
      `sum by (site, page_group, device) (rate(${v.metric}_bucket{${bucketAt(edge)}}[${w}]))`;
    const count = `(sum by (site, page_group, device) (rate(${v.metric}_count[${w}])) > 0)`;
    const all = `sum by (site, page_group, device) (rate(${v.metric}_count[${w}]))`;
    const name = (ratio: string) => `site_page_group_device:${v.metric}:${ratio}_${w}`;
    expect(recorded.get(name('good_ratio'))).toBe(`${bucket(v.good)} / ${count}`);
    expect(recorded.get(name('needs_improvement_ratio'))).toBe(
      `( ${bucket(v.poor)} - ${bucket(v.good)} ) / ${count}`,
    );
    expect(recorded.get(name('poor_ratio'))).toBe(`( ${all} - ${bucket(v.poor)} ) / ${count}`);
  });

  it('uses threshold edges that are bucket edges (the shares are exact only then)', () => {
    for (const v of FIELD_VITALS) {
      expect(v.buckets, v.key).toContain(v.good);
      expect(v.buckets, v.key).toContain(v.poor);
    }
  });

  it('records nothing about a vital FIELD_VITALS does not have', () => {
    const metrics = new Set(FIELD_VITALS.map((v) => v.metric));
    const perVital = [...recorded.keys()].filter((name) => /:rum_.*_(seconds|shift):/.test(name));
    expect(perVital).toHaveLength(FIELD_VITALS.length * WINDOWS.length * 4);
    for (const name of perVital) expect(metrics.has(name.split(':')[1]!), name).toBe(true);
  });

  it('records page views, bounce and conversion rates', () => {
    expect([...recorded.keys()].filter((n) => !/:rum_.*_(seconds|shift):/.test(n)).sort()).toEqual([
      'site_page_group:rum_bounce:ratio_1d',
      'site_page_group:rum_bounce:ratio_1h',
      'site_page_group:rum_conversion:ratio_1d',
      'site_page_group:rum_conversion:ratio_1h',
      'site_page_group_device:rum_page_views:rate1h',
    ]);
  });
});

describe('VantageFieldWebVitalsPoor against FIELD_VITALS', () => {
  const expr = alert.expr.replace(/\s+/g, ' ');
  const vital = (key: string): FieldVital => FIELD_VITALS.find((v) => v.key === key)!;

  // The Core Web Vitals: what Google rates a page by. FCP and TTFB are diagnostics, not alerts.
  it.each(['lcp', 'inp', 'cls'])('fires on the p75 of %s above its "poor" edge, labelled vital=%s', (key) => {
    const v = vital(key);
    expect(expr).toContain(
      `label_replace(site_page_group_device:${v.metric}:p75_1h > ${String(v.poor)}, "vital", "${key}", "", "")`,
    );
  });

  it('alerts on the Core Web Vitals only', () => {
    expect(expr.match(/label_replace\(/g)).toHaveLength(3);
  });

  it('needs 100 page views in the hour on the same site, page group and device', () => {
    expect(expr).toContain(
      'and on (site, page_group, device) site_page_group_device:rum_page_views:rate1h * 3600 >= 100',
    );
  });
});
