/**
 * What a journey costs (issue 15, "Cost"): the CPU of a journey step against an http probe of
 * the same page, and vantage's scheduler lag with 1,000 five-step journeys, in one run.
 *
 *   npx tsx bench/journey.ts [--checks=1000] [--interval=5] [--warmup=15] [--duration=30] [--rounds=3]
 *                            [--lag-journeys=1000] [--lag-interval=60] [--lag-warmup=60]
 *                            [--lag-duration=150] [--lag-scrape-every=15] [--only=cost|lag] [--profile]
 *
 * 1. Cost. Per round, vantage (bin/vantage.js, built dist/) runs alone with one of three configs
 *    against the journey target server (its own process): `--checks` http_2xx checks of one page;
 *    `--checks`/5 journeys of five GETs of that page, each checked as http_2xx checks it; and
 *    `--checks`/5 login journeys (token and order number extracted, session cookie carried). All
 *    at `--interval`, so the target sees the same request rate from each. After `--warmup`, over
 *    `--duration`: vantage's CPU (all threads, /proc) divided by the requests the target server
 *    answered. The order of the configs rotates every round; the summary is the median of the
 *    rounds in which the rest of the machine stayed quiet, and each journey's ratio to http_2xx.
 * 2. Lag. vantage with `--lag-journeys` login journeys at `--lag-interval` (a scrape of /metrics
 *    every `--lag-scrape-every`, as Prometheus would): after `--lag-warmup`, over `--lag-duration`,
 *    vantage_scheduler_lag_seconds at every scrape (p50/p99/max), CPU, RSS, requests answered.
 *
 * With `--profile` each cost config runs once more under `node --cpu-prof` (not counted: the
 * profiler costs CPU) and the profiles are summarised. Goals (journey step within 1.2x of an http
 * probe; lag under 0.5 s) are printed as met or missed, never asserted.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { stopAll, stopChild } from './lib/children.js';
import { formatProfileSummary, readProfile, summariseProfile } from './lib/cpuProfile.js';
import { makeWorkDir, startVantage, type RunningExporter, type VantageTarget } from './lib/exporters.js';
import { samplesOf } from './lib/exposition.js';
import {
  LOGIN_JOURNEY_MODULE,
  requestCount,
  SAME_URL_JOURNEY_MODULE,
  startJourneyTargetServer,
  STEPS_PER_JOURNEY,
  type JourneyTargetServer,
} from './lib/journeyTarget.js';
import { fetchScrape, readScrape, type Scrape } from './lib/metricsScrape.js';
import {
  cpuPercentOfCore,
  cpuSeconds,
  machineBusySeconds,
  ownCpuSeconds,
  peakRssMiB,
  ResourceSampler,
} from './lib/procfs.js';
import { fixed, markdownTable, max, mean, median, percentile } from './lib/stats.js';

const GOAL_RATIO = 1.2;
const GOAL_LAG_SECONDS = 0.5;
/** vantage_scheduler_lag_seconds is the largest lag over this long before the scrape (LagWindow). */
const LAG_LOOK_BACK_MS = 60_000;
/** Rounds in which other processes used more than this (% of a core) ran on a busy machine. */
const BUSY_MACHINE_PERCENT = 10;

interface Options {
  checks: number;
  intervalS: number;
  warmupMs: number;
  durationMs: number;
  rounds: number;
  lagJourneys: number;
  lagIntervalS: number;
  lagWarmupMs: number;
  lagDurationMs: number;
  lagScrapeEveryMs: number;
  only?: 'cost' | 'lag';
  profile: boolean;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${text}"`);
  return n;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      checks: { type: 'string', default: '1000' },
      interval: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '15' },
      duration: { type: 'string', default: '30' },
      rounds: { type: 'string', default: '3' },
      'lag-journeys': { type: 'string', default: '1000' },
      'lag-interval': { type: 'string', default: '60' },
      'lag-warmup': { type: 'string', default: '60' },
      'lag-duration': { type: 'string', default: '150' },
      'lag-scrape-every': { type: 'string', default: '15' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'cost' && values.only !== 'lag') {
    throw new Error(`--only: expected cost or lag, got "${values.only}"`);
  }
  const checks = positive('checks', values.checks);
  if (!Number.isInteger(checks) || checks % STEPS_PER_JOURNEY !== 0) {
    throw new Error(`--checks: expected a multiple of ${STEPS_PER_JOURNEY}, got "${values.checks}"`);
  }
  const lagDurationMs = positive('lag-duration', values['lag-duration']) * 1000;
  if (lagDurationMs <= LAG_LOOK_BACK_MS) {
    // The lag gauge looks back 60 s: only scrapes after that within the window see the window alone.
    throw new Error(
      `--lag-duration: expected more than ${LAG_LOOK_BACK_MS / 1000} s, got "${values['lag-duration']}"`,
    );
  }
  return {
    checks,
    intervalS: positive('interval', values.interval),
    warmupMs: positive('warmup', values.warmup) * 1000,
    durationMs: positive('duration', values.duration) * 1000,
    rounds: Math.round(positive('rounds', values.rounds)),
    lagJourneys: Math.round(positive('lag-journeys', values['lag-journeys'])),
    lagIntervalS: positive('lag-interval', values['lag-interval']),
    lagWarmupMs: positive('lag-warmup', values['lag-warmup']) * 1000,
    lagDurationMs,
    lagScrapeEveryMs: positive('lag-scrape-every', values['lag-scrape-every']) * 1000,
    only: values.only,
    profile: values.profile,
  };
}

// --- the three configs ------------------------------------------------------------------------

interface Variant {
  /** As printed. */
  name: string;
  module: string;
  definition?: Record<string, unknown>;
  /** Requests one run of a check makes. */
  requestsPerRun: number;
}

const HTTP_VARIANT: Variant = { name: 'http_2xx probe', module: 'http_2xx', requestsPerRun: 1 };
const SAME_URL_VARIANT: Variant = {
  name: 'journey step, same page',
  module: 'journey_same_page',
  definition: SAME_URL_JOURNEY_MODULE,
  requestsPerRun: STEPS_PER_JOURNEY,
};
const LOGIN_VARIANT: Variant = {
  name: 'journey step, login flow',
  module: 'journey_login',
  definition: LOGIN_JOURNEY_MODULE,
  requestsPerRun: STEPS_PER_JOURNEY,
};
const VARIANTS = [HTTP_VARIANT, SAME_URL_VARIANT, LOGIN_VARIANT];

/** As many checks as make `requests` requests per interval, all of the one page. */
function targetsFor(variant: Variant, requests: number, server: JourneyTargetServer): VantageTarget[] {
  return Array.from({ length: requests / variant.requestsPerRun }, (_, i) => ({
    name: `${variant.module}-${String(i).padStart(5, '0')}`,
    url: `${server.baseUrl}/`,
    modules: [variant.module],
  }));
}

async function startVantageWith(
  variant: Variant,
  requestsPerInterval: number,
  intervalS: number,
  server: JourneyTargetServer,
  workDir: string,
  cpuProfileDir?: string,
): Promise<RunningExporter> {
  return await startVantage({
    workDir,
    targets: targetsFor(variant, requestsPerInterval, server),
    interval: `${intervalS}s`,
    modules: variant.definition ? { [variant.module]: variant.definition } : {},
    cpuProfileDir,
  });
}

/** Probe runs so far by result, over every check (vantage_probes_total). */
function probeRuns(body: string): { success: number; failure: number } {
  const runs = { success: 0, failure: 0 };
  for (const s of samplesOf(body, new Set(['vantage_probes_total']))) {
    if (s.labels.result === 'success') runs.success += s.value;
    else runs.failure += s.value;
  }
  return runs;
}

async function scrapeOnce(baseUrl: string): Promise<Scrape> {
  const client = new Client(baseUrl, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  try {
    return readScrape(await fetchScrape(client));
  } finally {
    await client.close();
  }
}

// --- 1. cost per request ------------------------------------------------------------------------

interface CostFigures {
  round: number;
  variant: Variant;
  requests: number;
  rejected: number;
  failedRuns: number;
  requestsPerSecond: number;
  vantageCpuUsPerRequest: number;
  vantageCpuPercent: number;
  rssMiB: number;
  targetCpuUsPerRequest: number;
  otherCpuPercent: number;
}

async function measureCost(
  variant: Variant,
  round: number,
  options: Options,
  server: JourneyTargetServer,
  workDir: string,
  intervalS = options.intervalS,
): Promise<CostFigures> {
  const vantage = await startVantageWith(variant, options.checks, intervalS, server, workDir);
  try {
    const pid = vantage.child.pid;
    await sleep(options.warmupMs);
    const before = await requestCount(server);
    const runsBefore = probeRuns((await scrapeOnce(vantage.baseUrl)).body);
    const sampler = new ResourceSampler(pid, 1000).start();
    const t0 = performance.now();
    const cpu0 = {
      vantage: cpuSeconds(pid),
      target: cpuSeconds(server.child.pid),
      own: ownCpuSeconds(),
      machine: machineBusySeconds(),
    };
    await sleep(options.durationMs);
    const cpu1 = {
      vantage: cpuSeconds(pid),
      target: cpuSeconds(server.child.pid),
      own: ownCpuSeconds(),
      machine: machineBusySeconds(),
    };
    const seconds = (performance.now() - t0) / 1000;
    const after = await requestCount(server);
    sampler.stop();
    const runsAfter = probeRuns((await scrapeOnce(vantage.baseUrl)).body);
    const requests = after.requests - before.requests;
    const used = (k: keyof typeof cpu0) => cpu1[k] - cpu0[k];
    return {
      round,
      variant,
      requests,
      rejected: after.rejected - before.rejected,
      failedRuns: runsAfter.failure - runsBefore.failure,
      requestsPerSecond: requests / seconds,
      vantageCpuUsPerRequest: (used('vantage') * 1e6) / requests,
      vantageCpuPercent: (used('vantage') / seconds) * 100,
      rssMiB: mean(sampler.samples.map((s) => s.rssMiB)),
      targetCpuUsPerRequest: (used('target') * 1e6) / requests,
      // Whatever else ran on the machine meanwhile: large values mean the figures are skewed.
      otherCpuPercent: ((used('machine') - used('vantage') - used('target') - used('own')) / seconds) * 100,
    };
  } finally {
    await stopChild(vantage.child);
  }
}

/** The rounds a summary uses: the quiet ones, or all of them (marked) when none was quiet. */
function roundsUsed(runs: readonly CostFigures[]): { used: CostFigures[]; quiet: boolean } {
  const quiet = runs.filter((r) => r.otherCpuPercent <= BUSY_MACHINE_PERCENT);
  return quiet.length > 0 ? { used: quiet, quiet: true } : { used: [...runs], quiet: false };
}

/**
 * vantage's CPU with the same http_2xx checks at an hour's interval (a few probes in the window):
 * timers, GC, the scrapes around the window. It is part of every figure above, whatever the
 * rate, so the "net" columns take it out to compare what the requests themselves cost.
 */
const IDLE_INTERVAL_S = 3600;

/** CPU per request without the idle process's share: what each request adds. */
function netCpuPerRequest(r: CostFigures, idleCpuPercent: number): number {
  return ((r.vantageCpuPercent - idleCpuPercent) / r.requestsPerSecond) * 1e4;
}

function printCost(runs: readonly CostFigures[], idle: CostFigures, options: Options): void {
  console.log(
    `\n## CPU per request: ${options.checks} requests every ${options.intervalS} s, ` +
      `${options.durationMs / 1000} s per round after ${options.warmupMs / 1000} s of warm-up\n`,
  );
  console.log(
    markdownTable(
      [
        'round',
        'config',
        'requests',
        'req/s',
        'vantage CPU µs/request',
        'x http_2xx',
        'vantage CPU % of a core',
        'RSS MiB',
        'target CPU µs/request',
        'other processes CPU %',
        'failed runs',
        'rejected',
      ],
      runs.map((r) => [
        String(r.round),
        r.variant.name,
        String(r.requests),
        fixed(r.requestsPerSecond, 0),
        fixed(r.vantageCpuUsPerRequest, 0),
        fixed(ratioToHttp(r, runs), 2),
        fixed(r.vantageCpuPercent, 1),
        fixed(r.rssMiB, 0),
        fixed(r.targetCpuUsPerRequest, 0),
        fixed(r.otherCpuPercent, 0),
        String(r.failedRuns),
        String(r.rejected),
      ]),
    ),
  );
  const idlePercent = idle.vantageCpuPercent;
  const net = (r: CostFigures) => netCpuPerRequest(r, idlePercent);
  const httpRuns = roundsUsed(runs.filter((r) => r.variant === HTTP_VARIANT)).used;
  const httpMedian = median(httpRuns.map(cpuPerRequest));
  const httpNetMedian = median(httpRuns.map(net));
  console.log(
    `\n## Summary: median over quiet rounds (other processes <= ${BUSY_MACHINE_PERCENT} % of a core)\n`,
  );
  const rows = VARIANTS.map((variant) => {
    const all = runs.filter((r) => r.variant === variant);
    const { used, quiet } = roundsUsed(all);
    const cpu = median(used.map(cpuPerRequest));
    const paired = median(used.map((r) => ratioToHttp(r, runs)));
    const netCpu = median(used.map(net));
    return [
      variant.name + (quiet ? '' : ' *'),
      fixed(cpu, 0),
      fixed(cpu / httpMedian, 2),
      fixed(paired, 2),
      variant === HTTP_VARIANT ? '' : Number.isFinite(paired) && paired <= GOAL_RATIO ? 'met' : 'MISSED',
      fixed(netCpu, 0),
      fixed(netCpu / httpNetMedian, 2),
      `${used.length}/${all.length}`,
      String(all.reduce((n, r) => n + r.failedRuns + r.rejected, 0)),
    ];
  });
  console.log(
    markdownTable(
      [
        'config',
        'vantage CPU µs/request',
        'x http_2xx',
        'x http_2xx, same round',
        `goal <= ${GOAL_RATIO}x`,
        'net µs/request',
        'net x http_2xx',
        'rounds used',
        'failed runs + rejected',
      ],
      rows,
    ),
  );
  console.log(
    `\nnet: without vantage's idle CPU, ${fixed(idlePercent, 1)} % of a core with the same ` +
      `${options.checks} http_2xx checks every ${IDLE_INTERVAL_S} s (other processes ` +
      `${fixed(idle.otherCpuPercent, 0)} % meanwhile)`,
  );
  if (rows.some((row) => row[0]!.endsWith('*'))) console.log('\n* no quiet round: median of all rounds');
}

const cpuPerRequest = (r: CostFigures): number => r.vantageCpuUsPerRequest;

/**
 * A run's CPU per request against the http_2xx run of the same round: the configs of a round run
 * within minutes of each other, so on a machine whose load drifts this ratio is steadier than
 * one of medians. The goal is judged on its median.
 */
function ratioToHttp(r: CostFigures, runs: readonly CostFigures[]): number {
  const http = runs.find((h) => h.round === r.round && h.variant === HTTP_VARIANT);
  return http ? r.vantageCpuUsPerRequest / http.vantageCpuUsPerRequest : NaN;
}

/** Each cost config once more under --cpu-prof, summarised (the profiler's own CPU is not counted anywhere). */
async function profileCost(options: Options, server: JourneyTargetServer, workDir: string): Promise<void> {
  for (const variant of VARIANTS) {
    const dir = join(workDir, `cpu-profile-${variant.module}`);
    mkdirSync(dir, { recursive: true });
    console.log(`\nprofiling ${variant.name} for ${(options.warmupMs + options.durationMs) / 1000} s...`);
    const vantage = await startVantageWith(variant, options.checks, options.intervalS, server, workDir, dir);
    await sleep(options.warmupMs + options.durationMs);
    await stopChild(vantage.child, 15_000); // a clean exit is what writes the profile
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    const report = files
      .map((f) => `# ${join(dir, f)}\n\n${formatProfileSummary(summariseProfile(readProfile(join(dir, f))))}`)
      .join('\n\n');
    writeFileSync(join(workDir, `cpu-profile-${variant.module}.md`), report + '\n');
    console.log(report || `no .cpuprofile in ${dir} (vantage did not exit cleanly?)`);
  }
}

// --- 2. scheduler lag with 1,000 journeys ---------------------------------------------------------

async function measureLag(options: Options, server: JourneyTargetServer, workDir: string): Promise<void> {
  const requestsPerInterval = options.lagJourneys * STEPS_PER_JOURNEY;
  console.log(
    `\nlag: ${options.lagJourneys} login journeys every ${options.lagIntervalS} s ` +
      `(${fixed((requestsPerInterval * 60) / options.lagIntervalS, 0)} requests/min), ` +
      `${options.lagWarmupMs / 1000} s warm-up, ${options.lagDurationMs / 1000} s measured`,
  );
  const vantage = await startVantageWith(
    LOGIN_VARIANT,
    requestsPerInterval,
    options.lagIntervalS,
    server,
    workDir,
  );
  const pid = vantage.child.pid;
  const client = new Client(vantage.baseUrl, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  const sampler = new ResourceSampler(pid, 1000).start();
  const targetSampler = new ResourceSampler(server.child.pid, 1000).start();
  try {
    const readyMs = Date.now();
    const fromMs = readyMs + options.lagWarmupMs;
    const toMs = fromMs + options.lagDurationMs;
    // Prometheus's cadence from the start: scrapes are part of the load the scheduler sees.
    const scrapes: Scrape[] = [];
    /** Lags of scrapes whose look-back reaches before the window: start-up, shown apart. */
    const startupLags: number[] = [];
    const lags: number[] = [];
    let before: Awaited<ReturnType<typeof requestCount>> | undefined;
    for (let at = readyMs; at <= toMs; at += options.lagScrapeEveryMs) {
      await sleep(Math.max(0, at - Date.now()));
      if (before === undefined && at >= fromMs) before = await requestCount(server);
      const scrape = readScrape(await fetchScrape(client));
      if (at >= fromMs) scrapes.push(scrape);
      (at >= fromMs + LAG_LOOK_BACK_MS ? lags : startupLags).push(scrape.lagSeconds);
      console.log(
        `  t+${fixed((scrape.atMs - readyMs) / 1000, 0)} s: lag ${fixed(scrape.lagSeconds, 3)} s, ` +
          `/metrics ${fixed(scrape.ms, 0)} ms, ${fixed(scrape.bytes / 1e6, 2)} MB, ${scrape.series} series`,
      );
    }
    const after = await requestCount(server);
    sampler.stop();
    targetSampler.stop();
    const window = sampler.window(fromMs, toMs + options.lagScrapeEveryMs);
    const runsFrom = probeRuns(scrapes[0]!.body);
    const runsTo = probeRuns(scrapes[scrapes.length - 1]!.body);
    const seconds = (scrapes[scrapes.length - 1]!.atMs - scrapes[0]!.atMs) / 1000;
    const requests = after.requests - (before?.requests ?? 0);
    const lagMax = max(lags);
    console.log(
      `\n## Scheduler lag: ${options.lagJourneys} five-step journeys every ${options.lagIntervalS} s, ` +
        `${fixed(seconds, 0)} s after ${options.lagWarmupMs / 1000} s of warm-up; lag from the ` +
        `${lags.length} scrapes whose 60 s look-back lies in that window\n`,
    );
    console.log(
      markdownTable(
        ['figure', 'value'],
        [
          ['vantage_scheduler_lag_seconds p50', `${fixed(percentile(lags, 50), 3)} s`],
          ['vantage_scheduler_lag_seconds p99', `${fixed(percentile(lags, 99), 3)} s`],
          [
            'vantage_scheduler_lag_seconds max',
            `${fixed(lagMax, 3)} s (goal < ${GOAL_LAG_SECONDS} s: ${lagMax < GOAL_LAG_SECONDS ? 'met' : 'MISSED'})`,
          ],
          ['lag before that (start-up and warm-up), max', `${fixed(max(startupLags), 3)} s`],
          ['requests answered (target server)', `${requests} (${fixed((requests / seconds) * 60, 0)}/min)`],
          ['rejected by the target (4xx/5xx)', String(after.rejected - (before?.rejected ?? 0))],
          [
            'journey runs (vantage_probes_total)',
            `${runsTo.success - runsFrom.success} succeeded, ${runsTo.failure - runsFrom.failure} failed`,
          ],
          ['vantage CPU, % of a core', fixed(cpuPercentOfCore(window), 1)],
          [
            'vantage RSS, mean / peak (VmHWM)',
            `${fixed(mean(window.map((s) => s.rssMiB)), 0)} / ${fixed(peakRssMiB(pid), 0)} MiB`,
          ],
          [
            '/metrics scrape, median / max',
            `${fixed(median(scrapes.map((s) => s.ms)), 0)} / ${fixed(max(scrapes.map((s) => s.ms)), 0)} ms`,
          ],
          ['series per scrape', String(scrapes[scrapes.length - 1]!.series)],
          [
            'target server CPU, % of a core',
            fixed(cpuPercentOfCore(targetSampler.window(fromMs, toMs + options.lagScrapeEveryMs)), 1),
          ],
        ],
      ),
    );
    console.log(
      '\nEach lag value is the gauge at a scrape: the largest delay between a journey being due and ' +
        'starting over the 60 s before it; p50/p99/max are over the scrapes taken at least 60 s ' +
        'into the window.',
    );
    writeFileSync(join(workDir, 'lag-last-scrape.prom'), scrapes[scrapes.length - 1]!.body);
  } finally {
    sampler.stop();
    targetSampler.stop();
    await client.close();
    await stopChild(vantage.child);
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const workDir = makeWorkDir('journey');
  console.log(`work directory (configs, logs): ${workDir}`);
  const server = await startJourneyTargetServer(workDir);
  console.log(`journey target server ${server.baseUrl} (pid ${server.child.pid})`);
  if (options.only !== 'lag') {
    process.stdout.write(`idle: ${options.checks} http_2xx checks every ${IDLE_INTERVAL_S} s... `);
    const idle = await measureCost(HTTP_VARIANT, 0, options, server, workDir, IDLE_INTERVAL_S);
    console.log(`${fixed(idle.vantageCpuPercent, 1)} % of a core, ${idle.requests} requests`);
    const runs: CostFigures[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      // Rotate the order, so drift in the machine's load does not always favour the same config.
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round - 1) % VARIANTS.length]!);
      for (const variant of order) {
        process.stdout.write(`round ${round}: ${variant.name}... `);
        const figures = await measureCost(variant, round, options, server, workDir);
        console.log(
          `${figures.requests} requests, ${fixed(figures.vantageCpuUsPerRequest, 0)} µs CPU/request, ` +
            `${figures.failedRuns} failed runs, ${figures.rejected} rejected`,
        );
        runs.push(figures);
        await sleep(1000); // let sockets close before the next config
      }
    }
    printCost(runs, idle, options);
    if (options.profile) await profileCost(options, server, workDir);
  }
  if (options.only !== 'cost') await measureLag(options, server, workDir);
  await stopChild(server.child);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
