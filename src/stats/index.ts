/**
 * The pure statistics behind the performance report (no I/O, no Prometheus): before/after
 * tests of changes, recurring-failure patterns and trend crossings (report periods are
 * time/period.ts's).
 */

export * from './compare.js';
export * from './descriptive.js';
export * from './distributions.js';
export * from './mannWhitney.js';
export * from './patterns.js';
export * from './percent.js';
export * from './trend.js';
