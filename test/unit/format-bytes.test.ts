/**
 * Byte sizes for people (src/format/bytes.ts) in IEC units, as vantage.yml writes sizes, and
 * the machine form vantage.yml itself is written in (config/duration.ts), which must read back
 * to the same number of bytes.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigByteSize, parseByteSize } from '../../src/config/duration.js';
import { formatBytes } from '../../src/format/index.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('formatBytes', () => {
  it.each<[number | null | undefined, string]>([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1.5 * KiB, '1.5 KiB'],
    [9.94 * KiB, '9.9 KiB'],
    [340 * KiB, '340 KiB'],
    [340.2 * KiB, '340 KiB'], // no false precision
    [1023.9 * KiB, '1.0 MiB'], // not "1024 KiB"
    [1.5 * MiB, '1.5 MiB'],
    [10 * MiB, '10 MiB'],
    [2 * GiB, '2.0 GiB'],
    [3 * 1024 * GiB, '3.0 TiB'],
    [-2 * KiB, '−2.0 KiB'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatConfigByteSize (vantage.yml form)', () => {
  it.each<[number, string | number]>([
    [10 * MiB, '10MiB'],
    [512 * KiB, '512KiB'],
    [GiB, '1GiB'],
    [1500, 1500],
    [0, 0],
  ])('%s -> %s, which reads back', (bytes, form) => {
    expect(formatConfigByteSize(bytes)).toBe(form);
    expect(parseByteSize(form)).toBe(bytes);
  });
});
