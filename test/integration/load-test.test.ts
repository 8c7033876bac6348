/**
 * `vantage load` end to end on 127.0.0.1 (the knee's accuracy: load-knee.test.ts): refusals that
 * send nothing, a target abandoned within the step where it broke,
 * Ctrl-C, the JSON document, and the gauges a running vantage exports once its store watch picks
 * the run up.
 *
 * The other tests use a 2 s objective: they are about refusals, aborts and storage, not latency.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { loadCommand } from '../../src/load/loadCommand.js';
import { Store } from '../../src/store/store.js';
import { runCliAsync } from '../helpers/cliProcess.js';
import { startLoadTarget } from '../helpers/loadTarget.js';
import { startVantage, waitFor } from '../helpers/vantageHarness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function yaml(url: string, latency = '2s') {
  return `modules: {http_2xx: {prober: http}}
targets:
  - name: shop
    url: ${url}
    slo: {latency: ${latency}}
    load_test: {allowed: true, max_rate: 2600, max_concurrency: 1000, max_duration: 1m}
  - name: closed
    url: ${url}
`;
}

/** The load tests and changes the store under `dir` holds, newest first. */
function storedIn(dir: string) {
  const store = Store.open(dir);
  try {
    return { runs: store.loadTests.list(), changes: store.changes.list() };
  } finally {
    store.close();
  }
}

/** A config file and an empty storage dir. */
function workspace(url: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-load-'));
  dirs.push(dir);
  const file = join(dir, 'vantage.yml');
  writeFileSync(file, yaml(url));
  return { dir, file };
}

// The CLI's main() in this process: argv parsing, the exit code and stderr as a shell sees them,
// without a child process's start-up (the Ctrl-C and storage tests below spawn one).
describe('vantage load refuses before sending anything', () => {
  it.each<[string, string[], RegExp]>([
    [
      'an unconfigured URL',
      ['--target=URL', '--rate=10'],
      /--target: "http:\/\/127\.0\.0\.1:\d+\/" is a URL; load tests run against configured targets only, by name .*\(configured: shop, closed\)/,
    ],
    [
      'a target without allowed: true',
      ['--target=closed', '--rate=10'],
      /--target: target "closed" does not allow load tests: set targets\[1\]\.load_test\.allowed: true/,
    ],
    [
      'a rate above max_rate',
      ['--target=shop', '--rate=100..2601'],
      /--rate: 2601 requests\/s is above targets\[0\]\.load_test\.max_rate \(2600\)/,
    ],
  ])('%s', async (_what, flags, message) => {
    const target = await startLoadTarget();
    try {
      const { dir, file } = workspace(target.url);
      const args = flags.map((f) => f.replace('URL', target.url));
      const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      let status: number;
      let printed: string;
      try {
        status = await main(['load', `--config.file=${file}`, ...args, `--storage.path=${dir}`, '--create']);
      } finally {
        printed = stderr.mock.calls.flat().join('\n');
        stderr.mockRestore();
      }
      expect(printed).toMatch(message);
      expect(status).toBe(2);
      expect(target.received()).toBe(0);
      expect(existsSync(join(dir, 'vantage.db'))).toBe(false);
    } finally {
      await target.close();
    }
  });
});

describe('vantage load without a store', () => {
  it('exits 1 naming where it looked, before any request, unless --create', async () => {
    const target = await startLoadTarget();
    try {
      const { dir, file } = workspace(target.url);
      const err: string[] = [];
      const io = { write: () => undefined, warn: (t: string) => void err.push(t) };
      const input = {
        'config.file': file,
        target: 'shop',
        rate: '10',
        'step-duration': '1s',
        'storage.path': dir,
      };
      expect(await loadCommand(input, io)).toBe(1);
      expect(err.join('')).toContain(join(dir, 'vantage.db'));
      expect(err.join('')).toContain('pass --create');
      expect(target.received()).toBe(0);
    } finally {
      await target.close();
    }
  });
});

describe('vantage load against a target that breaks', () => {
  it('abandons it within the step where it started failing, stores the run and prints one JSON document', async () => {
    const target = await startLoadTarget({ failAfter: 300 });
    try {
      const { dir, file } = workspace(target.url);
      // Step 1: 100 requests/s for 2 s (200 requests, all fine); step 2 at 200/s starts failing
      // at its 101st request, half a second in; step 3 must never run.
      const run = await runCliAsync([
        'load',
        `--config.file=${file}`,
        '--target=shop',
        '--rate=100..300',
        '--steps=3',
        '--step-duration=2s',
        '--format=json',
        `--storage.path=${dir}`,
        '--create',
      ]);
      expect(run.status, run.stderr).toBe(0);
      const doc = JSON.parse(run.stdout) as Record<string, unknown> & {
        steps: Record<string, unknown>[];
        knee: { rate: number } | null;
      };
      expect(doc).toMatchObject({ target: 'shop', outcome: 'stopped_errors', knee: { rate: 100 } });
      expect(doc.stopReason).toMatch(
        /^step 2 \(200 requests\/s\): .* errors, above the 5 % abort threshold$/,
      );
      expect(doc.steps).toHaveLength(2);
      for (const key of [
        'requestedRate',
        'achievedRate',
        'requests',
        'errors',
        'errorRatio',
        'p50Seconds',
        'p95Seconds',
        'p99Seconds',
        'startedAt',
        'durationSeconds',
      ])
        expect(doc.steps[1]).toHaveProperty(key);
      expect(doc.steps[1]!.durationSeconds).toBeLessThan(2);
      // Nothing of a third step: at most step 1's and step 2's requests ever arrived.
      expect(target.received()).toBeLessThanOrEqual(600);
      expect(run.stderr).toContain(`store: ${join(dir, 'vantage.db')} (created)`);
      expect(run.stderr).toMatch(/step 1\/3: 100 requests\/s requested/);
      const { runs, changes } = storedIn(dir);
      expect(runs[0]).toMatchObject({ outcome: 'stopped_errors', knee: { rate: 100 } });
      expect(changes[0]).toMatchObject({
        kind: 'load_test',
        title: 'Load test of shop: knee 100 requests/s (stopped: errors above 5 %)',
        at: runs[0]!.startedAt,
      });
    } finally {
      await target.close();
    }
  });
});

describe('Ctrl-C', () => {
  it('stops the step, stores the run as interrupted and exits 130 without a stack trace', async () => {
    const target = await startLoadTarget();
    try {
      const { dir, file } = workspace(target.url);
      const entry = join(import.meta.dirname, '../helpers/cliEntry.ts');
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          entry,
          'load',
          `--config.file=${file}`,
          '--target=shop',
          '--rate=50..100',
          '--steps=3',
          '--step-duration=10s',
          '--format=json',
          `--storage.path=${dir}`,
          '--create',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await waitFor(() => target.received() >= 20, 20_000, 'the first requests');
      const interruptedAt = Date.now();
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).toBe(130);
      expect(Date.now() - interruptedAt).toBeLessThan(3000);
      expect(stderr).not.toMatch(/\n\s+at /);
      const doc = JSON.parse(stdout) as { outcome: string; stopReason: string; steps: unknown[] };
      expect(doc.outcome).toBe('interrupted');
      expect(doc.stopReason).toBe('interrupted by SIGINT during step 1 of 3');
      expect(doc.steps).toHaveLength(1);
      expect(storedIn(dir).runs[0]).toMatchObject({ outcome: 'interrupted', target: 'shop' });
    } finally {
      await target.close();
    }
  });
});

describe('a running vantage', () => {
  it('exports the last load test as vantage_load_test_* once its store watch sees the run', async () => {
    const target = await startLoadTarget();
    const h = await startVantage(yaml(target.url));
    try {
      const run = await runCliAsync([
        'load',
        `--config.file=${h.configFile}`,
        '--target=shop',
        '--rate=20',
        '--step-duration=1s',
        `--storage.path=${dirname(h.configFile)}`,
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('Knee: 20 requests/s');
      const text = await waitFor(
        async () => {
          const body = await (await fetch(`${h.baseUrl}/metrics`)).text();
          return body.includes('vantage_load_test_knee_requests_per_second{target="shop"} 20') ? body : '';
        },
        10_000,
        'the load test gauges',
      );
      expect(text).toMatch(/vantage_load_test_info\{target="shop",outcome="completed"\} 1/);
      expect(text).toMatch(/vantage_load_test_timestamp_seconds\{target="shop"\} \d/);
      expect(text).not.toContain('vantage_load_test_info{target="closed"');
      expect(text).toMatch(
        /vantage_change_timestamp_seconds\{[^}]*kind="load_test"[^}]*title="Load test of shop: knee 20 requests\/s"/,
      );
      const check = spawnPromtool(text);
      expect(await check).toBe('');
    } finally {
      await h.close();
      await target.close();
    }
  });
});

function spawnPromtool(text: string): Promise<string> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(text);
  return new Promise((resolve) =>
    child.on('close', (code) => resolve(code === 0 ? out : `exit ${code}: ${out}`)),
  );
}
