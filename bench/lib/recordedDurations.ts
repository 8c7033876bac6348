/**
 * The probe durations an exporter recorded, probe by probe, to say how many of them its own
 * delays inflated: the target answers in well under a millisecond, so a recorded duration of
 * 5, 25 or 100 ms is the prober's time (a busy event loop, a GC pause), not the target's.
 *
 * vantage's histogram has no 5 ms bucket and counts the start-up burst with the rest, so its
 * figures come from the raw gauges instead: every scrape carries each check's latest
 * probe_duration_seconds beside the start time of that probe
 * (vantage_probe_last_run_timestamp_seconds); scraping more often than the interval sees every
 * probe, and the pair (series, start time) counts each one once.
 */

/** The bounds the benchmark reports, in seconds: 5, 25 and 100 ms. */
export const DURATION_BOUNDS_S = [0.005, 0.025, 0.1] as const;

export interface TimedDuration {
  /** When the probe started (Unix ms). */
  atMs: number;
  seconds: number;
}

export interface DurationShares {
  count: number;
  /** Share of the durations above each bound, in the order of DURATION_BOUNDS_S. */
  over: { boundS: number; share: number }[];
}

export function sharesOver(durations: readonly TimedDuration[], fromMs = -Infinity): DurationShares {
  const kept = durations.filter((d) => d.atMs >= fromMs);
  return {
    count: kept.length,
    over: DURATION_BOUNDS_S.map((boundS) => ({
      boundS,
      share: kept.length === 0 ? NaN : kept.filter((d) => d.seconds > boundS).length / kept.length,
    })),
  };
}

const DURATION = 'probe_duration_seconds{';
const LAST_RUN = 'vantage_probe_last_run_timestamp_seconds{';

/** Every distinct probe seen across a series of vantage scrapes. */
export class RecordedDurations {
  /** By label block then probe start (s): the duration. */
  private readonly seen = new Map<string, Map<number, number>>();

  /** Read one scrape: a line scan (a 26 MB body per 15 s must not cost the bench a core). */
  add(body: string): void {
    const durations = new Map<string, number>();
    const starts = new Map<string, number>();
    let at = 0;
    while (at < body.length) {
      let end = body.indexOf('\n', at);
      if (end < 0) end = body.length;
      const into = body.startsWith(DURATION, at)
        ? durations
        : body.startsWith(LAST_RUN, at)
          ? starts
          : undefined;
      if (into) {
        const close = body.lastIndexOf('} ', end);
        const open = body.indexOf('{', at);
        into.set(body.slice(open, close + 1), Number(body.slice(close + 2, end)));
      }
      at = end + 1;
    }
    for (const [labels, seconds] of durations) {
      const start = starts.get(labels);
      if (start === undefined) continue;
      let byStart = this.seen.get(labels);
      if (!byStart) this.seen.set(labels, (byStart = new Map()));
      byStart.set(start, seconds);
    }
  }

  all(): TimedDuration[] {
    const out: TimedDuration[] = [];
    for (const byStart of this.seen.values())
      for (const [startS, seconds] of byStart) out.push({ atMs: startS * 1000, seconds });
    return out;
  }
}

/** "0.12 % over 5 ms, 0.01 % over 25 ms, 0.00 % over 100 ms" */
export function formatDurationShares(s: DurationShares): string {
  return s.over.map((o) => `${(o.share * 100).toFixed(2)} % over ${o.boundS * 1000} ms`).join(', ');
}
