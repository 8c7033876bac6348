/**
 * /probe throughput and cost: vantage and blackbox_exporter side by side, in one run, against
 * the same local target with the same http module.
 *
 *   npx tsx bench/probe-throughput.ts [--concurrency=8,32] [--duration=10] [--warmup=2] [--rounds=3]
 *
 * For each round, concurrency and exporter, a closed-loop client keeps `concurrency` /probe
 * requests in flight for warm-up + duration seconds and measures, over the duration only:
 * probes per second, client-side p50/p99 latency, the exporter's CPU seconds (from /proc)
 * divided by probes, and its peak RSS. Every response must say `probe_success 1`; anything
 * else is counted as an error. The summary is the median over the rounds in which the rest of
 * the machine stayed quiet: the exporters alternate, so a burst of unrelated load skews a
 * round or two, which are left out, rather than the result.
 * Figures are printed, never asserted.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopAll, stopChild } from './lib/children.js';
import {
  HOST,
  makeWorkDir,
  startBlackbox,
  startTargetServer,
  startVantage,
  type RunningExporter,
} from './lib/exporters.js';
import { runClosedLoop } from './lib/load.js';
import { cpuSeconds, machineBusySeconds, ownCpuSeconds, peakRssMiB, ResourceSampler } from './lib/procfs.js';
import { fixed, markdownTable, max, median, percentile } from './lib/stats.js';

interface Options {
  rounds: number;
  concurrencies: number[];
  durationMs: number;
  warmupMs: number;
}

interface RunFigures {
  round: number;
  tool: string;
  concurrency: number;
  probes: number;
  errors: number;
  firstError?: string;
  probesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  exporterCpuMsPerProbe: number;
  exporterCpuPercent: number;
  peakRssMiB: number;
  targetCpuMsPerProbe: number;
  loadGenCpuMsPerProbe: number;
  otherCpuPercent: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '8,32' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const concurrencies = values.concurrency.split(',').map(Number);
  if (concurrencies.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error(`--concurrency: expected positive integers, got "${values.concurrency}"`);
  }
  return {
    rounds: Math.max(1, Number(values.rounds)),
    concurrencies,
    durationMs: Number(values.duration) * 1000,
    warmupMs: Number(values.warmup) * 1000,
  };
}

const PROBE_SUCCESS = /^probe_success 1$/m;

/** The /probe path each exporter needs for the same check of the same page. */
function probePath(exporter: RunningExporter, targetUrl: string): string {
  return exporter.tool === 'vantage'
    ? '/probe?target=local&module=http_2xx'
    : `/probe?target=${encodeURIComponent(targetUrl)}&module=http_2xx`;
}

/** One probe through each exporter before timing anything: a misconfigured run measures nothing. */
async function checkOneProbe(exporter: RunningExporter, targetUrl: string): Promise<void> {
  const res = await fetch(exporter.baseUrl + probePath(exporter, targetUrl));
  const body = await res.text();
  if (res.status !== 200 || !PROBE_SUCCESS.test(body)) {
    throw new Error(`${exporter.tool}: a single probe did not succeed (HTTP ${res.status}):\n${body}`);
  }
}

async function measure(
  exporter: RunningExporter,
  targetPid: number,
  targetUrl: string,
  concurrency: number,
  options: Options,
  round: number,
): Promise<RunFigures> {
  const pid = exporter.child.pid;
  const sampler = new ResourceSampler(pid, 200);
  const cpu = { exporter: 0, target: 0, loadGen: 0, machine: 0 };
  const result = await runClosedLoop({
    baseUrl: exporter.baseUrl,
    path: probePath(exporter, targetUrl),
    concurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    check: (status, body) => status === 200 && PROBE_SUCCESS.test(body),
    onWindowStart: () => {
      cpu.exporter = -cpuSeconds(pid);
      cpu.target = -cpuSeconds(targetPid);
      cpu.loadGen = -ownCpuSeconds();
      cpu.machine = -machineBusySeconds();
      sampler.start();
    },
    onWindowEnd: () => {
      cpu.exporter += cpuSeconds(pid);
      cpu.target += cpuSeconds(targetPid);
      cpu.loadGen += ownCpuSeconds();
      cpu.machine += machineBusySeconds();
      sampler.stop();
    },
  });
  const probes = result.measured.length;
  const latencies = result.measured.map((o) => o.endMs - o.startMs);
  const seconds = (result.windowEndMs - result.windowStartMs) / 1000;
  return {
    round,
    tool: exporter.tool,
    concurrency,
    probes,
    errors: result.measured.filter((o) => !o.ok).length,
    firstError: result.firstError,
    probesPerSecond: probes / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    exporterCpuMsPerProbe: (cpu.exporter * 1000) / probes,
    exporterCpuPercent: (cpu.exporter / seconds) * 100,
    peakRssMiB: max(sampler.samples.map((s) => s.rssMiB)),
    targetCpuMsPerProbe: (cpu.target * 1000) / probes,
    loadGenCpuMsPerProbe: (cpu.loadGen * 1000) / probes,
    // Whatever else ran on the machine meanwhile: large values mean the figures are skewed.
    otherCpuPercent: ((cpu.machine - cpu.exporter - cpu.target - cpu.loadGen) / seconds) * 100,
  };
}

/** Rounds in which other processes used more than this (% of a core) ran on a busy machine. */
const BUSY_MACHINE_PERCENT = 10;

/**
 * The median of each figure over the quiet rounds (other processes under BUSY_MACHINE_PERCENT),
 * per exporter and concurrency; peak RSS is the highest. When no round was quiet, all rounds
 * count and the row is marked with `*`.
 */
function summarise(runs: readonly RunFigures[]): string[][] {
  const rows: string[][] = [];
  const keys = [...new Set(runs.map((r) => `${r.concurrency}\u0000${r.tool}`))];
  for (const key of keys) {
    const all = runs.filter((r) => `${r.concurrency}\u0000${r.tool}` === key);
    const quiet = all.filter((r) => r.otherCpuPercent <= BUSY_MACHINE_PERCENT);
    const group = quiet.length > 0 ? quiet : all;
    const med = (pick: (r: RunFigures) => number) => median(group.map(pick));
    rows.push([
      group[0]!.tool + (quiet.length > 0 ? '' : ' *'),
      String(group[0]!.concurrency),
      fixed(
        med((r) => r.probesPerSecond),
        0,
      ),
      fixed(
        med((r) => r.p50Ms),
        1,
      ),
      fixed(
        med((r) => r.p99Ms),
        1,
      ),
      fixed(
        med((r) => r.exporterCpuMsPerProbe),
        3,
      ),
      fixed(max(group.map((r) => r.peakRssMiB)), 1),
      `${group.length}/${all.length}`,
      String(all.reduce((n, r) => n + r.errors, 0)),
    ]);
  }
  return rows;
}

function printReport(
  runs: readonly RunFigures[],
  exporters: readonly RunningExporter[],
  rounds: number,
): void {
  const summary = summarise(runs);
  console.log(
    `\n## /probe throughput: median over quiet rounds (other processes <= ${BUSY_MACHINE_PERCENT} % of a core)\n`,
  );
  console.log(
    markdownTable(
      [
        'tool',
        'concurrency',
        'probes/s',
        'p50 ms',
        'p99 ms',
        'CPU ms/probe',
        'RSS MB',
        'rounds used',
        'errors',
      ],
      summary,
    ),
  );
  if (summary.some((row) => row[0]!.endsWith('*'))) {
    console.log(`\n* no quiet round: median of all ${rounds} rounds`);
  }
  console.log('errors: over all rounds');
  console.log('\n## Every round, and where the CPU went (all processes share the same cores)\n');
  console.log(
    markdownTable(
      [
        'round',
        'tool',
        'concurrency',
        'probes/s',
        'CPU ms/probe',
        'exporter CPU % of a core',
        'target server CPU ms/probe',
        'load generator CPU ms/probe',
        'other processes CPU %',
      ],
      runs.map((r) => [
        String(r.round),
        r.tool,
        String(r.concurrency),
        fixed(r.probesPerSecond, 0),
        fixed(r.exporterCpuMsPerProbe, 3),
        fixed(r.exporterCpuPercent, 0),
        fixed(r.targetCpuMsPerProbe, 3),
        fixed(r.loadGenCpuMsPerProbe, 3),
        fixed(r.otherCpuPercent, 0),
      ]),
    ),
  );
  console.log('\nPeak RSS over the whole run (VmHWM):');
  for (const e of exporters) console.log(`  ${e.tool}: ${fixed(peakRssMiB(e.child.pid), 1)} MiB`);
  for (const r of runs.filter((r) => r.firstError !== undefined)) {
    console.log(
      `\nfirst error, ${r.tool} at concurrency ${r.concurrency}, round ${r.round}: ${r.firstError}`,
    );
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const workDir = makeWorkDir('throughput');
  console.log(`work directory (configs, logs): ${workDir}`);
  const target = await startTargetServer(workDir);
  const targetUrl = `${target.baseUrl}/`;
  // An hour-long interval: vantage's own scheduler stays out of the way of the /probe figures.
  const vantage = await startVantage({
    workDir,
    targets: [{ name: 'local', url: targetUrl }],
    interval: '1h',
  });
  const blackbox = await startBlackbox(workDir);
  const exporters = [vantage, blackbox];
  console.log(
    `target ${targetUrl}; vantage ${vantage.baseUrl} (pid ${vantage.child.pid}); ` +
      `blackbox_exporter ${blackbox.baseUrl} (pid ${blackbox.child.pid}); probe host ${HOST}`,
  );
  for (const e of exporters) await checkOneProbe(e, targetUrl);

  const runs: RunFigures[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const concurrency of options.concurrencies) {
      for (const exporter of exporters) {
        process.stdout.write(`round ${round}: ${exporter.tool} at concurrency ${concurrency}... `);
        const figures = await measure(exporter, target.child.pid, targetUrl, concurrency, options, round);
        console.log(`${fixed(figures.probesPerSecond, 0)} probes/s, ${figures.errors} errors`);
        runs.push(figures);
        await sleep(1000); // let sockets close and the previous exporter go idle
      }
    }
  }
  printReport(runs, exporters, options.rounds);
  for (const e of exporters) await stopChild(e.child);
  await stopChild(target.child);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
