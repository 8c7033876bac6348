/**
 * Child processes of `vantage stack`: each started in a process group of its own (so a Ctrl-C
 * in the terminal reaches the runner only, and each child gets exactly one stop signal, from
 * the runner), its output passed through line by line behind its name, and the last lines of
 * its stderr kept for the message when it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { ChildSpec, Component } from './plan.js';

export interface ExitInfo {
  name: Component;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Splits a stream into lines, writes each behind `prefix`, and keeps the last `keep`. */
export class LinePrefixer {
  private partial = '';
  readonly tail: string[] = [];

  constructor(
    private readonly prefix: string,
    private readonly out: Writable,
    private readonly keep = 20,
  ) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** The unterminated last line, when the stream ends. */
  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  private line(text: string): void {
    const line = text.replace(/\r$/, '');
    this.out.write(`${this.prefix}${line}\n`);
    if (!line.trim()) return;
    this.tail.push(line);
    if (this.tail.length > this.keep) this.tail.shift();
  }
}

export interface Supervised {
  spec: ChildSpec;
  child: ChildProcess;
  stdout: LinePrefixer;
  stderr: LinePrefixer;
  /** Resolves once the process has exited and its output is drained. */
  exited: Promise<ExitInfo>;
  exit?: ExitInfo;
}

export class Supervisor {
  readonly children: Supervised[] = [];
  private readonly width: number;

  constructor(
    private readonly out: Writable,
    private readonly err: Writable,
    names: readonly string[],
  ) {
    this.width = Math.max(...names.map((n) => n.length));
  }

  prefix(name: string): string {
    return `${name.padEnd(this.width)} | `;
  }

  start(spec: ChildSpec): Supervised {
    const child = spawn(spec.command, spec.args, {
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout = new LinePrefixer(this.prefix(spec.name), this.out);
    const stderr = new LinePrefixer(this.prefix(spec.name), this.err);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => stdout.push(c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
    const supervised: Supervised = {
      spec,
      child,
      stdout,
      stderr,
      exited: new Promise<ExitInfo>((resolve) => {
        // 'close' comes after 'exit' and after both pipes ended: the tails are complete.
        child.once('close', (code, signal) => {
          stdout.flush();
          stderr.flush();
          resolve((supervised.exit = { name: spec.name, code, signal }));
        });
        // Cannot be executed at all (ENOENT, EACCES): no 'exit', but 'close' still follows.
        child.once('error', (e) => stderr.push(`cannot start ${spec.command}: ${e.message}\n`));
      }),
    };
    this.children.push(supervised);
    return supervised;
  }

  running(): Supervised[] {
    return this.children.filter((c) => c.exit === undefined);
  }

  /** The first child to exit. */
  firstExit(): Promise<ExitInfo> {
    return Promise.race(this.children.map((c) => c.exited));
  }

  /** To each child process itself: vantage stops its own children (Chrome, the Lighthouse worker). */
  signalAll(signal: NodeJS.Signals): void {
    for (const c of this.running()) {
      try {
        c.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  /** SIGHUP to each running child that reloads on it (node_exporter would stop instead). */
  reloadAll(): void {
    for (const c of this.running()) {
      if (!c.spec.reloadsOnHangup) continue;
      try {
        c.child.kill('SIGHUP');
      } catch {
        // already gone
      }
    }
  }

  /**
   * SIGTERM to every running child, SIGKILL to those still there after `graceMs`. Returns the
   * names of those that had to be killed.
   */
  async stopAll(graceMs: number): Promise<Component[]> {
    const running = this.running();
    this.signalAll('SIGTERM');
    const killed: Component[] = [];
    const timer = setTimeout(() => {
      for (const c of this.running()) {
        killed.push(c.spec.name);
        signalGroup(c.child, 'SIGKILL');
      }
    }, graceMs);
    await Promise.all(running.map((c) => c.exited));
    clearTimeout(timer);
    return killed;
  }

  /** Last resort when the runner itself exits: nothing may outlive it. Synchronous. */
  killAll(): void {
    for (const c of this.running()) signalGroup(c.child, 'SIGKILL');
  }
}

/** The child's whole process group (it leads one: detached), so nothing it started survives it. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** How a child ended, for messages: "exited with code 1", "was killed by SIGKILL". */
export function describeExit(exit: ExitInfo): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? '?'}`;
}

/** A dead child's last lines: stderr (all three log there, Node's crashes too), else stdout. */
export function lastLines(c: Supervised, count = 10): string[] {
  const lines = c.stderr.tail.length > 0 ? c.stderr.tail : c.stdout.tail;
  return lines.slice(-count);
}
