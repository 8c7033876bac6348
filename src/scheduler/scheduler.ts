/**
 * Runs every target/module check on its own interval. Start times are spread across the
 * interval by a deterministic per-check offset (as Prometheus spreads scrapes), so 10,000
 * checks do not fire in one burst and a restart keeps the same phase. While a round of every
 * check makes up to QUICK_START_REQUESTS requests (a check counts its `weight`: a journey, its
 * steps), first runs come within 10 s of start (a newcomer sees data at once); with more, each
 * check's first run is at its own phase, so a large fleet starts at its steady rate instead of
 * a burst whose queueing would inflate every duration it records.
 * Runs are fixed-rate:
 * a run that is still going when its next slot comes makes that slot be skipped, never
 * overlapped. A global semaphore bounds probes in flight; time spent waiting for it is lag.
 * A run never starts before its due time, whatever the interval: waits longer than a timer
 * holds (config refuses such intervals, but the scheduler does not rely on it) go in steps.
 */
import { setMaxListeners } from 'node:events';
import { LagWindow } from './lagWindow.js';
import { waitUntil, type LongTimer } from './longTimer.js';
import { Semaphore } from './semaphore.js';

export interface CheckSpec {
  /** Stable identity, `target/module`. A reload keeps the timer of a check whose spec is unchanged. */
  key: string;
  intervalMs: number;
  /** A fingerprint of everything that affects the run; a change restarts the check's timer. */
  fingerprint: string;
  run: (signal: AbortSignal) => Promise<void>;
  /** Requests one run makes (default 1; a journey: its steps), for the quick-start bound. */
  weight?: number;
  /**
   * Whether the run takes a slot of the global probe bound (default true). Lighthouse audits
   * do not: they wait in their own one-at-a-time queue, and must not hold probe slots meanwhile.
   */
  bounded?: boolean;
}

export interface SchedulerOptions {
  maxConcurrent: number;
  /** Fraction of the interval over which first runs are spread (0 = all at once, 1 = whole interval). */
  jitter: number;
  onSkip?: (key: string) => void;
  onError?: (key: string, err: unknown) => void;
}

interface ScheduledCheck {
  spec: CheckSpec;
  timer?: LongTimer;
  nextDueMs: number;
  /** False until the check has moved from its quick first run to its stable phase. */
  phaseAligned?: boolean;
  running?: Promise<void>;
  stopped: boolean;
}

/** The first run of every check starts within this window after (re)start... */
const FIRST_RUN_WINDOW_MS = 10_000;
/** ...when a round of every check makes at most this many requests (100 a second at most). */
export const QUICK_START_REQUESTS = 1000;

/** FNV-1a: a cheap, stable hash so a check's offset survives restarts. */
function stableFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

export class Scheduler {
  private readonly checks = new Map<string, ScheduledCheck>();
  /** The requests of one run of every check (the sum of weights), set by update(). */
  private requestsPerRound = 0;
  private readonly semaphore: Semaphore;
  private readonly lag = new LagWindow();
  private readonly shutdown = new AbortController();
  private started = false;

  constructor(private options: SchedulerOptions) {
    this.semaphore = new Semaphore(options.maxConcurrent);
    // Every probe in flight listens on the shutdown signal; thousands may, legitimately.
    setMaxListeners(0, this.shutdown.signal);
  }

  get size(): number {
    return this.checks.size;
  }

  get inFlight(): number {
    return this.semaphore.inFlight;
  }

  lagSeconds(): number {
    return this.lag.max();
  }

  /** Replace the set of checks (initial load and every reload). */
  update(specs: readonly CheckSpec[], options?: Partial<SchedulerOptions>): void {
    if (options) {
      this.options = { ...this.options, ...options };
      if (options.maxConcurrent !== undefined) this.semaphore.setLimit(options.maxConcurrent);
    }
    const wanted = new Map(specs.map((s) => [s.key, s]));
    // A replaced check's run may still be going; its successor waits for it rather than overlap.
    const stillRunning = new Map<string, Promise<void>>();
    for (const [key, check] of this.checks) {
      const next = wanted.get(key);
      if (!next || next.fingerprint !== check.spec.fingerprint || next.intervalMs !== check.spec.intervalMs) {
        this.stopCheck(check);
        this.checks.delete(key);
        if (check.running) stillRunning.set(key, check.running);
      } else {
        check.spec = next; // same schedule; pick up the fresh closure
      }
    }
    const added: ScheduledCheck[] = [];
    for (const spec of specs) {
      if (!this.checks.has(spec.key)) {
        const check: ScheduledCheck = { spec, nextDueMs: 0, stopped: false };
        const previous = stillRunning.get(spec.key);
        if (previous) {
          const wrapped: Promise<void> = previous.finally(() => {
            if (check.running === wrapped) check.running = undefined;
          });
          check.running = wrapped;
        }
        this.checks.set(spec.key, check);
        added.push(check);
      }
    }
    this.requestsPerRound = 0;
    for (const check of this.checks.values()) this.requestsPerRound += check.spec.weight ?? 1;
    // Armed once the set is complete: how first runs are placed depends on its size.
    if (this.started) for (const check of added) this.arm(check, true);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const check of this.checks.values()) this.arm(check, true);
  }

  /** Stop timers, abort probes in flight, and wait for them to return. */
  async stop(): Promise<void> {
    this.started = false;
    this.shutdown.abort(new Error('vantage is shutting down'));
    const running: Promise<void>[] = [];
    for (const check of this.checks.values()) {
      this.stopCheck(check);
      if (check.running) running.push(check.running);
    }
    await Promise.allSettled(running);
  }

  private stopCheck(check: ScheduledCheck): void {
    check.stopped = true;
    check.timer?.cancel();
    check.timer = undefined;
  }

  private arm(check: ScheduledCheck, first: boolean): void {
    const now = Date.now();
    const interval = check.spec.intervalMs;
    const fraction = stableFraction(check.spec.key) * this.options.jitter;
    if (first && this.requestsPerRound <= QUICK_START_REQUESTS) {
      // The first run comes soon (within FIRST_RUN_WINDOW_MS), still spread, so a new or
      // restarted vantage has data at once instead of after a whole interval.
      check.nextDueMs = now + fraction * Math.min(interval, FIRST_RUN_WINDOW_MS);
      check.phaseAligned = false;
    } else if (!check.phaseAligned) {
      // From the second run on, each check sits at a stable phase of its interval: the same
      // offset after every restart, and different checks evenly spread (as Prometheus does).
      const periodStart = now - (now % interval);
      let due = periodStart + fraction * interval;
      if (due <= now) due += interval;
      check.nextDueMs = due;
      check.phaseAligned = true;
    } else {
      check.nextDueMs += interval;
      // Missed slots (the run overran, or the process was suspended) are skipped, not replayed.
      while (check.nextDueMs <= now) {
        check.nextDueMs += interval;
        this.options.onSkip?.(check.spec.key);
      }
    }
    check.timer = waitUntil(check.nextDueMs, () => this.fire(check));
  }

  private fire(check: ScheduledCheck): void {
    if (check.stopped) return;
    const dueMs = check.nextDueMs;
    if (check.running) {
      // Never overlap: the previous run of this check is still going.
      this.options.onSkip?.(check.spec.key);
    } else {
      check.running = this.execute(check, dueMs).finally(() => {
        check.running = undefined;
      });
    }
    this.arm(check, false);
  }

  private async execute(check: ScheduledCheck, dueMs: number): Promise<void> {
    const signal = this.shutdown.signal;
    const bounded = check.spec.bounded !== false;
    if (bounded) {
      try {
        await this.semaphore.acquire(signal);
      } catch {
        return; // shutting down while queued
      }
    }
    try {
      this.lag.observe(Math.max(0, Date.now() - dueMs) / 1000);
      await check.spec.run(signal);
    } catch (err) {
      if (!signal.aborted) this.options.onError?.(check.spec.key, err);
    } finally {
      if (bounded) this.semaphore.release();
    }
  }
}
