/**
 * Makes the scheduled reports: one timer armed for the next run of `report.schedule.time`,
 * re-armed on every config reload (a removed section disarms it). At a run, each due report
 * is built, archived and announced on the webhook. A failed report (Prometheus down) is logged,
 * counted and retried once after five minutes; nothing here ever throws into the service.
 * Runs are serialised: a retry or a manual runNow() waits for the run in progress.
 */
import type { Logger } from '../runtime/logger.js';
import type { ReportConfig } from '../config/reportSchema.js';
import { waitUntil, type LongTimer } from '../scheduler/longTimer.js';
import type { Store } from '../store/store.js';
import { absoluteUrl, reportPath } from './reportLinks.js';
import { makeAndArchiveReport } from './reportJob.js';
import type { CapacityTarget } from './capacity.js';
import { nextRunAt } from '../time/dailyRun.js';
import { dueReports, type DueReport } from './reportSchedule.js';
import { deliverWebhook, webhookPayload } from './reportWebhook.js';

export const RETRY_DELAY_MS = 5 * 60_000;
/** How long stop() waits for a report being made before the store closes under it. */
const STOP_WAIT_MS = 10_000;

/** The service-health metrics the scheduler feeds (ServiceHealth has them). */
export interface ReportMetrics {
  reportRuns: { inc(labels: { period: string; result: string }): void };
  reportLastSuccess: { set(labels: { period: string }, value: number): void };
  reportWebhookDeliveries: { inc(labels: { result: string }): void };
}

export interface ReportSchedulerOptions {
  /** The open store, or undefined while vantage starts or stops. */
  store: () => Store | undefined;
  logger: Logger;
  metrics: ReportMetrics;
  /** The running config's targets (hosts, traffic_query) for the Capacity part; none by default. */
  targets?: () => readonly CapacityTarget[];
  /** The clock schedules are computed on (tests move it; timers still wait real time). */
  now?: () => number;
  retryDelayMs?: number;
}

/** What became of one due report. */
export interface ReportRunOutcome extends DueReport {
  timeZone: string;
  ok: boolean;
  /** Set when ok. */
  label?: string;
  error?: string;
  /** Undefined: no webhook configured (or the report failed). */
  webhookDelivered?: boolean;
}

export class ReportScheduler {
  private section: ReportConfig | undefined;
  private started = false;
  private timer: LongTimer | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private nextRun: number | undefined;
  private readonly now: () => number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: ReportSchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
  }

  /** When the next scheduled run happens (Unix ms), or undefined when nothing is scheduled. */
  get nextRunAt(): number | undefined {
    return this.nextRun;
  }

  /** Whether a run is in progress or waiting for one. */
  get busy(): boolean {
    return this.pending > 0;
  }

  start(): void {
    this.started = true;
    this.arm();
  }

  /** The config's report section (undefined: none). Takes effect at once: the timer is re-armed. */
  update(section: ReportConfig | undefined): void {
    this.section = section;
    if (!section?.schedule) this.cancelRetry();
    if (this.started) this.arm();
  }

  /** Disarm, and give a report being made a moment to finish before the store closes. */
  async stop(): Promise<void> {
    this.started = false;
    this.disarm();
    this.cancelRetry();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue,
      new Promise((resolve) => {
        timeout = setTimeout(resolve, STOP_WAIT_MS);
        timeout.unref();
      }),
    ]);
    clearTimeout(timeout);
  }

  /**
   * Make the reports due at `at` (default now) as a scheduled run would: archive, webhook,
   * metrics, and one retry of failures. For operators and tests; waits for a run in progress.
   */
  runNow(at = this.now()): Promise<ReportRunOutcome[]> {
    const section = this.section;
    if (!section?.schedule) return Promise.resolve([]);
    const due = dueReports(at, section.schedule.time_zone, section.schedule.periods);
    return this.enqueue(() => this.runDue(due, section.schedule!.time_zone, false));
  }

  private arm(): void {
    this.disarm();
    const schedule = this.section?.schedule;
    if (!this.started || !schedule) return;
    const at = nextRunAt(this.now(), schedule.time, schedule.time_zone);
    this.nextRun = at;
    this.options.logger.info(
      { next_run: new Date(at).toISOString(), periods: schedule.periods, time_zone: schedule.time_zone },
      'next scheduled report run',
    );
    // A monthly report is more than setTimeout's ~24.8 days away: waitUntil takes it in steps,
    // checked against this.now() at each (the HTTP server keeps vantage alive, not this timer).
    this.timer = waitUntil(at, () => this.fire(at), { now: this.now });
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.nextRun = undefined;
  }

  private fire(at: number): void {
    const section = this.section;
    // Re-arm first, from the run's own instant: a long run must not push the next one back.
    this.arm();
    if (!section?.schedule) return;
    const zone = section.schedule.time_zone;
    const due = dueReports(at, zone, section.schedule.periods);
    void this.enqueue(() => this.runDue(due, zone, false));
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.queue.then(job).finally(() => this.pending--);
    // The queue itself never rejects: runDue catches per report, and a failure must not stop later runs.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runDue(due: DueReport[], timeZone: string, isRetry: boolean): Promise<ReportRunOutcome[]> {
    const outcomes: ReportRunOutcome[] = [];
    for (const item of due) outcomes.push(await this.runOne(item, timeZone, isRetry));
    const failed = outcomes.filter((o) => !o.ok).map(({ period, date }) => ({ period, date }));
    if (failed.length > 0 && !isRetry) this.scheduleRetry(failed, timeZone);
    return outcomes;
  }

  private async runOne(item: DueReport, timeZone: string, isRetry: boolean): Promise<ReportRunOutcome> {
    const log = this.options.logger;
    const metrics = this.options.metrics;
    const section = this.section;
    const store = this.options.store();
    const fields = { period: item.period, date: item.date, time_zone: timeZone, retry: isRetry };
    if (!section || !store) {
      // The section went away (reload) or vantage is stopping: nothing to do, nothing failed.
      log.info(fields, 'scheduled report skipped: reports are no longer configured or vantage is stopping');
      return { ...item, timeZone, ok: false, error: 'not configured' };
    }
    let outcome: ReportRunOutcome;
    try {
      const { report, archived, pruned } = await makeAndArchiveReport(
        section,
        store,
        { ...item, timeZone },
        this.now(),
        this.options.targets?.() ?? [],
      );
      metrics.reportRuns.inc({ period: item.period, result: 'success' });
      metrics.reportLastSuccess.set({ period: item.period }, Date.now() / 1000);
      log.info(
        { ...fields, label: archived.label, has_data: report.hasData, pruned },
        `report archived: ${report.title}`,
      );
      outcome = { ...item, timeZone, ok: true, label: archived.label };
      const webhook = section.webhook;
      if (webhook) {
        const format = archived.formats.includes('html') ? 'html' : archived.formats[0]!;
        const url = absoluteUrl(reportPath(archived.kind, archived.label, format), section.external_url);
        try {
          await deliverWebhook(webhook, webhookPayload(report, webhook.format, url));
          metrics.reportWebhookDeliveries.inc({ result: 'success' });
          outcome.webhookDelivered = true;
        } catch (err) {
          metrics.reportWebhookDeliveries.inc({ result: 'failure' });
          log.error({ ...fields, err }, `report webhook failed: ${(err as Error).message}`);
          outcome.webhookDelivered = false;
        }
      }
    } catch (err) {
      metrics.reportRuns.inc({ period: item.period, result: 'failure' });
      const message = (err as Error).message;
      log.error(
        { ...fields, err },
        `scheduled report failed: ${message}` +
          (isRetry ? ' (retry failed; next attempt at the next scheduled run)' : ''),
      );
      outcome = { ...item, timeZone, ok: false, error: message };
    }
    return outcome;
  }

  private scheduleRetry(failed: DueReport[], timeZone: string): void {
    this.cancelRetry();
    this.options.logger.warn(
      { reports: failed, retry_in_seconds: this.retryDelayMs / 1000 },
      'retrying the failed scheduled reports once',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.enqueue(() => this.runDue(failed, timeZone, true));
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  private cancelRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
