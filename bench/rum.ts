/**
 * What field data costs (issue 17): how many beacons per second POST /rum/v1/beacon takes, at what
 * latency, beside a bare node:http server that only reads the body and answers 204 (the physical
 * limit of this machine and this load generator), and whether vantage's memory stays flat over
 * 1,000,000 beacons from 100,000 sessions. Everything on 127.0.0.1.
 *
 *   npm run bench:rum -- [--connections=4,16,64,256] [--step-duration=10] [--warmup=15]
 *                        [--beacons=1000000] [--checkpoints=100000,250000,500000,750000]
 *                        [--memory-connections=64] [--memory-max-seconds=420]
 *                        [--only=throughput|memory] [--profile]
 *
 * The beacons (lib/beacons.ts) are valid and realistic: all five vitals spread around the Core Web
 * Vitals thresholds, attribution, session start/engaged/end, a goal, paths over four page groups
 * and "other", phone, tablet and desktop User-Agents, the site's Origin, `text/plain` as
 * navigator.sendBeacon sends it. Every beacon comes from its own client address in
 * X-Forwarded-For, and the config lists 127.0.0.1 in `rum.trusted_proxies`, so the per-client rate
 * limit (left at its defaults) is exercised on every beacon and never refuses one.
 *
 * The load generator is autocannon in a process of its own (lib/beaconLoad.ts), in closed loop:
 * N kept-alive connections, each sending its next beacon when the previous one is answered. The
 * server under test and the load generator share the machine's two cores, so both figures are
 * lower than either would reach alone; the bare server pays the same tax, which is why it runs in
 * the same run. (autocannon's `overallRate` is not used: it sends each connection's quota for a
 * second back to back at the start of the second, then idles, a burst rather than a rate.)
 *
 * 1. Throughput. vantage (`bin/vantage.js`, built dist/, a config with one rum site and no
 *    targets, so nothing else runs) and the bare server (lib/bareBeaconServer.mjs) run side by
 *    side; after `--warmup` seconds of beacons to each (so V8 has compiled the hot path), for each
 *    connection count, each server in turn (the order alternates) gets `--step-duration` seconds
 *    of beacons: beacons/s answered 2xx, p50/p99/max latency (ms, autocannon's HDR histogram),
 *    non-2xx and errors, the server's CPU (% of one core, and CPU per beacon), the load
 *    generator's CPU and what the rest of the machine used meanwhile. The summary: per server, the
 *    highest rate whose step had p99 < 50 ms and no error or non-2xx. Goal (issue 17): vantage
 *    5,000 beacons/s sustained with p99 under 50 ms.
 * 2. Memory. A fresh vantage gets `--beacons` beacons (100,000 distinct sessions, every beacon a
 *    distinct client address: the rate limiter's LRU of 100,000 addresses fills, then churns) over
 *    `--memory-connections` connections, in pieces ending at the checkpoints; its RSS after each
 *    (and its peak, sampled every 500 ms) and the growth from the first checkpoint to the last. The
 *    collector keeps no session state: the growth should be about nothing. `--memory-max-seconds`
 *    bounds the phase: it stops at the last checkpoint that fits.
 * 3. The /metrics scrape at the end: its size, series, `vantage_rum_series`, refusals by reason
 *    (all zero for valid beacons) and page views counted against page views sent.
 *
 * `--profile` runs vantage under `node --cpu-prof` in the throughput phase and prints where its
 * main thread's time went (the profiler costs CPU itself: quote figures of a run without it).
 * Figures are printed, never asserted. Every child is stopped at the end, on errors and on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProfileSummary, readProfile, summariseProfile } from './lib/cpuProfile.js';
import { isPageView, RUM_SITE_CONFIG } from './lib/beacons.js';
import type { LoadResult } from './lib/beaconLoad.js';
import { freePort, spawnChild, stopAll, stopChild, waitForHttp, type Child } from './lib/children.js';
import { HOST, makeWorkDir, REPO_ROOT, startVantage } from './lib/exporters.js';
import { samplesOf, seriesCount, singleValue } from './lib/exposition.js';
import {
  cpuSeconds,
  machineBusySeconds,
  ownCpuSeconds,
  peakRssMiB,
  ResourceSampler,
  rssMiB,
} from './lib/procfs.js';
import { fixed, markdownTable, max } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '4,16,64,256' },
    'step-duration': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '15' },
    beacons: { type: 'string', default: '1000000' },
    checkpoints: { type: 'string', default: '100000,250000,500000,750000' },
    'memory-connections': { type: 'string', default: '64' },
    'memory-max-seconds': { type: 'string', default: '420' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const CONNECTIONS = args.connections.split(',').map(Number);
const STEP_S = Number(args['step-duration']);
const WARMUP_S = Number(args.warmup);
const TOTAL_BEACONS = Number(args.beacons);
const CHECKPOINTS = [
  ...args.checkpoints
    .split(',')
    .map(Number)
    .filter((n) => n < TOTAL_BEACONS),
  TOTAL_BEACONS,
];
const MEMORY_CONNECTIONS = Number(args['memory-connections']);
const MEMORY_MAX_S = Number(args['memory-max-seconds']);
const GOAL_RATE = 5000;
const GOAL_P99_MS = 50;

const BEACON_PATH = '/rum/v1/beacon';
const RUM_CONFIG = {
  sites: [RUM_SITE_CONFIG],
  // The load generator's connections come from 127.0.0.1: its X-Forwarded-For is believed, so
  // each beacon's client is the address it names, and the rate limit applies per address.
  trusted_proxies: ['127.0.0.1/32'],
};

interface Server {
  name: 'vantage' | 'bare node:http';
  child: Child;
  beaconUrl: string;
  baseUrl: string;
}

const workDir = makeWorkDir('rum');
console.log(`work directory: ${workDir}`);
console.log(`started ${new Date().toISOString()}; other busy processes now:\n${busyProcesses()}`);

/** The processes using CPU (ps: %CPU is each one's average over its life), to say what shared the machine. */
function busyProcesses(): string {
  try {
    const lines = execFileSync('ps', ['-eo', 'pcpu,etime,args', '--sort=-pcpu'], { encoding: 'utf8' })
      .split('\n')
      .slice(1)
      .filter((line) => Number(line.trim().split(/\s+/, 1)[0]) >= 5 && !line.includes('ps -eo'));
    return lines.length === 0
      ? '  (none above 5 % of a core)'
      : lines.map((line) => `  ${line.trim().slice(0, 140)}`).join('\n');
  } catch {
    return '  (ps unavailable)';
  }
}

async function startBare(): Promise<Server> {
  const port = await freePort();
  const child = spawnChild({
    name: 'bare-beacon-server',
    command: process.execPath,
    args: [join(REPO_ROOT, 'bench/lib/bareBeaconServer.mjs'), String(port)],
    cwd: workDir,
    logDir: workDir,
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(child, `${baseUrl}/`);
  return { name: 'bare node:http', child, baseUrl, beaconUrl: `${baseUrl}${BEACON_PATH}` };
}

async function startVantageWithRum(name: string, profileDir?: string): Promise<Server> {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const running = await startVantage({
    workDir: dir,
    targets: [],
    interval: '60s',
    sections: { rum: RUM_CONFIG },
    ...(profileDir ? { cpuProfileDir: profileDir } : {}),
  });
  return {
    name: 'vantage',
    child: running.child,
    baseUrl: running.baseUrl,
    beaconUrl: `${running.baseUrl}${BEACON_PATH}`,
  };
}

/** The beacon index the next load run starts at: the stream goes on across runs and servers. */
let nextBeacon = 0;
let loadRuns = 0;

/** One autocannon run in its own process; the offset moves on by the beacons it built. */
async function load(
  server: Server,
  connections: number,
  limit: { durationS: number } | { amount: number },
): Promise<LoadResult> {
  const out = join(workDir, `load-${++loadRuns}.json`);
  const child = spawnChild({
    name: 'beacon-load',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench/lib/beaconLoad.ts'),
      server.beaconUrl,
      String(connections),
      'durationS' in limit ? `--duration=${limit.durationS}` : `--amount=${limit.amount}`,
      `--offset=${nextBeacon}`,
      `--out=${out}`,
    ],
    cwd: REPO_ROOT,
    logDir: workDir,
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`load generator exited with ${code}: see ${child.logFile}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
  nextBeacon += result.sent;
  return result;
}

interface Step {
  server: Server['name'];
  connections: number;
  result: LoadResult;
  rate: number;
  serverCpuS: number;
  /** Machine-wide busy CPU seconds minus the server, the load generator and the bench itself. */
  otherCpuS: number;
  wallS: number;
}

async function step(server: Server, connections: number, durationS: number): Promise<Step> {
  const t0 = performance.now();
  const cpu0 = cpuSeconds(server.child.pid);
  const machine0 = machineBusySeconds();
  const own0 = ownCpuSeconds();
  const result = await load(server, connections, { durationS });
  const wallS = (performance.now() - t0) / 1000;
  const serverCpuS = cpuSeconds(server.child.pid) - cpu0;
  const otherCpuS =
    machineBusySeconds() - machine0 - serverCpuS - result.totalCpuS - (ownCpuSeconds() - own0);
  return {
    server: server.name,
    connections,
    result,
    rate: result.ok2xx / result.durationS,
    serverCpuS,
    otherCpuS,
    wallS,
  };
}

const pct = (cpuS: number, wallS: number) => fixed((cpuS / wallS) * 100, 0);

function stepRow(s: Step): string[] {
  const r = s.result;
  return [
    s.server,
    String(s.connections),
    fixed(s.rate, 0),
    fixed(r.latencyMs.p50, 1),
    fixed(r.latencyMs.p99, 1),
    fixed(r.latencyMs.max, 0),
    String(r.non2xx),
    String(r.errors + r.timeouts),
    pct(s.serverCpuS, s.wallS),
    fixed((s.serverCpuS / Math.max(1, r.sent)) * 1e6, 0),
    pct(r.cpuS, r.durationS),
    pct(Math.max(0, s.otherCpuS), s.wallS),
  ];
}

const STEP_HEADER = [
  'server',
  'connections',
  'beacons/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'non-2xx',
  'errors',
  'server CPU %',
  'CPU µs/beacon',
  'load gen CPU %',
  'other CPU %',
];

async function throughputPhase(): Promise<void> {
  const t0 = performance.now();
  const profileDir = args.profile ? join(workDir, 'cpu-profile') : undefined;
  const servers = [await startBare(), await startVantageWithRum('vantage-throughput', profileDir)];
  console.log(
    `\n## 1. Throughput: closed loop, ${STEP_S} s per step, after ${WARMUP_S} s of warm-up per server`,
  );
  for (const server of servers) {
    const w = await load(server, 64, { durationS: WARMUP_S });
    console.log(
      `warm-up ${server.name}: ${w.ok2xx} beacons answered 2xx, ${w.non2xx} non-2xx, ${w.errors} errors`,
    );
  }
  const steps: Step[] = [];
  for (const [n, connections] of CONNECTIONS.entries()) {
    const order = n % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const s = await step(server, connections, STEP_S);
      steps.push(s);
      console.log(markdownTable(STEP_HEADER, [stepRow(s)]).split('\n')[2]);
      if (s.result.non2xx > 0) console.log(`  status codes: ${JSON.stringify(s.result.statusCodes)}`);
    }
  }
  console.log(`\n${markdownTable(STEP_HEADER, steps.map(stepRow))}`);
  console.log(
    "\nserver CPU % and load gen CPU %: of one core over the step; CPU µs/beacon: the server's CPU over the step / beacons sent in it; other CPU %: the rest of the machine meanwhile (of one core; 200 % is both cores).",
  );
  console.log('\nHighest rate with p99 < 50 ms and no error or non-2xx answer:');
  const best = new Map<string, Step | undefined>();
  for (const server of servers) {
    const ok = steps.filter(
      (s) =>
        s.server === server.name &&
        s.result.latencyMs.p99 < GOAL_P99_MS &&
        s.result.non2xx === 0 &&
        s.result.errors + s.result.timeouts === 0,
    );
    const top = ok.sort((a, b) => b.rate - a.rate)[0];
    best.set(server.name, top);
    console.log(
      top
        ? `  ${server.name}: ${fixed(top.rate, 0)} beacons/s (${top.connections} connections, p50 ${fixed(top.result.latencyMs.p50, 1)} ms, p99 ${fixed(top.result.latencyMs.p99, 1)} ms)`
        : `  ${server.name}: no step met it`,
    );
  }
  const v = best.get('vantage');
  const bare = best.get('bare node:http');
  if (v && bare) console.log(`  vantage / bare: ${fixed((v.rate / bare.rate) * 100, 0)} %`);
  console.log(
    `  goal (issue 17): >= ${GOAL_RATE} beacons/s with p99 < ${GOAL_P99_MS} ms: ${v && v.rate >= GOAL_RATE ? 'met' : 'MISSED'}`,
  );
  await printScrape(servers[1]!, 'after the throughput phase');
  for (const server of servers) await stopChild(server.child);
  if (profileDir) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
      console.log(`\n### CPU profile of vantage (${file})\n`);
      console.log(formatProfileSummary(summariseProfile(readProfile(join(profileDir, file)), 30)));
    }
  }
  console.log(`\nthroughput phase took ${fixed((performance.now() - t0) / 1000, 0)} s`);
}

async function memoryPhase(): Promise<void> {
  const t0 = performance.now();
  const vantage = await startVantageWithRum('vantage-memory');
  console.log(
    `\n## 2. Memory: ${TOTAL_BEACONS.toLocaleString('en')} beacons, 100,000 distinct sessions, every beacon its own client address, ${MEMORY_CONNECTIONS} connections`,
  );
  const sampler = new ResourceSampler(vantage.child.pid, 500).start();
  const startRss = rssMiB(vantage.child.pid);
  const rows: string[][] = [
    ['start (idle, ready)', '-', fixed(startRss, 1), fixed(peakRssMiB(vantage.child.pid), 1), '-', '-', '-'],
  ];
  const checkpointRss: number[] = [];
  let sent = 0;
  let answered = 0;
  let refused = 0;
  const cpu0 = cpuSeconds(vantage.child.pid);
  let stoppedEarly = false;
  nextBeacon = 0;
  for (const checkpoint of CHECKPOINTS) {
    const elapsedS = (performance.now() - t0) / 1000;
    const rateSoFar = sent / Math.max(1, elapsedS);
    if (sent > 0 && elapsedS + (checkpoint - sent) / rateSoFar > MEMORY_MAX_S) {
      stoppedEarly = true;
      console.log(
        `stopping before ${checkpoint.toLocaleString('en')}: at ${fixed(rateSoFar, 0)} beacons/s it would end past --memory-max-seconds=${MEMORY_MAX_S}`,
      );
      break;
    }
    const pieceStart = performance.now();
    const result = await load(vantage, MEMORY_CONNECTIONS, { amount: checkpoint - sent });
    const pieceS = (performance.now() - pieceStart) / 1000;
    sent = nextBeacon;
    answered += result.ok2xx;
    refused += result.non2xx + result.errors + result.timeouts;
    const rss = rssMiB(vantage.child.pid);
    checkpointRss.push(rss);
    rows.push([
      checkpoint.toLocaleString('en'),
      fixed((performance.now() - t0) / 1000, 0),
      fixed(rss, 1),
      fixed(peakRssMiB(vantage.child.pid), 1),
      fixed(result.ok2xx / result.durationS, 0),
      fixed(result.latencyMs.p99, 1),
      String(result.non2xx + result.errors + result.timeouts),
    ]);
    console.log(`  ${rows.at(-1)!.join('  ')}   (piece: ${fixed(pieceS, 0)} s)`);
  }
  sampler.stop();
  console.log(
    `\n${markdownTable(['beacons sent', 'at s', 'RSS MiB', 'peak RSS MiB', 'beacons/s', 'p99 ms', 'not 2xx'], rows)}`,
  );
  const growth = checkpointRss.length >= 2 ? checkpointRss.at(-1)! - checkpointRss[0]! : NaN;
  console.log(
    `\nRSS growth from ${CHECKPOINTS[0]!.toLocaleString('en')} to ${sent.toLocaleString('en')} beacons: ${fixed(growth, 1)} MiB; largest RSS sampled (every 500 ms): ${fixed(max(sampler.samples.map((s) => s.rssMiB)), 1)} MiB; vantage CPU over the phase: ${fixed(cpuSeconds(vantage.child.pid) - cpu0, 1)} s (${fixed(((cpuSeconds(vantage.child.pid) - cpu0) / sent) * 1e6, 0)} µs/beacon)`,
  );
  console.log(
    `beacons sent ${sent}, answered 2xx ${answered}, not 2xx or failed ${refused}${stoppedEarly ? ' (stopped early)' : ''}`,
  );
  await printScrape(vantage, 'after the memory phase', sent);
  await stopChild(vantage.child);
  console.log(`\nmemory phase took ${fixed((performance.now() - t0) / 1000, 0)} s`);
}

/** Section 3: the exposition vantage serves after the beacons. */
async function printScrape(server: Server, when: string, pageViewsOf?: number): Promise<void> {
  const t0 = performance.now();
  const res = await fetch(`${server.baseUrl}/metrics`);
  const body = await res.text();
  const ms = performance.now() - t0;
  const rum = body.split('\n').filter((line) => line.startsWith('rum_')).length;
  const rejected = samplesOf(body, new Set(['vantage_rum_beacons_rejected_total']))
    .filter((s) => s.value > 0)
    .map((s) => `${s.labels.reason}=${s.value}`);
  const pageViews = samplesOf(body, new Set(['rum_page_views_total'])).reduce((a, s) => a + s.value, 0);
  const ends = samplesOf(body, new Set(['rum_session_duration_seconds_count'])).reduce(
    (a, s) => a + s.value,
    0,
  );
  console.log(
    `\n/metrics ${when}: ${fixed(Buffer.byteLength(body) / 1024, 0)} KiB, ${seriesCount(body)} series (${rum} rum_* sample lines), vantage_rum_series ${singleValue(body, 'vantage_rum_series')} (limit ${singleValue(body, 'vantage_rum_series_limit')}), scraped in ${fixed(ms, 0)} ms`,
  );
  console.log(
    `  counted: ${pageViews} page views, ${ends} session ends; refusals: ${rejected.length === 0 ? 'none' : rejected.join(', ')}`,
  );
  if (pageViewsOf !== undefined) {
    let expected = 0;
    for (let i = 0; i < pageViewsOf; i++) if (isPageView(i)) expected++;
    console.log(`  page views sent: ${expected} (the difference: beacons sent but not counted)`);
  }
}

const started = performance.now();
try {
  if (args.only !== 'memory') await throughputPhase();
  if (args.only !== 'throughput') await memoryPhase();
} finally {
  await stopAll();
}
console.log(
  `\nwhole run: ${fixed((performance.now() - started) / 1000, 0)} s; busy processes at the end:\n${busyProcesses()}`,
);
