/**
 * A Prometheus-style daemon started by a test: its stderr captured line by line, killed if the
 * test process dies, stopped with SIGTERM (SIGKILL after 5 s), and waited for on /-/ready.
 * Shared by the Prometheus and Alertmanager helpers, which only differ in their flags and APIs.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';

export interface Daemon {
  /** The process id, for tests that read /proc/PID (memory, CPU). */
  pid: number | undefined;
  /** stderr, one entry per line. */
  logs: string[];
  /** The last 30 lines of stderr, for error messages. */
  tail(): string;
  /** Stops the process (once) and removes `cleanupDir`. */
  stop(): Promise<void>;
}

/**
 * Starts `bin` and resolves once `${url}${readyPath}` (default /-/ready) answers 200. On a crash or a timeout the
 * process is stopped and the error carries its last log lines.
 */
export async function startDaemon(
  name: string,
  bin: string,
  args: string[],
  {
    url,
    cleanupDir,
    timeoutMs,
    readyPath = '/-/ready',
  }: { url: string; cleanupDir: string; timeoutMs: number; readyPath?: string },
): Promise<Daemon> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const logs: string[] = [];
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    logs.push(...lines.filter(Boolean));
  });
  let exited: string | undefined;
  const exit = new Promise<void>((ok) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      ok();
    }),
  );
  child.once('error', (err) => {
    exited = `could not start ${bin}: ${err.message}`;
  });
  // A test process that dies must not leave the daemon behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    }
    await rm(cleanupDir, { recursive: true, force: true });
  };
  const tail = (): string => logs.slice(-30).join('\n');

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`${name} ${exited}:\n${tail()}`);
    }
    const ready = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready on ${url} after ${timeoutMs}ms:\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid, logs, tail, stop };
}
