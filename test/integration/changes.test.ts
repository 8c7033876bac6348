/**
 * The change log end to end: POST/GET /api/changes on a running service (auth as POST
 * /-/reload, validation), the CLI writing to the database a running vantage uses at the same
 * time as many parallel POSTs (no row lost or duplicated), a writer killed with SIGKILL
 * mid-way (every committed row survives, the database opens cleanly), and the metric on a
 * real /metrics scrape checked by promtool.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';
import { externalAddress, withExternalServer } from '../helpers/externalServer.js';

const CLI = join(import.meta.dirname, '../helpers/cliEntry.ts');
const WRITER = join(import.meta.dirname, '../helpers/changeWriter.ts');
const TOKEN = 'change-log-admin-token-0123456789';

const config = (extra = '') => `
modules:
  http_2xx:
    prober: http
targets: []
${extra}`;

async function api(h: Harness, path: string, init: RequestInit = {}) {
  const res = await fetch(h.baseUrl + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown> };
}

const post = (h: Harness, body: unknown, token: string | null = TOKEN) =>
  api(h, '/api/changes', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function runCli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('with an admin token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(config(`security:\n  admin_token: "${TOKEN}"\n`));
  });
  afterAll(() => h.close());

  it('POST needs the token: 401 without it or with a wrong one', async () => {
    expect((await post(h, { title: 't', kind: 'deploy' }, null)).status).toBe(401);
    expect((await post(h, { title: 't', kind: 'deploy' }, 'wrong')).status).toBe(401);
    expect((await api(h, '/api/changes')).json).toEqual({ changes: [] });
  });

  it('records a change: 201 with it, then GET lists it', async () => {
    const res = await post(h, {
      title: 'Enable Brotli',
      kind: 'optimisation',
      target: 'homepage',
      at: '2025-03-14T10:30:00+01:00',
      description: 'nginx gzip -> brotli',
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      title: 'Enable Brotli',
      kind: 'optimisation',
      target: 'homepage',
      at: '2025-03-14T09:30:00.000Z',
      description: 'nginx gzip -> brotli',
    });
    expect(typeof res.json.id).toBe('number');
    const list = await api(
      h,
      '/api/changes?target=homepage&since=2025-03-01T00:00:00Z&until=2025-04-01T00:00Z',
    );
    expect((list.json.changes as { id: number }[]).map((c) => c.id)).toEqual([res.json.id]);
    expect(((await api(h, '/api/changes?target=other')).json.changes as unknown[]).length).toBe(0);
  });

  it('answers 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'deploy' }, 'title'],
      [{ title: 'x'.repeat(201), kind: 'deploy' }, 'title'],
      [{ title: 't', kind: 'release' }, 'kind'],
      [{ title: 't', kind: 'deploy', at: '14/03/2025' }, 'at'],
      [{ title: 't', kind: 'deploy', target: 'Bad Name' }, 'target'],
      [{ title: 't', kind: 'deploy', colour: 'red' }, 'colour'],
      [[1, 2], 'body'],
      ['{"title": ', 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await post(h, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.field).toBe(field);
      expect(String(res.json.error)).toMatch(new RegExp(`^${field}: `));
    }
    const bad = await api(h, '/api/changes?limit=abc');
    expect([bad.status, bad.json.field]).toEqual([400, 'limit']);
    expect((await api(h, '/api/changes?since=yesterday')).json.field).toBe('since');
  });
});

describe('without an admin token (loopback only, as POST /-/reload)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(config());
  });
  afterAll(() => h.close());

  it('accepts loopback clients', async () => {
    expect((await post(h, { title: 'from loopback', kind: 'other' }, null)).status).toBe(201);
  });

  it.skipIf(!externalAddress)('refuses other clients with 403', async () => {
    await withExternalServer(h.service, async (url) => {
      const res = await fetch(`${url}/api/changes`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'from afar', kind: 'other' }),
      });
      expect(res.status).toBe(403);
      // Reading stays open to everyone, as /metrics does.
      expect((await fetch(`${url}/api/changes`)).status).toBe(200);
    });
  });

  it('exports changes on /metrics, including CLI writes, and promtool accepts it', async () => {
    const title = 'Roll back "v2"\nafter the outage \\ ' + 'x'.repeat(150);
    expect((await post(h, { title, kind: 'deploy', target: 'homepage' }, null)).status).toBe(201);
    const cli = runCli([
      'change',
      'add',
      '--title=CDN switch',
      '--kind=infrastructure',
      `--storage.path=${h.service.options.storagePath}`,
    ]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^change \d+ recorded/);
    // The CLI's write reaches the cache within the watch interval (2 s).
    const text = (await waitFor(
      async () => {
        const body = await (await fetch(h.baseUrl + '/metrics')).text();
        return body.includes('title="CDN switch"') ? body : undefined;
      },
      10_000,
      'the CLI change on /metrics',
    )) as string;
    const lines = text.split('\n').filter((l) => l.startsWith('vantage_change_timestamp_seconds{'));
    expect(lines).toHaveLength(3);
    expect(
      lines.some((l) => /kind="infrastructure",target="",title="CDN switch"} \d+(\.\d+)?$/.test(l)),
    ).toBe(true);
    const rollback = lines.find((l) => l.includes('Roll back'))!;
    expect(rollback).toContain('target="homepage",title="Roll back \\"v2\\" after the outage \\\\ xxx');
    expect(rollback).toMatch(/x…"} /);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
    expect((promtool.stdout + promtool.stderr).trim()).toBe('');
  });
});

describe('concurrency and crashes', () => {
  it('parallel POSTs and a second process writing at once: no row lost or duplicated', async () => {
    const h = await startVantage(config());
    try {
      const dir = h.service.options.storagePath;
      const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, '300', 'writer'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let writerErr = '';
      writer.stderr.on('data', (d: Buffer) => (writerErr += d.toString()));
      const writerDone = new Promise<number | null>((r) => writer.on('exit', r));
      const cliRuns = [0, 1].map(
        (i) =>
          new Promise<number | null>((resolve) => {
            const c = spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                CLI,
                'change',
                'add',
                `--title=cli ${i}`,
                '--kind=deploy',
                `--storage.path=${dir}`,
              ],
              { stdio: 'ignore' },
            );
            c.on('exit', resolve);
          }),
      );
      const statuses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => post(h, { title: `api ${i}`, kind: 'config' }, null)),
      );
      expect(statuses.every((s) => s.status === 201)).toBe(true);
      expect(await writerDone, writerErr).toBe(0);
      expect(await Promise.all(cliRuns)).toEqual([0, 0]);

      const all = h.service.store.changes.list({ limit: 1000 });
      expect(all).toHaveLength(502);
      const titles = new Set(all.map((c) => c.title));
      expect(titles.size).toBe(502);
      for (let i = 0; i < 200; i++) expect(titles.has(`api ${i}`)).toBe(true);
      for (let i = 0; i < 300; i++) expect(titles.has(`writer ${i}`)).toBe(true);
      expect(titles.has('cli 0') && titles.has('cli 1')).toBe(true);
      expect(new Set(all.map((c) => c.id)).size).toBe(502);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a writer killed with SIGKILL mid-way: the database opens cleanly with every committed row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-crash-'));
    try {
      const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, '1000000', 'crash'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const committed: number[] = [];
      let buffer = '';
      writer.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        committed.push(...lines.map(Number));
      });
      await waitFor(() => committed.length >= 300, 30_000, '300 committed inserts');
      const exited = new Promise((r) => writer.on('exit', r));
      writer.kill('SIGKILL');
      await exited;

      const store = Store.open(dir);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const ids = new Set(store.db.prepare('SELECT id FROM changes').pluck().all() as number[]);
      // Every id the writer reported after its COMMIT is there (and perhaps a few more it had no time to print).
      for (const id of committed) expect(ids.has(id)).toBe(true);
      expect(ids.size).toBeGreaterThanOrEqual(committed.length);
      // And the database takes writes again.
      store.changes.add({ title: 'after the crash', kind: 'other', target: null, description: null });
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('CLI validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-cli-change-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      ['--title=t', '--kind=release'],
      /^--kind: must be one of deploy, config, infrastructure, optimisation, load_test, other, got "release"/,
    ],
    [['--kind=deploy'], /^--title: is required/],
    [['--title=', '--kind=deploy'], /^--title: is required/],
    [[`--title=${'x'.repeat(201)}`, '--kind=deploy'], /^--title: must be at most 200 characters/],
    [
      ['--title=t', '--kind=deploy', '--at=2025-03-14T09:30'],
      /^--at: expected an ISO-8601 time with an offset or Z/,
    ],
    [['--title=t', '--kind=deploy', '--target=Home'], /^--target: must be a target name/],
    [['--title=t', '--kind=deploy', '--limit=3'], /^change add: --limit does not apply here/],
  ])('change add %j', (args, message) => {
    const run = runCli(['change', 'add', ...args, `--storage.path=${dir}`]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('list validates its flags and prints table and JSON', () => {
    expect(runCli(['change', 'list', '--format=xml', `--storage.path=${dir}`]).stderr).toMatch(
      /^--format: must be table or json/,
    );
    expect(runCli(['change', 'list', '--since=last week', `--storage.path=${dir}`]).stderr).toMatch(
      /^--since: /,
    );
    expect(runCli(['change', 'frobnicate', `--storage.path=${dir}`]).stderr).toMatch(
      /change: expected "add" or "list"/,
    );
    const added = runCli([
      'change',
      'add',
      '--title=Ship it',
      '--kind=deploy',
      '--target=web',
      '--at=2025-03-14T09:30:00Z',
      `--storage.path=${dir}`,
      '--create',
    ]);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^change 1 recorded\n {2}at: {5}2025-03-14T09:30:00Z\n/);
    const table = runCli(['change', 'list', `--storage.path=${dir}`]);
    expect(table.stdout).toMatch(
      /^ID +AT \(UTC\) +KIND +TARGET +TITLE\n1 +2025-03-14T09:30:00Z +deploy +web +Ship it\n$/,
    );
    const json = JSON.parse(
      runCli(['change', 'list', '--format=json', '--target=web', `--storage.path=${dir}`]).stdout,
    );
    expect(json.changes[0]).toMatchObject({
      id: 1,
      title: 'Ship it',
      target: 'web',
      at: '2025-03-14T09:30:00.000Z',
    });
  });
});
