/**
 * The guard every Chrome-driving worker (the Lighthouse worker, the browser-flow worker) installs first:
 * if vantage dies (or is SIGKILLed) mid-run, the IPC channel closes and the worker kills the Chrome that
 * vantage launched, then exits, so nothing is left behind. vantage may have died while Chrome was still
 * starting (no job, no pgid yet), so Chrome is also found by the run dir on its command line (argv[2]).
 * Only groups led by one of Chrome's own processes are killed, never the group shared with vantage.
 */
import { chromeProcesses, signalQuietly } from './processTree.js';

let chromePgid: number | undefined;
/** The run dir (argv[2]): Chrome's command line names it, so it can be found before the job arrives. */
const runDir = process.argv[2];

function killOrphanedChrome(): never {
  const groups = new Set<number>();
  if (chromePgid !== undefined) groups.add(chromePgid);
  const strays = runDir ? chromeProcesses(undefined, runDir) : [];
  for (const p of strays) if (p.pgid === p.pid) groups.add(p.pgid);
  for (const pgid of groups) signalQuietly(-pgid, 'SIGKILL');
  for (const p of strays) signalQuietly(p.pid, 'SIGKILL');
  process.exit(1);
}

/** Install the guard; call at the top of the worker's module body. */
export function guardChromeAgainstParentDeath(): void {
  process.on('disconnect', killOrphanedChrome);
  // An ES module body runs only after its imports have loaded, asynchronously: a vantage that died in
  // the meantime emitted 'disconnect' before anyone listened. Check once now.
  if (!process.connected) killOrphanedChrome();
}

/** Chrome's process group, from the job: from now on the guard kills the whole group. */
export function chromeGroupIs(pgid: number): void {
  chromePgid = pgid;
}

/** Send a message to vantage; resolves when it is written (or at once if the channel is gone). */
export function sendToParent(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}
