/**
 * Byte counts for people, in binary (IEC) units as Lighthouse, browsers and vantage.yml count
 * them: "340 KiB", "1.5 MiB". Pure; absent figures read "—". The exact form vantage.yml is
 * written in ("10MiB", or a plain integer) is config/duration.ts's formatConfigByteSize.
 */
import { MINUS, NO_DATA, SP, usable } from './number.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "512 B", "1.5 KiB", "340 KiB", "10 MiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (!usable(bytes)) return NO_DATA;
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal only while it carries information ("1.5 KiB"); "340.2 KiB" is false precision.
  const digits = unit === 0 || value >= 9.95 ? 0 : 1;
  // 1023.9 KiB would round to "1024 KiB": the next unit reads better.
  if (unit < UNITS.length - 1 && Number(value.toFixed(digits)) >= 1024) {
    value /= 1024;
    unit++;
    return `${bytes < 0 ? MINUS : ''}${value.toFixed(1)}${SP}${UNITS[unit]}`;
  }
  return `${bytes < 0 ? MINUS : ''}${value.toFixed(digits)}${SP}${UNITS[unit]}`;
}
