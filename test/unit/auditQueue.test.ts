import { describe, expect, it } from 'vitest';
import { AuditQueue } from '../../src/scheduler/auditQueue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('AuditQueue', () => {
  it('runs one audit at a time, round-robin across targets', async () => {
    const q = new AuditQueue();
    const order: string[] = [];
    let active = 0;
    let maxActive = 0;
    const audit = (name: string) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      order.push(name);
      await tick(10);
      active--;
      return name;
    };
    const signal = new AbortController().signal;
    // "slow" queues four modules before "a" and "b" queue one each: they still get turns early.
    const runs = [
      q.run('slow', signal, audit('slow-1')),
      q.run('slow', signal, audit('slow-2')),
      q.run('slow', signal, audit('slow-3')),
      q.run('slow', signal, audit('slow-4')),
      q.run('a', signal, audit('a-1')),
      q.run('b', signal, audit('b-1')),
    ];
    expect(q.length).toBe(5); // slow-1 started at once
    expect(await Promise.all(runs)).toEqual(['slow-1', 'slow-2', 'slow-3', 'slow-4', 'a-1', 'b-1']);
    expect(order).toEqual(['slow-1', 'a-1', 'b-1', 'slow-2', 'slow-3', 'slow-4']);
    expect(maxActive).toBe(1);
    expect(q.length).toBe(0);
  });

  it('drops an audit whose signal aborts while it waits, and hands the signal to a running one', async () => {
    const q = new AuditQueue();
    const shutdown = new AbortController();
    let sawAbort = false;
    const first = q.run('a', shutdown.signal, (signal) => {
      return new Promise<string>((resolve) =>
        signal.addEventListener('abort', () => {
          sawAbort = true;
          resolve('cut short');
        }),
      );
    });
    const waiting = q.run('b', shutdown.signal, async () => 'never');
    expect(q.length).toBe(1);
    shutdown.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(await first).toBe('cut short');
    expect(sawAbort).toBe(true);
    expect(q.length).toBe(0);
    // The queue still works after a waiting audit was dropped (its target left no empty slot).
    expect(await q.run('c', new AbortController().signal, async () => 'after')).toBe('after');
  });

  it('keeps going after an audit fails', async () => {
    const q = new AuditQueue();
    const signal = new AbortController().signal;
    const bad = q.run('a', signal, async () => {
      throw new Error('chrome died');
    });
    const good = q.run('b', signal, async () => 'ok');
    await expect(bad).rejects.toThrow('chrome died');
    expect(await good).toBe('ok');
  });
});
