/**
 * Where an archived report is served: /reports/<kind>/<label>.<ext>, with ?tz= only when the
 * same period is archived in more than one zone (the zone is otherwise implied). Shared by the
 * routes, the API answers and the webhook, so every link points at the same place.
 */
import type { ReportFormat } from './model.js';
import type { PeriodKind } from '../time/period.js';

export const REPORTS_PATH = '/reports/';

export function reportPath(kind: PeriodKind, label: string, format: ReportFormat, timeZone?: string): string {
  const query = timeZone === undefined ? '' : `?tz=${encodeURIComponent(timeZone)}`;
  return `${REPORTS_PATH}${kind}/${encodeURIComponent(label)}.${format}${query}`;
}

/** The link per kept format. */
export function reportPaths(
  report: { kind: PeriodKind; label: string; formats: readonly ReportFormat[] },
  timeZone?: string,
): Partial<Record<ReportFormat, string>> {
  const out: Partial<Record<ReportFormat, string>> = {};
  for (const format of report.formats) out[format] = reportPath(report.kind, report.label, format, timeZone);
  return out;
}

/** An absolute URL under `externalUrl` (vantage's public address), or the path alone without one. */
export function absoluteUrl(path: string, externalUrl: string | undefined): string {
  return externalUrl === undefined ? path : externalUrl.replace(/\/+$/, '') + path;
}
