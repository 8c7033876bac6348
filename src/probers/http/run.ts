/**
 * The per-probe frame: start times, the trace, and cancellation. The probe must return by its
 * deadline whatever the network does (a silent server, a body trickling forever, a DNS server that
 * never answers), so every wait is raced against one abort promise, and the abort tears the running
 * hop down (sockets, undici client, decoder) instead of waiting for them to notice.
 */
import { MAX_TIMER_MS } from '../../config/duration.js';
import type { ProbeContext } from '../types.js';
import { ProbeError } from './errors.js';
import type { Hop } from './hop.js';
import { TraceRecorder } from '../trace.js';

export class ProbeRun {
  readonly t0 = performance.now();
  readonly startedAtMs = Date.now();
  readonly trace = new TraceRecorder(this.t0);
  /** performance.now() when the probe was aborted; NaN while running. */
  abortedAt = Number.NaN;
  /** The hop in flight, torn down on abort. */
  current: Hop | undefined;
  private readonly abortPromise: Promise<never>;
  private rejectAbort!: (err: Error) => void;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.abort();

  constructor(private readonly ctx: ProbeContext) {
    this.abortPromise = new Promise<never>((_, reject) => {
      this.rejectAbort = reject;
    });
    this.abortPromise.catch(() => undefined); // nobody may be racing at the moment it fires
    if (ctx.signal.aborted) {
      this.abort();
      return;
    }
    ctx.signal.addEventListener('abort', this.onAbort, { once: true });
    // Belt and braces: the caller aborts the signal at the deadline, but the deadline is the contract.
    const remaining = ctx.deadline - this.t0;
    // setTimeout's limit: a longer (or infinite) deadline relies on the caller's signal alone.
    if (remaining < MAX_TIMER_MS) this.timer = setTimeout(this.onAbort, Math.max(0, remaining));
  }

  get aborted(): boolean {
    return !Number.isNaN(this.abortedAt);
  }

  /** Settles like `promise`, or rejects with a timeout ProbeError as soon as the probe is aborted. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.abortPromise]);
  }

  abort(): void {
    if (this.aborted) return;
    this.abortedAt = performance.now();
    // Reject first: destroying the hop settles its exchange synchronously ("client destroyed"),
    // and the race must see the timeout, not that consequence.
    this.rejectAbort(new ProbeError('timeout', 'probe aborted'));
    const hop = this.current;
    if (hop !== undefined) {
      hop.stop(this.abortedAt);
      hop.destroy();
    }
  }

  /** Milliseconds since the probe started. */
  elapsedMs(at: number = performance.now()): number {
    return at - this.t0;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ctx.signal.removeEventListener('abort', this.onAbort);
  }
}
