/**
 * Human-facing times (src/format/duration.ts): one unit-switching rule for spans, whether a
 * sentence or a table shows them (days from 24 h on), latencies to the precision that carries
 * information, stopwatch readings at a fixed one decimal.
 */
import { describe, expect, it } from 'vitest';
import { formatDays, formatDuration, formatElapsed, formatSeconds } from '../../src/format/index.js';

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;

describe('formatDuration', () => {
  it.each<[number | null | undefined, string]>([
    [0, '0 s'],
    [0.4, '0 s'],
    [45, '45 s'],
    [59.4, '59 s'],
    [59.6, '1 min'], // rounds onto a minute: not "60 s"
    [90, '2 min'],
    [12 * MIN, '12 min'],
    [59 * MIN + 29, '59 min'],
    [59 * MIN + 31, '1 h'], // rounds onto an hour: not "60 min"
    [2 * HOUR, '2 h'],
    [HOUR + 32 * MIN, '1 h 32 min'],
    [23 * HOUR + 59 * MIN, '23 h 59 min'],
    [DAY, '1 d'], // days from 24 h on ...
    [36 * HOUR, '1 d 12 h'], // ... in sentences as in tables: never "36 h"
    [47 * HOUR + 30 * MIN, '1 d 23 h'], // two units at most: the minutes go
    [2 * DAY + 3 * HOUR, '2 d 3 h'],
    [30 * DAY, '30 d'],
    [-90 * MIN, '−1 h 30 min'],
    [-0.2, '0 s'], // no "−0 s"
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%s s -> %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatSeconds', () => {
  it.each<[number | null | undefined, string]>([
    [0, '0.0 ms'],
    [0.0042, '4.2 ms'],
    [0.00996, '10 ms'],
    [0.0123, '12 ms'],
    [0.8123, '812 ms'],
    [0.9996, '1.00 s'], // not "1000 ms"
    [1.2345, '1.23 s'],
    [9.999, '10.0 s'],
    [12.34, '12.3 s'],
    [123.4, '123 s'],
    [-0.25, '−250 ms'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s -> %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe('formatElapsed', () => {
  it.each<[number | null, string]>([
    [0, '0.0 s'],
    [0.34, '0.3 s'],
    [14.2, '14.2 s'],
    [125, '125.0 s'],
    [null, '—'],
  ])('%s -> %s', (seconds, text) => {
    expect(formatElapsed(seconds)).toBe(text);
  });
});

describe('formatDays', () => {
  it.each<[number | null, string]>([
    [2.14, '2.1 days'],
    [0.4, '0.4 days'],
    [null, '—'],
  ])('%s -> %s', (days, text) => {
    expect(formatDays(days)).toBe(text);
  });
});
