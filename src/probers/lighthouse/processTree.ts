/**
 * /proc helpers: which processes belong to one Chrome, and whether they are really gone.
 *
 * Chrome is a tree (browser, zygotes, GPU, network service, renderers). We start it as the leader of its
 * own process group, so `kill(-pgid)` reaches every child that stayed in the group; the /proc scan also
 * finds processes that left the group but still name the run directory on their command line (Chrome's
 * crashpad handler calls setsid(); we point its database into the run dir via XDG_CONFIG_HOME so it does).
 *
 * Zombies count as gone: in a container without a reaping init (PID 1 here does not reap), children
 * orphaned by a SIGKILL stay as <defunct> entries forever. They hold no memory and no files; the
 * Dockerfile/compose should run an init (`init: true`) so they are reaped.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state from /proc/<pid>/stat: R, S, D, Z, ... */
  state: string;
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      // A zombie or a process that just exited: no command line, still listed by state.
    }
    return {
      pid,
      state: rest[0] ?? '?',
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      cmdline,
    };
  } catch {
    return undefined; // exited between readdir and read
  }
}

/** Every process visible in /proc. Empty (not an error) where /proc does not exist. */
export function listProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

export function isZombie(p: ProcessInfo): boolean {
  return p.state === 'Z' || p.state === 'X';
}

/**
 * Live (non-zombie) processes of one Chrome: members of its process group, plus any process whose command
 * line contains `marker` (the run directory). Never returns the calling process.
 */
export function chromeProcesses(pgid: number | undefined, marker: string | undefined): ProcessInfo[] {
  return listProcesses().filter(
    (p) =>
      p.pid !== process.pid &&
      !isZombie(p) &&
      ((pgid !== undefined && p.pgid === pgid) || (marker !== undefined && p.cmdline.includes(marker))),
  );
}

/** Sends a signal, ignoring "no such process" (the usual race with a process exiting on its own). */
export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone. EPERM cannot happen for our own children.
  }
}

export function isAlive(pid: number): boolean {
  const p = readProcess(pid);
  return p !== undefined && !isZombie(p);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns an empty list or `timeoutMs` passes; returns what is still there. */
export async function waitUntilGone<T>(check: () => T[], timeoutMs: number, pollMs = 25): Promise<T[]> {
  const until = performance.now() + timeoutMs;
  let left = check();
  while (left.length > 0 && performance.now() < until) {
    await sleep(pollMs);
    left = check();
  }
  return left;
}
