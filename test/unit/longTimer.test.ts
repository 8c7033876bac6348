/**
 * Waits longer than setTimeout holds (2^31 - 1 ms): Node fires those after 1 ms with a
 * TimeoutOverflowWarning, which made `global.interval: 1y` run a check every millisecond.
 * The scheduler and waitUntil must wait in steps and never fire early.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { waitUntil } from '../../src/scheduler/longTimer.js';
import { captureProcessWarnings } from '../helpers/processWarnings.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY = 86_400_000;

const warnings = captureProcessWarnings();
const overflowWarnings = () => warnings().filter((w) => w.name === 'TimeoutOverflowWarning');

describe('Scheduler with an interval beyond the timer limit', () => {
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  it('runs the first probe, then waits: a 30-day interval does not fire early', async () => {
    let runs = 0;
    scheduler = new Scheduler({ maxConcurrent: 4, jitter: 0 });
    scheduler.update([
      {
        key: 'monthly/http',
        intervalMs: 30 * DAY,
        fingerprint: 'monthly/http',
        run: async () => {
          runs++;
        },
      },
    ]);
    scheduler.start();
    await sleep(400);
    // Today's code: setTimeout(…, 30 days) fires after 1 ms, so hundreds of runs by now.
    expect(runs).toBe(1);
    await sleep(10); // let Node emit warnings queued on the last tick
    expect(overflowWarnings()).toEqual([]);
  });
});

describe('waitUntil', () => {
  it('fires once at the instant, not before, taking long waits in steps', async () => {
    const start = Date.now();
    let firedAt = 0;
    let fired = 0;
    waitUntil(
      start + 120,
      () => {
        fired++;
        firedAt = Date.now();
      },
      { maxStepMs: 25, ref: true },
    );
    await sleep(300);
    expect(fired).toBe(1);
    expect(firedAt).toBeGreaterThanOrEqual(start + 120);
  });

  it('looks at its own clock after each step: a clock behind the timers delays the firing', async () => {
    let clock = 0;
    let fired = 0;
    const timer = waitUntil(1000, () => fired++, { now: () => clock, maxStepMs: 10, ref: true });
    await sleep(80);
    expect(fired).toBe(0); // 80 ms of timers passed, but the clock still says 0
    clock = 1000;
    await sleep(40);
    expect(fired).toBe(1);
    timer.cancel();
  });

  it('an instant years away arms one step of the longest delay, without a warning', async () => {
    let fired = 0;
    const timer = waitUntil(Date.now() + 365 * DAY, () => fired++);
    await sleep(50);
    timer.cancel();
    expect(fired).toBe(0);
    expect(overflowWarnings()).toEqual([]);
  });

  it('cancel() stops a pending wait', async () => {
    let fired = 0;
    const timer = waitUntil(Date.now() + 30, () => fired++, { ref: true });
    timer.cancel();
    await sleep(80);
    expect(fired).toBe(0);
    expect(() => waitUntil(Number.NaN, () => undefined)).toThrow(RangeError);
  });
});
