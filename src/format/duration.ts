/**
 * Human-facing times, in three readings, each with one rule wherever it is shown (report
 * sentences and tables, the index page, Lighthouse pages, the CLI, log messages):
 *
 * - formatSeconds: a measured time (a response, a phase, a Web Vital), to the precision that
 *   carries information: "4.2 ms", "812 ms", "1.24 s", "12.3 s".
 * - formatDuration: a span of time (an outage, a window, time until a certificate expires),
 *   in at most two units, switching unit at 60 s, 60 min and 24 h: "45 s", "1 h 32 min",
 *   "1 d 12 h".
 * - formatElapsed: a stopwatch reading (an audit's progress, a trace event's offset), always
 *   one decimal so that a ticking line does not change width: "14.2 s".
 *
 * Inputs are seconds, as in the report model and the metrics. The machine form vantage.yml
 * writes ("1m30s") is config/duration.ts's formatConfigDuration, not a style of these.
 */
import { MINUS, NO_DATA, SP, formatNumber, usable } from './number.js';

/**
 * Seconds the way people read latencies: "812 ms" below a second, "1.24 s" up to ten, then
 * "12.3 s", then "123 s". Below 10 ms one decimal ("4.2 ms"), since fast local checks live there.
 */
export function formatSeconds(seconds: number | null | undefined): string {
  if (!usable(seconds)) return NO_DATA;
  const sign = seconds < 0 ? MINUS : '';
  const s = Math.abs(seconds);
  const ms = s * 1000;
  // 0.9996 s would round to "1000 ms": switch units on the rounded value, not the raw one.
  if (Math.round(ms) < 1000) {
    if (ms < 9.95) return `${sign}${formatNumber(ms, 1)}${SP}ms`;
    return `${sign}${Math.round(ms)}${SP}ms`;
  }
  if (s < 9.995) return `${sign}${s.toFixed(2)}${SP}s`;
  if (s < 99.95) return `${sign}${s.toFixed(1)}${SP}s`;
  return `${sign}${Math.round(s)}${SP}s`;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A span of time for people: "45 s", "12 min", "1 h 32 min", "1 d 12 h". Two units at most:
 * the third is noise when an incident lasted hours. Days from 24 h on, in sentences and tables
 * alike, so one report never says "36 h" in one place and "1 d 12 h" in another.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!usable(seconds)) return NO_DATA;
  const total = Math.round(Math.abs(seconds));
  const sign = seconds < 0 && total > 0 ? MINUS : '';
  if (total < MINUTE) return `${sign}${total}${SP}s`;
  const minutes = Math.round(total / MINUTE);
  if (minutes * MINUTE < HOUR) return `${sign}${minutes}${SP}min`;
  const hours = Math.floor(minutes / 60);
  if (hours * HOUR < DAY) {
    const rest = minutes % 60;
    return rest === 0 ? `${sign}${hours}${SP}h` : `${sign}${hours}${SP}h ${rest}${SP}min`;
  }
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours === 0 ? `${sign}${days}${SP}d` : `${sign}${days}${SP}d ${restHours}${SP}h`;
}

/**
 * A forecast's distance in days, with the one decimal a rate extrapolated from a few days of
 * data can honestly give: "2.1 days", "0.4 days".
 */
export function formatDays(days: number | null | undefined): string {
  if (!usable(days)) return NO_DATA;
  return `${formatNumber(days, 1)}${SP}days`;
}

/** A stopwatch reading: "0.3 s", "14.2 s", "125.0 s", one decimal whatever the size. */
export function formatElapsed(seconds: number | null | undefined): string {
  if (!usable(seconds)) return NO_DATA;
  return `${formatNumber(seconds, 1)}${SP}s`;
}
