/**
 * The one debug-trace recorder every prober uses: timestamped lines that `/probe?debug=true` and
 * `vantage probe` print. Recording is cheap on purpose (one small object per event, ~10 per
 * probe) because every scheduled probe records one; only formatting, done on demand, builds text.
 * `decimals` is the precision of `atMs`: an HTTP probe's phases need microseconds, an audit's
 * steps whole milliseconds.
 */
import type { TraceEvent } from './types.js';

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly scale: number;

  /** `t0`: the probe's start on the performance.now() clock. */
  constructor(
    private readonly t0: number,
    decimals = 3,
  ) {
    this.scale = 10 ** decimals;
  }

  add(message: string, at: number = performance.now()): void {
    this.events.push({ atMs: Math.round((at - this.t0) * this.scale) / this.scale, message });
  }
}
