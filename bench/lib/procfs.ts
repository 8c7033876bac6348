/**
 * CPU time and memory of another process, read from /proc (Linux only). Reading /proc costs the
 * measured process nothing, unlike asking it for its own metrics over HTTP.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every common Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * User + system CPU seconds used so far by every thread of `pid` (Node's libuv pool and V8's
 * GC threads, Go's runtime threads): /proc/<pid>/stat sums all threads of the process.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces and parentheses: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After comm, fields start at 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return (utime + stime) / ticksPerSecond();
}

/**
 * CPU seconds the whole machine has spent busy (all cores, /proc/stat), so a benchmark can tell
 * how much went to processes that are not part of it: other work on a shared machine skews the
 * figures, and the report should say so rather than hide it.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    ticksPerSecond()
  );
}

/** CPU seconds this process (the benchmark and its load generator) has used. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function statusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : NaN;
}

/** Resident memory now, in MiB. */
export function rssMiB(pid: number): number {
  return statusKiB(pid, 'VmRSS') / 1024;
}

/** Peak resident memory since the process started, in MiB. */
export function peakRssMiB(pid: number): number {
  return statusKiB(pid, 'VmHWM') / 1024;
}

export interface ResourceSample {
  atMs: number;
  cpuSeconds: number;
  rssMiB: number;
  /** The whole machine's and this benchmark process's CPU at the same instant, to estimate background load. */
  machineSeconds: number;
  ownSeconds: number;
}

/**
 * Samples a process's CPU and RSS at a fixed period, so a window (e.g. "after startup") can be
 * cut out afterwards and a transient RSS peak inside a run is not missed.
 */
export class ResourceSampler {
  readonly samples: ResourceSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly periodMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.periodMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  private sample(): void {
    try {
      this.samples.push({
        atMs: Date.now(),
        cpuSeconds: cpuSeconds(this.pid),
        rssMiB: rssMiB(this.pid),
        machineSeconds: machineBusySeconds(),
        ownSeconds: ownCpuSeconds(),
      });
    } catch {
      // The process exited; the samples so far stand.
    }
  }

  /** Samples taken at or after `fromMs` and at or before `toMs`. */
  window(fromMs: number, toMs = Infinity): ResourceSample[] {
    return this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  }
}

/** CPU used over a window as a percentage of one core (100 = one core busy all the time). */
export function cpuPercentOfCore(window: readonly ResourceSample[]): number {
  return percentOfCore(window, (s) => s.cpuSeconds);
}

/**
 * CPU the rest of the machine used over a window, as % of one core: everything but the sampled
 * process, this benchmark process and `alsoExcludedPercent` (e.g. the target server). Near zero
 * on a quiet machine; large values mean other work skewed the run.
 */
export function backgroundCpuPercent(window: readonly ResourceSample[], alsoExcludedPercent: number): number {
  const machine = percentOfCore(window, (s) => s.machineSeconds);
  const own = percentOfCore(window, (s) => s.ownSeconds);
  return machine - cpuPercentOfCore(window) - own - alsoExcludedPercent;
}

function percentOfCore(window: readonly ResourceSample[], seconds: (s: ResourceSample) => number): number {
  const first = window[0];
  const last = window[window.length - 1];
  if (!first || !last || last.atMs === first.atMs) return NaN;
  return ((seconds(last) - seconds(first)) / ((last.atMs - first.atMs) / 1000)) * 100;
}
