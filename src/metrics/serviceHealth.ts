/**
 * Health of vantage itself: build, config reloads, scheduler lag, /probe refusals, refused
 * write requests, scheduled performance reports, and
 * prom-client's process and Node.js runtime metrics (a separate registry, so the hand-written
 * probe exposition stays fast).
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { VERSION } from '../runtime/version.js';

/** Why a write request was refused: the guard's three, then authentication's three. */
export const WRITE_REFUSAL_REASONS = [
  'foreign_origin',
  'unknown_host',
  'content_type',
  'client_address',
  'unauthorized',
  'rate_limited',
] as const;
export type WriteRefusal = (typeof WRITE_REFUSAL_REASONS)[number];

/** What each probe worker reports of its own thread (part of its WorkerStats), exported per worker. */
export interface ProbeWorkerFigures {
  heapUsedBytes: number;
  heapSizeBytes: number;
  /** Event loop delay over the last stats window (5 s): 99th percentile and maximum. */
  loopDelayP99Seconds: number;
  loopDelayMaxSeconds: number;
}

const MISNAMED_GAUGE = /^(# (HELP|TYPE) )?nodejs_active_(handles|requests|resources)_total\b/;

export class ServiceHealth {
  readonly registry = new Registry();
  readonly reloadSuccessful: Gauge;
  readonly reloadSuccessTimestamp: Gauge;
  readonly reloadsTotal: Counter<'result'>;
  readonly schedulerLag: Gauge;
  readonly probeRefusals: Counter<'reason'>;
  readonly probeRequests: Counter<'result'>;
  readonly skippedRuns: Counter;
  readonly alertmanagerNotifications: Counter<'result'>;
  readonly reportRuns: Counter<'period' | 'result'>;
  readonly reportLastSuccess: Gauge<'period'>;
  readonly reportWebhookDeliveries: Counter<'result'>;
  readonly writeRefusals: Counter<'reason'>;
  readonly probeWorkerRestarts: Counter;

  constructor(options: {
    lagSeconds: () => number;
    checksScheduled: () => number;
    inFlight: () => number;
    probeWorkers: () => number;
    /** Each probe worker's own figures (prom-client's nodejs_* cover the main thread only). */
    probeWorkerStats: () => { worker: number; stats: ProbeWorkerFigures }[];
    lighthouseQueueLength: () => number;
    /** Incidents still firing, by severity label (undefined while the store is closed). */
    openIncidents?: () => Map<string, number> | undefined;
  }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'vantage_build_info',
      help: 'Build facts about the running vantage; always 1.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }).set({ version: VERSION, nodejs_version: process.version }, 1);
    this.reloadSuccessful = new Gauge({
      name: 'vantage_config_last_reload_successful',
      help: 'Whether the last configuration load or reload succeeded (1) or failed (0).',
      registers,
    });
    this.reloadSuccessTimestamp = new Gauge({
      name: 'vantage_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful configuration load or reload.',
      registers,
    });
    this.reloadsTotal = new Counter({
      name: 'vantage_config_reloads_total',
      help: 'Configuration reload attempts, by result (success or failure).',
      labelNames: ['result'],
      registers,
    });
    this.schedulerLag = new Gauge({
      name: 'vantage_scheduler_lag_seconds',
      help: 'Largest delay between a check being due and it starting, over the last 60 seconds.',
      registers,
      collect() {
        this.set(options.lagSeconds());
      },
    });
    new Gauge({
      name: 'vantage_scheduler_checks',
      help: 'Number of target/module checks the scheduler runs.',
      registers,
      collect() {
        this.set(options.checksScheduled());
      },
    });
    new Gauge({
      name: 'vantage_scheduler_probes_in_flight',
      help: 'Probes running right now (bounded by global.max_concurrent_probes).',
      registers,
      collect() {
        this.set(options.inFlight());
      },
    });
    new Gauge({
      name: 'vantage_probe_workers',
      help: 'Worker threads that schedule and run the HTTP probes (serve --probe.workers, or one per 2,000 checks up to one per core).',
      registers,
      collect() {
        this.set(options.probeWorkers());
      },
    });
    const perWorker = (name: string, help: string, figure: (s: ProbeWorkerFigures) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['worker'],
        registers,
        collect() {
          this.reset();
          for (const w of options.probeWorkerStats()) this.set({ worker: String(w.worker) }, figure(w.stats));
        },
      });
    perWorker(
      'vantage_probe_worker_heap_used_bytes',
      'V8 heap in use by each probe worker thread (nodejs_heap_size_used_bytes covers the main thread only).',
      (s) => s.heapUsedBytes,
    );
    perWorker(
      'vantage_probe_worker_heap_size_bytes',
      "V8 heap reserved by each probe worker thread, used or not (its limit grows with the worker's checks).",
      (s) => s.heapSizeBytes,
    );
    perWorker(
      'vantage_probe_worker_eventloop_lag_p99_seconds',
      "99th percentile of each probe worker's event loop delay over the last 5 s: a probe's answer waits this long before the probe reads its clock.",
      (s) => s.loopDelayP99Seconds,
    );
    perWorker(
      'vantage_probe_worker_eventloop_lag_max_seconds',
      "Largest event loop delay of each probe worker over the last 5 s: the most a probe's recorded duration can have been inflated by its own worker.",
      (s) => s.loopDelayMaxSeconds,
    );
    this.probeWorkerRestarts = new Counter({
      name: 'vantage_probe_worker_restarts_total',
      help: 'Probe worker threads that ended unexpectedly and were started again (the log says why); their checks restart their counters.',
      registers,
    });
    new Gauge({
      name: 'vantage_lighthouse_queue_length',
      help: 'Lighthouse audits waiting for their turn (audits run one at a time; the running one is not counted).',
      registers,
      collect() {
        this.set(options.lighthouseQueueLength());
      },
    });
    this.skippedRuns = new Counter({
      name: 'vantage_scheduler_skipped_runs_total',
      help: 'Scheduled runs skipped because the previous run of the same check was still going (runs never overlap).',
      registers,
    });
    this.probeRefusals = new Counter({
      name: 'vantage_probe_refusals_total',
      help: 'Requests to /probe refused, by reason (not_allowlisted, forbidden_address, module_credentials).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['not_allowlisted', 'forbidden_address', 'module_credentials'])
      this.probeRefusals.inc({ reason }, 0);
    this.probeRequests = new Counter({
      name: 'vantage_probe_requests_total',
      help: 'On-demand probes served by /probe, by result (success, failure, refused, bad_request).',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['success', 'failure', 'refused', 'bad_request'])
      this.probeRequests.inc({ result }, 0);
    for (const result of ['success', 'failure']) this.reloadsTotal.inc({ result }, 0);
    new Gauge({
      name: 'vantage_incidents_open',
      help: "Incidents in vantage's incident log that are still firing, by the alert's severity label.",
      labelNames: ['severity'],
      registers,
      collect() {
        const open = options.openIncidents?.();
        this.reset();
        for (const severity of ['critical', 'warning', 'info']) this.set({ severity }, 0);
        for (const [severity, n] of open ?? []) this.set({ severity }, n);
      },
    });
    this.alertmanagerNotifications = new Counter({
      name: 'vantage_alertmanager_notifications_total',
      help: 'Alertmanager webhook notifications received on POST /api/alertmanager, by result (recorded, ignored: only Watchdog, bad_request).',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['recorded', 'ignored', 'bad_request'])
      this.alertmanagerNotifications.inc({ result }, 0);
    this.reportRuns = new Counter({
      name: 'vantage_report_runs_total',
      help: 'Scheduled performance reports made, by period (day, week, month) and result (success, failure); a retry counts again.',
      labelNames: ['period', 'result'],
      registers,
    });
    for (const period of ['day', 'week', 'month'])
      for (const result of ['success', 'failure']) this.reportRuns.inc({ period, result }, 0);
    // No series until a first success: a 0 would read as "last success in 1970" to an alert.
    this.reportLastSuccess = new Gauge({
      name: 'vantage_report_last_success_timestamp_seconds',
      help: 'Unix time at which the last scheduled report of the period (day, week, month) was archived.',
      labelNames: ['period'],
      registers,
    });
    this.reportWebhookDeliveries = new Counter({
      name: 'vantage_report_webhook_deliveries_total',
      help: 'POSTs of a scheduled report summary to report.webhook.url, by result (success, failure).',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['success', 'failure']) this.reportWebhookDeliveries.inc({ result }, 0);
    this.writeRefusals = new Counter({
      name: 'vantage_write_request_refusals_total',
      help: 'Requests to write endpoints (POST /-/reload, /api/changes, /api/alertmanager, /api/reports) refused, by reason (foreign_origin, unknown_host, content_type, client_address, unauthorized, rate_limited).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of WRITE_REFUSAL_REASONS) this.writeRefusals.inc({ reason }, 0);
  }

  /**
   * The registry's exposition, minus prom-client's `nodejs_active_*_total` gauges: a gauge
   * named `_total` fails `promtool check metrics`, and the same figures are exported by type
   * as `nodejs_active_handles` / `nodejs_active_requests` / `nodejs_active_resources`.
   */
  async render(): Promise<string> {
    const text = await this.registry.metrics();
    return text
      .split('\n')
      .filter((line) => !MISNAMED_GAUGE.test(line))
      .join('\n');
  }

  recordReload(ok: boolean): void {
    this.reloadsTotal.inc({ result: ok ? 'success' : 'failure' });
    this.reloadSuccessful.set(ok ? 1 : 0);
    if (ok) this.reloadSuccessTimestamp.set(Date.now() / 1000);
  }
}
