/**
 * The Lighthouse queue: audits run one at a time per vantage instance (the Lighthouse team's
 * advice: parallel audits on one machine skew each other's timings), and the next audit is
 * given to the waiting target served least recently (round-robin), so a target with many
 * modules or a slow page cannot starve the others. HTTP checks do not pass through here and keep their own schedule.
 */

interface QueuedAudit {
  start: () => void;
}

export class AuditQueue {
  /** Waiting audits per target, FIFO within a target. */
  private readonly waiting = new Map<string, QueuedAudit[]>();
  /** When each target last got its turn (a sequence number; never served = absent). */
  private readonly lastServed = new Map<string, number>();
  private turns = 0;
  private busy = false;
  private runningTarget: string | undefined;

  /** Audits waiting for their turn (the one running is not counted). */
  get length(): number {
    let n = 0;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }

  get running(): string | undefined {
    return this.runningTarget;
  }

  /**
   * Run `audit` when its turn comes. Resolves with its result; rejects with the signal's
   * reason if `signal` aborts while it waits. The signal is passed on to the running audit.
   */
  run<T>(target: string, signal: AbortSignal, audit: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const entry: QueuedAudit = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.busy = true;
          this.runningTarget = target;
          audit(signal)
            .then(resolve, reject)
            .finally(() => {
              this.busy = false;
              this.runningTarget = undefined;
              this.next();
            });
        },
      };
      const onAbort = () => {
        const list = this.waiting.get(target);
        const i = list?.indexOf(entry) ?? -1;
        if (list && i >= 0) list.splice(i, 1);
        // An empty list must not stay: next() would pick the target and find nothing to run.
        if (list && list.length === 0) this.waiting.delete(target);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let list = this.waiting.get(target);
      if (!list) this.waiting.set(target, (list = []));
      list.push(entry);
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    if (this.busy) return;
    // The waiting target served least recently goes next; ties (never served) by arrival order.
    let chosen: string | undefined;
    let chosenTurn = Infinity;
    for (const target of this.waiting.keys()) {
      const turn = this.lastServed.get(target) ?? -1;
      if (turn < chosenTurn) {
        chosen = target;
        chosenTurn = turn;
      }
    }
    if (chosen === undefined) return;
    const list = this.waiting.get(chosen)!;
    const entry = list.shift()!;
    if (list.length === 0) this.waiting.delete(chosen);
    this.lastServed.set(chosen, this.turns++);
    entry.start();
  }
}
