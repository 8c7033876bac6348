/**
 * One worker run in one fresh Chrome: fresh run dir -> forked worker + Chrome -> the worker's final
 * message -> worker and Chrome killed, profile removed. Shared by the Lighthouse audit (runner.ts) and
 * the browser-flow prober (../browser/), which differ only in the worker script, the job they send and
 * how they read the answer.
 *
 * The run's deadline and the caller's abort signal are enforced HERE, in vantage: at the deadline the
 * worker and the whole Chrome process group are killed, whatever the worker is doing. Every exit path
 * (answer, Chrome crash, timeout, abort, worker crash, launch failure) goes through the same teardown,
 * and the outcome says which one it was, so each caller words it in its own terms.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ChromeLaunchError, launchChrome, OutputTail, stopChrome, type ChromeProcess } from './chrome.js';
import { createRunDir, markChrome, removeDir, type RunDir } from './profiles.js';
import { workerEnv } from './workerEnv.js';

/** What a worker job always carries: where to write, and Chrome's group to kill if vantage dies. */
export interface ChromeJobBase {
  port: number;
  outDir: string;
  chromePgid: number;
}

export interface WorkerRunRequest<Job extends ChromeJobBase, Message> {
  /** The compiled worker script (compiledScript(...)); it gets the run dir as argv[2]. */
  workerScript: string;
  /** For "the <title> worker exited without a result". */
  title: string;
  chromePath: string;
  chromeFlags: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  /** Readable progress lines for the probe trace. */
  log: (message: string) => void;
  /** The job, once Chrome listens; sent as the worker's first message. */
  job: (base: ChromeJobBase) => Job;
  /** Whether a message from the worker is its answer (others are progress, handed to onMessage). */
  isFinal: (message: Message) => boolean;
  onMessage?: (message: Message) => void;
  /**
   * Whether an answer may mean Chrome died under the worker (it often notices before vantage's 'exit'
   * event is delivered): then Chrome gets 200 ms to be seen exiting before the teardown kills it.
   */
  mayMeanCrash?: (message: Message) => boolean;
}

/** How the run ended, before the caller reads the answer. */
export type WorkerRunEnd<Message> =
  | { kind: 'message'; message: Message }
  | { kind: 'aborted' }
  | { kind: 'timeout'; message: string }
  | { kind: 'launch_failed'; message: string }
  | { kind: 'chrome_crashed'; message: string }
  | { kind: 'worker_failed'; message: string };

export interface WorkerRunOutcome<Message> {
  end: WorkerRunEnd<Message>;
  /** Launch start to the end above (excludes teardown), in ms. */
  wallMs: number;
  chromePid?: number;
  chromeVersion?: string;
  /** Whether Chrome exited on its own before the teardown (a crash, if the answer is an error). */
  chromeExited: boolean;
  /** Chrome's exit, worded ("Chrome (pid 1) exited mid-run (SIGSEGV); Chrome stderr: ..."). */
  chromeExit?: string;
  /** The run dir still holding out/ (the profile is already gone); the caller releases it. */
  dir?: RunDir;
}

/** SIGTERM grace before SIGKILL: a clean Chrome exit takes ~50 ms here; shutdown must finish < 2 s. */
const GRACE_MS = 500;
const ABORT_GRACE_MS = 200;
/** Chrome that has not opened DevTools after this long will not (it starts in ~0.6 s here). */
const LAUNCH_TIMEOUT_MS = 30_000;

function forkWorker(script: string, title: string, dir: RunDir, output: OutputTail): ChildProcess {
  if (!existsSync(script)) throw new Error(`the ${title} worker ${script} is missing: run \`npm run build\``);
  // The run dir as argv: if vantage dies, the worker finds Chrome by it (see workerGuard.ts).
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
  child.stdout?.on('data', (chunk: string) => output.push(chunk));
  child.stderr?.on('data', (chunk: string) => output.push(chunk));
  return child;
}

function killWorker(worker: ChildProcess | undefined): Promise<void> {
  if (!worker || worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.kill('SIGKILL');
  // SIGKILL cannot be ignored; the bound only guards against a missed event.
  return Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 1000))]);
}

export function describeChromeExit(chrome: ChromeProcess): string {
  const how = chrome.exit?.signal ?? `exit code ${chrome.exit?.code ?? '?'}`;
  const tail = chrome.stderr.text(3);
  return `Chrome (pid ${chrome.pid}) exited mid-run (${how})${tail ? `; Chrome stderr: ${tail}` : ''}`;
}

export async function runWorkerInChrome<Job extends ChromeJobBase, Message>(
  req: WorkerRunRequest<Job, Message>,
): Promise<WorkerRunOutcome<Message>> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const deadline = started + req.timeoutMs;
  let dir: RunDir | undefined;
  let chrome: ChromeProcess | undefined;
  let worker: ChildProcess | undefined;
  const workerOutput = new OutputTail();
  const outcome: WorkerRunOutcome<Message> = {
    end: { kind: 'worker_failed', message: 'run did not start' },
    wallMs: 0,
    chromeExited: false,
  };
  // One controller for the launch: aborted by the caller's signal or the run deadline.
  const launchAbort = new AbortController();
  const onAbort = () => launchAbort.abort();
  req.signal.addEventListener('abort', onAbort, { once: true });
  const deadlineTimer = setTimeout(() => launchAbort.abort(), req.timeoutMs);

  try {
    dir = await createRunDir();
    // Fork first: the worker loads its modules (~1 s) while Chrome starts (~0.6 s).
    worker = forkWorker(req.workerScript, req.title, dir, workerOutput);
    try {
      chrome = await launchChrome(
        req.chromePath,
        dir,
        req.chromeFlags,
        Math.min(LAUNCH_TIMEOUT_MS, req.timeoutMs),
        launchAbort.signal,
      );
    } catch (err) {
      if (req.signal.aborted) outcome.end = { kind: 'aborted' };
      else if (launchAbort.signal.aborted) {
        outcome.end = {
          kind: 'timeout',
          message: `Chrome did not start within the run timeout of ${req.timeoutMs / 1000} s`,
        };
      } else {
        outcome.end = {
          kind: 'launch_failed',
          message: err instanceof ChromeLaunchError ? err.message : String(err),
        };
      }
      return outcome;
    }
    markChrome(dir, chrome.pid);
    req.log(
      `Chrome launched: pid ${chrome.pid}, DevTools port ${chrome.port}${chrome.version ? `, version ${chrome.version}` : ''} (${Math.round(elapsed())} ms)`,
    );
    const job = req.job({ port: chrome.port, outDir: dir.out, chromePgid: chrome.pid });
    outcome.end = await waitForAnswer(req, job, worker, chrome, workerOutput, deadline);
    return outcome;
  } catch (err) {
    // Our own bug or an fs error (tmp full): report it as a failed run rather than throw.
    outcome.end = { kind: 'worker_failed', message: String(err) };
    return outcome;
  } finally {
    outcome.wallMs = elapsed();
    clearTimeout(deadlineTimer);
    req.signal.removeEventListener('abort', onAbort);
    const grace = req.signal.aborted ? ABORT_GRACE_MS : GRACE_MS;
    if (chrome?.exit) {
      outcome.chromeExited = true;
      outcome.chromeExit = describeChromeExit(chrome);
    }
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

function waitForAnswer<Job extends ChromeJobBase, Message>(
  req: WorkerRunRequest<Job, Message>,
  job: Job,
  worker: ChildProcess,
  chrome: ChromeProcess,
  workerOutput: OutputTail,
  deadline: number,
): Promise<WorkerRunEnd<Message>> {
  const { signal } = req;
  return new Promise<WorkerRunEnd<Message>>((resolve) => {
    let settled = false;
    /** An answer arrived and waits for Chrome's exit to be seen: that exit must not replace it. */
    let answered = false;
    let exitTimer: NodeJS.Timeout | undefined;
    const done = (end: WorkerRunEnd<Message>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(exitTimer);
      worker.off('message', onMessage);
      worker.off('exit', onWorkerExit);
      signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const onMessage = (message: Message) => {
      if (!req.isFinal(message)) return req.onMessage?.(message);
      if (chrome.exit || !req.mayMeanCrash?.(message)) return done({ kind: 'message', message });
      answered = true;
      void Promise.race([chrome.exited, new Promise((r) => setTimeout(r, 200))]).then(() =>
        done({ kind: 'message', message }),
      );
    };
    // The worker exits right after sending its answer, and 'exit' can overtake the last IPC message:
    // give the message a moment to arrive before calling the run lost.
    const onWorkerExit = (code: number | null, sig: NodeJS.Signals | null) => {
      exitTimer = setTimeout(() => {
        if (answered) return;
        if (chrome.exit) return done({ kind: 'chrome_crashed', message: describeChromeExit(chrome) });
        const tail = workerOutput.text();
        const how = sig ?? `exit code ${code}`;
        done({
          kind: 'worker_failed',
          message: `the ${req.title} worker exited without a result (${how})${tail ? `: ${tail}` : ''}`,
        });
      }, 200);
    };
    const onAbort = () => done({ kind: 'aborted' });
    const timer = setTimeout(
      () =>
        done({
          kind: 'timeout',
          message: `the run did not finish within its timeout of ${req.timeoutMs / 1000} s`,
        }),
      Math.max(0, deadline - performance.now()),
    );
    worker.on('message', onMessage);
    worker.once('exit', onWorkerExit);
    // A Chrome exit before the worker's answer is a crash: do not wait for the worker to notice.
    void chrome.exited.then(() => {
      if (!answered) done({ kind: 'chrome_crashed', message: describeChromeExit(chrome) });
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (worker.exitCode !== null || worker.signalCode !== null) {
      return onWorkerExit(worker.exitCode, worker.signalCode);
    }
    worker.send(job, (err) => {
      if (err) onWorkerExit(worker.exitCode, worker.signalCode);
    });
  });
}
