/**
 * A Lighthouse batch's progress on a terminal, as Lighthouse's own CLI shows its own: the running
 * run's line counts its seconds in place (`Lighthouse run 2/3 for home… 14.2 s`), and each step and
 * finished run stays as a line of its own. Only for a TTY: the carriage returns would be noise in
 * a file or a pipe.
 */
import { formatElapsed } from './format/index.js';
import { formatAuditProgress, type AuditProgress } from './probers/lighthouse/index.js';

const CLEAR_LINE = '\r\x1b[K';
const TICK_MS = 200;

export interface TerminalProgress {
  onProgress(event: AuditProgress): void;
  /** Ends the ticking line, if any (the batch was aborted mid-run). */
  stop(): void;
}

export function terminalAuditProgress(out: NodeJS.WritableStream, target: string): TerminalProgress {
  let ticker: NodeJS.Timeout | undefined;
  let ticking = '';
  let startedAt = 0;
  const draw = () => out.write(`${CLEAR_LINE}${ticking} ${formatElapsed((Date.now() - startedAt) / 1000)}`);
  const stopTicking = () => {
    clearInterval(ticker);
    ticker = undefined;
    out.write(CLEAR_LINE);
  };
  return {
    onProgress(event) {
      const line = formatAuditProgress(event, target);
      if (event.type === 'run_started') {
        ticking = line;
        startedAt = Date.now();
        draw();
        ticker = setInterval(draw, TICK_MS).unref();
      } else if (event.type === 'run_stage' && ticker) {
        out.write(`${CLEAR_LINE}${line}\n`);
        draw();
      } else {
        if (ticker) stopTicking();
        out.write(`${line}\n`);
      }
    },
    stop() {
      if (ticker) {
        stopTicking();
        out.write(`${ticking} stopped\n`);
      }
    },
  };
}
