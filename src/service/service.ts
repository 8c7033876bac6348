/**
 * The running vantage: the active configuration, who probes it (the probe workers for the HTTP
 * checks, this thread's audit queue for Lighthouse), the latest results that /metrics renders,
 * and reload. The HTTP server and the CLI call into this; it knows nothing about HTTP routing.
 */
import { availableParallelism } from 'node:os';
import { redactUrl } from '../config/redact.js';
import type { VantageConfig } from '../config/schema.js';
import { compileAnchoredRegex, type UserRegex } from '../config/regex.js';
import { configDefaultsFromEnv } from '../config/environmentDefaults.js';
import { formatConfigError, loadConfigFile, parseConfigText, type ConfigError } from '../config/load.js';
import { demoConfigYaml } from '../demo/demoConfig.js';
import type { Logger } from '../runtime/logger.js';
import { LatestResults } from '../metrics/latestResults.js';
import { MaintenanceSeries } from '../metrics/maintenanceSeries.js';
import { ServiceHealth } from '../metrics/serviceHealth.js';
import { renderChangeSeries } from '../metrics/changeSeries.js';
import { renderLoadTestSeries } from '../metrics/loadTestSeries.js';
import { renderShardInfo, renderTargetSeries } from '../metrics/targetSeries.js';
import { rumSchema } from '../config/rumSchema.js';
import { renderTargetPageGroups, RumCollector } from '../rum/collector.js';
import { proberFor, runsInAuditQueue } from '../probers/table.js';
import { failureHint } from '../probers/failureHints.js';
import { cleanupStaleProfiles, formatAuditProgress, ReportStore } from '../probers/lighthouse/index.js';
import type { ProbeResult } from '../probers/types.js';
import { formatElapsed } from '../format/index.js';
import { ReportScheduler } from '../report/reportScheduler.js';
import { capacityTargetsOf } from '../report/capacity.js';
import { resolveAdminToken, SET_ADMIN_TOKEN_HINT } from './adminToken.js';
import { FailedAttemptLimiter } from './failedAttempts.js';
import { OutageTracker } from './outageTracker.js';
import { AuditQueue } from '../scheduler/auditQueue.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { Store } from '../store/store.js';
import { checkDefinitions, checkFingerprint, checkIdentity, type CheckDefinition } from './checks.js';
import { ProbeWorkerPool } from './probeWorkers/pool.js';
import { probeWorkerCount } from './probeWorkers/sizing.js';
import { formatShard, shardConfig, WHOLE, type Shard } from './shard.js';

export interface ServiceOptions {
  /** The config file; undefined runs the embedded demo config against `demoBaseUrl()`. */
  configFile?: string;
  /** Where the demo pages are reachable; known only once the listener is bound. */
  demoBaseUrl: () => string;
  storagePath: string;
  logger: Logger;
  /** The share of the targets this instance probes (serve --shard); default every target. */
  shard?: Shard;
  /** Probe worker threads (serve --probe.workers); default from the cores and the fleet. */
  probeWorkers?: number;
}

export type ReloadOutcome = { ok: true } | { ok: false; errors: ConfigError[] };

export class VantageService {
  /**
   * Every check's series and latest result: the audits recorded here, the HTTP checks' lines
   * adopted from the probe workers that rendered them.
   */
  readonly results = new LatestResults();
  /** The HTTP checks' schedulers and probes: made with the first config (its size sets the count). */
  private pool: ProbeWorkerPool | undefined;
  readonly health: ServiceHealth;
  /** Schedules the audits (this thread); the probe workers schedule the HTTP checks. */
  readonly scheduler: Scheduler;
  /** Lighthouse audits, one at a time, fair across targets. */
  readonly audits = new AuditQueue();
  /** Median-run reports of Lighthouse audits, under --storage.path. */
  readonly reports: ReportStore;
  /** Scheduled performance reports (config `report.schedule`), archived in the store. */
  readonly reportScheduler: ReportScheduler;
  /**
   * Field data from real visitors (POST /rum/v1/beacon): there from the start, so a beacon that
   * arrives before the config is loaded is refused (no site yet) and counted, not lost in a 404;
   * a reload reconfigures it and keeps what it counted.
   */
  readonly rum = new RumCollector(rumSchema.parse({}));
  /** The database under --storage.path (change log): open between start() and stop(). */
  private storeValue: Store | undefined;
  /** Outages as the HTTP probes see them, written to the store: open with it. */
  private outageTracker: OutageTracker | undefined;
  private current: VantageConfig | undefined;
  private definitions = new Map<string, CheckDefinition>();
  private targetSeries = Buffer.alloc(0);
  /** The targets whose last load test /metrics exports: this shard's, in the running config. */
  private loadTestTargets: ReadonlySet<string> = new Set();
  /** The running config's maintenance windows: vantage_maintenance_active and the index page. */
  maintenance: MaintenanceSeries | undefined;
  private adminTokenValue: string | undefined;
  /** Wrong admin tokens per client address, for every admin endpoint (rate limit). */
  readonly failedAdminAttempts = new FailedAttemptLimiter();
  private allowlist: UserRegex[] = [];
  private reloading: Promise<ReloadOutcome> | undefined;
  readonly shard: Shard;
  ready = false;

  constructor(readonly options: ServiceOptions) {
    this.scheduler = new Scheduler({
      maxConcurrent: 256,
      jitter: 1,
      onSkip: () => this.health.skippedRuns.inc(),
      onError: (key, err) => this.options.logger.error({ check: key, err }, 'check failed unexpectedly'),
    });
    this.health = new ServiceHealth({
      lagSeconds: () => Math.max(this.scheduler.lagSeconds(), this.pool?.stats().lagSeconds ?? 0),
      checksScheduled: () => this.scheduler.size + (this.pool?.stats().scheduled ?? 0),
      inFlight: () => this.scheduler.inFlight + (this.pool?.stats().inFlight ?? 0),
      probeWorkers: () => this.pool?.workers ?? 0,
      probeWorkerStats: () => this.pool?.workerStats() ?? [],
      lighthouseQueueLength: () => this.audits.length,
      openIncidents: () => this.storeValue?.incidents.openBySeverity(),
    });
    this.reports = new ReportStore(options.storagePath);
    this.reportScheduler = new ReportScheduler({
      store: () => this.storeValue,
      targets: () => capacityTargetsOf(this.current?.targets ?? []),
      logger: options.logger.child({ component: 'reports' }),
      metrics: this.health,
    });
    this.shard = options.shard ?? WHOLE;
  }

  get config(): VantageConfig {
    if (!this.current) throw new Error('configuration not loaded yet');
    return this.current;
  }

  get configSource(): string {
    return this.options.configFile ?? 'embedded demo configuration';
  }

  /** security.probe_url_allowlist, compiled once per config load (not per /probe request). */
  get probeUrlAllowlist(): readonly UserRegex[] {
    return this.allowlist;
  }

  /** security.allowed_hosts of the running config; none before the first load. */
  get allowedHosts(): readonly string[] {
    return this.current?.security.allowed_hosts ?? [];
  }

  /** The bearer token mutating endpoints require, if any (config, its file, or VANTAGE_ADMIN_TOKEN). */
  get adminToken(): string | undefined {
    return this.adminTokenValue;
  }

  /** The store; throws before start() and after stop(). */
  get store(): Store {
    if (!this.storeValue) throw new Error('the store is not open (vantage is starting or stopping)');
    return this.storeValue;
  }

  definition(target: string, module: string): CheckDefinition | undefined {
    return this.definitions.get(`${target}/${module}`);
  }

  checks(): CheckDefinition[] {
    return [...this.definitions.values()];
  }

  /** Load the configuration for the first time; a bad config throws so `serve` exits non-zero. */
  async start(): Promise<void> {
    // Chrome profiles left behind by a vantage that was killed mid-audit.
    const stale = await cleanupStaleProfiles();
    if (stale > 0) this.options.logger.info({ removed: stale }, 'removed stale Chrome profile directories');
    if (this.shard.count > 1) {
      this.options.logger.info(
        { shard: formatShard(this.shard) },
        `probing shard ${this.shard.index} of ${this.shard.count}: the targets whose name hashes to it`,
      );
    }
    // Before the config: a database newer than this vantage (StoreVersionError) stops the start.
    this.storeValue = Store.open(this.options.storagePath);
    this.storeValue.watch((err) => this.options.logger.error({ err }, 'reading the change log failed'));
    this.outageTracker = new OutageTracker(this.storeValue.outages, this.options.logger);
    const outcome = await this.reload();
    if (!outcome.ok) {
      this.closeStore();
      throw new Error(
        `invalid configuration in ${this.configSource}:\n` + outcome.errors.map(formatConfigError).join('\n'),
      );
    }
    this.scheduler.start();
    this.reportScheduler.start();
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    await Promise.all([this.scheduler.stop(), this.pool?.stop(), this.reportScheduler.stop()]);
    this.closeStore();
  }

  private closeStore(): void {
    this.outageTracker = undefined;
    this.storeValue?.close();
    this.storeValue = undefined;
  }

  /** Reload the config. A bad config keeps the running one; concurrent calls share one reload. */
  reload(): Promise<ReloadOutcome> {
    if (!this.reloading) {
      this.reloading = this.doReload().finally(() => {
        this.reloading = undefined;
      });
    }
    return this.reloading;
  }

  private async doReload(): Promise<ReloadOutcome> {
    const log = this.options.logger;
    const defaults = configDefaultsFromEnv(process.env);
    const loaded = this.options.configFile
      ? await loadConfigFile(this.options.configFile, defaults)
      : parseConfigText(
          demoConfigYaml(this.options.demoBaseUrl(), defaults.reportPrometheusUrl, defaults.demoHosts),
          defaults,
        );
    if (!loaded.ok) return this.rejectReload(loaded.errors);
    const admin = await resolveAdminToken(loaded.config, process.env, loaded.lineOf);
    if (!admin.ok) return this.rejectReload([admin.error]);
    const token = admin.token;
    for (const warning of loaded.warnings) log.warn({ source: this.configSource }, warning);
    if (admin.warning) log.warn({ source: this.configSource }, admin.warning);
    const tokenChanged =
      this.current === undefined || (this.adminTokenValue === undefined) !== (token === undefined);
    this.apply(loaded.config, token);
    this.health.recordReload(true);
    // Once at start, and again when a reload adds or removes the token: who may write.
    if (tokenChanged) {
      if (token === undefined)
        log.info(
          `write APIs accept loopback only: no admin token set; to write from other hosts, ${SET_ADMIN_TOKEN_HINT}`,
        );
      else log.info('write APIs require the admin token (Authorization: Bearer)');
    }
    log.info(
      {
        source: this.configSource,
        targets: loaded.config.targets.length,
        checks: this.definitions.size,
        probe_workers: this.pool?.workers,
        ...(this.shard.count > 1 && {
          shard: formatShard(this.shard),
          shard_targets: new Set(this.checks().map((c) => c.target.name)).size,
        }),
      },
      'configuration loaded',
    );
    return { ok: true };
  }

  private rejectReload(errors: ConfigError[]): ReloadOutcome {
    this.health.recordReload(false);
    for (const e of errors) {
      this.options.logger.error(
        { source: this.configSource, path: e.path, line: e.line },
        formatConfigError(e),
      );
    }
    if (this.current)
      this.options.logger.warn('configuration reload failed; the previous configuration keeps running');
    return { ok: false, errors };
  }

  private apply(config: VantageConfig, adminToken: string | undefined): void {
    this.current = config;
    this.adminTokenValue = adminToken;
    this.allowlist = config.security.probe_url_allowlist.map(compileAnchoredRegex);
    // Scheduling and the per-target series cover this shard's targets only (rules would see
    // objectives for targets nobody probes otherwise); /probe reads the whole `config`.
    const own = shardConfig(config, this.shard);
    const defs = checkDefinitions(own);
    this.definitions = new Map(defs.map((d) => [d.key, d]));
    const audits = defs.filter((d) => runsInAuditQueue(d.module));
    const probes = defs.filter((d) => !runsInAuditQueue(d.module));
    this.results.sync(defs.map(checkIdentity));
    this.outageTracker?.sync(probes.map(checkIdentity));
    this.targetSeries = Buffer.from(
      renderTargetSeries(own) + renderShardInfo(this.shard) + renderTargetPageGroups(own),
      'utf8',
    );
    this.loadTestTargets = new Set(own.targets.map((t) => t.name));
    this.rum.configure(config.rum);
    this.maintenance = new MaintenanceSeries(own);
    // Reports cover every target Prometheus holds, not this shard's: the section applies as is.
    this.reportScheduler.update(config.report);
    this.scheduler.update(
      audits.map((def) => ({
        key: def.key,
        intervalMs: def.intervalMs,
        fingerprint: checkFingerprint(def, config),
        run: (signal) => this.runAudit(def, signal),
        // Audits wait in their own one-at-a-time queue, not for a probe slot.
        bounded: false,
      })),
      { maxConcurrent: config.global.max_concurrent_probes, jitter: config.global.jitter },
    );
    this.pool ??= new ProbeWorkerPool({
      workers: probeWorkerCount(availableParallelism(), probes.length, this.options.probeWorkers),
      logger: this.options.logger.child({ component: 'probe-workers' }),
      familyIndex: (family) => this.results.registerFamily(family),
      onRendered: (key, block, spans, result) => {
        const previous = result && this.results.latest(key);
        this.results.adopt(key, block, spans, result);
        if (result) this.probed(key, result, previous);
      },
      onSkip: (runs) => this.health.skippedRuns.inc(runs),
      onRestart: () => this.health.probeWorkerRestarts.inc(),
    });
    this.pool.update({
      modules: config.modules,
      checks: probes.map((def) => ({
        identity: checkIdentity(def),
        url: def.target.url,
        moduleName: def.moduleName,
        intervalMs: def.intervalMs,
        fingerprint: checkFingerprint(def, config),
      })),
      allowedNetworks: config.security.allowed_networks,
      dnsServers: config.global.dns_servers,
      maxConcurrent: config.global.max_concurrent_probes,
      jitter: config.global.jitter,
    });
  }

  private async runAudit(def: CheckDefinition, signal: AbortSignal): Promise<void> {
    const result = await this.audits.run(def.target.name, signal, (auditSignal) =>
      this.audit(def, auditSignal),
    );
    if (signal.aborted) return; // shutdown: a cut-off audit is not a result
    const previous = this.results.latest(def.key);
    this.results.record(def.key, result);
    this.logTransition(def, previous, result);
  }

  /** A probe worker's result: the outage log and the log line (its series are the worker's). */
  private probed(key: string, result: ProbeResult, previous: ProbeResult | undefined): void {
    const def = this.definitions.get(key);
    if (!def) return; // removed by a reload while the result travelled
    this.outageTracker?.observe({ key, target: def.target.name }, result);
    this.logTransition(def, previous, result);
  }

  /** One audit, logged as it starts and ends: it takes a minute or more, silently otherwise. */
  private async audit(def: CheckDefinition, signal: AbortSignal): Promise<ProbeResult> {
    const { runs } = proberFor(def.module);
    // The scheduler hands the audit queue only the checks runsInAuditQueue() picked.
    if (runs.kind !== 'audit') throw new Error(`${def.module.prober} modules are not audits`);
    const log = this.options.logger;
    const target = def.target.name;
    const fields = { target, module: def.moduleName };
    const started = runs.started(def.module);
    log.info({ ...fields, ...started.fields }, started.message);
    const result = await runs.audit(
      def.target.url,
      def.module,
      { signal },
      {
        reportStore: this.reports,
        target,
        module: def.moduleName,
        latencyObjectiveSeconds: def.target.slo.latency / 1000,
        onProgress: (event) => log.debug({ ...fields, run: event.run }, formatAuditProgress(event, target)),
      },
    );
    if (signal.aborted) return result;
    const finished = runs.finished(result, formatElapsed(result.durationSeconds));
    log.info({ ...fields, ...finished.fields }, finished.message);
    return result;
  }

  /** Log state changes, not every probe: one line when a check starts or stops failing. */
  private logTransition(def: CheckDefinition, previous: ProbeResult | undefined, result: ProbeResult): void {
    const log = this.options.logger;
    const fields = { target: def.target.name, module: def.moduleName };
    if (
      !result.success &&
      (!previous || previous.success || previous.failure?.reason !== result.failure?.reason)
    ) {
      const failure = result.failure;
      log.warn(
        {
          ...fields,
          phase: failure?.phase,
          reason: failure?.reason,
          ...(failure && { hint: failureHint(failure, def.moduleName) }),
        },
        // The message may quote a URL with a password.
        `probe of ${def.target.name} with ${def.moduleName} failed: ${redactUrl(failure?.message ?? 'no reason given')}`,
      );
    } else if (result.success && previous && !previous.success) {
      log.info(fields, 'probe recovered');
    } else if (log.isLevelEnabled('debug')) {
      // Every probe passes here (167 a second at 10,000 checks): build the line only when wanted.
      log.debug(
        { ...fields, success: result.success, duration_seconds: result.durationSeconds },
        'probe done',
      );
    }
  }

  /**
   * Everything /metrics shows, rendered from stored state (a scrape never probes), in pieces
   * the HTTP layer can stream.
   */
  async *metricsChunks(): AsyncGenerator<string | Buffer> {
    yield* this.results.chunks();
    if (this.targetSeries.length > 0) yield this.targetSeries;
    // At scrape time, not per config load: a window that opened a second ago already counts.
    const maintenance = this.maintenance?.render(Date.now());
    if (maintenance && maintenance.length > 0) yield maintenance;
    // From the change log's in-memory copy, filtered by age now: no query at scrape time.
    const changes = this.storeValue && renderChangeSeries(this.storeValue.changes.exportedChanges());
    if (changes) yield changes;
    const loadTests =
      this.storeValue &&
      renderLoadTestSeries(this.storeValue.loadTests.latestPerTarget(), this.loadTestTargets);
    if (loadTests) yield loadTests;
    yield this.rum.render();
    yield await this.health.render();
  }

  /** The whole /metrics body as one string. */
  async renderMetrics(): Promise<string> {
    const parts: Buffer[] = [];
    for await (const chunk of this.metricsChunks()) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts).toString('utf8');
  }
}
