/**
 * Demo pages served by vantage itself, each with a distinct behaviour worth graphing:
 * fast (answers at once), slow (1.5 s server time, over its 1 s latency objective), flaky
 * (one request in four answers 503, which burns its error budget), and for Lighthouse a light
 * page and a heavy one (blocking script, 1.5 MB of images, a late layout shift).
 */
import { Router } from 'express';
import { heavyPageHtml, lightPageHtml, randomPng } from './pageContent.js';
import { withRumTag } from './rumTag.js';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<meta name="viewport" content="width=device-width,initial-scale=1"></head>` +
  `<body><h1>${title}</h1>${body}</body></html>\n`;

export const SLOW_PAGE_DELAY_MS = 1500;
export const FLAKY_FAILURE_RATIO = 0.25;

export interface DemoPagesOptions {
  /** Every page carries the RUM snippet's tag (src/demo/rumTag.ts): vantage's app sets it. */
  rumSnippet?: boolean;
}

export function demoRouter(random: () => number = Math.random, options: DemoPagesOptions = {}): Router {
  const router = Router();
  const html = (doc: string) => withRumTag(doc, options.rumSnippet);
  router.get('/demo/fast', (_req, res) => {
    res.type('html').send(html(page('vantage demo: fast', '<p>status: ok</p>')));
  });
  router.get('/demo/slow', (_req, res) => {
    const timer = setTimeout(() => {
      res
        .type('html')
        .send(html(page('vantage demo: slow', '<p>status: ok (after 1.5 s of server time)</p>')));
    }, SLOW_PAGE_DELAY_MS);
    res.on('close', () => clearTimeout(timer));
  });
  // Two 512x512 incompressible PNGs (~1.5 MB), built once and served with a fixed length.
  const images = new Map<string, Buffer>([
    ['noise-1.png', randomPng(512, 512, 1)],
    ['noise-2.png', randomPng(512, 512, 2)],
  ]);
  const heavy = html(heavyPageHtml({ images: [...images.keys()].map((name) => `/demo/img/${name}`) }));
  const light = html(lightPageHtml('vantage demo: light'));
  router.get('/demo/light', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(light);
  });
  router.get('/demo/heavy', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(heavy);
  });
  router.get('/demo/img/:name', (req, res) => {
    const image = images.get(req.params.name);
    if (!image) {
      res.status(404).type('text').send('not found\n');
      return;
    }
    res.set('Cache-Control', 'no-store').type('png').send(image);
  });
  router.get('/demo/flaky', (_req, res) => {
    if (random() < FLAKY_FAILURE_RATIO) {
      res
        .status(503)
        .type('html')
        .send(html(page('vantage demo: flaky', '<p>status: unavailable</p>')));
    } else {
      res.type('html').send(html(page('vantage demo: flaky', '<p>status: ok</p>')));
    }
  });
  return router;
}
