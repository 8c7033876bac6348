import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type CheckSpec } from '../../src/scheduler/scheduler.js';
import { LagWindow } from '../../src/scheduler/lagWindow.js';
import { Semaphore } from '../../src/scheduler/semaphore.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

function spec(key: string, intervalMs: number, run: CheckSpec['run']): CheckSpec {
  return { key, intervalMs, fingerprint: key, run };
}

describe('Scheduler', () => {
  it('never overlaps runs of one check and counts the skipped slots', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let skipped = 0;
    scheduler = new Scheduler({ maxConcurrent: 10, jitter: 0, onSkip: () => skipped++ });
    scheduler.update([
      spec('slow/http', 50, async (signal) => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        await sleep(180, signal);
        active--;
      }),
    ]);
    scheduler.start();
    await sleep(900);
    expect(maxActive).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(3);
    // 900 ms at a 50 ms interval is ~18 slots; each 180 ms run swallows about three of them.
    expect(skipped).toBeGreaterThanOrEqual(runs * 2);
  });

  it('bounds probes in flight globally and reports the wait as lag', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    scheduler = new Scheduler({ maxConcurrent: 3, jitter: 0 });
    const specs = Array.from({ length: 12 }, (_, i) =>
      spec(`t${i}/http`, 10_000, async (signal) => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        await sleep(100, signal);
        active--;
      }),
    );
    scheduler.update(specs);
    scheduler.start();
    // With jitter 0 every check is due at the start of the same period: one burst of 12. The
    // 10 s interval keeps a second burst out of the test even on a loaded machine.
    const deadline = Date.now() + 4_000;
    while (runs < 12 && Date.now() < deadline) await sleep(20);
    await sleep(150);
    expect(runs).toBe(12);
    expect(maxActive).toBe(3);
    // 12 checks, 3 at a time, 100 ms each: the last batch waited ~300 ms for a slot.
    expect(scheduler.lagSeconds()).toBeGreaterThan(0.25);
  }, 20_000);

  it('spreads runs across the interval with a stable per-check phase', async () => {
    const starts = new Map<string, number[]>();
    scheduler = new Scheduler({ maxConcurrent: 100, jitter: 1 });
    scheduler.update(
      Array.from({ length: 40 }, (_, i) =>
        spec(`target-${i}/http_2xx`, 1000, async () => {
          const list = starts.get(`target-${i}`) ?? [];
          list.push(Date.now());
          starts.set(`target-${i}`, list);
        }),
      ),
    );
    scheduler.start();
    await sleep(2300);
    expect(starts.size).toBe(40);
    // After the first run, each check runs at its own phase of the interval: spread, not a
    // burst (at least 8 distinct 100 ms slots of the second are used).
    const phases = [...starts.values()].map((runs) => runs[runs.length - 1]! % 1000);
    expect(new Set(phases.map((p) => Math.floor(p / 100))).size).toBeGreaterThanOrEqual(8);
    // The phase is a function of the key: a second scheduler puts the same check at the same phase.
    const again = new Scheduler({ maxConcurrent: 1, jitter: 1 });
    const seen: number[] = [];
    again.update([spec('target-3/http_2xx', 1000, async () => void seen.push(Date.now() % 1000))]);
    again.start();
    await sleep(2100);
    await again.stop();
    const expected = starts.get('target-3')!.at(-1)! % 1000;
    const got = seen.at(-1)!;
    const diff = Math.min(Math.abs(got - expected), 1000 - Math.abs(got - expected));
    expect(diff).toBeLessThan(40);
  });

  it('runs the first probe of every check soon after start', async () => {
    const firsts = new Map<string, number>();
    const t0 = Date.now();
    scheduler = new Scheduler({ maxConcurrent: 100, jitter: 1 });
    scheduler.update(
      Array.from({ length: 20 }, (_, i) =>
        spec(`c${i}/http`, 3_600_000, async () => {
          if (!firsts.has(`c${i}`)) firsts.set(`c${i}`, Date.now() - t0);
        }),
      ),
    );
    scheduler.start();
    await sleep(10_200);
    // An hour-long interval, yet every check has run once within the 10 s first-run window.
    // (A check's second run may follow soon after: it goes to the check's stable phase of the
    // hour, which can lie seconds after the first run, about 1 run in 20 here.)
    expect(firsts.size).toBe(20);
    expect(Math.max(...firsts.values())).toBeLessThanOrEqual(10_100);
  }, 15_000);

  it.each([
    [3, 'within the first-run window', (runs: number) => expect(runs).toBeGreaterThan(30)],
    [5, 'at their stable phase of the hour', (runs: number) => expect(runs).toBeLessThan(10)],
  ])(
    'counts requests, not checks, for the quick start: 300 checks of weight %i start %s',
    async (weight, _when, check) => {
      // 300 x 3 = 900 requests a round start within 10 s (about a quarter within 2.5 s); 300 x 5
      // = 1,500 (five-step journeys) would be a burst, so each starts at its phase of the hour.
      let runs = 0;
      scheduler = new Scheduler({ maxConcurrent: 100, jitter: 1 });
      scheduler.update(
        Array.from({ length: 300 }, (_, i) => ({
          ...spec(`c${i}/journey`, 3_600_000, async () => void runs++),
          weight,
        })),
      );
      scheduler.start();
      await sleep(2_500);
      check(runs);
    },
  );

  it('stop() aborts runs in flight and returns promptly', async () => {
    let aborted = false;
    scheduler = new Scheduler({ maxConcurrent: 1, jitter: 0 });
    scheduler.update([
      spec('hang/http', 50, async (signal) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        aborted = true;
      }),
    ]);
    scheduler.start();
    await sleep(120);
    const t = Date.now();
    await scheduler.stop();
    expect(aborted).toBe(true);
    expect(Date.now() - t).toBeLessThan(100);
  });

  it('keeps unchanged checks running across update() and drops removed ones', async () => {
    const runs = new Map<string, number>();
    const count = (k: string) => async () => void runs.set(k, (runs.get(k) ?? 0) + 1);
    scheduler = new Scheduler({ maxConcurrent: 10, jitter: 0 });
    scheduler.update([spec('a/http', 40, count('a')), spec('b/http', 40, count('b'))]);
    scheduler.start();
    await sleep(200);
    scheduler.update([spec('a/http', 40, count('a')), spec('c/http', 40, count('c'))]);
    const bAfterUpdate = runs.get('b') ?? 0;
    await sleep(200);
    expect(scheduler.size).toBe(2);
    expect(runs.get('b') ?? 0).toBe(bAfterUpdate);
    expect(runs.get('c') ?? 0).toBeGreaterThan(0);
    expect(runs.get('a') ?? 0).toBeGreaterThan(6);
  });
});

describe('Semaphore', () => {
  it('hands out slots in FIFO order and rejects waiters on abort', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: number[] = [];
    const p1 = s.acquire().then(() => order.push(1));
    const ac = new AbortController();
    const p2 = s.acquire(ac.signal).catch(() => order.push(-2));
    const p3 = s.acquire().then(() => order.push(3));
    ac.abort(new Error('stop'));
    s.release();
    await p1;
    s.release();
    await Promise.all([p2, p3]);
    expect(order).toEqual([-2, 1, 3]);
  });
});

describe('LagWindow', () => {
  it('reports the largest lag of the last 60 s only', () => {
    const w = new LagWindow(60);
    w.observe(0.5, 1_000_000);
    w.observe(2, 1_010_000);
    expect(w.max(1_020_000)).toBe(2);
    expect(w.max(1_069_000)).toBe(2);
    expect(w.max(1_071_000)).toBe(0);
  });
});
