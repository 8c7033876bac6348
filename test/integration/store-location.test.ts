/**
 * Issue 12 point 1: one --storage.path names one store for every sub-command, whatever layout
 * is inside it. `vantage change add --storage.path=X` writes where a service started with
 * --storage.path=X reads (X/vantage.db as `vantage serve` keeps it, X/vantage/vantage.db as
 * `vantage stack` does), prints the file it used, and creates nothing silently: a path with no
 * store is refused naming every place looked at, unless --create is given.
 * Real processes throughout: the CLI and `vantage serve` from the sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cliProcess.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/vantageHarness.js';
import { Store } from '../../src/store/store.js';

const ENTRY = join(import.meta.dirname, '../helpers/cliEntry.ts');
const root = mkdtempSync(join(tmpdir(), 'vantage-store-location-'));
const configFile = join(root, 'vantage.yml');
// One check of a closed port: a quiet service, no demo pages.
writeFileSync(
  configFile,
  'modules:\n  http_2xx:\n    prober: http\ntargets:\n  - name: web\n    url: http://127.0.0.1:9/\n    modules: [http_2xx]\n',
);
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Service {
  base: string;
  output: () => string;
  stop: () => Promise<void>;
}
const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `vantage serve --storage.path=DIR` in a child process, once /-/ready answers. */
async function serve(storagePath: string): Promise<Service> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      ENTRY,
      'serve',
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.path=${storagePath}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`vantage serve exited: ${out}`);
      try {
        return (await fetch(`${base}/-/ready`)).status === 200;
      } catch {
        return false;
      }
    },
    30_000,
    'vantage serve ready',
  );
  const exited = new Promise((r) => child.once('exit', r));
  return {
    base,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function changeTitles(base: string): Promise<string[]> {
  const body = (await (await fetch(`${base}/api/changes`)).json()) as { changes: { title: string }[] };
  return body.changes.map((c) => c.title);
}

const changeAdd = (storagePath: string, title: string, ...more: string[]) =>
  runCliAsync([
    'change',
    'add',
    `--title=${title}`,
    '--kind=deploy',
    `--storage.path=${storagePath}`,
    ...more,
  ]);

describe('one --storage.path, one store', () => {
  it('a path with no store: change add refuses naming where it looked; --create creates; the service reads it', async () => {
    const dir = join(root, 'serve-data');
    const refused = await changeAdd(dir, 'lost deploy');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`--storage.path=${dir}: no vantage store there; looked for:`);
    expect(refused.stderr).toContain(join(dir, 'vantage.db'));
    expect(refused.stderr).toContain(join(dir, 'vantage', 'vantage.db'));
    expect(refused.stderr).toContain('--create');
    expect(existsSync(dir)).toBe(false);

    const created = await changeAdd(dir, 'first deploy', '--create');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stderr).toBe(`store: ${join(dir, 'vantage.db')} (created)\n`);
    expect(created.stdout).toMatch(/^change 1 recorded/);

    const service = await serve(dir);
    try {
      expect(await changeTitles(service.base)).toEqual(['first deploy']);
      expect(service.output()).toContain(join(dir, 'vantage.db'));
      // Written while the service runs: found without --create, and shown by the service.
      const second = await changeAdd(dir, 'second deploy');
      expect(second.status, second.stderr).toBe(0);
      expect(second.stderr).toBe(`store: ${join(dir, 'vantage.db')}\n`);
      await waitFor(
        async () => (await changeTitles(service.base)).includes('second deploy'),
        10_000,
        'change',
      );
    } finally {
      await service.stop();
    }
  }, 180_000);

  it("a stack's directory: change add --storage.path=DIR writes to DIR/vantage/vantage.db, which the service reads", async () => {
    const stackDir = join(root, 'stack');
    // As `vantage stack --storage.path=DIR` runs its vantage.
    const stacked = await serve(join(stackDir, 'vantage'));
    try {
      const added = await changeAdd(stackDir, 'deploy seen by the stack', '--target=web');
      expect(added.status, added.stderr).toBe(0);
      expect(added.stderr).toBe(`store: ${join(stackDir, 'vantage', 'vantage.db')}\n`);
      await waitFor(
        async () => (await changeTitles(stacked.base)).includes('deploy seen by the stack'),
        10_000,
        "the change in the stack's /api/changes",
      );
    } finally {
      await stacked.stop();
    }
    expect(existsSync(join(stackDir, 'vantage.db'))).toBe(false);

    // The service started with the stack's own path finds the same store.
    const same = await serve(stackDir);
    try {
      expect(await changeTitles(same.base)).toEqual(['deploy seen by the stack']);
      expect(same.output()).toContain(join(stackDir, 'vantage', 'vantage.db'));
    } finally {
      await same.stop();
    }
    expect(existsSync(join(stackDir, 'vantage.db'))).toBe(false);

    const list = await runCliAsync(['change', 'list', '--format=json', `--storage.path=${stackDir}`]);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ changes: [{ title: 'deploy seen by the stack' }] });
  }, 180_000);

  it('two stores under one path (a stray DIR/vantage.db beside a stack): refused naming both, never guessed', async () => {
    const stackDir = join(root, 'both');
    Store.open(join(stackDir, 'vantage')).close();
    Store.open(stackDir).close();
    for (const run of [
      await changeAdd(stackDir, 'where to?'),
      await changeAdd(stackDir, 'where to?', '--create'),
      await runCliAsync(['change', 'list', `--storage.path=${stackDir}`]),
    ]) {
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('two vantage stores there');
      expect(run.stderr).toContain(join(stackDir, 'vantage.db'));
      expect(run.stderr).toContain(`--storage.path=${join(stackDir, 'vantage')}`);
    }
    const report = await runCliAsync([
      'report',
      '--prometheus.url=http://127.0.0.1:9',
      `--storage.path=${stackDir}`,
    ]);
    expect(report.status).toBe(2);
    expect(report.stderr).toContain('two vantage stores there');
  }, 120_000);

  it('report: an explicit path with no store names every place looked; --create is not its flag', async () => {
    const dir = join(root, 'typo');
    const report = await runCliAsync([
      'report',
      '--prometheus.url=http://127.0.0.1:9',
      `--storage.path=${dir}`,
    ]);
    expect(report.status).toBe(2);
    expect(report.stderr).toContain(join(dir, 'vantage.db'));
    expect(report.stderr).toContain(join(dir, 'vantage', 'vantage.db'));
    const create = await runCliAsync([
      'report',
      '--prometheus.url=http://127.0.0.1:9',
      `--storage.path=${dir}`,
      '--create',
    ]);
    expect(create.status).toBe(2);
    expect(create.stderr).toContain('--create: only "change add", "change list" and "load" take it');
    expect(existsSync(dir)).toBe(false);
  }, 120_000);
});
