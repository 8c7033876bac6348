/**
 * GET /rum/v1/vantage-rum.js (src/rum/snippetAsset.ts) over real HTTP: the built bundle with the
 * public script's headers, gzip only when asked for, a strong ETag answering 304, HEAD, and a
 * clear error naming the file and `npm run build` when the bundle is missing. Also on vantage's
 * own listener (src/server/app.ts).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RUM_TAG } from '../../src/demo/rumTag.js';
import { confirmationHtml } from '../../src/demo/shopPages.js';
import { loadSnippetAsset, snippetHandler, SNIPPET_ROUTE } from '../../src/rum/snippetAsset.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const bundle = readFileSync(join(ROOT, 'dist', 'rum', 'vantage-rum.js'));

/** A raw GET (fetch would add Accept-Encoding and decode): status, headers, body bytes. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

let server: TestServer;
let url: string;
beforeAll(async () => {
  const app = express();
  app.get(SNIPPET_ROUTE, snippetHandler());
  server = await startHttpServer(app);
  url = server.origin + SNIPPET_ROUTE;
});
afterAll(() => server.close());

describe('GET /rum/v1/vantage-rum.js', () => {
  it('serves the built bundle as a public, cacheable, non-sniffable script', async () => {
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.body.equals(bundle)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
      vary: 'Accept-Encoding',
      'content-length': String(bundle.length),
    });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
  });

  it.each([
    ['gzip, deflate, br', true],
    ['br;q=1, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['br', false],
  ])('Accept-Encoding %j: gzip %s', async (accept, gzip) => {
    const res = await get(url, { 'accept-encoding': accept });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
    expect((gzip ? gunzipSync(res.body) : res.body).equals(bundle)).toBe(true);
    if (gzip) expect(res.body.length).toBeLessThan(bundle.length / 2);
  });

  it('answers 304 to its own ETag (also weak or in a list), 200 to another', async () => {
    const etag = (await get(url)).headers.etag as string;
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await get(url, { 'if-none-match': inm });
      expect(res.status, inm).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
    }
    expect((await get(url, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await get(url, {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['content-length']).toBe(String(bundle.length));
  });

  it('refuses to start without the bundle, naming the file and npm run build', () => {
    const missing = join(ROOT, 'dist', 'rum', 'no-such-bundle.js');
    expect(() => loadSnippetAsset(missing)).toThrow(
      `the RUM snippet bundle ${missing} is missing: run \`npm run build\` to build it`,
    );
  });
});

describe("vantage's listener", () => {
  let vantage: Harness;
  beforeAll(async () => {
    vantage = await startVantage('targets: []\n', { serveDemoPages: true });
  });
  afterAll(() => vantage?.close());

  it('serves the snippet', async () => {
    const res = await get(vantage.baseUrl + SNIPPET_ROUTE, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(gunzipSync(res.body).equals(bundle)).toBe(true);
  });

  it.each([
    '/demo/fast',
    '/demo/slow',
    '/demo/light',
    '/demo/heavy',
    '/demo/shop/',
    '/demo/shop',
    '/demo/shop/search?q=mug',
    '/demo/shop/catalogue/mug',
  ])('tags the demo page %s with the snippet, once, in the head', async (path) => {
    const html = (await get(vantage.baseUrl + path)).body.toString('utf8');
    expect(html.split(DEMO_RUM_TAG)).toHaveLength(2);
    expect(html.indexOf(DEMO_RUM_TAG)).toBeLessThan(html.indexOf('</head>'));
  });

  it("reports the goal 'checkout' on the order's confirmation, after the deferred snippet ran", () => {
    const html = confirmationHtml({ id: 'order-1001', items: 1, lines: new Map([['mug', 1]]) });
    expect(html).toContain(
      "addEventListener('DOMContentLoaded', function () { window.vantageRum && window.vantageRum.goal('checkout'); });",
    );
  });
});
