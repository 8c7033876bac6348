/**
 * Where an audit batch is, as it goes: the runs start and end one by one over a minute or more, so
 * whoever waits for one (`vantage probe` on a terminal, the service's debug log) can say so, as
 * Lighthouse's own CLI does. The final trace and metrics are unchanged by it.
 */
import { formatElapsed } from '../../format/index.js';

export type AuditProgress =
  | { type: 'run_started'; run: number; runs: number }
  /** A step inside a run (Chrome launched, a teardown warning): the run's own trace line. */
  | { type: 'run_stage'; run: number; runs: number; message: string }
  | {
      type: 'run_finished';
      run: number;
      runs: number;
      wallMs: number;
      /** The run's performance score (0..1), when it was valid and scored. */
      score?: number;
      /** Why the run is not valid: `reason: message`. */
      failure?: string;
    };

export type AuditProgressListener = (event: AuditProgress) => void;

/** A run's or a step's wall time as a stopwatch reads it: "14.2 s". */
const seconds = (ms: number) => formatElapsed(ms / 1000);

/** One line for a terminal or a log, e.g. `Lighthouse run 2/3 for home: done in 14.2 s, performance 0.93`. */
export function formatAuditProgress(event: AuditProgress, target: string): string {
  const head = `Lighthouse run ${event.run}/${event.runs} for ${target}`;
  switch (event.type) {
    case 'run_started':
      return `${head}…`;
    case 'run_stage':
      return `${head}: ${event.message}`;
    case 'run_finished':
      if (event.failure !== undefined)
        return `${head}: failed after ${seconds(event.wallMs)}: ${event.failure}`;
      return `${head}: done in ${seconds(event.wallMs)}${event.score !== undefined ? `, performance ${event.score}` : ''}`;
  }
}
