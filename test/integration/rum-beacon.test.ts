/**
 * POST /rum/v1/beacon against a real vantage on 127.0.0.1, treated as the hostile public
 * endpoint it is: each kind of bad request gets its documented status and its counter in
 * vantage_rum_beacons_rejected_total{reason}, nothing of it reaches the rum_* series, and the
 * number of rum_* series stays bounded whatever the paths. Also: --rum.listen-address serves the
 * beacon on its own listener (the real CLI).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageView, postAll, postBeacon, sampleValue, sessionId, USER_AGENTS } from '../helpers/beacons.js';
import { freePort } from '../helpers/ports.js';
import { send } from '../helpers/rawHttp.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';
import { startDaemon } from '../helpers/daemon.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ORIGIN = 'https://shop.example.com';
const CONFIG = `
targets: []
rum:
  sites:
    - name: shop
      origins: [${ORIGIN}]
      page_groups:
        - {name: product, pattern: '^/p/[^/]+$'}
        - {name: search, pattern: '^/search'}
      goals: [checkout]
  trusted_proxies: [127.0.0.1/32]
  limits:
    rate_per_client: {per_second: 1, burst: 10}
    max_series: 3000
`;

let vantage: Harness;
const metrics = async () => (await fetch(`${vantage.baseUrl}/metrics`)).text();
const rejected = async (reason: string) =>
  sampleValue(await metrics(), `vantage_rum_beacons_rejected_total{reason="${reason}"}`);
/** Every client its own address (behind the trusted 127.0.0.1), so the rate limit stays out of the way. */
let client = 0;
const nextClient = () => `198.51.100.1, 10.${++client >> 16}.${(client >> 8) & 255}.${client & 255}`;
const fromShop = () => ({ origin: ORIGIN, forwardedFor: nextClient() });
const PV = pageView({
  site: 'shop',
  path: '/p/1',
  vitals: { lcp: 1800, inp: 90, cls: 0.02, fcp: 700, ttfb: 120 },
});

/** A request written by hand on a socket: the status line of the answer, and whether it closed. */
function rawExchange(
  port: number,
  head: string,
  body?: Buffer,
): Promise<{ statusLine: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {}); // a reset after the answer is the point of the test
    socket.on('close', () => resolve({ statusLine: answer.split('\r\n', 1)[0]!, closed: true }));
    socket.on('connect', () => {
      socket.write(head);
      if (body) socket.write(body);
    });
    setTimeout(() => reject(new Error(`no close; got ${answer.slice(0, 200)}`)), 5000).unref();
  });
}

beforeAll(async () => {
  vantage = await startVantage(CONFIG);
});
afterAll(async () => {
  await vantage?.close();
});

describe('the beacon endpoint', () => {
  it('counts a valid beacon and answers 204 with CORS for its origin', async () => {
    const answer = await postBeacon(vantage.baseUrl, PV, fromShop());
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(
      sampleValue(await metrics(), 'rum_page_views_total{site="shop",page_group="product",device="desktop"}'),
    ).toBe(1);
  });

  it('answers the preflight for configured origins only', async () => {
    const ok = await send(vantage.baseUrl, '/rum/v1/beacon', {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(ok.headers['access-control-allow-headers']).toMatch(/content-type/i);
    const before = (await rejected('origin'))!;
    const evil = await send(vantage.baseUrl, '/rum/v1/beacon', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(await rejected('origin')).toBe(before + 1);
  });

  it.each([
    ['a wrong origin', PV, { origin: 'https://evil.example' }, 403, 'origin'],
    ['no origin', PV, {}, 403, 'origin'],
    [
      'a form post',
      PV,
      { origin: ORIGIN, contentType: 'application/x-www-form-urlencoded' },
      415,
      'content_type',
    ],
    ['invalid JSON', '{"v":1,', { origin: ORIGIN }, 400, 'invalid_json'],
    ['a NaN literal', JSON.stringify(PV).replace('1800', 'NaN'), { origin: ORIGIN }, 400, 'invalid_json'],
    [
      'a negative LCP',
      pageView({ site: 'shop', path: '/', vitals: { lcp: -1 } }),
      { origin: ORIGIN },
      400,
      'invalid_beacon',
    ],
    ['an unknown site', pageView({ site: 'blog', path: '/' }), { origin: ORIGIN }, 400, 'unknown_site'],
    ['a bot', PV, { origin: ORIGIN, userAgent: USER_AGENTS.bot }, 204, 'bot'],
    ['headless Chrome', PV, { origin: ORIGIN, userAgent: USER_AGENTS.headless }, 204, 'headless'],
  ])('refuses %s, counted, nothing recorded', async (_what, body, options, status, reason) => {
    const views = () =>
      metrics().then((m) =>
        sampleValue(m, 'rum_page_views_total{site="shop",page_group="product",device="desktop"}'),
      );
    const viewsBefore = await views();
    const before = (await rejected(reason))!;
    const answer = await postBeacon(vantage.baseUrl, body, { forwardedFor: nextClient(), ...options });
    expect(answer.status).toBe(status);
    expect(await rejected(reason)).toBe(before + 1);
    expect(await views()).toBe(viewsBefore);
    if (status === 400) expect(JSON.parse(answer.text)).toHaveProperty('field');
  });

  it('names the bad field of an invalid beacon', async () => {
    const answer = await postBeacon(
      vantage.baseUrl,
      pageView({ site: 'shop', path: '/', vitals: { inp: -3 } }),
      fromShop(),
    );
    expect(JSON.parse(answer.text)).toEqual({
      error: 'vitals.inp: must not be negative',
      field: 'vitals.inp',
    });
  });

  it('refuses a 1 MB body with 413 whether its length is declared or not, without reading it', async () => {
    const port = Number(new URL(vantage.baseUrl).port);
    const before = (await rejected('body_too_large'))!;
    const declared = await rawExchange(
      port,
      `POST /rum/v1/beacon HTTP/1.1\r\nHost: x\r\nOrigin: ${ORIGIN}\r\nContent-Type: text/plain\r\nContent-Length: 1048576\r\n\r\n`,
    );
    expect(declared.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    const chunk = Buffer.alloc(20_000, 'a');
    const chunked = await rawExchange(
      port,
      `POST /rum/v1/beacon HTTP/1.1\r\nHost: x\r\nOrigin: ${ORIGIN}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`,
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    expect(chunked.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await rejected('body_too_large')).toBe(before + 2);
  });

  it('limits a burst from one client address, per address, with Retry-After', async () => {
    const before = (await rejected('rate_limited'))!;
    const burst = await postAll(
      vantage.baseUrl,
      Array(25).fill(PV),
      { origin: ORIGIN, forwardedFor: '192.0.2.77' },
      1,
    );
    expect(burst.filter((s) => s === 204).length).toBeGreaterThanOrEqual(10);
    expect(burst.filter((s) => s === 204).length).toBeLessThanOrEqual(12); // burst 10, +1/s while it runs
    expect(burst.filter((s) => s === 429).length).toBe(25 - burst.filter((s) => s === 204).length);
    expect(await rejected('rate_limited')).toBe(before + burst.filter((s) => s === 429).length);
    const limited = await postBeacon(vantage.baseUrl, PV, { origin: ORIGIN, forwardedFor: '192.0.2.77' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another client is not held back by the first.
    expect(
      (await postBeacon(vantage.baseUrl, PV, { origin: ORIGIN, forwardedFor: '192.0.2.78' })).status,
    ).toBe(204);
  });

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    // Peer 127.0.0.2 is not a trusted proxy: its made-up client addresses all count as 127.0.0.2.
    const statuses = await postAll(
      vantage.baseUrl,
      Array(15).fill(PV),
      (i) => ({ origin: ORIGIN, forwardedFor: `192.0.2.${100 + i}`, localAddress: '127.0.0.2' }),
      1,
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
  });

  it('counts 5,000 distinct paths as page group "other" without a series more', async () => {
    await postBeacon(vantage.baseUrl, pageView({ site: 'shop', path: '/warm-up' }), fromShop());
    const seriesBefore = sampleValue(await metrics(), 'vantage_rum_series')!;
    const bodies = Array.from({ length: 5000 }, (_, i) =>
      pageView({ site: 'shop', path: `/random/${i}/${'x'.repeat(i % 50)}` }),
    );
    const statuses = await postAll(vantage.baseUrl, bodies, () => fromShop());
    expect(statuses.every((s) => s === 204)).toBe(true);
    const text = await metrics();
    expect(sampleValue(text, 'vantage_rum_series')).toBe(seriesBefore);
    expect(sampleValue(text, 'rum_page_views_total{site="shop",page_group="other",device="desktop"}')).toBe(
      5001,
    );
    const rumLines = text.split('\n').filter((l) => l.startsWith('rum_')).length;
    expect(rumLines).toBeLessThanOrEqual(3000);
    expect(text).not.toContain('/random/');
  });

  it('stays under the series cap: a new combination past it is dropped and counted', async () => {
    // Each page group and device costs about 340 series: with a cap of 3,000 the ninth is refused.
    const before = (await rejected('series_limit'))!;
    const combos = ['product', 'search', 'other'].flatMap((path) =>
      (['desktop', 'mobile', 'tablet'] as const).map((device) => ({ path, device })),
    );
    for (const { path, device } of combos) {
      const target = path === 'product' ? '/p/9' : path === 'search' ? '/search' : '/about';
      await postBeacon(vantage.baseUrl, pageView({ site: 'shop', path: target }), {
        ...fromShop(),
        userAgent: USER_AGENTS[device],
      });
    }
    const text = await metrics();
    expect(sampleValue(text, 'vantage_rum_series')).toBeLessThanOrEqual(3000);
    expect(text.split('\n').filter((l) => l.startsWith('rum_')).length).toBeLessThanOrEqual(3000);
    expect(await rejected('series_limit')).toBeGreaterThan(before);
  });

  it('exports no address, user agent or query string', async () => {
    await postBeacon(
      vantage.baseUrl,
      pageView({ site: 'shop', path: '/p/secret-sku?email=someone@example.com', sessionId: sessionId(77) }),
      { origin: ORIGIN, forwardedFor: '192.0.2.201' },
    );
    const text = await metrics();
    for (const secret of ['192.0.2.201', 'Mozilla', 'someone@example.com', 'secret-sku', sessionId(77)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('shows each site on the index page: page views, sessions, p75s since start', async () => {
    const html = await (await fetch(`${vantage.baseUrl}/`)).text();
    expect(html).toContain('<h2>Field data (real visitors, since start)</h2>');
    const row = /<tr><td>shop<\/td><td>([\d,]+)<\/td>.*?<\/tr>/.exec(html);
    expect(row, html.slice(html.indexOf('Field data'))).not.toBeNull();
    const views = sampleValue(
      await metrics(),
      'rum_page_views_total{site="shop",page_group="other",device="desktop"}',
    )!;
    expect(Number(row![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(views);
    // Every counted LCP here is 1,800 ms: its bucket is (1.65 s, 1.8 s], where the p75 is interpolated.
    expect(row![0]).toMatch(/<td>1\.(6[5-9]|7\d|80) s<\/td>/);
  });

  it('answers other methods with 405', async () => {
    const answer = await send(vantage.baseUrl, '/rum/v1/beacon', { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST, OPTIONS');
  });
});

describe('--rum.listen-address', () => {
  it('serves the beacon on its own listener and not on the main one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vantage-rum-listen-'));
    await writeFile(join(dir, 'vantage.yml'), CONFIG);
    const [mainPort, rumPort] = [await freePort(), await freePort()];
    const main = `http://127.0.0.1:${mainPort}`;
    const rum = `http://127.0.0.1:${rumPort}`;
    const daemon = await startDaemon(
      'vantage',
      process.execPath,
      [
        'bin/vantage.js',
        `--config.file=${join(dir, 'vantage.yml')}`,
        `--web.listen-address=127.0.0.1:${mainPort}`,
        `--rum.listen-address=127.0.0.1:${rumPort}`,
        `--storage.path=${dir}`,
      ],
      { url: main, cleanupDir: dir, timeoutMs: 20_000 },
    );
    try {
      expect((await postBeacon(rum, PV, { origin: ORIGIN })).status).toBe(204);
      expect((await postBeacon(main, PV, { origin: ORIGIN })).status).toBe(404);
      expect((await fetch(`${rum}/metrics`)).status).toBe(404);
      const text = await (await fetch(`${main}/metrics`)).text();
      expect(
        sampleValue(text, 'rum_page_views_total{site="shop",page_group="product",device="desktop"}'),
      ).toBe(1);
      expect(daemon.logs.join('\n')).toContain('field-data beacon listening');
    } finally {
      await daemon.stop();
    }
  });
});
