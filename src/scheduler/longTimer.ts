/**
 * A timer that waits until an instant however far away it is. setTimeout holds at most
 * 2^31 - 1 ms (about 24.8 days); past that Node prints a TimeoutOverflowWarning and fires after
 * 1 ms, which turned a yearly check into one every millisecond. This waits in steps of at most
 * that limit and looks at the clock after each step, so it never fires early: not for a long
 * delay, and not when the clock it is given runs behind the timers (a test clock, a suspended
 * laptop). Every wait that may exceed the limit goes through here.
 */
import { MAX_TIMER_MS } from '../config/duration.js';

export interface LongTimer {
  cancel(): void;
}

export interface LongTimerOptions {
  /** The clock `at` is read on (default Date.now). */
  now?: () => number;
  /** The longest single step; tests make it small to see the steps. */
  maxStepMs?: number;
  /** Keep the process alive while waiting (default false: the HTTP server keeps vantage up). */
  ref?: boolean;
}

/** Call `fire` once, at or after `at` on the clock (Unix ms by default). */
export function waitUntil(at: number, fire: () => void, options: LongTimerOptions = {}): LongTimer {
  if (Number.isNaN(at)) throw new RangeError('waitUntil: the instant is NaN');
  const now = options.now ?? Date.now;
  const maxStep = Math.min(options.maxStepMs ?? MAX_TIMER_MS, MAX_TIMER_MS);
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const step = (): void => {
    if (cancelled) return;
    const remaining = at - now();
    if (remaining <= 0) {
      timer = undefined;
      fire();
      return;
    }
    // Math.min also turns an infinite `at` into an endless chain of the longest step.
    timer = setTimeout(step, Math.min(remaining, maxStep));
    if (options.ref !== true) timer.unref();
  };
  // The first check is asynchronous too, so `fire` never runs inside the caller's frame.
  timer = setTimeout(step, Math.min(Math.max(0, at - now()), maxStep));
  if (options.ref !== true) timer.unref();
  return {
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
