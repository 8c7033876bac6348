/**
 * Scale: 10,000 targets probed every 60 s by vantage's own scheduler, then the same 10,000
 * targets probed by blackbox_exporter under a Prometheus-like /probe load, for comparison; then
 * the same again with 30,000 targets.
 *
 *   npx tsx bench/scale-10k.ts [--targets=10000,30000] [--interval=60] [--duration=150]
 *                              [--startup=20] [--scrape-every=15] [--profile] [--only=vantage|blackbox]
 *                              [--vantage-flag=--probe.workers=1 ...]
 *
 * vantage: CPU as % of one core over the steady window (after `--startup` seconds), /metrics
 * scrape time, body size and series count, RSS (peak and steady), scheduler lag, and whether
 * every due check ran and succeeded; `promtool check metrics` on the last scrape. Both tools:
 * the share of recorded probe durations over 5, 25 and 100 ms (the target answers in under
 * 1 ms, so those are the prober's own delays). vantage is launched as `npx vantage` would be:
 * no NODE_OPTIONS. With `--profile` vantage runs under `node --cpu-prof` and the profile is
 * summarised at the end (the profiler itself costs CPU: do not quote those figures).
 *
 * Goals (issue 13) are printed as met or missed, never asserted.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { stopAll, stopChild, type Child } from './lib/children.js';
import { formatProfileSummary, readProfile, summariseProfile } from './lib/cpuProfile.js';
import {
  makeWorkDir,
  startBlackbox,
  startTargetServer,
  startVantage,
  type VantageTarget,
} from './lib/exporters.js';
import { backgroundCpuPercent, cpuPercentOfCore, peakRssMiB, ResourceSampler } from './lib/procfs.js';
import {
  fetchScrape,
  finalAccounting,
  promtoolVerdict,
  readScrape,
  type RawScrape,
  windowAccounting,
  type FinalAccounting,
  type Scrape,
  type WindowAccounting,
} from './lib/metricsScrape.js';
import { runSpreadLoad } from './lib/spreadLoad.js';
import {
  formatDurationShares,
  RecordedDurations,
  sharesOver,
  type DurationShares,
  type TimedDuration,
} from './lib/recordedDurations.js';
import { fixed, markdownTable, max, mean, median, percentile } from './lib/stats.js';

interface Goals {
  cpuPercent: number;
  metricsMs: number;
  rssSteadyMiB: number;
  rssPeakMiB: number;
  /** Most shares of recorded durations over 25 and 100 ms. */
  over25ms: number;
  over100ms: number;
}

/** Issue 13's acceptance: 10,000 targets on the default launch; 30,000 must run, under 400 MB. */
function goalsFor(targets: number): Goals {
  const timing = { over25ms: 0.001, over100ms: 0.0001 };
  return targets <= 10_000
    ? { cpuPercent: 20, metricsMs: 250, rssSteadyMiB: 150, rssPeakMiB: 200, ...timing }
    : {
        cpuPercent: 20 * (targets / 10_000),
        metricsMs: 250 * (targets / 10_000),
        rssSteadyMiB: 400,
        rssPeakMiB: 400,
        ...timing,
      };
}

interface Options {
  /** Fleet sizes, run one after the other (both tools at each). */
  targets: number[];
  intervalMs: number;
  durationMs: number;
  startupMs: number;
  scrapeEveryMs: number;
  profile: boolean;
  only?: 'vantage' | 'blackbox';
  /** Extra `vantage serve` flags, e.g. --probe.workers=1 (the default launch has none). */
  vantageFlags: string[];
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: '10000,30000' },
      interval: { type: 'string', default: '60' },
      duration: { type: 'string', default: '150' },
      startup: { type: 'string', default: '20' },
      'scrape-every': { type: 'string', default: '15' },
      profile: { type: 'boolean', default: false },
      only: { type: 'string' },
      'vantage-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.only !== undefined && values.only !== 'vantage' && values.only !== 'blackbox') {
    throw new Error(`--only: expected vantage or blackbox, got "${values.only}"`);
  }
  const options: Options = {
    targets: values.targets.split(',').map((t) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`--targets: expected counts like 10000,30000, got "${t}"`);
      return n;
    }),
    intervalMs: Number(values.interval) * 1000,
    durationMs: Number(values.duration) * 1000,
    startupMs: Number(values.startup) * 1000,
    scrapeEveryMs: Number(values['scrape-every']) * 1000,
    profile: values.profile,
    only: values.only,
    vantageFlags: values['vantage-flag'],
  };
  if (options.durationMs - options.startupMs < options.intervalMs) {
    // The accounting window needs at least one whole interval after startup.
    throw new Error('--duration must be at least --startup plus one --interval');
  }
  return options;
}

/** Distinct URLs on the one local server: each target is its own check and its own series. */
function makeTargets(count: number, baseUrl: string): VantageTarget[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `t-${String(i).padStart(5, '0')}`,
    url: `${baseUrl}/page/${i}`,
  }));
}

// --- vantage --------------------------------------------------------------------------------

interface VantageFigures {
  startupSeconds: number;
  cpuPercent: number;
  rssPeakMiB: number;
  rssSteadyMiB: number;
  scrapes: Scrape[];
  steadyScrapes: Scrape[];
  /** Every probe seen in the scrapes, and those that started in the steady window. */
  recorded: DurationShares;
  recordedSteady: DurationShares;
  final: FinalAccounting;
  window: WindowAccounting;
  promtool: string;
  targetServerCpuPercent: number;
  /** CPU used by processes outside the benchmark, % of one core (see backgroundCpuPercent). */
  backgroundCpuPercent: number;
  profile?: string;
}

/**
 * When to scrape, in ms after ready: every `scrapeEvery` (as Prometheus would), plus the two
 * scrapes bounding the accounting window (startup, and a whole number of intervals later),
 * plus the last one at the end of the run.
 */
function scrapeSchedule(options: Options): { offsetsMs: number[]; windowFromMs: number; windowToMs: number } {
  const intervals = Math.floor((options.durationMs - options.startupMs) / options.intervalMs);
  const windowFromMs = options.startupMs;
  const windowToMs = options.startupMs + intervals * options.intervalMs;
  const offsets = new Set([windowFromMs, windowToMs, options.durationMs]);
  for (let t = 0; t < options.durationMs; t += options.scrapeEveryMs) offsets.add(t);
  return { offsetsMs: [...offsets].sort((a, b) => a - b), windowFromMs, windowToMs };
}

async function benchVantage(
  options: Options,
  targets: readonly VantageTarget[],
  targetServer: Child,
  workDir: string,
): Promise<VantageFigures> {
  const cpuProfileDir = options.profile ? join(workDir, 'cpu-profile') : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const spawnedMs = Date.now();
  const vantage = await startVantage({
    workDir,
    targets,
    interval: `${options.intervalMs / 1000}s`,
    cpuProfileDir,
    flags: options.vantageFlags,
  });
  const readyMs = Date.now(); // the scheduler is armed just before /-/ready turns 200
  console.log(`vantage ready in ${fixed((readyMs - spawnedMs) / 1000, 1)} s (pid ${vantage.child.pid})`);
  const sampler = new ResourceSampler(vantage.child.pid, 1000).start();
  const targetSampler = new ResourceSampler(targetServer.pid, 1000).start();
  const client = new Client(vantage.baseUrl, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  const endMs = readyMs + options.durationMs;
  const schedule = scrapeSchedule(options);
  const raws: { offset: number; scrape: RawScrape }[] = [];
  const scrapes: Scrape[] = [];
  const kept = new Map<number, Scrape>(); // bodies needed later, by offset
  const recorded = new RecordedDurations();
  try {
    for (const offset of schedule.offsetsMs) {
      await sleep(Math.max(0, readyMs + offset - Date.now()));
      if (offset === options.durationMs) {
        sampler.stop();
        targetSampler.stop();
      }
      const raw = await fetchScrape(client);
      console.log(
        `  t+${fixed((raw.atMs - readyMs) / 1000, 0)} s: /metrics ${fixed(raw.ms, 0)} ms ` +
          `(headers after ${fixed(raw.headersMs, 0)} ms), ${fixed(raw.bytes / 1e6, 2)} MB`,
      );
      raws.push({ offset, scrape: raw });
    }
    // Read the bodies now that the measured window is over (see fetchScrape).
    for (const { offset, scrape: raw } of raws.splice(0)) {
      const s = readScrape(raw);
      recorded.add(s.body);
      const keep =
        offset === schedule.windowFromMs || offset === schedule.windowToMs || offset === options.durationMs;
      if (keep) kept.set(offset, s);
      scrapes.push(keep ? s : { ...s, body: '' }); // keep figures, not every 10 MB body
    }
    for (const s of scrapes) logScrape(s, readyMs);
    const last = kept.get(options.durationMs)!;
    const steadyFrom = readyMs + options.startupMs;
    const steady = sampler.window(steadyFrom, endMs);
    const figures: VantageFigures = {
      startupSeconds: (readyMs - spawnedMs) / 1000,
      cpuPercent: cpuPercentOfCore(steady),
      rssPeakMiB: peakRssMiB(vantage.child.pid),
      rssSteadyMiB: mean(steady.map((s) => s.rssMiB)),
      scrapes,
      steadyScrapes: scrapes.filter((s) => s.atMs >= steadyFrom),
      recorded: sharesOver(recorded.all()),
      recordedSteady: sharesOver(recorded.all(), steadyFrom),
      final: finalAccounting(last.body, targets),
      window: windowAccounting(
        kept.get(schedule.windowFromMs)!,
        kept.get(schedule.windowToMs)!,
        readyMs,
        (schedule.windowToMs - schedule.windowFromMs) / options.intervalMs,
        targets,
      ),
      promtool: promtoolVerdict(last.body),
      targetServerCpuPercent: cpuPercentOfCore(targetSampler.window(steadyFrom, endMs)),
      backgroundCpuPercent: backgroundCpuPercent(
        steady,
        cpuPercentOfCore(targetSampler.window(steadyFrom, endMs)),
      ),
    };
    writeFileSync(join(workDir, 'last-scrape.prom'), last.body);
    kept.clear();
    await client.close();
    await stopChild(vantage.child, 15_000); // a clean exit is what writes the CPU profile
    if (cpuProfileDir) figures.profile = profileReport(cpuProfileDir, workDir);
    return figures;
  } finally {
    sampler.stop();
    targetSampler.stop();
    await stopChild(vantage.child);
  }
}

function logScrape(s: Scrape, readyMs: number): void {
  console.log(
    `  t+${fixed((s.atMs - readyMs) / 1000, 0)} s: /metrics ${fixed(s.ms, 0)} ms ` +
      `(headers after ${fixed(s.headersMs, 0)} ms), ` +
      `${fixed(s.bytes / 1e6, 2)} MB, ${s.series} series, lag ${fixed(s.lagSeconds, 3)} s`,
  );
}

function profileReport(dir: string, workDir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return `no .cpuprofile in ${dir} (vantage did not exit cleanly?)`;
  const report = files
    .map((f) => `# ${join(dir, f)}\n\n${formatProfileSummary(summariseProfile(readProfile(join(dir, f))))}`)
    .join('\n\n');
  writeFileSync(join(workDir, 'cpu-profile-summary.md'), report + '\n');
  return report;
}

// --- blackbox_exporter ---------------------------------------------------------------------

interface BlackboxFigures {
  cpuPercent: number;
  rssPeakMiB: number;
  rssSteadyMiB: number;
  sent: number;
  expected: number;
  ok: number;
  failed: number;
  skipped: number;
  p50Ms: number;
  p99Ms: number;
  /** probe_duration_seconds of every successful probe, as blackbox reported it. */
  recorded: DurationShares;
  recordedSteady: DurationShares;
  firstError?: string;
  targetServerCpuPercent: number;
  backgroundCpuPercent: number;
}

const timed = (xs: readonly { atMs: number; value: number }[]): TimedDuration[] =>
  xs.map((x) => ({ atMs: x.atMs, seconds: x.value }));

async function benchBlackbox(
  options: Options,
  targets: readonly VantageTarget[],
  targetServer: Child,
  workDir: string,
): Promise<BlackboxFigures> {
  const blackbox = await startBlackbox(workDir);
  console.log(`blackbox_exporter ready (pid ${blackbox.child.pid})`);
  const sampler = new ResourceSampler(blackbox.child.pid, 1000).start();
  const targetSampler = new ResourceSampler(targetServer.pid, 1000).start();
  try {
    const load = await runSpreadLoad({
      baseUrl: blackbox.baseUrl,
      paths: targets.map((t) => `/probe?target=${encodeURIComponent(t.url)}&module=http_2xx`),
      intervalMs: options.intervalMs,
      durationMs: options.durationMs,
      maxInFlight: 256,
      // What Prometheus sends with a 10 s scrape_timeout; blackbox derives its probe deadline from it.
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' },
      check: (status, body) => status === 200 && /^probe_success 1$/m.test(body),
      extract: (body) => {
        const m = /^probe_duration_seconds (\S+)$/m.exec(body);
        return m ? Number(m[1]) : undefined;
      },
    });
    sampler.stop();
    targetSampler.stop();
    const steadyFrom = load.startMs + options.startupMs;
    const endMs = load.startMs + options.durationMs;
    const steady = sampler.window(steadyFrom, endMs);
    const figures: BlackboxFigures = {
      cpuPercent: cpuPercentOfCore(steady),
      rssPeakMiB: peakRssMiB(blackbox.child.pid),
      rssSteadyMiB: mean(steady.map((s) => s.rssMiB)),
      sent: load.sent,
      expected: Math.ceil((targets.length * options.durationMs) / options.intervalMs),
      ok: load.ok,
      failed: load.failed,
      skipped: load.skipped,
      p50Ms: percentile(load.latenciesMs, 50),
      p99Ms: percentile(load.latenciesMs, 99),
      recorded: sharesOver(timed(load.extracted)),
      recordedSteady: sharesOver(timed(load.extracted), steadyFrom),
      firstError: load.firstError,
      targetServerCpuPercent: cpuPercentOfCore(targetSampler.window(steadyFrom, endMs)),
      backgroundCpuPercent: backgroundCpuPercent(
        steady,
        cpuPercentOfCore(targetSampler.window(steadyFrom, endMs)),
      ),
    };
    return figures;
  } finally {
    sampler.stop();
    targetSampler.stop();
    await stopChild(blackbox.child);
  }
}

// --- report --------------------------------------------------------------------------------

const verdict = (value: number, goal: number): string =>
  Number.isFinite(value) ? (value <= goal ? 'met' : 'MISSED') : 'n/a';

function formatShares(shares: readonly { le: string; share: number }[]): string {
  return shares.map((x) => `${fixed(x.share * 100, 2)} % over ${Number(x.le) * 1000} ms`).join(', ');
}

const shareOver = (s: DurationShares, boundS: number): number =>
  s.over.find((o) => o.boundS === boundS)?.share ?? NaN;

function goalRows(v: VantageFigures, goals: Goals): string[][] {
  const steadyMs = v.steadyScrapes.map((s) => s.ms);
  const row = (figure: string, value: number, decimals: number, goal: number, unit = ''): string[] => [
    figure,
    fixed(value, decimals) + unit,
    `<= ${goal}${unit}`,
    verdict(value, goal),
  ];
  const pct = (share: number) => share * 100;
  return [
    row('CPU, % of one core (steady window)', v.cpuPercent, 1, goals.cpuPercent),
    row('/metrics scrape, median ms', median(steadyMs), 0, goals.metricsMs),
    row('RSS peak (VmHWM), MB', v.rssPeakMiB, 0, goals.rssPeakMiB),
    row('RSS steady (mean), MB', v.rssSteadyMiB, 0, goals.rssSteadyMiB),
    row(
      'recorded durations over 25 ms (whole run)',
      pct(shareOver(v.recorded, 0.025)),
      3,
      pct(goals.over25ms),
      ' %',
    ),
    row(
      'recorded durations over 100 ms (whole run)',
      pct(shareOver(v.recorded, 0.1)),
      3,
      pct(goals.over100ms),
      ' %',
    ),
    row('checks off by more than one run (steady window)', v.window.checksOffByMore, 0, 0),
    row('checks that never ran', v.final.checksNeverRun, 0, 0),
  ];
}

function printVantage(v: VantageFigures, options: Options, targetCount: number): void {
  const goals = goalsFor(targetCount);
  const last = v.scrapes[v.scrapes.length - 1]!;
  const f = v.final;
  const w = v.window;
  console.log(`\n## vantage: ${targetCount} targets every ${options.intervalMs / 1000} s (own scheduler)\n`);
  console.log(markdownTable(['figure', 'value', 'goal', 'verdict'], goalRows(v, goals)));
  console.log(`
- startup (spawn to /-/ready): ${fixed(v.startupSeconds, 1)} s
- /metrics: ${v.steadyScrapes.length} steady-state scrapes, p90 ${fixed(
    percentile(
      v.steadyScrapes.map((s) => s.ms),
      90,
    ),
    0,
  )} ms; last body ${fixed(last.bytes / 1e6, 2)} MB, ${last.series} series
- scheduler lag (vantage_scheduler_lag_seconds): max ${fixed(max(v.scrapes.map((s) => s.lagSeconds)), 3)} s, last ${fixed(last.lagSeconds, 3)} s; skipped runs ${f.skippedRuns}
- steady window t+${fixed(w.fromS, 1)} s to t+${fixed(w.toS, 1)} s (${w.intervals} intervals): ${w.ran} probes ran of ${w.expected} expected (${fixed((w.ran / w.expected) * 100, 2)} %), ${w.failed} failed; ${w.checksOff} checks ran other than ${w.intervals} times (${w.checksOffByMore} by more than one)
- whole run: ${f.success + f.failure} probes (${f.success} success, ${f.failure} failure); per check min ${f.minPerCheck}, max ${f.maxPerCheck}; ${f.checksNeverRun} checks never ran
- probe_success at the end: ${f.probeSuccessOne} at 1, ${f.probeSuccessZero} at 0
- /metrics scrape max ${fixed(max(v.steadyScrapes.map((s) => s.ms)), 0)} ms; time to headers median ${fixed(median(v.steadyScrapes.map((s) => s.headersMs)), 0)} ms
- recorded probe durations (the target answers in < 1 ms), raw gauges: whole run ${formatDurationShares(v.recorded)} (${v.recorded.count} probes); steady window ${formatDurationShares(v.recordedSteady)} (${v.recordedSteady.count} probes)
- the same from the duration histogram (every probe since start): ${formatShares(f.histogramSlowerThan)}
- target server CPU: ${fixed(v.targetServerCpuPercent, 1)} % of one core (not counted above); other processes: ${fixed(v.backgroundCpuPercent, 1)} %
- promtool check metrics: ${v.promtool}`);
}

function printBlackbox(b: BlackboxFigures, options: Options, targetCount: number): void {
  console.log(
    `\n## blackbox_exporter: ${targetCount} targets every ${options.intervalMs / 1000} s (Prometheus-like /probe load)\n`,
  );
  console.log(`- CPU: ${fixed(b.cpuPercent, 1)} % of one core (steady window)
- RSS: peak ${fixed(b.rssPeakMiB, 0)} MB, steady ${fixed(b.rssSteadyMiB, 0)} MB
- probes: ${b.sent} sent of ${b.expected} due, ${b.ok} probe_success 1, ${b.failed} failed, ${b.skipped} skipped (client in-flight bound)
- /probe latency: p50 ${fixed(b.p50Ms, 1)} ms, p99 ${fixed(b.p99Ms, 1)} ms
- reported probe_duration_seconds: whole run ${formatDurationShares(b.recorded)} (${b.recorded.count} probes); steady window ${formatDurationShares(b.recordedSteady)}
- target server CPU: ${fixed(b.targetServerCpuPercent, 1)} % of one core (not counted above); other processes: ${fixed(b.backgroundCpuPercent, 1)} %${b.firstError ? `\n- first error: ${b.firstError}` : ''}`);
}

function printComparison(
  targetCount: number,
  v: VantageFigures | undefined,
  b: BlackboxFigures | undefined,
): void {
  const pct = (x: DurationShares, boundS: number) => fixed(shareOver(x, boundS) * 100, 3);
  const row = (tool: string, cpu: number, steady: number, peak: number, recorded: DurationShares) => [
    tool,
    fixed(cpu, 1),
    fixed(steady, 0),
    fixed(peak, 0),
    pct(recorded, 0.005),
    pct(recorded, 0.025),
    pct(recorded, 0.1),
    String(recorded.count),
  ];
  const rows: string[][] = [];
  if (v) rows.push(row('vantage', v.cpuPercent, v.rssSteadyMiB, v.rssPeakMiB, v.recorded));
  if (b) rows.push(row('blackbox_exporter', b.cpuPercent, b.rssSteadyMiB, b.rssPeakMiB, b.recorded));
  console.log(`\n## side by side: ${targetCount} targets\n`);
  console.log(
    markdownTable(
      [
        'tool',
        'CPU % of one core',
        'RSS steady MB',
        'RSS peak MB',
        '% > 5 ms',
        '% > 25 ms',
        '% > 100 ms',
        'probes',
      ],
      rows,
    ),
  );
}

async function benchFleet(options: Options, count: number, baseWorkDir: string): Promise<void> {
  const workDir = join(baseWorkDir, `targets-${count}`);
  mkdirSync(workDir, { recursive: true });
  const target = await startTargetServer(workDir);
  const targets = makeTargets(count, target.baseUrl);
  let v: VantageFigures | undefined;
  let b: BlackboxFigures | undefined;
  try {
    if (options.only !== 'blackbox') {
      console.log(`\nvantage: ${targets.length} targets, ${options.durationMs / 1000} s`);
      v = await benchVantage(options, targets, target.child, workDir);
      await sleep(2000); // let the previous run's sockets drain before the next one
    }
    if (options.only !== 'vantage') {
      console.log(`\nblackbox_exporter: ${targets.length} targets, ${options.durationMs / 1000} s`);
      b = await benchBlackbox(options, targets, target.child, workDir);
    }
  } finally {
    await stopChild(target.child);
  }
  if (v) printVantage(v, options, targets.length);
  if (b) printBlackbox(b, options, targets.length);
  printComparison(targets.length, v, b);
  if (v?.profile) console.log(`\n## vantage CPU profile\n\n${v.profile}`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const workDir = makeWorkDir('scale');
  console.log(`work directory (configs, logs, last scrape, profiles): ${workDir}`);
  if (options.profile)
    console.log('--profile: vantage runs under --cpu-prof; its CPU figures include the profiler');
  for (const count of options.targets) {
    await benchFleet(options, count, workDir);
    await sleep(2000);
  }
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
