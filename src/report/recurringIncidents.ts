/**
 * Recurring issues of the incident log: the same alert on the same target 3 or more times in
 * the 14 days before a moment, each with the sentence the report and GET /api/incidents show.
 * The store hands over the incidents' starts; the rule (stats/patterns.ts) and the wording are
 * the report's.
 */
import type { IncidentLog } from '../store/incidents.js';
import { findRecurringIncidents, type RecurringIssue } from '../stats/patterns.js';

export const RECURRING_WINDOW_MS = 14 * 24 * 3600 * 1000;
export const RECURRING_MIN_COUNT = 3;

export interface RecurringIncident extends RecurringIssue {
  sentence: string;
}

/**
 * The recurring-issue rule over the incidents that started in the 14 days before `now`
 * (optionally one target's or one alert's).
 */
export function recurringIncidents(
  log: IncidentLog,
  now = Date.now(),
  filter: { target?: string; alertname?: string } = {},
): RecurringIncident[] {
  const issues = findRecurringIncidents(log.occurrences(now - RECURRING_WINDOW_MS, now, filter), {
    windowMs: RECURRING_WINDOW_MS,
    minCount: RECURRING_MIN_COUNT,
  });
  return issues.map((issue) => ({ ...issue, sentence: recurringSentence(issue) }));
}

/** "VantageTargetDown fired 3 times on homepage in the last 14 days (first 2025-03-01 02:00 UTC, last 2025-03-05 02:01 UTC)." */
export function recurringSentence(issue: RecurringIssue): string {
  const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const where = issue.target === null ? 'without a target' : `on ${issue.target}`;
  return (
    `${issue.alertname} fired ${issue.count} times ${where} in the last 14 days ` +
    `(first ${when(issue.firstAt)}, last ${when(issue.lastAt)}).`
  );
}
