/**
 * vantage's Lighthouse prober against the Lighthouse CLI on the same local pages, one audit at a time:
 * wall time per audit, peak memory of the whole process tree, and how far the performance score moves
 * between batches of the same page.
 *
 *   npm run build && npx tsx bench/lighthouse-vs-cli.ts [--n=5] [--warmup=1] [--batches=5] [--batch-runs=3]
 *
 * --n           audits per tool and page (light, heavy), alternating vantage and the CLI (the order flips
 *               every round, so neither always runs second); mobile, simulate, four categories, 1 run
 * --warmup      uncounted audits per tool before the first round (Chrome's files into the page cache)
 * --batches     vantage batches of the heavy page for the score spread (0 skips that part)
 * --batch-runs  runs per batch for the score spread
 *
 * vantage is the compiled prober (dist/, so its worker path resolves as in production), timed around
 * lighthouseProber(): worker fork, Chrome launch, audit, reports, teardown. The CLI is
 * `node node_modules/lighthouse/cli/index.js`, timed from spawn to exit (and to its JSON report on disk),
 * with CHROME_PATH=/usr/bin/chromium.
 *
 * Memory: PSS (/proc/<pid>/smaps_rollup) summed over the process tree every 100 ms during each audit.
 * vantage: this process (prober, page server, tsx) + the Lighthouse worker + every Chrome process. CLI: the
 * CLI's node process + every Chrome process. Processes are found by parent pid, plus Chrome processes that
 * left the tree (crashpad's handler) by the directory named on their command line.
 *
 * Never two audits at once: the machine has two cores, and a second audit would be in the figures. Before
 * each audit the script waits while another benchmark, test run or npm install is going (every 20 s, up to
 * 15 min), and it repeats (up to 3 attempts) an audit that failed or during which the rest of the machine
 * used over 15 % of a core. Figures are printed, never asserted. Every child and Chrome is gone at the end
 * (checked, killed if not, and counted after each audit).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as SchemaApi from '../src/config/schema.js';
import type * as ProberApi from '../src/probers/lighthouse/index.js';
import type { ProbeResult } from '../src/probers/types.js';
import { startLighthousePages } from '../test/helpers/lighthousePages.js';
import { spawnChild, stopChild, tailLog } from './lib/children.js';
import { machineBusySeconds } from './lib/procfs.js';
import {
  byMarker,
  cmdline,
  descendants,
  leftovers,
  live,
  readProcs,
  withTree,
  type Members,
  type Proc,
  type TreeFigures,
} from './lib/processTree.js';
import { fixed, markdownTable, max, median } from './lib/stats.js';

const ROOT = new URL('..', import.meta.url);
const distModule = (path: string) => new URL(`dist/${path}`, ROOT).href;
const { lighthouseProber, PROFILE_PREFIX } = (await import(
  distModule('probers/lighthouse/index.js')
)) as typeof ProberApi;
const { lighthouseModuleSchema } = (await import(distModule('config/schema.js'))) as typeof SchemaApi;

const CHROME_PATH = '/usr/bin/chromium';
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
/** The Chrome switches vantage adds to chrome-launcher's defaults, as the CLI takes them. */
const CLI_CHROME_FLAGS =
  '--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking ' +
  '--disable-component-update --disable-sync --no-first-run';
const CLI_TIMEOUT_MS = 180_000;

// ---------------------------------------------------------------------------------------------- args

function arg(name: string, fallback: number): number {
  const argv = process.argv.slice(2);
  let raw: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a.startsWith(`--${name}=`)) raw = a.slice(name.length + 3);
    else if (a === `--${name}`) raw = argv[i + 1];
  }
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number >= 0`);
  return value;
}

// ------------------------------------------------------------------------------------ process tree

/** vantage: this process, its worker and Chrome (children), and Chrome processes that left the tree. */
function vantageMembers(baseline: ReadonlySet<string>): Members {
  const marker = join(tmpdir(), PROFILE_PREFIX);
  return (procs) => {
    const out = new Map<Proc, string>();
    const self = procs.get(process.pid);
    if (self) out.set(self, 'vantage');
    for (const p of descendants(process.pid, procs)) {
      if (!live(p)) continue;
      const cmd = cmdline(p);
      if (cmd.includes('esbuild')) continue; // tsx's transformer, not vantage
      out.set(p, cmd.includes('probers/lighthouse/worker.js') ? 'worker' : 'chrome');
    }
    for (const p of byMarker(procs, marker, baseline)) {
      if (!out.has(p) && !cmdline(p).includes('probers/lighthouse/worker.js')) out.set(p, 'chrome');
    }
    return out;
  };
}

/** The CLI: its node process, Chrome (its descendants) and Chrome processes naming the CLI's XDG dir. */
function cliMembers(cliPid: number, marker: string): Members {
  return (procs) => {
    const out = new Map<Proc, string>();
    const cli = procs.get(cliPid);
    if (cli && live(cli)) out.set(cli, 'cli');
    for (const p of descendants(cliPid, procs)) if (live(p)) out.set(p, 'chrome');
    for (const p of byMarker(procs, marker, new Set())) if (!out.has(p)) out.set(p, 'chrome');
    return out;
  };
}

// --------------------------------------------------------------------------------- a quiet machine

/** Other benchmarks, test runs and installs whose CPU use would be in our figures (and ours in theirs). */
const OTHER_BENCHMARKS = /scale-10k|probe-throughput|vitest|npm (?:ci|install)\b/;
/** An audit during which the rest of the machine used more than this (% of one core) is repeated. */
const BUSY_PCT = 15;
const ATTEMPTS = 3;
const QUIET_POLL_MS = 20_000;
const QUIET_WAIT_MS = 15 * 60_000;

/**
 * Before each audit: wait while another benchmark or test run is going (polling every 20 s, up to 15 min),
 * so audits and other benchmarks never overlap from our side. Processes of this run are not counted.
 */
async function waitForQuiet(): Promise<void> {
  const until = Date.now() + QUIET_WAIT_MS;
  for (;;) {
    const procs = readProcs();
    const ours = new Set([process.pid, ...descendants(process.pid, procs).map((p) => p.pid)]);
    const others = [...procs.values()].filter(
      (p) => live(p) && !ours.has(p.pid) && OTHER_BENCHMARKS.test(cmdline(p)),
    );
    if (others.length === 0) return;
    if (Date.now() > until) {
      console.log(`still busy after ${QUIET_WAIT_MS / 60_000} min; measuring anyway (see "other %")`);
      return;
    }
    const what = [...new Set(others.map((p) => OTHER_BENCHMARKS.exec(cmdline(p))?.[0]))].join(', ');
    console.log(`waiting for ${what} to finish...`);
    await sleep(QUIET_POLL_MS);
  }
}

// ------------------------------------------------------------------------------------------ audits

interface Audit {
  wallS: number;
  /** CLI only: spawn until its JSON report appeared (the process exits ~3 s later). */
  reportS?: number;
  score: number;
  ok: boolean;
  error?: string;
  tree: TreeFigures;
  left: number;
}

type Tool = 'vantage' | 'cli';

const never = new AbortController().signal;

function sampleValue(r: ProbeResult, family: string, labels: Record<string, string> = {}): number {
  const found = r.samples.find(
    (s) => s.family.name === family && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v),
  );
  return found?.value ?? NaN;
}

function lighthouseModule(runs: number): SchemaApi.LighthouseModule {
  return {
    prober: 'lighthouse',
    timeout: 120_000,
    lighthouse: lighthouseModuleSchema.parse({
      form_factor: 'mobile',
      runs,
      categories: [...CATEGORIES],
      throttling_method: 'simulate',
    }),
  };
}

/** Processes naming vantage's run-dir prefix before an audit: not ours, never counted or killed. */
function foreignVantageChromes(): Set<string> {
  const marker = join(tmpdir(), PROFILE_PREFIX);
  return new Set(
    [...readProcs().values()].filter((p) => live(p) && cmdline(p).includes(marker)).map((p) => p.key),
  );
}

async function auditVantage(url: string, runs: number): Promise<Audit & { result: ProbeResult }> {
  const members = vantageMembers(foreignVantageChromes());
  const t0 = performance.now();
  const { value: result, tree } = await withTree(members, () =>
    lighthouseProber(url, lighthouseModule(runs), { signal: never }, { target: 'bench', module: 'mobile' }),
  );
  const wallS = (performance.now() - t0) / 1000;
  const left = await leftovers(tree.seen);
  return {
    wallS,
    score: sampleValue(result, 'lighthouse_category_score', { category: 'performance' }),
    ok: result.success,
    error: result.failure ? `${result.failure.reason}: ${result.failure.message}` : undefined,
    tree,
    left,
    result,
  };
}

async function auditCli(url: string, workDir: string, index: number): Promise<Audit> {
  const output = join(workDir, `cli-${index}.json`);
  // Chrome's crashpad handler leaves the process tree; an XDG dir of our own puts our marker on its
  // command line (vantage does the same for its Chrome). It changes nothing else in Chrome.
  const xdg = join(workDir, 'cli-xdg');
  const t0 = performance.now();
  // When the report file appears (Lighthouse writes it in one go, then kills Chrome and winds down).
  let reportS: number | undefined;
  const watcher = watch(workDir, (_event, name) => {
    if (reportS === undefined && name === `cli-${index}.json`) reportS = (performance.now() - t0) / 1000;
  });
  const child = spawnChild({
    name: `lighthouse-cli-${index}`,
    command: process.execPath,
    args: [
      'node_modules/lighthouse/cli/index.js',
      url,
      '--output=json',
      `--output-path=${output}`,
      '--quiet',
      `--chrome-flags=${CLI_CHROME_FLAGS}`,
      `--only-categories=${CATEGORIES.join(',')}`,
      '--form-factor=mobile',
      '--throttling-method=simulate',
      '--locale=en-US',
    ],
    cwd: fileURLToPath(ROOT),
    logDir: workDir,
    env: { ...process.env, CHROME_PATH, XDG_CONFIG_HOME: xdg },
  });
  let timedOut = false;
  const { value: code, tree } = await withTree(cliMembers(child.pid, xdg), async () => {
    const timer = setTimeout(() => {
      timedOut = true;
      void stopChild(child, 2000);
    }, CLI_TIMEOUT_MS);
    try {
      return await child.exited;
    } finally {
      clearTimeout(timer);
    }
  });
  const wallS = (performance.now() - t0) / 1000;
  watcher.close();
  const left = await leftovers(tree.seen);
  let score = NaN;
  let error: string | undefined;
  if (code !== 0 || timedOut) {
    error = timedOut
      ? `timed out after ${CLI_TIMEOUT_MS / 1000} s`
      : `exit code ${code}: ${tailLog(child, 5)}`;
  } else {
    try {
      const lhr = JSON.parse(readFileSync(output, 'utf8')) as {
        categories: Record<string, { score: number | null }>;
        runtimeError?: { code: string; message: string };
      };
      score = lhr.categories.performance?.score ?? NaN;
      if (lhr.runtimeError) error = `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
    } catch (err) {
      error = `no report: ${String(err)}`;
    }
  }
  rmSync(output, { force: true });
  return { wallS, reportS, score, ok: error === undefined, error, tree, left };
}

function describe(tool: Tool, page: string, label: string, a: Audit): string {
  const parts = Object.entries(a.tree.parts)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(' + ');
  return (
    `${page.padEnd(5)} ${tool.padEnd(7)} ${label.padEnd(8)} ${a.wallS.toFixed(2).padStart(6)} s` +
    `${a.reportS !== undefined ? ` (report at ${a.reportS.toFixed(2)} s)` : ''}, ` +
    `CPU ${a.tree.treeCpuS.toFixed(1)} s (+ ${a.tree.selfCpuS.toFixed(1)} s here), ` +
    `other ${a.tree.otherPct.toFixed(0)} %, perf ${fixed(a.score, 2)}, ` +
    `peak PSS ${a.tree.totalMiB.toFixed(0)} MiB ` +
    `(${parts}), left ${a.left}${a.error ? `, FAILED: ${a.error}` : ''}`
  );
}

// -------------------------------------------------------------------------------------------- main

const pct = (ours: number, theirs: number) => {
  const v = (ours / theirs - 1) * 100;
  return Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)} %` : 'n/a';
};
const range = (values: readonly number[], d = 2) =>
  values.length === 0 ? 'n/a' : `${fixed(Math.min(...values), d)}–${fixed(Math.max(...values), d)}`;

async function main(): Promise<void> {
  const n = arg('n', 5);
  const warmup = arg('warmup', 1);
  const batches = arg('batches', 5);
  const batchRuns = arg('batch-runs', 3);
  if (batchRuns % 2 === 0) throw new Error('--batch-runs must be odd (vantage publishes the median run)');
  const workDir = mkdtempSync(join(tmpdir(), 'vantage-bench-lh-cli-'));
  console.log(`work dir ${workDir}`);

  // What the rest of the machine is doing: everything below runs one audit at a time on 2 cores.
  const busy0 = machineBusySeconds();
  await sleep(3000);
  console.log(
    `machine busy before the start: ${(((machineBusySeconds() - busy0) / 3) * 100).toFixed(0)} % of one core`,
  );

  const pages = await startLighthousePages();
  const audits: Record<string, Record<Tool, Audit[]>> = {};
  let leftTotal = 0;
  let cliIndex = 0;
  let repeated = 0;
  /** One audit; repeated (up to 3 attempts) when it failed or the rest of the machine was busy. */
  const attempt = async <A extends Audit>(audit: () => Promise<A>, line: (a: A) => string): Promise<A> => {
    for (let i = 1; ; i += 1) {
      await waitForQuiet();
      const a = await audit();
      leftTotal += a.left;
      const busy = !(a.tree.otherPct <= BUSY_PCT);
      const again = (!a.ok || busy) && i < ATTEMPTS;
      console.log(`${line(a)}${again ? `  -> repeated (${a.ok ? 'busy machine' : 'failed'})` : ''}`);
      if (!again) return a;
      repeated += 1;
      await sleep(QUIET_POLL_MS);
    }
  };
  const run = (tool: Tool, page: string, url: string, label: string): Promise<Audit> =>
    attempt(
      () => (tool === 'vantage' ? auditVantage(url, 1) : auditCli(url, workDir, cliIndex++)),
      (a) => describe(tool, page, label, a),
    );
  try {
    for (let i = 0; i < warmup; i += 1) {
      await run('vantage', 'light', pages.lightUrl, 'warm-up');
      await run('cli', 'light', pages.lightUrl, 'warm-up');
    }
    for (const [page, url] of [
      ['light', pages.lightUrl],
      ['heavy', pages.heavyUrl],
    ] as const) {
      audits[page] = { vantage: [], cli: [] };
      for (let i = 0; i < n; i += 1) {
        const order: Tool[] = i % 2 === 0 ? ['vantage', 'cli'] : ['cli', 'vantage'];
        for (const tool of order) audits[page]![tool].push(await run(tool, page, url, `${i + 1}/${n}`));
      }
    }

    const spread: { result: ProbeResult; audit: Audit }[] = [];
    for (let i = 0; i < batches; i += 1) {
      const a = await attempt(
        () => auditVantage(pages.heavyUrl, batchRuns),
        (b) => describe('vantage', 'heavy', `batch ${i + 1}/${batches}`, b),
      );
      spread.push({ result: a.result, audit: a });
    }

    printAudits(n, audits);
    if (batches > 0) printSpread(batchRuns, spread);
  } finally {
    await pages.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  const stray = [...readProcs().values()].filter(
    (p) =>
      live(p) &&
      p.pid !== process.pid &&
      (cmdline(p).includes(workDir) || cmdline(p).includes('probers/lighthouse/worker.js')),
  ).length;
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(PROFILE_PREFIX)).length;
  console.log(
    `\nRepeated: ${repeated} audit(s) (failed, or other processes above ${BUSY_PCT} % of one core).` +
      `\nLeft behind: ${leftTotal} process(es) over all audits (killed by the bench), ${stray} bench process(es) ` +
      `alive now, ${dirs} ${PROFILE_PREFIX}* dir(s) in ${tmpdir()}.`,
  );
}

function printAudits(n: number, audits: Record<string, Record<Tool, Audit[]>>): void {
  const ok = (list: Audit[]) => list.filter((a) => a.ok);
  console.log(`\n## Wall time per audit (mobile, simulate, 4 categories, 1 run; ${n} each, alternating)\n`);
  const rows: string[][] = [];
  const overheads: string[] = [];
  for (const [page, byTool] of Object.entries(audits)) {
    const v = ok(byTool.vantage).map((a) => a.wallS);
    const c = ok(byTool.cli).map((a) => a.wallS);
    rows.push([
      page,
      fixed(median(v), 2),
      range(v),
      fixed(median(c), 2),
      range(c),
      pct(median(v), median(c)),
      fixed(median(ok(byTool.cli).map((a) => a.reportS ?? NaN)), 2),
      pct(median(v), median(ok(byTool.cli).map((a) => a.reportS ?? NaN))),
      `${fixed(median(ok(byTool.vantage).map((a) => a.tree.treeCpuS)), 1)} / ${fixed(median(ok(byTool.cli).map((a) => a.tree.treeCpuS)), 1)}`,
      fixed(max([...byTool.vantage, ...byTool.cli].map((a) => a.tree.otherPct)), 0),
      `${fixed(median(ok(byTool.vantage).map((a) => a.score)), 2)} / ${fixed(median(ok(byTool.cli).map((a) => a.score)), 2)}`,
      `${byTool.vantage.length - v.length} / ${byTool.cli.length - c.length}`,
    ]);
    overheads.push(`${page} ${pct(median(v), median(c))}`);
  }
  console.log(
    markdownTable(
      [
        'page',
        'vantage s (median)',
        'vantage min–max',
        'CLI s (median)',
        'CLI min–max',
        'vantage vs CLI',
        'CLI s to report',
        'vantage vs that',
        'CPU s (v / CLI)',
        'other % max',
        'perf score (v / CLI)',
        'failed (v / CLI)',
      ],
      rows,
    ),
  );
  console.log(`\nGoal: vantage at most +5 % over the CLI (median wall time): ${overheads.join(', ')}.`);

  console.log('\n## Peak memory per audit: PSS summed over the process tree, sampled every 100 ms\n');
  const memRows: string[][] = [];
  const all: Record<Tool, Audit[]> = { vantage: [], cli: [] };
  for (const [page, byTool] of Object.entries(audits)) {
    for (const tool of ['vantage', 'cli'] as const) {
      all[tool].push(...byTool[tool]);
      memRows.push(memoryRow(page, tool, byTool[tool]));
    }
  }
  for (const tool of ['vantage', 'cli'] as const) memRows.push(memoryRow('all', tool, all[tool]));
  console.log(
    markdownTable(
      ['page', 'tool', 'peak MiB (max)', 'at that peak', 'peak MiB (median)', 'sample cost ms'],
      memRows,
    ),
  );
  const vPeak = max(all.vantage.map((a) => a.tree.totalMiB));
  console.log(
    `\nGoal: vantage + Chrome under 1 GB: ${fixed(vPeak, 0)} MiB = ${fixed((vPeak * 1048576) / 1e9, 2)} GB.`,
  );
}

function memoryRow(page: string, tool: Tool, list: Audit[]): string[] {
  const peaks = list.map((a) => a.tree.totalMiB);
  const top = list.reduce<Audit | undefined>(
    (best, a) => (!best || a.tree.totalMiB > best.tree.totalMiB ? a : best),
    undefined,
  );
  const parts = top
    ? Object.entries(top.tree.parts)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(' + ')
    : 'n/a';
  return [
    page,
    tool === 'cli' ? 'CLI + Chrome' : 'vantage + worker + Chrome',
    fixed(max(peaks), 0),
    parts,
    fixed(median(peaks), 0),
    fixed(median(list.map((a) => a.tree.sampleCostMs)), 1),
  ];
}

const SPREAD_METRICS = [
  ['first_contentful_paint', 'FCP'],
  ['largest_contentful_paint', 'LCP'],
  ['total_blocking_time', 'TBT'],
  ['speed_index', 'SI'],
  ['interactive', 'TTI'],
] as const;

function printSpread(runs: number, spread: { result: ProbeResult; audit: Audit }[]): void {
  console.log(
    `\n## Performance score over ${spread.length} batches of the heavy page (vantage, mobile, simulate, ${runs} runs each)\n`,
  );
  const score = (r: ProbeResult) => sampleValue(r, 'lighthouse_category_score', { category: 'performance' });
  const timing = (r: ProbeResult, metric: string) => sampleValue(r, 'lighthouse_timing_seconds', { metric });
  const ratio = (r: ProbeResult, metric: string) =>
    sampleValue(r, 'lighthouse_timing_spread_ratio', { metric });
  const rows = spread.map(({ result, audit }, i) => [
    String(i + 1),
    `${sampleValue(result, 'lighthouse_runs')}/${runs}`,
    fixed(score(result), 2),
    fixed(timing(result, 'largest_contentful_paint'), 2),
    fixed(timing(result, 'total_blocking_time'), 3),
    ...SPREAD_METRICS.map(([metric]) => fixed(ratio(result, metric), 3)),
    fixed(audit.wallS, 1),
    fixed(audit.tree.totalMiB, 0),
  ]);
  console.log(
    markdownTable(
      [
        'batch',
        'valid runs',
        'perf score',
        'LCP s',
        'TBT s',
        ...SPREAD_METRICS.map(([, short]) => `spread ${short}`),
        'batch s',
        'peak MiB',
      ],
      rows,
    ),
  );
  const scores = spread.map(({ result }) => score(result)).filter(Number.isFinite);
  const lcp = spread.map(({ result }) => timing(result, 'largest_contentful_paint')).filter(Number.isFinite);
  const tbt = spread.map(({ result }) => timing(result, 'total_blocking_time')).filter(Number.isFinite);
  console.log('');
  console.log(
    markdownTable(
      ['across batches', 'min', 'max', 'max − min'],
      [
        [
          'perf score',
          fixed(Math.min(...scores), 2),
          fixed(Math.max(...scores), 2),
          fixed(Math.max(...scores) - Math.min(...scores), 2),
        ],
        [
          'LCP s',
          fixed(Math.min(...lcp), 2),
          fixed(Math.max(...lcp), 2),
          fixed(Math.max(...lcp) - Math.min(...lcp), 2),
        ],
        [
          'TBT s',
          fixed(Math.min(...tbt), 3),
          fixed(Math.max(...tbt), 3),
          fixed(Math.max(...tbt) - Math.min(...tbt), 3),
        ],
      ],
    ),
  );
  console.log(
    '\n"spread X" is lighthouse_timing_spread_ratio{metric}: (max − min) / median of X across the runs of ' +
      'one batch (n/a: the median is 0 but the runs differ).',
  );
}

await main();
