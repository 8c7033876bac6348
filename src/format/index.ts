/**
 * Human-facing formatting: how durations, percentages, byte counts, p-values and counts read
 * on every page, in every report format, in the CLI and in log messages. Each function is pure
 * and small; the modules are cut by kind of figure. What vantage.yml itself says ("1m30s",
 * "10MiB") is a machine form and lives beside its parser in config/duration.ts.
 */
export { formatBytes } from './bytes.js';
export { formatDays, formatDuration, formatElapsed, formatSeconds } from './duration.js';
export { MINUS, NO_DATA, SP, formatCount, formatNumber, formatSigned, plural, usable } from './number.js';
export { formatChangeRatio, formatPercentChange, formatPercentagePoints, formatRatio } from './percent.js';
export { formatRate } from './rate.js';
export { formatPValue } from './statistics.js';
export { formatScore, formatUnitless, formatValue, type ValueUnit } from './value.js';
