/**
 * Child processes of a benchmark run: the exporters under test and the local target server.
 * Each child gets its own process group (`detached`), so stopping it also stops anything it
 * spawned, and every group is killed when the benchmark ends, however it ends: normal return,
 * an exception, or Ctrl-C. A benchmark must never leave an exporter behind holding a port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** Where stdout and stderr go: read on failure, never piped (a full pipe would stall the child). */
  logFile: string;
  exited: Promise<number | null>;
}

const running = new Set<Child>();
let handlersInstalled = false;

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  logDir: string;
  env?: NodeJS.ProcessEnv;
}

export function spawnChild(options: SpawnOptions): Child {
  installExitHandlers();
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const proc = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
    detached: true, // its own process group: kill(-pid) reaches its descendants too
  });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    proc.once('error', () => resolve(null));
  });
  const child: Child = { name: options.name, pid: proc.pid, process: proc, logFile, exited };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM the child's group (a clean stop lets `--cpu-prof` write its profile), SIGKILL after a grace period. */
export async function stopChild(child: Child, graceMs = 8000): Promise<void> {
  if (!running.has(child)) return;
  killGroup(child.pid, 'SIGTERM');
  const stopped = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped) {
    console.error(`${child.name} did not stop within ${graceMs} ms; killing it`);
    killGroup(child.pid, 'SIGKILL');
    await child.exited;
  }
  // The leader may be gone while a descendant lingers in its group.
  killGroup(child.pid, 'SIGKILL');
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => stopChild(c)));
}

function killAllNow(): void {
  for (const child of running) killGroup(child.pid, 'SIGKILL');
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' runs synchronously only: SIGKILL is the one stop that needs no waiting.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping child processes`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(err);
    killAllNow();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    killAllNow();
    process.exit(1);
  });
}

/** The last lines a child wrote, to explain why it failed. */
export function tailLog(child: Child, lines = 20): string {
  try {
    return readFileSync(child.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race before the child binds it is acceptable here). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Poll `url` until it answers 200, or fail with the child's log if it exits or takes too long. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before it was ready:\n${tailLog(child)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms:\n${tailLog(child)}`);
}
