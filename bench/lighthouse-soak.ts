/**
 * Lighthouse prober soak and figures: many audits in a row, then what is left behind, what memory an
 * audit takes, how long a run takes against the Lighthouse CLI, and how much the score moves.
 *
 *   npm run build && npx tsx bench/lighthouse-soak.ts [--audits=50] [--cli=3] [--spread=5]
 *
 * --audits  batches of 1 run (desktop, simulate, performance only) against a trivial page; after each,
 *           no Chrome process, no worker and no vantage-chrome-* dir may be left (counted, printed)
 * --cli     alternating runs of the Lighthouse CLI and of vantage on the light page (same settings):
 *           wall time per audit, vantage's overhead
 * --spread  batches of 3 mobile runs of the heavy page: spread of the published performance score
 *
 * Peak memory is the sum of PSS (/proc/<pid>/smaps_rollup) of this process (vantage's side of an audit),
 * the Lighthouse worker and every Chrome process, sampled every 100 ms. Figures are printed, not asserted.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lighthouseModuleSchema, type LighthouseModule } from '../src/config/schema.js';
import {
  chromeProcesses,
  lighthouseProber,
  listProcesses,
  PROFILE_PREFIX,
} from '../src/probers/lighthouse/index.js';
import type { ProbeResult } from '../src/probers/types.js';
import { startLighthousePages } from '../test/helpers/lighthousePages.js';
import { fixed, markdownTable, max, mean, median, percentile } from './lib/stats.js';

const run = promisify(execFile);

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

function moduleOf(settings: Record<string, unknown>): LighthouseModule {
  return { prober: 'lighthouse', timeout: 60_000, lighthouse: lighthouseModuleSchema.parse(settings) };
}

const workers = () =>
  listProcesses().filter((p) => p.state !== 'Z' && p.cmdline.includes('probers/lighthouse/worker.js'));
// The worker's argv names its run dir too: keep it out of the Chrome list so nothing is counted twice.
const chromes = () =>
  chromeProcesses(undefined, join(tmpdir(), PROFILE_PREFIX)).filter(
    (p) => !p.cmdline.includes('probers/lighthouse/worker.js'),
  );
const profileDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith(PROFILE_PREFIX));

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples PSS every 100 ms while `work` runs; returns its result and the peaks in MiB. */
async function withMemory<T>(
  work: () => Promise<T>,
): Promise<{ value: T; peakTotal: number; peakAudit: number }> {
  let peakTotal = 0;
  let peakAudit = 0;
  const sample = () => {
    const audit = [...chromes(), ...workers()].reduce((n, p) => n + pssKiB(p.pid), 0);
    peakAudit = Math.max(peakAudit, audit);
    peakTotal = Math.max(peakTotal, audit + pssKiB(process.pid));
  };
  const timer = setInterval(sample, 100);
  try {
    const value = await work();
    return { value, peakTotal: peakTotal / 1024, peakAudit: peakAudit / 1024 };
  } finally {
    clearInterval(timer);
  }
}

const never = new AbortController().signal;
const score = (r: ProbeResult) =>
  r.samples.find((s) => s.family.name === 'lighthouse_category_score' && s.labels?.category === 'performance')
    ?.value ?? NaN;
const runSeconds = (r: ProbeResult) =>
  r.samples.find((s) => s.family.name === 'lighthouse_run_duration_seconds')?.value ?? NaN;

async function main(): Promise<void> {
  const audits = arg('audits', 50);
  const cliRuns = arg('cli', 3);
  const spreadBatches = arg('spread', 5);
  const pages = await startLighthousePages();
  try {
    // Soak.
    const walls: number[] = [];
    const peaks: number[] = [];
    const auditPeaks: number[] = [];
    let failures = 0;
    let leftovers = 0;
    for (let i = 0; i < audits; i += 1) {
      const { value, peakTotal, peakAudit } = await withMemory(() =>
        lighthouseProber(
          pages.trivialUrl,
          moduleOf({ runs: 1, form_factor: 'desktop', categories: ['performance'] }),
          { signal: never },
          { target: 'soak', module: 'desktop' },
        ),
      );
      walls.push(value.durationSeconds);
      peaks.push(peakTotal);
      auditPeaks.push(peakAudit);
      if (!value.success) failures += 1;
      const left = chromes().length + workers().length + profileDirs().length;
      leftovers += left;
      process.stdout.write(`audit ${i + 1}/${audits}: ${value.durationSeconds.toFixed(1)} s, left ${left}\r`);
    }
    console.log('');
    if (audits > 0) {
      console.log(`\n## ${audits} audits (trivial page, desktop, simulate, performance only, 1 run each)\n`);
      console.log(
        markdownTable(
          [
            'audits',
            'failed',
            'batch s p50',
            'p90',
            'max',
            'peak PSS MiB (Chrome+worker)',
            'peak PSS MiB (+vantage)',
            'left behind',
          ],
          [
            [
              String(audits),
              String(failures),
              fixed(median(walls), 2),
              fixed(percentile(walls, 90), 2),
              fixed(max(walls), 2),
              fixed(max(auditPeaks), 0),
              fixed(max(peaks), 0),
              String(leftovers + chromes().length + workers().length + profileDirs().length),
            ],
          ],
        ),
      );
    }

    // vantage vs the Lighthouse CLI, alternating so both see the same machine state.
    if (cliRuns > 0) {
      const cliWalls: number[] = [];
      const ourWalls: number[] = [];
      const ourRuns: number[] = [];
      const out = join(tmpdir(), `vantage-lh-soak-cli-${process.pid}.json`);
      const flags =
        '--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking ' +
        '--disable-component-update --disable-sync --no-first-run';
      for (let i = 0; i < cliRuns; i += 1) {
        const t = performance.now();
        await run(process.execPath, [
          'node_modules/lighthouse/cli/index.js',
          pages.lightUrl,
          '--output=json',
          `--output-path=${out}`,
          `--chrome-flags=${flags}`,
          '--only-categories=performance',
          '--quiet',
        ]);
        cliWalls.push((performance.now() - t) / 1000);
        const ours = await lighthouseProber(
          pages.lightUrl,
          moduleOf({ runs: 1, categories: ['performance'] }),
          { signal: never },
          { target: 'cli', module: 'mobile' },
        );
        ourWalls.push(ours.durationSeconds);
        ourRuns.push(runSeconds(ours));
      }
      rmSync(out, { force: true });
      console.log(
        `\n## Wall time per audit: vantage vs Lighthouse CLI (light page, mobile, simulate, ${cliRuns} each)\n`,
      );
      console.log(
        markdownTable(
          ['CLI s (mean)', 'vantage batch s (mean)', 'vantage run s (mean)', 'overhead'],
          [
            [
              fixed(mean(cliWalls), 2),
              fixed(mean(ourWalls), 2),
              fixed(mean(ourRuns), 2),
              `${fixed((mean(ourWalls) / mean(cliWalls) - 1) * 100, 1)} %`,
            ],
          ],
        ),
      );
    }

    // Score spread over batches of the same page.
    if (spreadBatches > 0) {
      const scores: number[] = [];
      const peaksHeavy: number[] = [];
      for (let i = 0; i < spreadBatches; i += 1) {
        const { value, peakTotal } = await withMemory(() =>
          lighthouseProber(
            pages.heavyUrl,
            moduleOf({ runs: 3, categories: ['performance'] }),
            { signal: never },
            { target: 'spread', module: 'mobile' },
          ),
        );
        scores.push(score(value));
        peaksHeavy.push(peakTotal);
      }
      console.log(
        `\n## Performance score over ${spreadBatches} batches (heavy page, mobile, simulate, 3 runs)\n`,
      );
      console.log(
        markdownTable(
          ['scores', 'min', 'max', 'max - min', 'peak PSS MiB (all)'],
          [
            [
              scores.join(', '),
              fixed(Math.min(...scores), 2),
              fixed(Math.max(...scores), 2),
              fixed(Math.max(...scores) - Math.min(...scores), 2),
              fixed(max(peaksHeavy), 0),
            ],
          ],
        ),
      );
    }
  } finally {
    await pages.close();
  }
}

await main();
