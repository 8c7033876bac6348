/**
 * Micro-benchmark of the /metrics serializer alone: `LatestResults` (src/metrics) holding the
 * latest result of N checks, timed in this process with no prober, server or scheduler. It
 * answers in seconds what `scale-10k.ts` answers in minutes: how long `render()` takes, how
 * big the body is, and how much heap the stored results cost per check.
 *
 *   npx tsx bench/metrics-render.ts [--checks=10000] [--probes=3] [--runs=7]
 *
 * The results are synthetic but shaped like a successful plain-HTTP probe (the same samples
 * and a six-line trace), so the figures track what a real 10,000-target vantage stores.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { LatestResults, type CheckIdentity } from '../src/metrics/latestResults.js';
import { httpFamilies as f, PHASE_LABELS } from '../src/probers/http/families.js';
import type { ProbeResult, Sample } from '../src/probers/types.js';
import { fixed, markdownTable, max, median } from './lib/stats.js';

// A forced GC makes "heap used by the stored results" a live-set figure, not a GC-timing accident.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function options(): { checks: number; probes: number; runs: number } {
  const { values } = parseArgs({
    options: {
      checks: { type: 'string', default: '10000' },
      probes: { type: 'string', default: '3' },
      runs: { type: 'string', default: '7' },
    },
  });
  return { checks: Number(values.checks), probes: Number(values.probes), runs: Number(values.runs) };
}

function identity(i: number): CheckIdentity {
  const target = `t-${String(i).padStart(5, '0')}`;
  return {
    key: `${target}/http_2xx`,
    target,
    module: 'http_2xx',
    staticLabels: {},
    latencyThresholdSeconds: 2,
    probeSeries: true, // an HTTP check: probe_success, the counters and the duration histogram
  };
}

/** What the HTTP prober returns for a successful probe of a plain-HTTP page. */
function syntheticResult(i: number): ProbeResult {
  const ms = () => Math.random() / 1000;
  const samples: Sample[] = [
    ...(['resolve', 'connect', 'processing', 'transfer'] as const).map((phase) => ({
      family: f.durationSeconds,
      labels: PHASE_LABELS[phase],
      value: ms(),
    })),
    { family: f.dnsLookupTimeSeconds, value: ms() },
    { family: f.ipProtocol, value: 4 },
    { family: f.statusCode, value: 200 },
    { family: f.contentLength, value: 122 },
    { family: f.uncompressedBodyLength, value: 122 },
    { family: f.redirects, value: 0 },
    { family: f.httpVersion, value: 1.1 },
    { family: f.failedDueToRegex, value: 0 },
    { family: f.ssl, value: 0 },
  ];
  const url = `http://127.0.0.1:8080/page/${i}`;
  const trace = [
    `GET ${url} (user-agent: vantage/0.1.0)`,
    'resolving 127.0.0.1: IP address, no DNS lookup',
    `resolved to 127.0.0.1 (ip4) in ${fixed(ms() * 1000, 1)}ms`,
    `connected to 127.0.0.1:8080 in ${fixed(ms() * 1000, 1)}ms`,
    `GET ${url} -> 200 HTTP/1.1 (processing ${fixed(ms() * 1000, 1)}ms)`,
    `read 122 body bytes in ${fixed(ms() * 1000, 1)}ms`,
  ].map((message, n) => ({ atMs: n, message }));
  return { success: true, durationSeconds: ms(), startedAtMs: Date.now(), samples, trace };
}

function heapUsedMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function main(): void {
  const o = options();
  const heapBefore = heapUsedMiB();
  const results = new LatestResults();
  const identities = Array.from({ length: o.checks }, (_, i) => identity(i));
  results.sync(identities);
  const t0 = performance.now();
  for (let p = 0; p < o.probes; p++)
    identities.forEach((id, i) => results.record(id.key, syntheticResult(i)));
  const recordUs = ((performance.now() - t0) * 1000) / (o.checks * o.probes);
  const heapPerCheckKiB = ((heapUsedMiB() - heapBefore) * 1024) / o.checks;

  const renderMs: number[] = [];
  const bufferMs: number[] = [];
  let bytes = 0;
  let series = 0;
  for (let r = 0; r < o.runs; r++) {
    const t1 = performance.now();
    const body = results.render();
    const t2 = performance.now();
    // What the HTTP layer does next with a string body (express `res.send`): one big copy.
    bytes = Buffer.from(body, 'utf8').length;
    bufferMs.push(performance.now() - t2);
    renderMs.push(t2 - t1);
    series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  }
  console.log(`LatestResults with ${o.checks} checks, ${o.probes} probes each, ${o.runs} renders\n`);
  console.log(
    markdownTable(
      ['figure', 'value'],
      [
        ['render() median ms', fixed(median(renderMs), 1)],
        ['render() max ms', fixed(max(renderMs), 1)],
        ['string to Buffer median ms', fixed(median(bufferMs), 1)],
        ['body MB', fixed(bytes / 1e6, 2)],
        ['series', String(series)],
        ['series per check', fixed(series / o.checks, 1)],
        ['heap per check KiB (stored results, after GC)', fixed(heapPerCheckKiB, 1)],
        ['record() per result, µs', fixed(recordUs, 1)],
      ],
    ),
  );
}

main();
