/**
 * Prometheus-style durations ("500ms", "30s", "1m30s", "1h", "2d", "1w") and byte sizes
 * ("10MB", "512KiB", plain integers). Kept here so config, CLI and docs agree on one syntax,
 * and on one bound: every duration field names its longest meaningful value (DurationLimit),
 * and a value that cannot be held exactly in milliseconds is refused rather than rounded.
 * Parsing and writing the machine form live together here so that what is written reads back
 * to the same value; how durations and sizes read for people is src/format/'s.
 */

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const DAY_MS = 86_400_000;

/**
 * setTimeout's largest delay, 2^31 - 1 ms (about 24.8 days). Node does not refuse a longer
 * one: it prints a TimeoutOverflowWarning and fires after 1 ms, so an interval of a year
 * became a check every millisecond and a timeout of 30 days failed every probe at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The longest wait one timer holds, in whole days so that limits read as "24d". */
export const MAX_TIMER_DURATION_MS = 24 * DAY_MS;

/** The longest value a duration field accepts, and what to call the field in the error. */
export interface DurationLimit {
  maxMs: number;
  /**
   * "interval", "timeout": the error says "1y is longer than the longest supported interval,
   * 24d". Without one it says "must be at most 7d (got 8d)", the wording the report used first.
   */
  noun?: string;
}

/**
 * The limits of the config's duration fields (docs/configuration.md "Durations"). Intervals,
 * timeouts and the latency threshold are single timer waits, so the timer's limit bounds them;
 * longer waits (report schedules) are taken in steps by waitInSteps and have no such field.
 */
export const DURATION_LIMITS = {
  interval: { maxMs: MAX_TIMER_DURATION_MS, noun: 'interval' },
  timeout: { maxMs: MAX_TIMER_DURATION_MS, noun: 'timeout' },
  /** A probe cannot take longer than its timeout, so a threshold above it could never be crossed. */
  latency: { maxMs: MAX_TIMER_DURATION_MS, noun: 'latency threshold' },
  /** A recurring occurrence must end before the same calendar slot a month later comes round. */
  recurringMaintenance: { maxMs: 31 * DAY_MS, noun: 'recurring maintenance window' },
  /**
   * Like an Alertmanager silence, a one-off window may be long (a migration, a freeze); this
   * only keeps start + duration a date (about 285,000 years) and the arithmetic exact.
   */
  oneOffMaintenance: { maxMs: 100_000 * 365 * DAY_MS, noun: 'maintenance window' },
  /** The before/after comparison of a change: a week either side, as the report is weekly at most. */
  evaluationWindow: { maxMs: 7 * DAY_MS },
} as const satisfies Record<string, DurationLimit>;

const DURATION_RE = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

export type ParsedDuration =
  | { ok: true; ms: number }
  /** syntax: not a duration at all; unrepresentable: digits beyond what a float holds exactly. */
  | { ok: false; reason: 'syntax' | 'unrepresentable' };

/** Parse a Prometheus duration into milliseconds, saying why when it is not one. */
export function readDuration(text: string): ParsedDuration {
  if (text === '0') return { ok: true, ms: 0 };
  const m = DURATION_RE.exec(text);
  if (!m || text === '') return { ok: false, reason: 'syntax' };
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0;
  for (let i = 0; i < units.length; i++) {
    const value = m[2 + i * 2];
    if (value === undefined) continue;
    // Past 2^53 a double skips integers: "9007199254740993ms" would silently become ...992.
    const part = Number(value) * DURATION_UNITS_MS[units[i]!]!;
    total += part;
    if (!Number.isSafeInteger(part) || !Number.isSafeInteger(total)) {
      return { ok: false, reason: 'unrepresentable' };
    }
  }
  return { ok: true, ms: total };
}

/** Parse a Prometheus duration into milliseconds; undefined when the text is not one (or too large). */
export function parseDuration(text: string): number | undefined {
  const parsed = readDuration(text);
  return parsed.ok ? parsed.ms : undefined;
}

/** Why `text` is not a duration at all, for a field with `limit`. The one wording, config and CLI. */
export function unreadableDuration(text: string, reason: 'syntax' | 'unrepresentable', limit: DurationLimit) {
  return reason === 'syntax'
    ? `not a duration: "${text}" (use e.g. 500ms, 30s, 1m30s)`
    : `${text} is too long to represent exactly in milliseconds (at most ${formatLimit(limit.maxMs)})`;
}

/** Why `ms` is out of bounds for a field with `limit`; undefined when it is within them. */
export function durationBoundProblem(ms: number, limit: DurationLimit, positive = true): string | undefined {
  if (positive && ms <= 0) return 'must be greater than 0';
  if (ms <= limit.maxMs) return undefined;
  const max = formatLimit(limit.maxMs);
  return limit.noun === undefined
    ? `must be at most ${max} (got ${formatLimit(ms)})`
    : `${formatLimit(ms)} is longer than the longest supported ${limit.noun}, ${max}`;
}

/** A limit as people state it: 24d, 31d, 7d (not formatConfigDuration's 3w3d). */
export function formatLimit(ms: number): string {
  if (ms % (365 * DAY_MS) === 0) return `${ms / (365 * DAY_MS)}y`;
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : formatConfigDuration(ms);
}

/**
 * Milliseconds in vantage.yml's machine form, the way Prometheus writes them ("1m30s", "500ms"):
 * what GET /config, the debug probe and config warnings print, and what parseDuration reads
 * back exactly. Human-facing durations ("1 h 32 min") are src/format/'s formatDuration.
 */
export function formatConfigDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms']) {
    const size = DURATION_UNITS_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

// blackbox_exporter's body_size_limit is a units.Base2Bytes, which reads "KB" and "KiB" alike as
// 1024: a pasted module must mean the same number of bytes here.
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Bytes in vantage.yml's machine form, as vantage.yml (and blackbox_exporter) reads them: the
 * largest binary unit that holds the value exactly ("10MiB", "512KiB"), else the plain integer.
 * Human-facing sizes ("1.5 MiB") are src/format/'s formatBytes.
 */
export function formatConfigByteSize(bytes: number): string | number {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}

/** Parse a byte size ("10MB", "512KiB", "1048576") into bytes; undefined when invalid. */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : undefined;
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Number(m[1]) * unit;
}
