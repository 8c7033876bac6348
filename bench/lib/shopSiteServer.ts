/**
 * The site the browser-flow benchmark uses, as its own process (its CPU is not the prober's, and a
 * busy bench process cannot delay what it records): the demo shop's pages and API under
 * /demo/shop (src/demo/shop.ts, the same router the embedded demo serves, add-to-cart blocking
 * 300 ms), plus a page for an HTTP check that records when each of its requests arrived.
 *
 *   node --import tsx bench/lib/shopSiteServer.ts PORT
 *
 * Paths:
 * - `/demo/shop/...`: the shop (front with #q, search results, product pages with #add).
 * - `GET /check`: 200 and a small page containing `status: ok`; its arrival time (Unix ms, to the
 *   microsecond) is recorded.
 * - `GET /__bench/arrivals`: `{"arrivals": [ms, ...]}`, every /check arrival so far; not recorded.
 */
import express from 'express';
import { shopRouter } from '../../src/demo/shop.js';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: shopSiteServer.ts PORT');
  process.exit(2);
}

const CHECK_PAGE =
  '<!doctype html>\n<html><head><title>bench check</title></head>\n' +
  '<body><h1>bench check</h1><p>status: ok</p></body></html>\n';

/** Wall-clock ms with sub-ms precision (Date.now() has whole milliseconds only). */
const nowMs = (): number => performance.timeOrigin + performance.now();

const arrivals: number[] = [];
const app = express();
app.get('/check', (_req, res) => {
  arrivals.push(nowMs());
  res.type('html').send(CHECK_PAGE);
});
app.get('/__bench/arrivals', (_req, res) => {
  res.json({ arrivals });
});
app.use(shopRouter());

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`shop site listening on 127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
