/**
 * What a body regexp costs per MB of body on RE2 (the engine vantage runs user patterns on, via
 * src/config/regex.ts) against JavaScript's RegExp (the engine it used before), in one run.
 *
 *   npx tsx bench/regex-engine.ts [--sizes=64KiB,1MiB,10MiB] [--cap=5] [--min-ms=200]
 *
 * Each engine gets what the prober gave it: RE2 the body's UTF-8 bytes (a Buffer), RegExp the body
 * decoded to a string (the decoding is not timed). RegExp runs in a worker thread that is
 * terminated after `--cap` seconds, because a backtracking engine may not finish at all: such a
 * case prints "did not finish in N s", and the benchmark always terminates. Each measurement is
 * repeated until `--min-ms` have passed (at least once), and the median is printed.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { compileRegex } from '../src/config/regex.js';
import { parseByteSize } from '../src/config/duration.js';
import { fixed, markdownTable, median } from './lib/stats.js';

const RE2_VERSION = (createRequire(import.meta.url)('re2/package.json') as { version: string }).version;

interface Case {
  name: string;
  pattern: string;
  /** The body, `bytes` long. */
  body(bytes: number): Buffer;
}

/** `text` repeated to `bytes` bytes, then `tail` overwriting its end. */
function filled(bytes: number, text: string, tail = ''): Buffer {
  const body = Buffer.alloc(bytes, text);
  body.write(tail, bytes - Buffer.byteLength(tail));
  return body;
}

const HTML = '<div class="product"><a href="/p/123">Widget</a><span>12.50 EUR</span></div>\n';
const JSON_ITEMS = '{"id": 17, "name": "widget", "price": 12.5, "tags": ["a", "b"]}, ';
const HEADERS = 'Cache-Control: public, max-age=600\r\nContent-Type: text/html\r\nVary: Accept-Encoding\r\n';

const CASES: Case[] = [
  {
    name: 'literal, at the end of an HTML page',
    pattern: 'status: ok',
    body: (n) => filled(n, HTML, 'status: ok\n'),
  },
  {
    name: '(?s) JSON status, matching',
    pattern: '(?s).*"status":\\s*"ok".*',
    body: (n) => filled(n, JSON_ITEMS, '"status": "ok"}\n'),
  },
  {
    name: '(?s) JSON status, no match',
    pattern: '(?s).*"status":\\s*"ok".*',
    body: (n) => filled(n, JSON_ITEMS, '"status": "degraded"}\n'),
  },
  {
    name: 'header-ish, case-insensitive, no match',
    pattern: '(?i)cache-control:[^\\r\\n]*no-store',
    body: (n) => filled(n, HEADERS),
  },
  {
    name: 'pathological: (a+)+$ on a...ab',
    pattern: '(a+)+$',
    body: (n) => filled(n, 'a', 'b'),
  },
  {
    name: 'pathological: (x+x+)+y on x...x',
    pattern: '(x+x+)+y',
    body: (n) => filled(n, 'x'),
  },
  {
    name: "RE2's worst: a.{30}b (DFA blowup) on random a/b",
    pattern: '(?s)a.{30}b',
    body: (n) => {
      // A fixed sequence (xorshift), so runs compare; `c` keeps the pattern from ever matching.
      let x = 2463534242;
      const body = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        body[i] = (x & 1) === 0 ? 0x61 : 0x63;
      }
      return body;
    },
  },
];

function options(): { sizes: number[]; capSeconds: number; minMs: number } {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '64KiB,1MiB,10MiB' },
      cap: { type: 'string', default: '5' },
      'min-ms': { type: 'string', default: '200' },
    },
  });
  const sizes = values.sizes.split(',').map((s) => {
    const bytes = parseByteSize(s);
    if (bytes === undefined || bytes <= 0) throw new Error(`not a size: ${s}`);
    return bytes;
  });
  return { sizes, capSeconds: Number(values.cap), minMs: Number(values['min-ms']) };
}

/** Repeats `run` until `minMs` have passed (at least once) and returns the median time in ms. */
function timeMedian(run: () => unknown, minMs: number): number {
  const times: number[] = [];
  const start = performance.now();
  do {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  } while (performance.now() - start < minMs && times.length < 50);
  return median(times);
}

/**
 * The previous engine, in plain JavaScript so the worker needs no TypeScript loader: vantage turned
 * a leading RE2 flag group into RegExp flags and compiled the rest as a JavaScript pattern.
 */
const REGEXP_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { pattern, body, minMs } = workerData;
let source = pattern;
const flags = new Set();
for (let m = /^\\(\\?([ims]+)\\)/.exec(source); m; m = /^\\(\\?([ims]+)\\)/.exec(source)) {
  for (const f of m[1]) flags.add(f);
  source = source.slice(m[0].length);
}
const re = new RegExp(source, [...flags].join(''));
const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
const times = [];
const start = performance.now();
let matched;
do {
  const t = performance.now();
  matched = re.test(text);
  times.push(performance.now() - t);
} while (performance.now() - start < minMs && times.length < 50);
times.sort((a, b) => a - b);
parentPort.postMessage({ ms: times[Math.floor((times.length - 1) / 2)], matched });
`;

/** RegExp's median time in ms, or undefined when it did not finish within the cap. */
function timeRegExp(
  pattern: string,
  body: Buffer,
  capSeconds: number,
  minMs: number,
): Promise<{ ms: number; matched: boolean } | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(REGEXP_WORKER, { eval: true, workerData: { pattern, body, minMs } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(undefined);
    }, capSeconds * 1000);
    worker.once('message', (m: { ms: number; matched: boolean }) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

async function main(): Promise<void> {
  const { sizes, capSeconds, minMs } = options();
  console.log(
    `regex engines: RE2 (re2 ${RE2_VERSION}) vs RegExp (V8 ${process.versions.v8}, node ${process.version}); ` +
      `RegExp capped at ${capSeconds} s per measurement\n`,
  );
  const rows: string[][] = [];
  for (const c of CASES) {
    const re2 = compileRegex(c.pattern);
    for (const size of sizes) {
      const body = c.body(size);
      const mb = size / 1e6;
      let re2Matched = false;
      const re2Ms = timeMedian(() => (re2Matched = re2.test(body)), minMs);
      const js = await timeRegExp(c.pattern, body, capSeconds, minMs);
      const agree = js === undefined ? '' : js.matched === re2Matched ? '' : ' (verdicts differ!)';
      rows.push([
        c.name,
        sizeLabel(size),
        re2Matched ? 'yes' : 'no',
        fixed(re2Ms, 2),
        fixed(re2Ms / mb, 2),
        js === undefined ? `did not finish in ${capSeconds} s` : `${fixed(js.ms, 2)}${agree}`,
        js === undefined ? '-' : fixed(js.ms / mb, 2),
      ]);
      console.error(`  done: ${c.name}, ${sizeLabel(size)}`);
    }
  }
  console.log(
    markdownTable(
      ['pattern and body', 'body', 'match', 'RE2 ms', 'RE2 ms/MB', 'RegExp ms', 'RegExp ms/MB'],
      rows,
    ),
  );
}

await main();
