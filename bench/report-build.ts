/**
 * What a performance report costs, against a real Prometheus 2.42 holding weeks of backfilled
 * synthetic history (test/helpers/syntheticHistory.ts, backfill.ts):
 *
 *   npm run bench:report -- [--targets=20] [--days=21] [--changes=10] [--seed=1]
 *
 * Per target a 60 s probe, jitter, a daily failure at a random hour on some, an outage on
 * others, Lighthouse audits on half; `--changes` changes spread over the report day, each
 * making its target 30 % faster. Prints, for the day, ISO week and month reports made by the
 * built CLI (the npm script builds it first), the wall time and peak memory of the
 * `vantage report` process and the size of each format. No other tool writes this report, so
 * there is no peer to run beside it. Figures are printed, never asserted (docs/report.md,
 * "Cost").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../src/report/model.js';
import type { PeriodKind } from '../src/time/period.js';
import { Store } from '../src/store/store.js';
import { startBackfilledPrometheus } from '../test/helpers/backfill.js';
import { mulberry32 } from '../test/helpers/random.js';
import { generateHistory, type TargetSpec } from '../test/helpers/syntheticHistory.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '20' },
    days: { type: 'string', default: '21' },
    changes: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
  },
});
const TARGETS = Number(values.targets);
const DAYS = Number(values.days);
const CHANGES = Number(values.changes);
const SEED = Number(values.seed);
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 6);
const END = START + DAYS * DAY;
/** The report day: the last whole day but one, so each change has a full after-window. */
const REPORT_DAY = END - 2 * DAY;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const random = mulberry32(SEED);
const changeAt = Array.from(
  { length: CHANGES },
  (_, i) => REPORT_DAY + Math.floor(((i + 0.5) / CHANGES) * DAY),
);
const targets: TargetSpec[] = Array.from({ length: TARGETS }, (_, i) => {
  const name = `page-${String(i).padStart(3, '0')}`;
  const steps = changeAt.filter((_, c) => c % TARGETS === i).map((atMs) => ({ atMs, factor: 0.7 }));
  return {
    name,
    probeIntervalSeconds: 60,
    latency: { baseSeconds: 0.2 + random(), jitter: 0.2, steps },
    ...(i % 3 === 0
      ? { dailyFailure: { start: `${String(Math.floor(random() * 24)).padStart(2, '0')}:00`, minutes: 5 } }
      : {}),
    ...(i % 3 === 1
      ? {
          outages: [
            {
              startMs: REPORT_DAY + 3_600_000 * (i % 24),
              endMs: REPORT_DAY + 3_600_000 * (i % 24) + 900_000,
            },
          ],
        }
      : {}),
    ...(i % 2 === 0
      ? {
          lighthouse: {
            performance: 0.6 + random() * 0.3,
            lcpSeconds: 1.5 + random() * 2,
            opportunities: [{ audit: 'render-blocking-resources', savingsSeconds: 0.8, savingsBytes: 0 }],
          },
        }
      : {}),
  };
});

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

const t0 = performance.now();
const history = generateHistory({
  startMs: START,
  endMs: END,
  scrapeIntervalSeconds: 60,
  seed: SEED,
  targets,
});
const prom = await startBackfilledPrometheus(history);
console.log(
  `history: ${TARGETS} targets, ${DAYS} days at 60 s, ${history.seriesCount} series, ` +
    `${prom.blocks} blocks; generated and backfilled in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const storeDir = await mkdtemp(join(tmpdir(), 'vantage-bench-report-'));
const store = Store.open(storeDir);
changeAt.forEach((at, c) =>
  store.changes.add({
    title: `Optimisation ${c}`,
    kind: 'optimisation',
    target: targets[c % TARGETS]!.name,
    at,
    description: null,
  }),
);

try {
  // Each report is made by the built CLI in its own process (`vantage report --out`), so its time
  // and peak memory are the report's alone, not those of this process's synthetic history.
  const outDir = join(storeDir, 'out');
  console.log('\nperiod  wall (s)  peak RSS  files md / html / json       changes evaluated  patterns');
  for (const period of ['day', 'week', 'month'] as PeriodKind[]) {
    const run = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        'time %e %M',
        process.execPath,
        'bin/vantage.js',
        'report',
        `--prometheus.url=${prom.url}`,
        `--date=${dateOf(REPORT_DAY)}`,
        `--period=${period}`,
        `--storage.path=${storeDir}`,
        `--out=${outDir}`,
      ],
      { encoding: 'utf8' },
    );
    const measured = /^time ([\d.]+) (\d+)$/m.exec(run.stderr);
    if (run.status !== 0 || !measured) throw new Error(`vantage report failed: ${run.stderr}`);
    const files = run.stdout.trim().split('\n');
    const file = (ext: string) => files.find((f) => f.endsWith(`.${ext}`))!;
    const report = JSON.parse(readFileSync(file('json'), 'utf8')) as Report;
    console.log(
      `${period.padEnd(6)}  ${measured[1]!.padStart(8)}  ${mib(Number(measured[2]) * 1024).padStart(8)}  ` +
        `${['md', 'html', 'json']
          .map((e) => kib(statSync(file(e)).size))
          .join(' / ')
          .padEnd(27)}  ` +
        `${String(report.evaluation.changes.length).padStart(17)}  ` +
        `${String(report.learning.failurePatterns.length).padStart(8)}`,
    );
  }
} finally {
  store.close();
  await rm(storeDir, { recursive: true, force: true });
  await prom.stop();
}
