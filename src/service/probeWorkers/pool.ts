/**
 * The probe workers, seen from the main thread: worker_threads that each schedule, probe and
 * render a share of the HTTP checks (probeShard.ts), so probes time themselves off the thread
 * that serves /metrics, the pages and the store, and 10,000 checks spread over the cores.
 *
 * Contract: `update` hands every worker its checks (a check's worker is fixed by the hash of its
 * target's name, as `--shard` splits targets between instances). Every probe comes back, in
 * batches, as the check's freshly rendered lines plus its kept result: `onRendered` gets both,
 * the spans translated to the main side's family indexes (`familyIndex`), in the order each
 * worker finished its probes. `stop` aborts probes and ends the threads. A worker that dies (a bug, or its
 * heap limit) is started again with the same checks, after a pause that grows while it keeps
 * dying, and with a larger heap when memory was the cause; its counters restart from zero,
 * which Prometheus' rate() reads as a counter reset.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { compiledScript } from '../../runtime/compiledScript.js';
import type { Logger } from '../../runtime/logger.js';
import type { FamilyLike } from '../../metrics/latestResults.js';
import type { MetricFamily, ProbeResult } from '../../probers/types.js';
import { shardOf } from '../shard.js';
import type {
  MainToWorker,
  RenderedCheck,
  UpdateMessage,
  WorkerCheck,
  WorkerStats,
  WorkerToMain,
} from './protocol.js';
import { workerResourceLimits } from './sizing.js';

export interface ProbeWorkerPoolOptions {
  workers: number;
  logger: Logger;
  /** The main side's index of a family (registering it if new): spans arrive translated to it. */
  familyIndex: (family: FamilyLike) => number;
  /** A check's new lines, and the probe result they come from (none after a change of labels). */
  onRendered: (key: string, block: Buffer, spans: Int32Array, result: ProbeResult | undefined) => void;
  onSkip: (runs: number) => void;
  onRestart: () => void;
  /** Heap limits of a worker with `checks` checks; `factor` doubles after each out-of-memory exit. */
  resourceLimits?: (checks: number, factor: number) => ResourceLimits;
}

/** What the service hands the workers on every config load (the global bound is split here). */
export type PoolUpdate = Omit<UpdateMessage, 'type'>;

const STOP_TIMEOUT_MS = 15_000;
/** Pauses before starting a dead worker again, by how many times in a row it died young. */
const RESTART_DELAYS_MS = [0, 1000, 5000, 30_000];
const IDLE: WorkerStats = {
  lagSeconds: 0,
  inFlight: 0,
  scheduled: 0,
  heapUsedBytes: 0,
  heapSizeBytes: 0,
  loopDelayP99Seconds: 0,
  loopDelayMaxSeconds: 0,
};

class WorkerSlot {
  worker: Worker | undefined;
  update: UpdateMessage | undefined;
  stats: WorkerStats = IDLE;
  /** Deaths in a row, each within a minute of its start (for the restart pause). */
  crashes = 0;
  startedAtMs = 0;
  heapFactor = 1;
  /** The worker's family index -> the main side's (a new thread starts a new list)... */
  families: number[] = [];
  /** ...and the family itself. */
  familyObjects: FamilyLike[] = [];
  stopped: (() => void) | undefined;
  constructor(readonly index: number) {}
}

export class ProbeWorkerPool {
  private readonly slots: WorkerSlot[];
  /** The checks of the last update: a result of a check removed meanwhile is dropped. */
  private keys = new Set<string>();
  private stopping = false;
  /**
   * Label sets of kept samples ({phase: "connect"}, ...), one object each: structured clone
   * makes a new one per sample, and 10,000 kept results would hold 50,000 copies.
   */
  private readonly labelSets = new Map<string, Readonly<Record<string, string>>>();

  constructor(private readonly options: ProbeWorkerPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, options.workers) }, (_, i) => new WorkerSlot(i));
  }

  get workers(): number {
    return this.slots.length;
  }

  update(update: PoolUpdate): void {
    const n = this.slots.length;
    const perWorker: WorkerCheck[][] = this.slots.map(() => []);
    for (const check of update.checks) perWorker[shardOf(check.identity.target, n)]!.push(check);
    this.keys = new Set(update.checks.map((c) => c.identity.key));
    for (const slot of this.slots) {
      slot.update = {
        ...update,
        type: 'update',
        checks: perWorker[slot.index]!,
        // Each worker gets its share of the global bound, so the sum stays the configured one.
        maxConcurrent: Math.max(1, Math.ceil(update.maxConcurrent / n)),
      };
      // A worker starts with its first checks: a config of audits only needs none.
      if (slot.worker) slot.worker.postMessage(slot.update);
      else if (!this.stopping && slot.update.checks.length > 0) this.spawn(slot);
    }
  }

  /** Largest lag, probes in flight and checks scheduled, over the workers (as of their last batch). */
  stats(): Pick<WorkerStats, 'lagSeconds' | 'inFlight' | 'scheduled'> {
    const all = this.slots.map((s) => s.stats);
    return {
      lagSeconds: Math.max(0, ...all.map((s) => s.lagSeconds)),
      inFlight: all.reduce((sum, s) => sum + s.inFlight, 0),
      scheduled: all.reduce((sum, s) => sum + s.scheduled, 0),
    };
  }

  /** Each running worker's own figures (heap, event loop delay), by worker index, as of its last batch. */
  workerStats(): { worker: number; stats: WorkerStats }[] {
    return this.slots.filter((s) => s.worker).map((s) => ({ worker: s.index, stats: s.stats }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        if (!worker) return;
        // The worker aborts its probes and answers; a stuck one is terminated after a while.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
          slot.stopped = () => {
            clearTimeout(timer);
            resolve();
          };
          worker.postMessage({ type: 'stop' } satisfies MainToWorker);
        });
        slot.worker = undefined;
        await worker.terminate();
      }),
    );
  }

  private spawn(slot: WorkerSlot): void {
    const checks = slot.update?.checks.length ?? 0;
    const worker = new Worker(compiledScript('service/probeWorkers/worker'), {
      name: `vantage-probe-${slot.index}`,
      // Of the parent's execArgv only the profilers (`node --cpu-prof dist/cli.js` profiles the
      // workers too): under vitest or tsx it carries loaders the compiled worker must not get.
      execArgv: process.execArgv.filter((flag) => /^--(cpu|heap)-prof/.test(flag)),
      resourceLimits: (this.options.resourceLimits ?? workerResourceLimits)(checks, slot.heapFactor),
    });
    slot.worker = worker;
    slot.families = [];
    slot.familyObjects = [];
    slot.startedAtMs = Date.now();
    worker.on('message', (message: WorkerToMain) => this.receive(slot, message));
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') slot.heapFactor *= 2;
      this.options.logger.error({ worker: slot.index, checks, err }, 'probe worker failed');
    });
    worker.on('exit', (code) => this.exited(slot, worker, code));
    if (slot.update) worker.postMessage(slot.update);
  }

  private exited(slot: WorkerSlot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return; // stopped on purpose
    slot.worker = undefined;
    slot.stats = IDLE;
    slot.stopped?.();
    if (this.stopping) return;
    slot.crashes = Date.now() - slot.startedAtMs < 60_000 ? slot.crashes + 1 : 1;
    const delay = RESTART_DELAYS_MS[Math.min(slot.crashes - 1, RESTART_DELAYS_MS.length - 1)]!;
    this.options.onRestart();
    this.options.logger.error(
      { worker: slot.index, exit_code: code, restart_in_seconds: delay / 1000 },
      'probe worker exited; starting a new one with the same checks',
    );
    setTimeout(() => {
      if (!this.stopping && !slot.worker) this.spawn(slot);
    }, delay).unref();
  }

  private receive(slot: WorkerSlot, message: WorkerToMain): void {
    switch (message.type) {
      case 'results':
        slot.stats = message.stats;
        for (const family of message.families) {
          slot.families.push(this.options.familyIndex(family));
          slot.familyObjects.push(family);
        }
        if (message.skipped > 0) this.options.onSkip(message.skipped);
        for (const check of message.checks) this.adopt(slot, check);
        return;
      case 'stopped':
        slot.stopped?.();
        return;
      case 'log':
        this.options.logger[message.level]({ worker: slot.index, ...message.fields }, message.message);
        return;
    }
  }

  private internLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const key = JSON.stringify(labels);
    let shared = this.labelSets.get(key);
    // Bounded: a prober's label sets are few; past that, keep the copy rather than grow.
    if (!shared && this.labelSets.size < 1000) this.labelSets.set(key, (shared = labels));
    return shared ?? labels;
  }

  private adopt(slot: WorkerSlot, check: RenderedCheck): void {
    if (!this.keys.has(check.key)) return; // removed by a reload while the result travelled
    // Spans by the worker's family index -> by the main side's.
    const local = check.spans;
    let families = 0;
    for (let i = 0; i * 2 < local.length; i++) families = Math.max(families, slot.families[i]! + 1);
    const spans = new Int32Array(families * 2);
    for (let i = 0; i * 2 < local.length; i++) {
      const to = slot.families[i]!;
      spans[to * 2] = local[i * 2]!;
      spans[to * 2 + 1] = local[i * 2 + 1]!;
    }
    const wire = check.result;
    const result: ProbeResult | undefined = wire && {
      ...wire,
      samples: wire.samples.map((s) => ({
        family: slot.familyObjects[s.family] as MetricFamily,
        labels: s.labels && this.internLabels(s.labels),
        value: s.value,
      })),
    };
    this.options.onRendered(check.key, Buffer.from(check.block), spans, result);
  }
}
