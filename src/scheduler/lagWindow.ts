/**
 * The largest scheduling delay seen over a sliding window, in one-second slots, so the
 * `vantage_scheduler_lag_seconds` gauge does not depend on how often it is scraped.
 */
export class LagWindow {
  private readonly slots: Float64Array;
  private readonly slotSecond: Float64Array;

  constructor(private readonly windowSeconds = 60) {
    this.slots = new Float64Array(windowSeconds);
    this.slotSecond = new Float64Array(windowSeconds).fill(-1);
  }

  observe(lagSeconds: number, nowMs = Date.now()): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.windowSeconds;
    if (this.slotSecond[i] !== second) {
      this.slotSecond[i] = second;
      this.slots[i] = 0;
    }
    if (lagSeconds > this.slots[i]!) this.slots[i] = lagSeconds;
  }

  max(nowMs = Date.now()): number {
    const second = Math.floor(nowMs / 1000);
    let max = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      if (second - this.slotSecond[i]! < this.windowSeconds && this.slots[i]! > max) max = this.slots[i]!;
    }
    return max;
  }
}
