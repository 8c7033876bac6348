/**
 * Turns the stream of HTTP probe results into per-target outages in the store (store/outages.ts):
 * a target is down, as VantageTargetDown means it, while every HTTP check of the target fails.
 * The outage starts at the probe that made every check fail and ends at the first successful
 * probe of any of them. Only those two transitions touch the database.
 *
 * Which outages are open is read from the store at start, so one that began before a restart
 * ends at the first successful probe after it; which checks fail is not kept (it is re-learnt
 * from the next probe of each check).
 */
import type { Logger } from '../runtime/logger.js';
import type { ProbeResult } from '../probers/types.js';
import type { OutageLog } from '../store/outages.js';

export interface TrackedCheck {
  key: string;
  target: string;
}

export class OutageTracker {
  /** Per target, the latest success of each HTTP check, by check key (unknown until it ran). */
  private readonly latest = new Map<string, Map<string, boolean | undefined>>();
  private readonly open: Set<string>;

  constructor(
    private readonly outages: OutageLog,
    private readonly logger: Logger,
  ) {
    this.open = outages.openTargets();
  }

  /**
   * The HTTP checks now scheduled. A target that has none left cannot recover by a probe, so its
   * open outage ends now rather than staying open for a target of the same name later.
   */
  sync(checks: readonly TrackedCheck[], now = Date.now()): void {
    const previous = this.latest;
    const next = new Map<string, Map<string, boolean | undefined>>();
    for (const c of checks) {
      const perTarget = next.get(c.target) ?? new Map<string, boolean | undefined>();
      perTarget.set(c.key, previous.get(c.target)?.get(c.key));
      next.set(c.target, perTarget);
    }
    previous.clear();
    for (const [target, perTarget] of next) previous.set(target, perTarget);
    for (const target of [...this.open]) {
      if (!next.has(target)) this.write(() => this.outages.end(target, now), target, 'end');
    }
  }

  observe(check: TrackedCheck, result: ProbeResult): void {
    const perTarget = this.latest.get(check.target);
    if (!perTarget?.has(check.key)) return; // not an HTTP check of the running config
    perTarget.set(check.key, result.success);
    if (result.success) {
      if (this.open.has(check.target)) {
        this.write(() => this.outages.end(check.target, result.startedAtMs), check.target, 'end');
      }
    } else if (!this.open.has(check.target) && [...perTarget.values()].every((ok) => ok === false)) {
      this.write(() => this.outages.start(check.target, result.startedAtMs), check.target, 'start');
    }
  }

  private write(op: () => void, target: string, what: 'start' | 'end'): void {
    try {
      op();
      if (what === 'start') this.open.add(target);
      else this.open.delete(target);
    } catch (err) {
      // The probe result stands and /metrics still shows it; only the incident's outage times
      // are missing, and the next probe result tries again.
      this.logger.error({ target, err }, `recording the ${what} of an outage failed`);
    }
  }
}
