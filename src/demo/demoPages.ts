/**
 * Demo pages served by vantage itself, each with a distinct behaviour worth graphing:
 * fast (answers at once), slow (1.5 s server time, over its 1 s latency objective) and flaky
 * (one request in four answers 503, which burns its error budget).
 */
import { Router } from 'express';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<meta name="viewport" content="width=device-width,initial-scale=1"></head>` +
  `<body><h1>${title}</h1>${body}</body></html>\n`;

export const SLOW_PAGE_DELAY_MS = 1500;
export const FLAKY_FAILURE_RATIO = 0.25;

export function demoRouter(random: () => number = Math.random): Router {
  const router = Router();
  router.get('/demo/fast', (_req, res) => {
    res.type('html').send(page('vantage demo: fast', '<p>status: ok</p>'));
  });
  router.get('/demo/slow', (_req, res) => {
    const timer = setTimeout(() => {
      res.type('html').send(page('vantage demo: slow', '<p>status: ok (after 1.5 s of server time)</p>'));
    }, SLOW_PAGE_DELAY_MS);
    res.on('close', () => clearTimeout(timer));
  });
  router.get('/demo/flaky', (_req, res) => {
    if (random() < FLAKY_FAILURE_RATIO) {
      res.status(503).type('html').send(page('vantage demo: flaky', '<p>status: unavailable</p>'));
    } else {
      res.type('html').send(page('vantage demo: flaky', '<p>status: ok</p>'));
    }
  });
  return router;
}
