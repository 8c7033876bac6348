/**
 * The Lighthouse worker: a Node child process forked by vantage for ONE run, then gone.
 *
 * Why a process and not a call in vantage: Lighthouse's trace processing blocks its event loop for
 * seconds and grows the heap by hundreds of MB. In a child, vantage's HTTP probes keep their schedule,
 * the memory is returned to the OS when the child exits, and a hung Lighthouse can be SIGKILLed.
 *
 * vantage launched Chrome already and sends its port; this script only connects, audits, writes the
 * reports to files and reports back. It starts loading Lighthouse at once, while Chrome is starting.
 * If vantage dies mid-run, workerGuard.ts kills the Chrome it launched.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flags } from 'lighthouse';
import { chromeGroupIs, guardChromeAgainstParentDeath, sendToParent } from './workerGuard.js';
import type { WorkerJob, WorkerMessage } from './workerProtocol.js';

// Start the (slow, ~1 s) module loading in parallel with Chrome's startup in the parent.
const modules = Promise.all([
  import('lighthouse'),
  import('lighthouse/core/config/desktop-config.js'),
  import('lighthouse/core/config/constants.js'),
]);
// A rejection is reported when a job awaits it; this keeps it from being "unhandled" in the meantime.
modules.catch(() => undefined);

guardChromeAgainstParentDeath();

async function run(job: WorkerJob): Promise<WorkerMessage> {
  const [{ default: lighthouse }, { default: desktopConfig }, constants] = await modules;
  // The schema validated the locale's shape; Lighthouse falls back to en-US for one it has no strings for.
  const flags: Flags = {
    ...job.flags,
    locale: job.flags.locale as Flags['locale'],
    port: job.port,
    screenEmulation: constants.screenEmulationMetrics[job.flags.formFactor],
  };
  const config = job.preset === 'desktop' ? desktopConfig : undefined;
  const result = await lighthouse(job.url, flags, config);
  if (!result) return { type: 'error', message: 'Lighthouse returned no result' };
  const [html, json] = result.report as string[];
  if (html === undefined || json === undefined) {
    return { type: 'error', message: 'Lighthouse returned no HTML or JSON report' };
  }
  const lhrPath = join(job.outDir, 'lhr.json');
  const htmlPath = join(job.outDir, 'report.html');
  await Promise.all([writeFile(lhrPath, json), writeFile(htmlPath, html)]);
  return { type: 'result', lhrPath, htmlPath };
}

process.once('message', (job: WorkerJob) => {
  chromeGroupIs(job.chromePgid);
  run(job)
    .catch((err: unknown): WorkerMessage => {
      const e = err as { code?: unknown; friendlyMessage?: unknown; message?: unknown };
      const message = typeof e.friendlyMessage === 'string' ? e.friendlyMessage : String(e.message ?? err);
      return { type: 'error', code: typeof e.code === 'string' ? e.code : undefined, message };
    })
    .then(sendToParent)
    // Lighthouse leaves sockets and timers behind; the run is over, so exit rather than wait for them.
    .finally(() => process.exit(0));
});
