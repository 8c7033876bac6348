/**
 * Pages for Lighthouse tests (and, ported, for vantage's demo pages), served on 127.0.0.1:
 *
 *   /light   a tiny text page: fast on any throttling profile (LCP well under 2.5 s)
 *   /heavy   700 ms of blocking script in <head> (delays FCP), 500 ms in a timer after the first paint
 *            and 400 ms after load (these count in TBT: Lighthouse counts blocking between FCP and TTI),
 *            ~1.5 MB of incompressible PNGs, and a late layout shift (a 300 px block inserted above the
 *            content 1 s after parsing)
 *   /never   sends the start of a page and never finishes the response (load never fires)
 *   /trivial the smallest valid page, for soak loops
 *
 * The page content comes from src/demo/pageContent.ts, so the demo serves the same pages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HEAD,
  heavyPageHtml,
  lightPageHtml,
  randomPng,
  trivialPageHtml,
} from '../../src/demo/pageContent.js';

export interface LighthousePagesServer {
  origin: string;
  lightUrl: string;
  heavyUrl: string;
  neverUrl: string;
  trivialUrl: string;
  /** Total image bytes on the heavy page. */
  heavyImageBytes: number;
  close(): Promise<void>;
}

export async function startLighthousePages(): Promise<LighthousePagesServer> {
  // Two 512x512 random PNGs: ~1.57 MB, well over the 1 MB the heavy page must carry.
  const images = new Map<string, Buffer>([
    ['/img/noise-1.png', randomPng(512, 512, 1)],
    ['/img/noise-2.png', randomPng(512, 512, 2)],
  ]);
  const pages = new Map<string, string>([
    ['/light', lightPageHtml()],
    ['/heavy', heavyPageHtml({ images: [...images.keys()] })],
    ['/trivial', trivialPageHtml()],
  ]);
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const page = pages.get(path);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    const image = images.get(path);
    if (image) {
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-length': image.length,
        'cache-control': 'no-store',
      });
      res.end(image);
      return;
    }
    if (path === '/never') {
      // Headers and the first bytes of a page, then silence: the document never completes, load never fires.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.write(`<!doctype html><html lang="en"><head>${HEAD}<title>Never</title></head><body><p>Loading`);
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    lightUrl: `${origin}/light`,
    heavyUrl: `${origin}/heavy`,
    neverUrl: `${origin}/never`,
    trivialUrl: `${origin}/trivial`,
    heavyImageBytes: [...images.values()].reduce((n, b) => n + b.length, 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
