/**
 * The processes a benchmark measures, read from /proc (Linux only): the tree under a pid, each
 * process's PSS (/proc/<pid>/smaps_rollup, which splits the pages Chrome's processes share among
 * them instead of counting them in each, as RSS does) and CPU, sampled while some work runs, and
 * what of it is still alive afterwards. Used by the Lighthouse and browser-flow benchmarks, whose
 * work is a Node process, a worker and a Chrome of a dozen processes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds, machineBusySeconds } from './procfs.js';

/** How often the tree is sampled unless the caller says. */
export const SAMPLE_MS = 100;

export interface Proc {
  pid: number;
  ppid: number;
  state: string;
  /** pid + start time: a pid the kernel reuses for another process gets another key. */
  key: string;
}

export function readProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields resume after the command name's last ')': state (3), ppid (4), ..., starttime (22).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      out.set(pid, { pid, ppid: Number(rest[1]), state: rest[0] ?? '?', key: `${pid}@${rest[19]}` });
    } catch {
      // Exited between readdir and read.
    }
  }
  return out;
}

const cmdlines = new Map<string, string>();
/** A process's command line, read once per process (it does not change after exec). */
export function cmdline(p: Proc): string {
  let text = cmdlines.get(p.key);
  if (text === undefined) {
    try {
      text = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      text = '';
    }
    // An exec right after fork (Chrome's zygotes) changes it once: cache only a non-empty line.
    if (text) cmdlines.set(p.key, text);
  }
  return text;
}

export const live = (p: Proc) => p.state !== 'Z' && p.state !== 'X';

export function descendants(root: number, procs: Map<number, Proc>): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of procs.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

export function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited meanwhile
  }
}

/** The processes one audit is made of, each with the part it belongs to ('chrome', 'worker', ...). */
export type Members = (procs: Map<number, Proc>) => Map<Proc, string>;

/** Live processes naming `marker` on their command line, except those in `exclude` (other users'). */
export function byMarker(procs: Map<number, Proc>, marker: string, exclude: ReadonlySet<string>): Proc[] {
  return [...procs.values()].filter((p) => live(p) && !exclude.has(p.key) && cmdline(p).includes(marker));
}

export interface TreeFigures {
  /** Peak of the summed PSS, MiB, and each part's PSS at that moment. */
  totalMiB: number;
  parts: Record<string, number>;
  /** Each part's own peak, MiB (parts peak at different moments: these do not add up to totalMiB). */
  partPeaks: Record<string, number>;
  samples: number;
  /** Mean time one sample took (it runs in this process, on vantage's event loop). */
  sampleCostMs: number;
  /** Every process seen as part of the audit, for the leftover check. */
  seen: Map<string, number>;
  /**
   * CPU seconds of the audit's processes other than this one while it ran: the last value seen before
   * each exited, less what a process already running at the first sample had used by then.
   */
  treeCpuS: number;
  /** CPU seconds of this process: vantage's side for vantage, the sampler alone for the CLI. */
  selfCpuS: number;
  /** The rest of the machine, as % of one core: busy CPU minus the two above, over the wall time. */
  otherPct: number;
}

/**
 * Samples the audit's tree every `sampleMs` while `work` runs: PSS, CPU, and the rest of the machine.
 * `onSample` sees every sample (a timeline: when a worker or Chrome was alive, and its size).
 */
export async function withTree<T>(
  members: Members,
  work: () => Promise<T>,
  sampleMs = SAMPLE_MS,
  onSample?: (atMs: number, parts: Readonly<Record<string, number>>) => void,
): Promise<{ value: T; tree: TreeFigures }> {
  const tree: TreeFigures = {
    totalMiB: 0,
    parts: {},
    partPeaks: {},
    samples: 0,
    sampleCostMs: 0,
    seen: new Map(),
    treeCpuS: 0,
    selfCpuS: 0,
    otherPct: NaN,
  };
  const cpu = new Map<string, number>();
  /** CPU already used at the first sample by the processes then running (a service started before). */
  const cpuBefore = new Map<string, number>();
  let first = true;
  let cost = 0;
  const sample = () => {
    const t = performance.now();
    const parts: Record<string, number> = {};
    let total = 0;
    for (const [p, part] of members(readProcs())) {
      tree.seen.set(p.key, p.pid);
      if (p.pid !== process.pid) {
        try {
          cpu.set(p.key, cpuSeconds(p.pid));
          if (first) cpuBefore.set(p.key, cpu.get(p.key)!);
        } catch {
          // Exited meanwhile: its last value stands.
        }
      }
      const kib = pssKiB(p.pid);
      parts[part] = (parts[part] ?? 0) + kib / 1024;
      total += kib / 1024;
    }
    if (total > tree.totalMiB) {
      tree.totalMiB = total;
      tree.parts = parts;
    }
    for (const [part, mib] of Object.entries(parts)) {
      tree.partPeaks[part] = Math.max(tree.partPeaks[part] ?? 0, mib);
    }
    onSample?.(Date.now(), parts);
    first = false;
    tree.samples += 1;
    cost += performance.now() - t;
  };
  const machine0 = machineBusySeconds();
  const self0 = cpuSeconds(process.pid);
  const t0 = performance.now();
  const timer = setInterval(sample, sampleMs);
  try {
    sample();
    const value = await work();
    sample();
    return { value, tree };
  } finally {
    clearInterval(timer);
    const wallS = (performance.now() - t0) / 1000;
    tree.sampleCostMs = tree.samples > 0 ? cost / tree.samples : NaN;
    tree.treeCpuS = [...cpu].reduce((sum, [key, s]) => sum + s - (cpuBefore.get(key) ?? 0), 0);
    tree.selfCpuS = cpuSeconds(process.pid) - self0;
    tree.otherPct = ((machineBusySeconds() - machine0 - tree.treeCpuS - tree.selfCpuS) / wallS) * 100;
  }
}

/**
 * Processes of a finished audit that are still alive (other than this one), after up to `graceMs` for
 * them to go. They are ours (we started the audit): they are killed, and their number is reported.
 */
export async function leftovers(seen: Map<string, number>, graceMs = 2000): Promise<number> {
  const alive = () => {
    const procs = readProcs();
    return [...seen].filter(([key, pid]) => {
      const p = procs.get(pid);
      return pid !== process.pid && p !== undefined && p.key === key && live(p);
    });
  };
  const until = performance.now() + graceMs;
  let left = alive();
  while (left.length > 0 && performance.now() < until) {
    await sleep(50);
    left = alive();
  }
  for (const [, pid] of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return left.length;
}
