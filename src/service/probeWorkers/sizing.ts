/**
 * How many probe workers, and how much heap each may use, from the machine and the fleet: the
 * operator sets nothing (no NODE_OPTIONS) and `npx vantage` fits 10,000 checks in a small
 * footprint. Pure; figures from bench/scale-10k.ts (docs/performance.md).
 */

/** One worker per this many HTTP checks, up to one per core: a small config needs one thread. */
export const CHECKS_PER_WORKER = 2000;

/**
 * `requested` (--probe.workers) wins; otherwise one worker per CHECKS_PER_WORKER checks, at
 * least one, at most one per core.
 */
export function probeWorkerCount(cores: number, httpChecks: number, requested?: number): number {
  if (requested !== undefined) return requested;
  return Math.max(1, Math.min(cores, Math.ceil(httpChecks / CHECKS_PER_WORKER)));
}

/** V8 heap for a worker's code, modules and one probe burst, whatever its checks. */
const BASE_OLD_MB = 32;
/**
 * A worker keeps per check its scheduler entry, timer, counters and latest result (its lines
 * go to the main thread): about 1.5 KiB live; 4 leaves room for garbage. V8 grows a heap
 * lazily towards its limit, so the limit, not the live data, sets a worker's footprint.
 */
const OLD_KIB_PER_CHECK = 4;
/**
 * Young generation: small, so garbage is collected often and cheaply (a scavenge of a few MB
 * takes about a millisecond) instead of being promoted and kept until a full collection.
 */
const YOUNG_MB = 8;

/**
 * resourceLimits for a worker that owns `checks` checks. The old-generation limit is a hard
 * one (a worker above it ends with ERR_WORKER_OUT_OF_MEMORY), so it is generous; the pool
 * restarts a worker that hit it with `factor` doubled.
 */
export function workerResourceLimits(
  checks: number,
  factor = 1,
): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  return {
    maxOldGenerationSizeMb: Math.ceil((BASE_OLD_MB + (checks * OLD_KIB_PER_CHECK) / 1024) * factor),
    maxYoungGenerationSizeMb: YOUNG_MB,
  };
}
