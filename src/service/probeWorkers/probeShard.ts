/**
 * The probing half of vantage for the checks one probe worker owns: their scheduler, their
 * probes and their series (a LatestResults). It runs inside a worker thread (worker.ts wires it
 * to the parent port), so probes time themselves on an event loop nothing else holds: not a
 * /metrics scrape, not the main thread's garbage collector, not the store.
 *
 * Contract: it knows the main thread only through messages (protocol.ts), sent by the injected
 * `post`, so tests drive it in-thread. After every probe the check's lines are rendered here
 * and sent over with the kept result, in batches at most `flushMs` late (the Buffer is
 * transferred, not copied); a change of labels sends the re-rendered lines the same way. The
 * scheduler's figures travel with every batch, and at least every `statsMs`. `stop` aborts
 * the probes in flight and answers once they have returned.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { ModuleConfig } from '../../config/schema.js';
import { LatestResults } from '../../metrics/latestResults.js';
import { proberFor, runProbe } from '../../probers/index.js';
import type { ProbeResult } from '../../probers/types.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import type {
  MainToWorker,
  RenderedCheck,
  UpdateMessage,
  WorkerCheck,
  WorkerStats,
  WorkerToMain,
} from './protocol.js';

export type Post = (message: WorkerToMain, transfer?: ArrayBuffer[]) => void;

export class ProbeShard {
  private readonly results = new LatestResults();
  private readonly scheduler: Scheduler;
  private modules: Record<string, ModuleConfig> = {};
  private probeOptions: Pick<UpdateMessage, 'allowedNetworks' | 'dnsServers'> = { allowedNetworks: [] };
  private batch: RenderedCheck[] = [];
  /** Families already announced to the main thread (the first `announced` of familyList()). */
  private announced = 0;
  private skipped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly statsTimer: NodeJS.Timeout;
  /**
   * How late this thread's event loop runs callbacks: a probe's answer waits that long before
   * the probe reads its clock. Read and reset every `statsMs`; the last window is reported.
   */
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private loopDelayWindow = { p99Seconds: 0, maxSeconds: 0 };
  private started = false;

  constructor(
    private readonly post: Post,
    private readonly flushMs = 100,
    statsMs = 5000,
  ) {
    this.loopDelay.enable();
    this.statsTimer = setInterval(() => {
      // The histogram is in nanoseconds; an empty one reports NaN percentiles and 0 max.
      const p99 = this.loopDelay.percentile(99);
      this.loopDelayWindow = { p99Seconds: (p99 > 0 ? p99 : 0) / 1e9, maxSeconds: this.loopDelay.max / 1e9 };
      this.loopDelay.reset();
      this.flush(true);
    }, statsMs).unref();
    this.scheduler = new Scheduler({
      maxConcurrent: 1,
      jitter: 1,
      onSkip: () => {
        this.skipped++;
        this.scheduleFlush();
      },
      onError: (key, err) =>
        this.post({
          type: 'log',
          level: 'error',
          fields: { check: key, err: err instanceof Error ? (err.stack ?? err.message) : String(err) },
          message: 'check failed unexpectedly',
        }),
    });
  }

  handle(message: MainToWorker): void {
    switch (message.type) {
      case 'update':
        return this.update(message);
      case 'stop':
        return void this.stop();
    }
  }

  private update(message: UpdateMessage): void {
    // Checks of one module share one module object, so its compiled regexps are shared too.
    this.modules = message.modules;
    this.probeOptions = { allowedNetworks: message.allowedNetworks, dnsServers: message.dnsServers };
    // Checks whose labels changed have new lines already: send them without waiting for a probe.
    for (const key of this.results.sync(message.checks.map((c) => c.identity))) this.send(key);
    this.scheduler.update(
      message.checks.map((check) => ({
        key: check.identity.key,
        intervalMs: check.intervalMs,
        fingerprint: check.fingerprint,
        weight: this.requestsPerRun(check.moduleName),
        run: (signal) => this.probe(check, signal),
      })),
      { maxConcurrent: message.maxConcurrent, jitter: message.jitter },
    );
    if (!this.started) {
      this.started = true;
      this.scheduler.start();
    }
  }

  /** What a run of the module costs in requests (a journey: its steps), from the prober table. */
  private requestsPerRun(moduleName: string): number {
    const module = this.modules[moduleName];
    if (!module) return 1;
    const { runs } = proberFor(module);
    return runs.kind === 'probe' ? (runs.requestsPerRun?.(module) ?? 1) : 1;
  }

  private async probe(check: WorkerCheck, signal: AbortSignal): Promise<void> {
    const module = this.modules[check.moduleName];
    if (!module) return; // an update removed the module while this run was queued
    const result = await runProbe(check.url, module, {
      signal,
      ...this.probeOptions,
      latencyObjectiveSeconds: check.identity.latencyThresholdSeconds,
    });
    if (signal.aborted) return; // shutdown: a cut-off probe is not a result
    const key = check.identity.key;
    this.results.record(key, result);
    const kept = this.results.latest(key);
    if (!kept) return; // removed by an update while the probe ran
    this.send(key, kept);
  }

  private send(key: string, result?: ProbeResult): void {
    const rendered = this.results.rendered(key);
    if (!rendered) return;
    // The block is a Buffer of its own (LatestResults commits with allocUnsafeSlow): its whole
    // ArrayBuffer is this check's lines, and transferring it leaves nothing behind here.
    const wire = result && {
      ...result,
      samples: result.samples.map((s) => ({
        family: this.results.registerFamily(s.family),
        labels: s.labels,
        value: s.value,
      })),
    };
    this.batch.push({
      key,
      result: wire,
      block: rendered.block.buffer as ArrayBuffer,
      spans: rendered.spans,
    });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(statsOnly = false): void {
    if (!statsOnly) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (statsOnly && this.batch.length > 0) return; // a batch is on its way with the figures
    const checks = this.batch;
    this.batch = [];
    const families = this.results.familyList().slice(this.announced);
    this.announced += families.length;
    this.post({ type: 'results', families, checks, skipped: this.skipped, stats: this.stats() }, [
      ...new Set(checks.map((c) => c.block)),
    ]);
    this.skipped = 0;
  }

  private stats(): WorkerStats {
    const heap = getHeapStatistics();
    return {
      lagSeconds: this.scheduler.lagSeconds(),
      inFlight: this.scheduler.inFlight,
      scheduled: this.scheduler.size,
      // This thread's isolate: prom-client's nodejs_heap_* figures cover the main thread only.
      heapUsedBytes: heap.used_heap_size,
      heapSizeBytes: heap.total_heap_size,
      loopDelayP99Seconds: this.loopDelayWindow.p99Seconds,
      loopDelayMaxSeconds: this.loopDelayWindow.maxSeconds,
    };
  }

  private async stop(): Promise<void> {
    await this.scheduler.stop();
    clearInterval(this.statsTimer);
    this.loopDelay.disable();
    this.flush();
    this.post({ type: 'stopped' });
  }
}
