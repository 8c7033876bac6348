/**
 * Who may write when no admin token is set: loopback clients only, on every write endpoint,
 * the Alertmanager webhook included (it used to admit private networks too). A real service is
 * served on this machine's private-network address (a compose network or LAN stands there) and
 * on loopback; the refusal says how to set a token and is counted; the start says so in one
 * log line. With a token from VANTAGE_ADMIN_TOKEN_FILE (how compose and `vantage stack` hand
 * it over), the same client writes with the token. The loopback classifier itself is
 * table-tested: it is what decides, and dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/server/adminAuth.js';
import { alertmanagerWebhook } from '../helpers/alertmanagerWebhook.js';
import { privateNetworkAddress, withExternalServer } from '../helpers/externalServer.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const CONFIG = 'modules:\n  http_2xx:\n    prober: http\ntargets: []\n';
const TOKEN = 'generated-token-0123456789abcdef';

const webhook = alertmanagerWebhook([
  {
    status: 'firing',
    labels: { alertname: 'VantageTargetDown', severity: 'critical', target: 'homepage' },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    fingerprint: 'fp-lan',
  },
]);

/** The four write endpoints, each with a body it accepts. */
const WRITES: [string, unknown][] = [
  ['/api/alertmanager', webhook],
  ['/api/changes', { title: 'from the LAN', kind: 'other' }],
  ['/api/reports', { date: '2026-01-01' }],
  ['/-/reload', undefined],
];

function write(base: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(base + path, {
    method: 'POST',
    headers: {
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...(token && { Authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function refusals(h: Harness, reason: string): Promise<number> {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const m = new RegExp(`^vantage_write_request_refusals_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(
    text,
  );
  return Number(m?.[1]);
}

describe('without an admin token: writes from loopback only', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(CONFIG);
  });
  afterAll(() => h.close());

  it('says so at start, in one log line naming how to set a token', () => {
    const lines = h.logs.filter((l) => l.includes('write APIs accept loopback only'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toMatch(
      /^write APIs accept loopback only: no admin token set; .*VANTAGE_ADMIN_TOKEN_FILE.*see docs\/security\.md/,
    );
  });

  it('accepts the Alertmanager webhook from loopback', async () => {
    expect((await write(h.baseUrl, '/api/alertmanager', webhook)).status).toBe(200);
  });

  it.skipIf(!privateNetworkAddress)(
    'refuses a private-network client on every write endpoint with 403 saying how to set a token, counted as client_address',
    async () => {
      const before = await refusals(h, 'client_address');
      await withExternalServer(
        h.service,
        async (url) => {
          for (const [path, body] of WRITES) {
            const res = await write(url, path, body);
            const text = await res.text();
            expect(res.status, `${path}: ${text}`).toBe(403);
            expect(text).toContain(
              `no admin token is set, so write APIs accept loopback clients only (this request came from ${privateNetworkAddress})`,
            );
            expect(text).toContain('VANTAGE_ADMIN_TOKEN_FILE');
          }
          // Reading stays open.
          expect((await fetch(`${url}/api/incidents`)).status).toBe(200);
        },
        privateNetworkAddress,
      );
      expect(await refusals(h, 'client_address')).toBe(before + WRITES.length);
    },
  );
});

describe('with the token in VANTAGE_ADMIN_TOKEN_FILE', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vantage-token-file-'));
    const file = join(dir, 'admin-token');
    await writeFile(file, `${TOKEN}\n`, { mode: 0o600 });
    process.env.VANTAGE_ADMIN_TOKEN_FILE = file;
    h = await startVantage(CONFIG);
  });
  afterAll(async () => {
    delete process.env.VANTAGE_ADMIN_TOKEN_FILE;
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs that writes need the token, not the loopback line', () => {
    expect(h.logs.some((l) => l.includes('write APIs accept loopback only'))).toBe(false);
    expect(h.logs.some((l) => l.includes('write APIs require the admin token'))).toBe(true);
  });

  it('needs the token from loopback too', async () => {
    expect((await write(h.baseUrl, '/api/alertmanager', webhook)).status).toBe(401);
    expect((await write(h.baseUrl, '/api/alertmanager', webhook, TOKEN)).status).toBe(200);
  });

  it.skipIf(!privateNetworkAddress)('admits a private-network client that sends it', async () => {
    await withExternalServer(
      h.service,
      async (url) => {
        expect((await write(url, '/api/alertmanager', webhook)).status).toBe(401);
        expect((await write(url, '/api/alertmanager', webhook, TOKEN)).status).toBe(200);
      },
      privateNetworkAddress,
    );
  });
});

describe('isLoopback (who may write without a token)', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.3.4', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:127.0.0.2', true],
    ['10.0.0.2', false],
    ['192.168.1.10', false],
    ['172.17.0.3', false],
    ['::ffff:10.0.0.2', false],
    ['::ffff:192.168.1.10', false],
    ['fd00::2', false],
    ['fe80::1', false],
    ['192.0.2.2', false],
    ['0.0.0.0', false],
    ['::', false],
    ['127.0.0.1.example', false],
    ['::ffff:127.0.0.1:80', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});
