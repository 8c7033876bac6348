/**
 * Percentages (src/format/percent.ts): ratios with two decimals that never round an imperfect
 * uptime onto "100.00 %", changes with a sign, differences in percentage points.
 */
import { describe, expect, it } from 'vitest';
import {
  formatChangeRatio,
  formatPercentChange,
  formatPercentagePoints,
  formatRatio,
} from '../../src/format/index.js';

describe('formatRatio', () => {
  it.each<[number | null | undefined, number | undefined, string]>([
    [0.9995, undefined, '99.95 %'],
    [1, undefined, '100.00 %'],
    [0, undefined, '0.00 %'],
    [0.99999, undefined, '>99.99 %'], // a failure happened: not "100.00 %"
    [0.00001, undefined, '<0.01 %'], // a failure happened: not "0.00 %"
    [0.9995, 3, '99.950 %'],
    [0.99999, 3, '99.999 %'],
    [0.5, 1, '50.0 %'],
    [null, undefined, '—'],
    [Number.NaN, undefined, '—'],
  ])('%s (%s decimals) -> %s', (ratio, digits, text) => {
    expect(formatRatio(ratio, digits)).toBe(text);
  });
});

describe('formatPercentChange and formatChangeRatio', () => {
  it.each<[number | null, string]>([
    [-12.34, '−12.3 %'],
    [5, '+5.0 %'],
    [0, '0.0 %'],
    [0.04, '0.0 %'], // rounds to zero: no sign
    [-0.04, '0.0 %'],
    [null, '—'],
  ])('%s %% -> %s', (percent, text) => {
    expect(formatPercentChange(percent)).toBe(text);
    expect(formatChangeRatio(percent === null ? null : percent / 100)).toBe(text);
  });
});

describe('formatPercentagePoints', () => {
  it.each<[number | null, string]>([
    [0.05, '+0.05 pp'],
    [-0.1333, '−0.13 pp'],
    [0, '0.00 pp'],
    [null, '—'],
  ])('%s -> %s', (points, text) => {
    expect(formatPercentagePoints(points)).toBe(text);
  });
});
