/**
 * One report made and archived: build it from Prometheus and the store, render the formats the
 * config keeps, save it (replacing an earlier version of the same period), and prune the
 * archive to `keep`. Used alike by the scheduler and by POST /api/reports.
 */
import type { ReportConfig } from '../config/reportSchema.js';
import type { ArchivedReport } from '../store/reports.js';
import type { Store } from '../store/store.js';
import type { Report, ReportFormat } from './model.js';
import { renderReport } from './render/index.js';
import { buildReport } from './report.js';
import type { CapacityTarget } from './capacity.js';
import type { PeriodKind } from '../time/period.js';

export interface ReportRequest {
  /** YYYY-MM-DD in timeZone: any date inside the period. */
  date: string;
  period: PeriodKind;
  timeZone: string;
}

export interface ArchivedOutcome {
  report: Report;
  archived: ArchivedReport;
  /** Older reports of the same kind deleted to stay within `keep`. */
  pruned: number;
}

/** Throws what buildReport throws (e.g. "cannot reach Prometheus at URL: ..."), nothing archived then. */
export async function makeAndArchiveReport(
  section: ReportConfig,
  store: Store,
  request: ReportRequest,
  now: number,
  /** vantage.yml's targets (hosts, traffic_query) for the Capacity part. */
  targets: readonly CapacityTarget[] = [],
): Promise<ArchivedOutcome> {
  const report = await buildReport({
    prometheusUrl: section.prometheus_url,
    date: request.date,
    period: request.period,
    timeZone: request.timeZone,
    store,
    now,
    evaluationWindowMs: section.evaluation_window,
    targets,
  });
  const bodies: Partial<Record<ReportFormat, string>> = {};
  for (const format of section.formats) bodies[format] = renderReport(report, format);
  const archived = store.reportArchive.save({
    kind: report.period.kind,
    label: report.period.label,
    timeZone: report.period.timeZone,
    start: report.period.start,
    end: report.period.end,
    generatedAt: report.generatedAt,
    title: report.title,
    headline: report.summary.headline,
    hasData: report.hasData,
    bodies,
  });
  const pruned = store.reportArchive.prune(report.period.kind, section.keep);
  return { report, archived, pruned };
}
