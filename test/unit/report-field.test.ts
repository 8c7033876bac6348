/**
 * The pure parts of the report's field figures: the slice arithmetic (fieldFigures.ts), the p75
 * test of a change (fieldEvaluation.ts) and the rendering of both, table-style.
 */
import { describe, expect, it } from 'vitest';
import {
  sliceFigures,
  slicesOf,
  vitalFigures,
  type FieldSeriesCounts,
} from '../../src/report/fieldFigures.js';
import {
  fieldP75,
  fieldVerdict,
  judgeP75,
  p75ChangeRatio,
  type FieldP75,
  type FieldVerdict,
} from '../../src/report/fieldEvaluation.js';
import { compareField, type FieldPeriodCounts } from '../../src/report/fieldMonitoring.js';
import { renderHtml, renderMarkdown } from '../../src/report/render/index.js';
import { FIELD_VITALS, type VitalKey } from '../../src/rum/vitals.js';
import { sampleReport } from '../helpers/sampleReport.js';

const LCP = FIELD_VITALS.find((v) => v.key === 'lcp')!;

/** Cumulative LCP buckets holding `values` (seconds). */
function lcpBuckets(values: number[]): Map<number, number> {
  return new Map([...LCP.buckets, Infinity].map((le) => [le, values.filter((v) => v <= le).length]));
}

/** `n` values spread evenly over [0.7, 1.1) · p75: their exact p75 is p75. */
const spread = (n: number, p75: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.round(p75 * (0.7 + (0.4 * i) / n) * 1000) / 1000);

function series(
  pageGroup: string,
  device: string,
  pageViews: number,
  lcp: number[] = [],
  sessions = 0,
  engaged = 0,
): FieldSeriesCounts {
  return {
    site: 'shop',
    pageGroup,
    device,
    pageViews,
    sessions,
    engagedSessions: engaged,
    conversions: new Map([['checkout', Math.floor(sessions / 10)]]),
    buckets: new Map<VitalKey, Map<number, number>>([['lcp', lcpBuckets(lcp)]]),
  };
}

describe('vitalFigures', () => {
  it.each<[string, number[], { p75: number | null; good: number | null; poor: number | null }]>([
    ['no observations', [], { p75: null, good: null, poor: null }],
    ['all good', [1, 1.2, 2, 2.5], { p75: 2, good: 1, poor: 0 }],
    ['a quarter poor', [1, 2, 3, 5], { p75: 3, good: 0.5, poor: 0.25 }],
  ])('%s', (_name, values, want) => {
    const f = vitalFigures(LCP, lcpBuckets(values));
    expect(f.samples).toBe(values.length);
    expect(f.goodShare).toBe(want.good);
    expect(f.poorShare).toBe(want.poor);
    if (want.p75 === null) expect(f.p75).toBeNull();
    else expect(Math.abs(f.p75! - want.p75) / want.p75).toBeLessThan(0.1);
  });
});

describe('sliceFigures', () => {
  const all = [series('product', 'mobile', 10, [1, 2, 3], 10, 6), series('home', 'desktop', 5, [4], 5, 5)];
  it.each<[string, string | null, string | null, number, number | null, number]>([
    ['the whole site', null, null, 15, 1 - 11 / 15, 4],
    ['a page group', 'product', null, 10, 0.4, 3],
    ['a device', null, 'desktop', 5, 0, 1],
    ['a slice without page views', 'cart', null, 0, null, 0],
  ])('%s', (_name, pageGroup, device, views, bounce, lcpSamples) => {
    const f = sliceFigures(all, { pageGroup, device });
    expect(f.pageViews).toBe(views);
    if (bounce === null) expect(f.bounceRate).toBeNull();
    else expect(f.bounceRate).toBeCloseTo(bounce, 12);
    expect(f.vitals.get('lcp')!.samples).toBe(lcpSamples);
  });
  it('gives conversion rates per goal over sessions', () => {
    expect(sliceFigures(all, { pageGroup: 'product', device: null }).conversions.get('checkout')).toEqual({
      conversions: 1,
      rate: 0.1,
    });
  });
});

describe('slicesOf', () => {
  it.each<[string, FieldSeriesCounts[], [string | null, string | null][]]>([
    ['one page group on one device: none', [series('product', 'mobile', 3)], []],
    [
      'devices only',
      [series('product', 'mobile', 3), series('product', 'desktop', 3)],
      [
        [null, 'desktop'],
        [null, 'mobile'],
      ],
    ],
    [
      'both, without empty combinations',
      [series('product', 'mobile', 3), series('home', 'desktop', 3), series('home', 'tablet', 0)],
      [
        [null, 'desktop'],
        [null, 'mobile'],
        ['home', null],
        ['product', null],
        ['home', 'desktop'],
        ['product', 'mobile'],
      ],
    ],
  ])('%s', (_name, input, want) => {
    expect(slicesOf(input).map((s) => [s.pageGroup, s.device])).toEqual(want);
  });
});

describe('judgeP75', () => {
  const side = (n: number, p75: number): FieldP75 => fieldP75(lcpBuckets(spread(n, p75)));
  it.each<[string, FieldP75, FieldP75, FieldVerdict]>([
    ['2.0 s → 3.0 s on 1,000 page views: regressed', side(1000, 2), side(1000, 3), 'regressed'],
    ['3.0 s → 2.0 s: improved', side(1000, 3), side(1000, 2), 'improved'],
    ['the same distribution: no change', side(1000, 2), side(1000, 2), 'no significant change'],
    [
      '+5 %, across an edge: within bucket resolution',
      side(5000, 2),
      side(5000, 2.1),
      'no significant change',
    ],
    ['99 page views before: not enough', side(99, 2), side(1000, 3), 'not enough field data'],
    ['+50 % on 100 page views a side: beyond the noise', side(100, 2), side(100, 3), 'regressed'],
  ])('%s', (_name, before, after, want) => {
    expect(judgeP75(before, after)).toBe(want);
  });

  it('needs non-overlapping intervals: a wide spread keeps a +15 % move on 100 page views from counting', () => {
    /** Values over [0.25, 1.25) · p75: the p75's 95 % interval spans about ±8.5 %. */
    const wide = (n: number, p75: number): FieldP75 =>
      fieldP75(
        lcpBuckets(Array.from({ length: n }, (_, i) => Math.round(p75 * (0.25 + i / n) * 1000) / 1000)),
      );
    const before = wide(100, 2);
    const after = wide(100, 2.3);
    expect(after.low!).toBeLessThan(before.high!);
    expect(judgeP75(before, after)).toBe('no significant change');
  });
});

describe('p75ChangeRatio and fieldVerdict', () => {
  it.each<[number | null, number | null, number | null]>([
    [2, 3, 0.5],
    [0, 0, 0],
    [0, 0.1, Infinity],
    [null, 1, null],
  ])('%s → %s', (before, after, want) => {
    expect(p75ChangeRatio(before, after)).toBe(want);
  });
  it.each<[FieldVerdict[], string]>([
    [['regressed', 'no significant change'], 'regressed'],
    [['regressed', 'improved'], 'mixed'],
    [['not enough field data', 'not enough field data'], 'not enough field data'],
    [['not enough field data', 'no significant change'], 'no significant change'],
    [[], 'not enough field data'],
  ])('%j → %s', (verdicts, want) => {
    expect(fieldVerdict(verdicts)).toBe(want);
  });
});

describe('rendering the field figures', () => {
  const period = (views: number, lcp: number): FieldPeriodCounts => ({
    start: 0,
    end: 1,
    exact: true,
    sites: ['docs', 'shop'],
    series: [
      series('product', 'mobile', views, spread(views, lcp), views / 2, views / 4),
      series('product', 'desktop', views, spread(views, lcp), views / 2, views / 4),
    ],
  });
  const field = compareField(period(200, 3), period(200, 2), period(0, 2));

  it('compares with the previous period and leaves a period without page views out', () => {
    const lcp = field.sites[0]!.overall.vitals.find((v) => v.vital === 'lcp')!;
    expect(field.sitesWithoutData).toEqual(['docs']);
    expect(lcp.p75.vsPrevious!).toBeGreaterThan(40);
    expect(lcp.p75.weekEarlier).toBeNull();
    expect(lcp.p75.vsWeekEarlier).toBeNull();
    expect(field.sites[0]!.overall.bounceRate.current).toBeCloseTo(0.5, 12);
  });

  it('renders the site table, the breakdown and the site without beacons; nothing without field data', () => {
    const base = sampleReport();
    const report = { ...base, monitoring: { ...base.monitoring, field } };
    const md = renderMarkdown(report);
    expect(md).toContain('### Field data (real users)');
    expect(md).toMatch(/\| LCP p75 \| [23]\.\d+ s \| 2\.\d+ s \| \+\d+\.\d % \| — \| — \|/);
    expect(md).toMatch(/\| Bounce rate \| 50\.00 % \|/);
    expect(md).toContain('| Conversion rate (checkout) |');
    expect(md).toMatch(/\| all \| mobile \| 200 \| 50\.00 % \| [23]\.\d+ s \(\d+ %\) ✗ \|/);
    expect(md).toContain('- docs: no beacons in the period');
    expect(renderHtml(report)).toContain('docs: no beacons in the period');
    expect(renderMarkdown(base)).not.toContain('Field data');
    expect(renderHtml(base)).not.toContain('Field data');
  });
});
