/**
 * Counts, signed numbers, p-values and the model's value units (src/format/): thousands
 * separators, a real minus sign, "—" for an absent figure.
 */
import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatNumber,
  formatPValue,
  formatScore,
  formatSigned,
  formatUnitless,
  formatValue,
  plural,
  type ValueUnit,
} from '../../src/format/index.js';

describe('formatCount', () => {
  it.each<[number | null | undefined, string]>([
    [0, '0'],
    [999, '999'],
    [18_640, '18,640'],
    [1_234_567, '1,234,567'],
    [8639.6, '≈ 8,640'], // extrapolated: not passed off as exact
    [-1200, '−1,200'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s -> %s', (count, text) => {
    expect(formatCount(count)).toBe(text);
  });
});

describe('plural', () => {
  it.each<[number, string, string | undefined, string]>([
    [1, 'module', undefined, '1 module'],
    [0, 'check', undefined, '0 checks'],
    [3, 'module', undefined, '3 modules'],
    [12_000, 'check', undefined, '12,000 checks'],
    [2, 'maintenance window', undefined, '2 maintenance windows'],
    [2, 'body', 'bodies', '2 bodies'],
  ])('%s %s -> %s', (n, one, many, text) => {
    expect(plural(n, one, many)).toBe(text);
  });
});

describe('formatNumber and formatSigned', () => {
  it.each<[number, number, string, string]>([
    [-0.93, 2, '−0.93', '−0.93'],
    [0.93, 2, '0.93', '+0.93'],
    [-0.004, 2, '0.00', '0.00'], // rounds to zero: no "−0.00", no "+0.00"
    [0, 1, '0.0', '0.0'],
    [1234.5, 1, '1234.5', '+1234.5'],
  ])('%s with %s decimals -> %s / %s', (value, digits, plain, signed) => {
    expect(formatNumber(value, digits)).toBe(plain);
    expect(formatSigned(value, digits)).toBe(signed);
  });
});

describe('formatPValue', () => {
  it.each<[number | null, string]>([
    [0.0004, 'p < 0.001'],
    [0.001, 'p = 0.001'],
    [0.0234, 'p = 0.023'],
    [0.5, 'p = 0.500'],
    [null, '—'],
  ])('%s -> %s', (p, text) => {
    expect(formatPValue(p)).toBe(text);
  });
});

describe('formatValue', () => {
  it.each<[number | null, ValueUnit, string]>([
    [0.487, 'seconds', '487 ms'],
    [0.99953, 'ratio', '99.95 %'],
    [0.934, 'score', '93'],
    [0.1234, 'unitless', '0.123'],
    [null, 'seconds', '—'],
  ])('%s %s -> %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('reads scores and layout shifts as Lighthouse does', () => {
    expect(formatScore(1)).toBe('100');
    expect(formatUnitless(-0.0001)).toBe('0.000');
  });
});
