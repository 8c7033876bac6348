/**
 * Chrome lifecycle for one run: find the binary, launch it headless in its own process group with a fresh
 * profile, learn its DevTools port, and kill the whole tree afterwards.
 *
 * vantage (not the Lighthouse worker) launches Chrome, so vantage can kill it even when the worker hangs in
 * trace processing. The DevTools port is chosen by Chrome (`--remote-debugging-port=0`) and read from its
 * "DevTools listening on ws://..." line: no port race between concurrent vantage instances.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Launcher } from 'chrome-launcher';
import { chromeProcesses, signalQuietly, waitUntilGone, type ProcessInfo } from './processTree.js';
import type { RunDir } from './profiles.js';

const FALLBACK_BINARIES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `explicit`, else $CHROME_PATH, else /usr/bin/chromium, else the first Chrome-like binary on $PATH. */
export function findChromePath(explicit?: string): string {
  if (explicit) return explicit;
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return fromEnv;
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of FALLBACK_BINARIES) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  // Nothing found: launching it fails with a clear ENOENT naming this path.
  return '/usr/bin/chromium';
}

/**
 * What any headless Chrome on these machines needs, whoever launches it (vantage's audits and
 * flows, and the tests that drive pages with Puppeteer): it runs as root in a container, offline.
 */
export const ROOT_OFFLINE_FLAGS: readonly string[] = [
  '--no-sandbox', // required as root; the container is the sandbox
  '--disable-gpu',
  '--disable-dev-shm-usage', // /dev/shm is 64 MB in Docker: Chrome crashes on large pages otherwise
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * chrome-launcher's defaults (what the Lighthouse CLI runs with, so figures are comparable) plus what a
 * headless, offline, root-in-a-container Chrome needs: without the network switches it keeps trying to
 * reach Google services, which on a closed network stalls and skews timings.
 */
export function chromeFlags(dir: RunDir, extra: readonly string[]): string[] {
  return [
    ...Launcher.defaultFlags(),
    '--headless=new',
    ...ROOT_OFFLINE_FLAGS,
    '--disable-default-apps',
    '--mute-audio',
    '--disable-extensions',
    '--metrics-recording-only',
    '--password-store=basic',
    '--use-mock-keychain',
    '--disable-breakpad',
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    `--user-data-dir=${dir.profile}`,
    ...extra,
    'about:blank',
  ];
}

/** Lines of Chrome's stderr that are noise in a container (no D-Bus): kept out of failure messages. */
const NOISE = /dbus|Failed to connect to the bus|unexpected operator|Fontconfig/i;

/** Keeps the last lines of a stream, for failure messages. Draining it also keeps Chrome from blocking. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly keep = 12) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.add(line);
  }

  private add(line: string): void {
    const trimmed = line.trim();
    if (!trimmed || NOISE.test(trimmed)) return;
    this.lines.push(trimmed.length > 300 ? `${trimmed.slice(0, 300)}...` : trimmed);
    if (this.lines.length > this.keep) this.lines.shift();
  }

  text(count = 5): string {
    const lines = this.partial ? [...this.lines, this.partial.trim()] : this.lines;
    return lines.slice(-count).join(' | ');
  }
}

export class ChromeLaunchError extends Error {}

export interface ChromeProcess {
  pid: number;
  port: number;
  /** The full version from /json/version ("156.0.8078.108"), when Chrome answered. */
  version?: string;
  stderr: OutputTail;
  /** Set when the browser process has exited (for whatever reason). */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Resolves when the browser process exits. */
  exited: Promise<void>;
  child: ChildProcess;
}

/** Reads Chrome's full version from the DevTools HTTP endpoint (the user agent is reduced to 156.0.0.0). */
async function browserVersion(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { Browser?: string };
    return /\/([\d.]+)/.exec(body.Browser ?? '')?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Launches Chrome and waits for its DevTools endpoint. Rejects with ChromeLaunchError (message ends with
 * Chrome's last stderr lines) if it exits first, cannot be executed, or is not ready within `timeoutMs`;
 * in every rejection case the process group has already been killed.
 */
export async function launchChrome(
  chromePath: string,
  dir: RunDir,
  extraFlags: readonly string[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ChromeProcess> {
  const child = spawn(chromePath, chromeFlags(dir, extraFlags), {
    detached: true, // own process group: one kill(-pgid) reaches zygotes and renderers
    stdio: ['ignore', 'ignore', 'pipe'],
    // TMPDIR: Chrome's per-launch org.chromium.Chromium.* directory lands in the run dir and is
    // removed with it, instead of piling up in the system temp dir (one per audit, forever).
    env: { ...process.env, XDG_CONFIG_HOME: dir.xdg, TMPDIR: dir.tmp },
  });
  const stderr = new OutputTail();
  const chrome: Partial<ChromeProcess> & { stderr: OutputTail; child: ChildProcess } = { stderr, child };
  chrome.exited = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      chrome.exit = { code, signal: sig };
      resolve();
    });
    child.once('error', () => resolve()); // spawn failure: 'exit' may never come
  });
  child.stderr?.setEncoding('utf8');

  let seen = '';
  const port = await new Promise<number>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      const tail = stderr.text();
      reject(new ChromeLaunchError(`${why}${tail ? `; Chrome stderr: ${tail}` : ''}`));
    };
    const onData = (chunk: string) => {
      stderr.push(chunk);
      if (seen.length < 64 * 1024) seen += chunk;
      const match = /DevTools listening on ws:\/\/[^:\s]+:(\d+)\//.exec(seen);
      if (match) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onError = (err: Error) => fail(`cannot start ${chromePath}: ${err.message}`);
    // Chrome's last words may still be in the pipe when 'exit' fires: give them 100 ms to arrive.
    const onExit = (code: number | null, sig: NodeJS.Signals | null) =>
      setTimeout(() => fail(`Chrome exited during startup (${sig ?? `exit code ${code}`})`), 100);
    const onAbort = () => fail('aborted during Chrome startup');
    const timer = setTimeout(
      () => fail(`Chrome did not open its DevTools port within ${Math.round(timeoutMs / 1000)} s`),
      timeoutMs,
    );
    function cleanup() {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      signal.removeEventListener('abort', onAbort);
    }
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }).catch(async (err: unknown) => {
    await stopChrome(child, dir, 0);
    throw err;
  });
  // Keep draining stderr for the rest of the run: a full pipe would block Chrome.
  child.stderr?.on('data', (chunk: string) => stderr.push(chunk));
  chrome.pid = child.pid;
  chrome.port = port;
  chrome.version = await browserVersion(port);
  return chrome as ChromeProcess;
}

/**
 * Kills one Chrome and everything it started: SIGTERM to the browser first (so it reaps its own children
 * and leaves no zombies), then after `graceMs` SIGKILL to the whole group and to any process naming the
 * run dir. Resolves when /proc shows nothing live, or after ~1 s with what is left (for the trace).
 */
export async function stopChrome(child: ChildProcess, dir: RunDir, graceMs: number): Promise<ProcessInfo[]> {
  const pgid = child.pid;
  const left = () => chromeProcesses(pgid, dir.root);
  if (pgid === undefined) return left(); // never started
  if (child.exitCode === null && child.signalCode === null && graceMs > 0) {
    signalQuietly(pgid, 'SIGTERM');
    await waitUntilGone(left, graceMs);
  }
  const survivors = left();
  // Only while members live: the group id stays reserved then, so kill(-pgid) cannot hit a stranger.
  if (survivors.some((p) => p.pgid === pgid)) signalQuietly(-pgid, 'SIGKILL');
  for (const p of survivors) signalQuietly(p.pid, 'SIGKILL');
  return waitUntilGone(left, 1000);
}
