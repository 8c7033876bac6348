/**
 * Rates and multiples (src/format/rate.ts): about three significant figures for a rate, one
 * decimal for a multiple, "—" for a missing figure.
 */
import { describe, expect, it } from 'vitest';
import { formatMultiple, formatRate } from '../../src/format/index.js';

describe('formatRate', () => {
  it.each<[number | null | undefined, string | undefined, string]>([
    [420, undefined, '420 requests/s'],
    [1250.4, undefined, '1,250 requests/s'],
    [99.96, undefined, '100 requests/s'],
    [12.46, undefined, '12.5 requests/s'],
    [9.996, undefined, '10.0 requests/s'],
    [0.4234, 'page views', '0.42 page views/s'],
    [0, undefined, '0 requests/s'],
    [20, undefined, '20 requests/s'],
    [null, undefined, '—'],
    [Number.POSITIVE_INFINITY, undefined, '—'],
  ])('%s (%s) -> %s', (rate, noun, text) => {
    expect(formatRate(rate, noun)).toBe(text);
  });
});

describe('formatMultiple', () => {
  it.each<[number | null, string]>([
    [3.2, '3.2×'],
    [3.25, '3.3×'],
    [1, '1.0×'],
    [0.84, '0.8×'],
    [9.96, '10×'],
    [12.4, '12×'],
    [6776.4, '6,776×'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s -> %s', (ratio, text) => {
    expect(formatMultiple(ratio)).toBe(text);
  });
});
