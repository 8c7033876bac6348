/**
 * What scheduled reports cover, as pure functions of an instant: the periods due at a run
 * (yesterday; on Mondays the previous ISO week; on the 1st the previous month), and the
 * check-config line. When the next run is (DST-aware) is time/dailyRun.ts's; the
 * ReportScheduler owns the timers.
 */
import { redactUrl } from '../config/redact.js';
import { nextRunAt } from '../time/dailyRun.js';
import { addDays, formatCivilDate, localDate, type PeriodKind } from '../time/period.js';
import { formatLocal } from '../time/zone.js';

/** A report due at a run: the period kind and a date (YYYY-MM-DD, local) inside the period. */
export interface DueReport {
  period: PeriodKind;
  date: string;
}

/**
 * The reports due at a run at `runAt`, among the configured `periods`, judged by the local
 * date of the run in `zone`: the day before it; on a Monday the ISO week before (its Monday's
 * date); on the 1st of a month the month before (its last day's date).
 */
export function dueReports(runAt: number, zone: string, periods: readonly PeriodKind[]): DueReport[] {
  const local = localDate(zone, runAt);
  const due: DueReport[] = [];
  for (const period of ['day', 'week', 'month'] as const) {
    if (!periods.includes(period)) continue;
    if (period === 'day') due.push({ period, date: formatCivilDate(addDays(local, -1)) });
    else if (period === 'week' && local.weekday === 1)
      due.push({ period, date: formatCivilDate(addDays(local, -7)) });
    else if (period === 'month' && local.day === 1)
      due.push({ period, date: formatCivilDate(addDays(local, -1)) });
  }
  return due;
}

/**
 * One line for `vantage check-config`: what the report section does and when it next runs,
 * e.g. "reports: day, week at 06:00 Europe/Berlin (next run 2025-01-15 06:00); formats html,
 * md, json; keep 400; webhook slack". The quickest check that the schedule means what you meant.
 */
export function describeReportSection(
  section: {
    prometheus_url: string;
    schedule?: { time: string; time_zone: string; periods: readonly PeriodKind[] };
    formats: readonly string[];
    keep: number;
    webhook?: { format: string };
  },
  now: number,
): string {
  const schedule = section.schedule
    ? `${section.schedule.periods.join(', ')} at ${section.schedule.time} ${section.schedule.time_zone} ` +
      `(next run ${formatLocal(section.schedule.time_zone, nextRunAt(now, section.schedule.time, section.schedule.time_zone))})`
    : 'on request only (no schedule)';
  const webhook = section.webhook ? `; webhook ${section.webhook.format}` : '';
  return `reports from ${redactUrl(section.prometheus_url)}: ${schedule}; formats ${section.formats.join(', ')}; keep ${section.keep}${webhook}`;
}
