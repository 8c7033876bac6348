/**
 * Run directories: one fresh `vantage-chrome-*` directory per Lighthouse run, under os.tmpdir().
 *
 *   <run dir>/profile   Chrome's --user-data-dir (removed as soon as Chrome is dead)
 *   <run dir>/xdg       XDG_CONFIG_HOME for Chrome, so crash reports stay inside the run dir
 *   <run dir>/tmp       TMPDIR for Chrome: it makes an org.chromium.Chromium.* directory there at each
 *                       launch and never removes it; here it goes with the run dir
 *   <run dir>/out       the worker's report files (kept until the batch has picked its median run)
 *   <run dir>/owner     the vantage pid, so a later vantage can tell stale dirs from live ones
 *
 * We make our own directory rather than relying on chrome-launcher's, so the prefix is ours and a
 * crashed vantage's leftovers can be found and removed (cleanupStaleProfiles).
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromeProcesses, isAlive, signalQuietly } from './processTree.js';

export const PROFILE_PREFIX = 'vantage-chrome-';

/** A directory without an owner file younger than this may be one being created right now. */
const OWNERLESS_GRACE_MS = 60_000;

export interface RunDir {
  root: string;
  profile: string;
  xdg: string;
  tmp: string;
  out: string;
}

/** Run dirs of this process that are in use, and the Chrome process group using each (if launched). */
const active = new Map<string, number | undefined>();
let exitHookInstalled = false;

/**
 * Last line of defence: if vantage exits without the batch's `finally` having run (process.exit() during
 * an audit), kill every Chrome still running and delete its directory. Synchronous, as 'exit' requires.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [root, pgid] of active) {
      if (pgid !== undefined) signalQuietly(-pgid, 'SIGKILL');
      try {
        rmSync(root, { recursive: true, force: true });
      } catch {
        // Nothing more can be done while exiting; cleanupStaleProfiles removes it at the next start.
      }
    }
  });
}

export async function createRunDir(): Promise<RunDir> {
  installExitHook();
  const root = await mkdtemp(join(tmpdir(), PROFILE_PREFIX));
  active.set(root, undefined);
  const dir: RunDir = {
    root,
    profile: join(root, 'profile'),
    xdg: join(root, 'xdg'),
    tmp: join(root, 'tmp'),
    out: join(root, 'out'),
  };
  await Promise.all([mkdir(dir.profile), mkdir(dir.xdg), mkdir(dir.tmp), mkdir(dir.out)]);
  await writeFile(join(root, 'owner'), `${process.pid}\n`);
  return dir;
}

/** Records the Chrome process group using a run dir, for the exit hook. */
export function markChrome(dir: RunDir, pgid: number | undefined): void {
  if (active.has(dir.root)) active.set(dir.root, pgid);
}

/** Removes a subdirectory (the profile) or the whole run dir; retries once for files Chrome wrote late. */
export async function removeDir(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2, retryDelay: 50 });
  } catch {
    await rm(path, { recursive: true, force: true });
  }
}

export async function releaseRunDir(dir: RunDir): Promise<void> {
  await removeDir(dir.root);
  active.delete(dir.root);
}

/** The run dirs this process holds right now (for diagnostics and tests). */
export function activeRunDirs(): string[] {
  return [...active.keys()];
}

async function ownerOf(root: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(root, 'owner'), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(root: string): Promise<boolean> {
  if (active.has(root)) return false;
  const owner = await ownerOf(root);
  if (owner === undefined) {
    // mkdtemp happened but the owner file not yet (or never): give a live creator a minute.
    try {
      return Date.now() - (await stat(root)).mtimeMs > OWNERLESS_GRACE_MS;
    } catch {
      return false;
    }
  }
  // Ours but no longer active: left by a failed cleanup earlier in this process.
  if (owner === process.pid) return true;
  // Another vantage on this machine that is still running owns it.
  return !isAlive(owner);
}

/**
 * Removes run directories left by a vantage that crashed (or was SIGKILLed) mid-audit, after killing any
 * Chrome still running from them. Call once at startup. Returns how many directories were removed.
 */
export async function cleanupStaleProfiles(): Promise<number> {
  const base = tmpdir();
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(PROFILE_PREFIX)) continue;
    const root = join(base, name);
    if (!(await isStale(root))) continue;
    // An orphaned Chrome still names its profile dir on its command line: kill it first, then delete.
    for (const p of chromeProcesses(undefined, root)) {
      signalQuietly(p.pgid === p.pid ? -p.pgid : p.pid, 'SIGKILL');
      signalQuietly(p.pid, 'SIGKILL');
    }
    await removeDir(root);
    removed += 1;
  }
  return removed;
}
