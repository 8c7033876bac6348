/**
 * One Lighthouse run: fresh run dir -> Chrome -> forked worker -> result -> Chrome killed, profile removed.
 *
 * The run's deadline (module `timeout`) and the batch's abort signal are enforced HERE, in vantage: at
 * the deadline the worker and the whole Chrome process group are killed, whatever Lighthouse is doing.
 * Every exit path (success, Lighthouse error, Chrome crash, timeout, abort, worker crash) goes through
 * the same teardown.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { compiledScript } from '../../runtime/compiledScript.js';
import type { LighthouseFailureReason } from '../types.js';
import { ChromeLaunchError, launchChrome, OutputTail, stopChrome, type ChromeProcess } from './chrome.js';
import type { Lhr } from './extract.js';
import { createRunDir, markChrome, removeDir, type RunDir } from './profiles.js';
import { workerEnv } from './workerEnv.js';
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

/** SIGTERM grace before SIGKILL: a clean Chrome exit takes ~50 ms here; shutdown must finish < 2 s. */
const GRACE_MS = 500;
const ABORT_GRACE_MS = 200;
/** Chrome that has not opened DevTools after this long will not (it starts in ~0.6 s here). */
const LAUNCH_TIMEOUT_MS = 30_000;

/** The Lighthouse child's script, compiled (see compiledScript). */
export const workerScriptPath = (): string => compiledScript('probers/lighthouse/worker');

function forkWorker(dir: RunDir, stderr: OutputTail): ChildProcess {
  const script = workerScriptPath();
  if (!existsSync(script))
    throw new Error(`the Lighthouse worker ${script} is missing: run \`npm run build\``);
  // The run dir as argv: if vantage dies, the worker finds Chrome by it (see worker.ts).
  const child = fork(script, [dir.root], {
    // Not the parent's execArgv: under vitest or tsx it carries loaders the compiled worker must not get.
    execArgv: [],
    // Nor vantage's heap limits: the worker's memory follows the page, not the fleet.
    env: workerEnv(process.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => stderr.push(chunk));
  child.stderr?.on('data', (chunk: string) => stderr.push(chunk));
  return child;
}

function killWorker(worker: ChildProcess | undefined): Promise<void> {
  if (!worker || worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.kill('SIGKILL');
  // SIGKILL cannot be ignored; the bound only guards against a missed event.
  return Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 1000))]);
}

type Settled =
  | { kind: 'message'; message: WorkerMessage }
  | { kind: 'worker-exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'chrome-exit' }
  | { kind: 'timeout' }
  | { kind: 'abort' };

/** Lighthouse error codes that mean the browser (or its tab) died rather than the page failing. */
const CRASH_CODES = new Set(['TARGET_CRASHED']);
/** What a worker reports when its Chrome vanished under it. */
const CONNECTION_LOST =
  /ECONNREFUSED|ECONNRESET|Target closed|Session closed|WebSocket|socket hang up|Connection closed/i;

function describeExit(chrome: ChromeProcess): string {
  const how = chrome.exit?.signal ?? `exit code ${chrome.exit?.code ?? '?'}`;
  const tail = chrome.stderr.text(3);
  return `Chrome (pid ${chrome.pid}) exited mid-run (${how})${tail ? `; Chrome stderr: ${tail}` : ''}`;
}

export async function runOnce(req: RunRequest): Promise<RunOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const deadline = started + req.timeoutMs;
  let dir: RunDir | undefined;
  let chrome: ChromeProcess | undefined;
  let worker: ChildProcess | undefined;
  const workerOutput = new OutputTail();
  let outcome: RunOutcome = {
    ok: false,
    reason: 'lighthouse_error',
    message: 'run did not start',
    wallMs: 0,
  };
  // One controller for the launch: aborted by the batch signal or the run deadline.
  const launchAbort = new AbortController();
  const onBatchAbort = () => launchAbort.abort();
  req.signal.addEventListener('abort', onBatchAbort, { once: true });
  const deadlineTimer = setTimeout(() => launchAbort.abort(), req.timeoutMs);

  try {
    dir = await createRunDir();
    // Fork first: the worker loads Lighthouse (~1 s) while Chrome starts (~0.6 s).
    worker = forkWorker(dir, workerOutput);
    try {
      chrome = await launchChrome(
        req.chromePath,
        dir,
        req.chromeFlags,
        Math.min(LAUNCH_TIMEOUT_MS, req.timeoutMs),
        launchAbort.signal,
      );
    } catch (err) {
      if (req.signal.aborted)
        return (outcome = { ok: false, reason: 'aborted', message: 'aborted', wallMs: elapsed() });
      if (launchAbort.signal.aborted) {
        return (outcome = {
          ok: false,
          reason: 'timeout',
          message: `Chrome did not start within the run timeout of ${req.timeoutMs / 1000} s`,
          wallMs: elapsed(),
        });
      }
      const message = err instanceof ChromeLaunchError ? err.message : String(err);
      return (outcome = { ok: false, reason: 'chrome_launch_failed', message, wallMs: elapsed() });
    }
    markChrome(dir, chrome.pid);
    req.log(
      `Chrome launched: pid ${chrome.pid}, DevTools port ${chrome.port}${chrome.version ? `, version ${chrome.version}` : ''} (${Math.round(elapsed())} ms)`,
    );

    const job: WorkerJob = {
      type: 'run',
      url: req.url,
      port: chrome.port,
      preset: req.preset,
      flags: req.flags,
      outDir: dir.out,
      chromePgid: chrome.pid,
    };
    const settled = await waitForRun(job, worker, chrome, deadline, req.signal);
    outcome = await interpret(settled, chrome, workerOutput, req.timeoutMs);
    outcome.wallMs = elapsed();
    return outcome;
  } catch (err) {
    // Our own bug or an fs error (tmp full): report it as a failed run rather than throw out of the batch.
    return (outcome = { ok: false, reason: 'lighthouse_error', message: String(err), wallMs: elapsed() });
  } finally {
    // Every path above returned `outcome`; the teardown facts below are added to that same object.
    clearTimeout(deadlineTimer);
    req.signal.removeEventListener('abort', onBatchAbort);
    const grace = req.signal.aborted ? ABORT_GRACE_MS : GRACE_MS;
    await killWorker(worker);
    if (dir) {
      if (chrome) {
        const left = await stopChrome(chrome.child, dir, grace);
        if (left.length > 0)
          req.log(
            `warning: ${left.length} Chrome process(es) survived SIGKILL: ${left.map((p) => p.pid).join(', ')}`,
          );
      }
      markChrome(dir, undefined);
      await removeDir(dir.profile);
      outcome.chromePid = chrome?.pid;
      outcome.chromeVersion = chrome?.version;
      outcome.dir = dir;
    }
  }
}

function waitForRun(
  job: WorkerJob,
  worker: ChildProcess,
  chrome: ChromeProcess,
  deadline: number,
  signal: AbortSignal,
): Promise<Settled> {
  return new Promise<Settled>((resolve) => {
    let settled = false;
    let exitTimer: NodeJS.Timeout | undefined;
    const done = (s: Settled) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(exitTimer);
      worker.off('message', onMessage);
      worker.off('exit', onWorkerExit);
      signal.removeEventListener('abort', onAbort);
      resolve(s);
    };
    const onMessage = (message: WorkerMessage) => done({ kind: 'message', message });
    // The worker exits right after sending its answer, and 'exit' can overtake the last IPC message:
    // give the message a moment to arrive before calling the run lost.
    const onWorkerExit = (code: number | null, sig: NodeJS.Signals | null) => {
      exitTimer = setTimeout(() => done({ kind: 'worker-exit', code, signal: sig }), 200);
    };
    const onAbort = () => done({ kind: 'abort' });
    const timer = setTimeout(() => done({ kind: 'timeout' }), Math.max(0, deadline - performance.now()));
    worker.on('message', onMessage);
    worker.once('exit', onWorkerExit);
    // A Chrome exit before the worker's answer is a crash: do not wait for Lighthouse to notice.
    void chrome.exited.then(() => done({ kind: 'chrome-exit' }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (worker.exitCode !== null || worker.signalCode !== null) {
      return onWorkerExit(worker.exitCode, worker.signalCode);
    }
    worker.send(job, (err) => {
      if (err) done({ kind: 'worker-exit', code: worker.exitCode, signal: worker.signalCode });
    });
  });
}

async function interpret(
  settled: Settled,
  chrome: ChromeProcess,
  workerOutput: OutputTail,
  timeoutMs: number,
): Promise<RunOutcome> {
  switch (settled.kind) {
    case 'abort':
      return { ok: false, reason: 'aborted', message: 'aborted', wallMs: 0 };
    case 'timeout':
      return {
        ok: false,
        reason: 'timeout',
        message: `the run did not finish within its timeout of ${timeoutMs / 1000} s`,
        wallMs: 0,
      };
    case 'chrome-exit':
      return { ok: false, reason: 'chrome_crashed', message: describeExit(chrome), wallMs: 0 };
    case 'worker-exit': {
      const tail = workerOutput.text();
      const how = settled.signal ?? `exit code ${settled.code}`;
      return {
        ok: false,
        reason: chrome.exit ? 'chrome_crashed' : 'lighthouse_error',
        message: chrome.exit
          ? describeExit(chrome)
          : `the Lighthouse worker exited without a result (${how})${tail ? `: ${tail}` : ''}`,
        wallMs: 0,
      };
    }
    case 'message':
      break;
  }
  const message = settled.message;
  if (message.type === 'error') {
    // Lighthouse often notices a dead Chrome before our 'exit' event is delivered: give it a moment.
    if (!chrome.exit && CONNECTION_LOST.test(message.message)) {
      await Promise.race([chrome.exited, new Promise((r) => setTimeout(r, 200))]);
    }
    if (chrome.exit || (message.code !== undefined && CRASH_CODES.has(message.code))) {
      const detail = chrome.exit ? describeExit(chrome) : `${message.code}: ${message.message}`;
      return { ok: false, reason: 'chrome_crashed', message: detail, wallMs: 0 };
    }
    const code = message.code ? `${message.code}: ` : '';
    return { ok: false, reason: 'lighthouse_error', message: `${code}${message.message}`, wallMs: 0 };
  }
  const lhrText = await readFile(message.lhrPath, 'utf8');
  const lhr = JSON.parse(lhrText) as Lhr;
  return { ok: true, lhr, lhrText, htmlPath: message.htmlPath, wallMs: 0 };
}
