/**
 * POST /api/changes retried: with an Idempotency-Key (header, or idempotency_key in the body)
 * a client that lost the 201 and sends again gets the same change, never a duplicate, even
 * when 20 retries race; a key reused for another change is a 422. Also `at` before 1970 (years
 * 0001-0099 were stored as 1901-1999), over HTTP and through `vantage change add`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cliProcess.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const TOKEN = 'change-idempotency-admin-token-0123';

let h: Harness;
beforeAll(async () => {
  h = await startVantage(
    `modules:\n  http_2xx:\n    prober: http\ntargets: []\nsecurity:\n  admin_token: "${TOKEN}"\n`,
  );
});
afterAll(() => h.close());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(h.baseUrl + '/api/changes', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    json: (await res.json()) as Record<string, unknown>,
  };
}

async function titled(title: string) {
  const res = await fetch(h.baseUrl + '/api/changes?limit=1000');
  const { changes } = (await res.json()) as { changes: { id: number; title: string }[] };
  return changes.filter((c) => c.title === title);
}

describe('POST /api/changes with an idempotency key', () => {
  it('a retry with the Idempotency-Key header returns the original change, marked replayed', async () => {
    const body = { title: 'deploy 2.0.0', kind: 'deploy', target: 'homepage' };
    const headers = { 'Idempotency-Key': '5f0c7a9e-1b7d-4c4e-9a51-0d8f0f2b6c11' };
    const first = await post(body, headers);
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    const retry = await post(body, headers);
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    expect(retry.json).toEqual(first.json); // same id, same `at` (filled in by the first request)
    expect(await titled('deploy 2.0.0')).toHaveLength(1);
  });

  it('the body field works the same, and agrees with the (quoted) header', async () => {
    const body = { title: 'config flip', kind: 'config', idempotency_key: 'body-key-1' };
    const first = await post(body);
    const again = await post(body, { 'Idempotency-Key': '"body-key-1"' });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json.id).toBe(first.json.id);
    expect(again.json).not.toHaveProperty('idempotency_key');
    expect(await titled('config flip')).toHaveLength(1);
  });

  it('the same key with a different change is 422 naming the key; nothing is recorded', async () => {
    const headers = { 'Idempotency-Key': 'reused-key' };
    const first = await post({ title: 'optimise images', kind: 'optimisation' }, headers);
    expect(first.status).toBe(201);
    const other = await post({ title: 'optimise fonts', kind: 'optimisation' }, headers);
    expect(other.status).toBe(422);
    expect(other.json.field).toBe('idempotency_key');
    expect(other.json.error).toContain('"reused-key" was already used for a different change');
    expect(await titled('optimise fonts')).toEqual([]);
  });

  it('refuses a bad key, or header and body disagreeing, with 400 naming idempotency_key', async () => {
    const cases: [unknown, Record<string, string>][] = [
      [{ title: 't', kind: 'other', idempotency_key: 'a' }, { 'Idempotency-Key': 'b' }],
      [{ title: 't', kind: 'other', idempotency_key: 42 }, {}],
      [{ title: 't', kind: 'other', idempotency_key: 'has space' }, {}],
      [{ title: 't', kind: 'other' }, { 'Idempotency-Key': 'k'.repeat(256) }],
    ];
    for (const [body, headers] of cases) {
      const res = await post(body, headers);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.field).toBe('idempotency_key');
    }
    expect(await titled('t')).toEqual([]);
  });

  it('20 concurrent retries with one key record one change', async () => {
    const body = { title: 'racing deploy', kind: 'deploy', at: '2025-03-14T09:30:00Z' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => post(body, { 'Idempotency-Key': 'race-key' })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(results.filter((r) => r.replayed === null)).toHaveLength(1);
    expect(await titled('racing deploy')).toHaveLength(1);
  });
});

describe('`at` before 1970', () => {
  it('POST /api/changes refuses years 0001-0099 (once stored as 1901-1999) naming at', async () => {
    for (const at of ['0099-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z']) {
      const res = await post({ title: 'ancient', kind: 'other', at });
      expect(res.status, at).toBe(400);
      expect(res.json.field).toBe('at');
      expect(res.json.error).toMatch(/^at: year \d{4} is before 1970/);
    }
    expect((await post({ title: 'epoch', kind: 'other', at: '1970-01-01T00:00:00Z' })).json.at).toBe(
      '1970-01-01T00:00:00.000Z',
    );
    expect(await titled('ancient')).toEqual([]);
  });
});

describe('vantage change add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vantage-change-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli(['change', ...args, `--storage.path=${dir}`]);

  it('refuses --at in year 0099 with exit 2; --idempotency-key records once', () => {
    const old = cli('add', '--title=x', '--kind=deploy', '--at=0099-01-01T00:00:00Z');
    expect(old.status).toBe(2);
    expect(old.stderr).toContain('--at: year 0099 is before 1970');

    const args = ['add', '--title=release 7', '--kind=deploy', '--idempotency-key=ci-run-7'];
    const first = cli(...args, '--create');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^change 1 recorded/);
    const again = cli(...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^change 1 was already recorded with this idempotency key/);
    const other = cli('add', '--title=release 8', '--kind=deploy', '--idempotency-key=ci-run-7');
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('--idempotency-key: "ci-run-7" was already used for a different change');
    const list = cli('list', '--format=json');
    expect((JSON.parse(list.stdout) as { changes: unknown[] }).changes).toHaveLength(1);
    // Five CLI runs, each compiling the sources with tsx: give a loaded machine time.
  }, 90_000);
});
