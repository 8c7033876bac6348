/**
 * The CLI from the TypeScript sources (test/helpers/cliEntry.ts) in a child process, awaited
 * without blocking: for tests whose servers (a hostile Prometheus, ...) run in the test process,
 * which spawnSync would freeze.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const entry = join(import.meta.dirname, 'cliEntry.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** The CLI in a child process, waited for synchronously: for tests whose servers run elsewhere. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const entry = join(import.meta.dirname, 'cliEntry.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `vantage check-config` on a config text, written to a temp file that is removed afterwards. */
export function checkConfigText(text: string): CliRun {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-check-'));
  try {
    const file = join(dir, 'vantage.yml');
    writeFileSync(file, text);
    return runCli(['check-config', `--config.file=${file}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
