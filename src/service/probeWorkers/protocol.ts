/**
 * The messages between the main thread and a probe worker (worker_threads). Plain data only:
 * everything crosses by structured clone, and each check's rendered lines by transfer.
 *
 * main -> worker: `update` (the checks this worker owns, after every config load) and `stop`
 * (shutdown: abort probes, then answer `stopped`).
 * worker -> main: `results` (batched: every probe's kept result with the check's freshly
 * rendered lines, and the scheduler's figures), `stopped`, and `log` (what the worker has to
 * say: it has no logger of its own).
 */
import type { ModuleConfig } from '../../config/schema.js';
import type { CheckIdentity, FamilyLike } from '../../metrics/latestResults.js';
import type { ProbeWorkerFigures } from '../../metrics/serviceHealth.js';
import type { ProbeResult } from '../../probers/types.js';

/** One check a worker schedules and probes: its series identity plus how to probe it. */
export interface WorkerCheck {
  identity: CheckIdentity;
  url: string;
  /** A key of UpdateMessage.modules: checks of one module share one module object. */
  moduleName: string;
  intervalMs: number;
  fingerprint: string;
}

export interface UpdateMessage {
  type: 'update';
  modules: Record<string, ModuleConfig>;
  checks: WorkerCheck[];
  allowedNetworks: readonly string[];
  dnsServers?: readonly string[];
  /** This worker's share of global.max_concurrent_probes. */
  maxConcurrent: number;
  jitter: number;
}

export type MainToWorker = UpdateMessage | { type: 'stop' };

/**
 * What one worker reports with each batch: its scheduler's figures, plus its own heap and
 * event loop delay (ProbeWorkerFigures, the shape ServiceHealth exports per worker).
 */
export interface WorkerStats extends ProbeWorkerFigures {
  lagSeconds: number;
  inFlight: number;
  scheduled: number;
}

/**
 * A kept result on the wire: each sample names its family by the worker's family index rather
 * than carrying the family (and its help text) in every message.
 */
export type WireResult = Omit<ProbeResult, 'samples'> & {
  samples: { family: number; labels?: Readonly<Record<string, string>>; value: number }[];
};

/** A check's lines as the worker rendered them (see LatestResults.adopt). */
export interface RenderedCheck {
  key: string;
  /** The probe they come from, as LatestResults keeps it; absent when new labels re-rendered them. */
  result?: WireResult;
  /** The lines, transferred: the worker keeps no copy. */
  block: ArrayBuffer;
  /** [start, end) of each family's lines in `block`, by the worker's family index. */
  spans: Int32Array;
}

export interface ResultsMessage {
  type: 'results';
  /** Families the worker met since its previous batch, in order: they take its next indexes. */
  families: FamilyLike[];
  /** In the order the probes finished. */
  checks: RenderedCheck[];
  /** Runs skipped since the previous batch (the check's previous run was still going). */
  skipped: number;
  stats: WorkerStats;
}

export type WorkerToMain =
  | ResultsMessage
  | { type: 'stopped' }
  | { type: 'log'; level: 'error' | 'warn'; fields: Record<string, unknown>; message: string };
