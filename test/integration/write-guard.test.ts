/**
 * The write guard at the level an attacker meets it: raw HTTP requests to a real vantage with
 * the Origin, Host and Content-Type a hostile page (or a DNS-rebound name) would send, and the
 * ones curl, amtool and Alertmanager send, which must keep working. Every refusal is counted in
 * vantage_write_request_refusals_total{reason}; nothing refused is recorded or reloaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../helpers/rawHttp.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const change = (title: string) => JSON.stringify({ title, kind: 'other' });

async function refusals(h: Harness): Promise<Record<string, number>> {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^vantage_write_request_refusals_total\{reason="(\w+)"\} (\d+)/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

async function changeTitles(h: Harness): Promise<string[]> {
  const body = (await (await fetch(`${h.baseUrl}/api/changes`)).json()) as { changes: { title: string }[] };
  return body.changes.map((c) => c.title);
}

describe('without an admin token (loopback is trusted)', () => {
  let h: Harness;
  let port: string;
  beforeAll(async () => {
    h = await startVantage('targets: []\nsecurity:\n  allowed_hosts: [vantage.internal]\n');
    port = new URL(h.baseUrl).port;
  });
  afterAll(() => h.close());

  it('accepts what curl, amtool and Alertmanager send: no Origin, JSON or no body', async () => {
    const curl = await send(h.baseUrl, '/api/changes', { headers: JSON_TYPE, body: change('from curl') });
    expect(curl.status).toBe(201);
    expect((await send(h.baseUrl, '/-/reload')).status).toBe(200);
    const webhook = await send(h.baseUrl, '/api/alertmanager', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ version: '4', status: 'firing', alerts: [] }),
    });
    expect(webhook.status).toBe(200);
    expect(await changeTitles(h)).toContain('from curl');
  });

  it('accepts a same-origin browser request and the names vantage is reached by', async () => {
    const sameOrigin = await send(h.baseUrl, '/api/changes', {
      headers: { ...JSON_TYPE, origin: h.baseUrl },
      body: change('same origin'),
    });
    expect(sameOrigin.status).toBe(201);
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `vantage.internal:${port}`,
      'VANTAGE.internal',
    ]) {
      const res = await send(h.baseUrl, '/api/changes', {
        headers: { ...JSON_TYPE, host },
        body: change(`via ${host}`),
      });
      expect(res.status, host).toBe(201);
    }
  });

  it('refuses a foreign Origin with 403, also another port of the same machine and an opaque one', async () => {
    const before = await refusals(h);
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${Number(port) + 1}`,
      'null',
      'http://localhost:3000',
    ]) {
      const res = await send(h.baseUrl, '/api/changes', {
        headers: { ...JSON_TYPE, origin },
        body: change(`from ${origin}`),
      });
      expect(res.status, origin).toBe(403);
      expect(res.text).toContain('cross-site request');
    }
    const reload = await send(h.baseUrl, '/-/reload', { headers: { origin: 'http://evil.example' } });
    expect(reload.status).toBe(403);
    expect((await changeTitles(h)).filter((t) => /^from (http|null)/.test(t))).toEqual([]);
    expect((await refusals(h)).foreign_origin).toBe(before.foreign_origin! + 5);
  });

  it('refuses a body that is not application/json with 415, on every write endpoint', async () => {
    const before = await refusals(h);
    const paths = ['/api/changes', '/api/alertmanager', '/api/reports', '/-/reload'];
    for (const [path, type] of paths.flatMap((p) =>
      ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'].map((t) => [
        p,
        t,
      ]),
    )) {
      const res = await send(h.baseUrl, path!, { headers: { 'content-type': type! }, body: change('plain') });
      expect(res.status, `${path} ${type}`).toBe(415);
      expect(res.text).toContain('Content-Type: application/json');
    }
    // No Content-Type at all, but a body: the same.
    expect((await send(h.baseUrl, '/api/changes', { body: change('untyped') })).status).toBe(415);
    expect(await changeTitles(h)).not.toContain('plain');
    expect((await refusals(h)).content_type).toBe(before.content_type! + 13);
  });

  it('refuses a Host vantage is not known by with 403 (DNS rebinding)', async () => {
    const before = await refusals(h);
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      'localhost.evil.example',
      '127.0.0.1.nip.io',
    ]) {
      const res = await send(h.baseUrl, '/api/changes', {
        headers: { ...JSON_TYPE, host },
        body: change(host),
      });
      expect(res.status, host).toBe(403);
      expect(res.text).toContain('security.allowed_hosts');
    }
    expect((await send(h.baseUrl, '/-/reload', { headers: { host: 'evil.example' } })).status).toBe(403);
    // Reading is not guarded: GET answers under any name, as /metrics always did.
    expect(
      (await send(h.baseUrl, '/api/changes', { method: 'GET', headers: { host: 'evil.example' } })).status,
    ).toBe(200);
    expect((await refusals(h)).unknown_host).toBe(before.unknown_host! + 5);
  });

  it('guards routes that take no writes too: no mutating method slips past to a future route', async () => {
    const res = await send(h.baseUrl, '/api/incidents', {
      method: 'DELETE',
      headers: { origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
  });
});

describe('with an admin token', () => {
  const TOKEN = 'write-guard-admin-token-0123';
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(`targets: []\nsecurity:\n  admin_token: ${TOKEN}\n`);
  });
  afterAll(() => h.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('accepts any Host (the token is the proof) but still only JSON bodies and no foreign Origin', async () => {
    const proxied = await send(h.baseUrl, '/api/changes', {
      headers: { ...JSON_TYPE, ...auth, host: 'vantage.example.com' },
      body: change('behind a proxy'),
    });
    expect(proxied.status).toBe(201);
    const plain = await send(h.baseUrl, '/api/changes', {
      headers: { ...auth, 'content-type': 'text/plain' },
      body: change('plain with token'),
    });
    expect(plain.status).toBe(415);
    const foreign = await send(h.baseUrl, '/-/reload', {
      headers: { ...auth, origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(await changeTitles(h)).toEqual(['behind a proxy']);
  });
});
