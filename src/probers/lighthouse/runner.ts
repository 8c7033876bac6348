/**
 * One Lighthouse run: a Lighthouse worker in a fresh Chrome (workerRun.ts does the process work: run
 * dir, Chrome, worker, deadline, teardown); this file says what the worker is asked and how its answer
 * (or the lack of one) becomes a run outcome in Lighthouse's terms.
 */
import { readFile } from 'node:fs/promises';
import { compiledScript } from '../../runtime/compiledScript.js';
import type { LighthouseFailureReason } from '../types.js';
import type { Lhr } from './extract.js';
import type { RunDir } from './profiles.js';
import { runWorkerInChrome, type WorkerRunOutcome } from './workerRun.js';
import type { LighthouseRunFlags, WorkerJob, WorkerMessage } from './workerProtocol.js';

export interface RunRequest {
  url: string;
  chromePath: string;
  chromeFlags: readonly string[];
  preset: 'mobile' | 'desktop';
  flags: LighthouseRunFlags;
  timeoutMs: number;
  signal: AbortSignal;
  /** Readable progress lines for the probe trace. */
  log: (message: string) => void;
}

export interface RunOutcome {
  ok: boolean;
  reason?: LighthouseFailureReason | 'aborted';
  message?: string;
  /** Parsed LHR: present for a completed run, also when it carries a runtimeError. */
  lhr?: Lhr;
  lhrText?: string;
  htmlPath?: string;
  /** Launch start to result (excludes teardown), in ms. */
  wallMs: number;
  chromePid?: number;
  chromeVersion?: string;
  /** The run dir still holding out/ (the profile is already gone); the batch removes it. */
  dir?: RunDir;
}

/** The Lighthouse child's script, compiled (see compiledScript). */
export const workerScriptPath = (): string => compiledScript('probers/lighthouse/worker');

/** Lighthouse error codes that mean the browser (or its tab) died rather than the page failing. */
const CRASH_CODES = new Set(['TARGET_CRASHED']);
/** What a worker reports when its Chrome vanished under it. */
export const CONNECTION_LOST =
  /ECONNREFUSED|ECONNRESET|Target closed|Session closed|WebSocket|socket hang up|Connection closed/i;

export async function runOnce(req: RunRequest): Promise<RunOutcome> {
  const run = await runWorkerInChrome<WorkerJob, WorkerMessage>({
    workerScript: workerScriptPath(),
    title: 'Lighthouse',
    chromePath: req.chromePath,
    chromeFlags: req.chromeFlags,
    timeoutMs: req.timeoutMs,
    signal: req.signal,
    log: req.log,
    job: (base) => ({ type: 'run', url: req.url, preset: req.preset, flags: req.flags, ...base }),
    isFinal: () => true,
    mayMeanCrash: (message) => message.type === 'error' && CONNECTION_LOST.test(message.message),
  });
  const outcome = await interpret(run);
  return {
    ...outcome,
    wallMs: run.wallMs,
    chromePid: run.chromePid,
    chromeVersion: run.chromeVersion,
    dir: run.dir,
  };
}

async function interpret(run: WorkerRunOutcome<WorkerMessage>): Promise<Omit<RunOutcome, 'wallMs'>> {
  const end = run.end;
  switch (end.kind) {
    case 'aborted':
      return { ok: false, reason: 'aborted', message: 'aborted' };
    case 'timeout':
      return { ok: false, reason: 'timeout', message: end.message };
    case 'launch_failed':
      return { ok: false, reason: 'chrome_launch_failed', message: end.message };
    case 'chrome_crashed':
      return { ok: false, reason: 'chrome_crashed', message: end.message };
    case 'worker_failed':
      return { ok: false, reason: 'lighthouse_error', message: end.message };
    case 'message':
      break;
  }
  const message = end.message;
  if (message.type === 'error') {
    if (run.chromeExited || (message.code !== undefined && CRASH_CODES.has(message.code))) {
      const detail = run.chromeExit ?? `${message.code}: ${message.message}`;
      return { ok: false, reason: 'chrome_crashed', message: detail };
    }
    const code = message.code ? `${message.code}: ` : '';
    return { ok: false, reason: 'lighthouse_error', message: `${code}${message.message}` };
  }
  const lhrText = await readFile(message.lhrPath, 'utf8');
  const lhr = JSON.parse(lhrText) as Lhr;
  return { ok: true, lhr, lhrText, htmlPath: message.htmlPath };
}
