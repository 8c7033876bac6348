/**
 * `vantage probe` on a Lighthouse target (issue 12, point 9): on a terminal, the batch's progress
 * on stderr as it goes (the running run's seconds counting, a line per step and run), as
 * Lighthouse's own CLI does; piped, none of it, and stdout carries the result alone. The terminal
 * is util-linux `script`'s pseudo-terminal. Real Chromium for the terminal case.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLighthousePages, type LighthousePagesServer } from '../helpers/lighthousePages.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');
const dir = mkdtempSync(join(tmpdir(), 'vantage-progress-'));
let pages: LighthousePagesServer;
let configFile: string;

beforeAll(async () => {
  pages = await startLighthousePages();
  configFile = join(dir, 'vantage.yml');
  writeFileSync(
    configFile,
    `modules:\n  mobile:\n    prober: lighthouse\n    timeout: 90s\n    lighthouse: {runs: 1, categories: [performance]}\n` +
      `targets:\n  - name: home\n    url: ${pages.lightUrl}\n    modules: [mobile]\n`,
  );
});
afterAll(async () => {
  await pages.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Run a command to its end without blocking this process (the pages are served from it). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

const probeArgs = () => [BIN, 'probe', `--config.file=${configFile}`, '--target=home'];

describe('vantage probe on a Lighthouse target', () => {
  it('shows the progress of each run on a terminal, and none when piped', async () => {
    // script -e: its exit status is the command's; -q: no "Script started" banner.
    const command = [process.execPath, ...probeArgs()].join(' ');
    const res = await run('script', ['-qec', command, '/dev/null']);
    expect(res.status, res.stdout).toBe(0);
    // The terminal merges both streams; the progress precedes the trace and the metrics.
    const progressEnd = res.stdout.indexOf('Metrics:');
    const progress = res.stdout.slice(0, progressEnd);
    // The running run's line, rewritten in place as the seconds go by.
    expect(progress).toContain('\r\x1b[KLighthouse run 1/1 for home… ');
    expect(progress.match(/Lighthouse run 1\/1 for home… \d+\.\d s/g)!.length).toBeGreaterThan(2);
    expect(progress).toMatch(/Lighthouse run 1\/1 for home: Chrome launched: pid \d+/);
    expect(progress).toMatch(/Lighthouse run 1\/1 for home: done in \d+\.\d s, performance (0\.\d+|1)\r?\n/);
    expect(res.stdout).toContain('lighthouse_up 1');

    // Piped, none of it: stdout holds the result alone. A Chrome that cannot start fails the run
    // at once, and the batch still starts and ends its run.
    const piped = await run(process.execPath, probeArgs(), {
      ...process.env,
      CHROME_PATH: join(dir, 'no-chrome'),
    });
    expect(piped.status).toBe(1);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('Lighthouse run');
    expect(piped.stdout).not.toContain('\r');
    expect(piped.stdout).toMatch(
      /^Probe of target "home" \(http:\/\/127\.0\.0\.1:\d+\/light\) with module "mobile"\n/,
    );
    expect(piped.stdout).toContain('run 1/1 took');
    expect(piped.stdout).toContain('lighthouse_up 0');
  }, 180_000);
});
