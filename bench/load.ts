/**
 * Does `vantage load`'s generator hold the rate it is asked for? Each rate runs twice against the
 * same local target, side by side in one run: once through vantage's step runner (what `vantage
 * load` runs for each step: autocannon runs phased over the second, src/load/stepRunner.ts) and
 * once through autocannon's own CLI (`autocannon -R RATE -c CONNECTIONS -d SECONDS --json`), the
 * peer it is built on. The target is bench/lib/targetServer.ts in its own process, answering 200
 * at once, so the figures are the generators' limits, not the target's.
 *
 *   npm run bench:load [-- --rates=250,500,1000,2000 --seconds=8 --connections=200]
 *
 * Prints, per rate: the achieved rate of each (requests answered / seconds), whether vantage is
 * within 5 % of the request, the error ratio and p99 latency of each, and the machine's load
 * average (a 2-core machine shared with other work: the figures mean little when it is high).
 * Bounded: rates x 2 x (seconds + ~2 s), about 80 s with the defaults.
 */
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runStep } from '../src/load/stepRunner.js';
import { fixed, markdownTable } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '250,500,1000,2000' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '200' },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const maxConnections = Number(values.connections);
const ROOT = join(import.meta.dirname, '..');

async function startTarget(): Promise<{ url: string; stop(): void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/lib/targetServer.ts'), String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

interface Figures {
  achieved: number;
  errorRatio: number;
  p99Ms: number;
}

async function vantage(url: string, rate: number): Promise<Figures> {
  const { step } = await runStep({
    url,
    index: 1,
    rate,
    connections: Math.min(maxConnections, rate),
    durationMs: seconds * 1000,
    sloLatencySeconds: 1,
    judge: () => null,
    signal: new AbortController().signal,
  });
  return { achieved: step.achievedRate, errorRatio: step.errorRatio, p99Ms: step.p99Seconds * 1000 };
}

function autocannonCli(url: string, rate: number): Figures {
  const run = spawnSync(
    join(ROOT, 'node_modules/.bin/autocannon'),
    ['-R', String(rate), '-c', String(Math.min(maxConnections, rate)), '-d', String(seconds), '--json', url],
    { encoding: 'utf8', timeout: (seconds + 30) * 1000 },
  );
  const result = JSON.parse(run.stdout) as {
    requests: { total: number };
    duration: number;
    errors: number;
    non2xx: number;
    latency: { p99: number };
  };
  const answered = result.requests.total + result.errors;
  return {
    achieved: result.requests.total / result.duration,
    errorRatio: answered === 0 ? 0 : (result.errors + result.non2xx) / answered,
    p99Ms: result.latency.p99,
  };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
console.log(`load average at start: ${load()} (${seconds} s per run, at most ${maxConnections} connections)`);
const target = await startTarget();
const rows: string[][] = [];
try {
  for (const rate of rates) {
    const ours = await vantage(target.url, rate);
    const peer = autocannonCli(target.url, rate);
    const off = (ours.achieved - rate) / rate;
    rows.push([
      String(rate),
      fixed(ours.achieved, 1),
      `${off >= 0 ? '+' : ''}${fixed(off * 100, 1)} %${Math.abs(off) <= 0.05 ? '' : ' (outside 5 %)'}`,
      fixed(peer.achieved, 1),
      fixed(ours.errorRatio * 100, 2),
      fixed(peer.errorRatio * 100, 2),
      fixed(ours.p99Ms, 1),
      fixed(peer.p99Ms, 1),
    ]);
    console.error(`done: ${rate} requests/s (load ${load()})`);
  }
} finally {
  target.stop();
}
console.log(
  markdownTable(
    [
      'requested/s',
      'vantage achieved/s',
      'vantage vs requested',
      'autocannon CLI achieved/s',
      'vantage errors %',
      'autocannon errors %',
      'vantage p99 ms',
      'autocannon p99 ms',
    ],
    rows,
  ),
);
console.log(`load average at end: ${load()}`);
