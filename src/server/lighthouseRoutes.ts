/**
 * Lighthouse reports of the median run of each audit batch, as Lighthouse renders them:
 * /lighthouse/<target>/<module>/latest.html (and .json), by timestamp, and an index of the
 * kept history. Grafana panels and the index page link here.
 */
import { Router, type Response } from 'express';
import type { VantageService } from '../service/service.js';
import { escapeHtml } from './html.js';

const esc = escapeHtml;

const REPORT_FILE = /^(latest|\d{8}T\d{6}(?:\d{3})?Z)\.(html|json)$/;

function notFound(res: Response, what: string): void {
  res.status(404).type('text').send(`${what}\n`);
}

export function lighthouseRouter(service: VantageService): Router {
  const router = Router();

  router.get('/lighthouse/', (_req, res) => {
    const audits = service.checks().filter((c) => c.module.prober === 'lighthouse');
    const rows = audits
      .map((c) => {
        const base = `${encodeURIComponent(c.target.name)}/${encodeURIComponent(c.moduleName)}/`;
        return `<li>${esc(c.target.name)} / ${esc(c.moduleName)}: <a href="${base}latest.html">latest report</a> · <a href="${base}latest.json">JSON</a> · <a href="${base}">history</a></li>`;
      })
      .join('\n');
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vantage: Lighthouse reports</title></head><body><h1>Lighthouse reports</h1><ul>\n${rows || '<li>No Lighthouse modules are configured.</li>'}\n</ul><p><a href="../">back</a></p></body></html>\n`,
      );
  });

  router.get('/lighthouse/:target/:module/', async (req, res, next) => {
    try {
      const { target, module } = req.params;
      if (!service.definition(target, module))
        return notFound(res, `no Lighthouse check ${target}/${module}`);
      const kept = await service.reports.list(target, module);
      const items = kept
        .map(
          (r) =>
            `<li>${esc(new Date(r.startedAtMs).toISOString())}: <a href="${esc(r.timestamp)}.html">report</a> · <a href="${esc(r.timestamp)}.json">JSON</a></li>`,
        )
        .join('\n');
      res
        .type('html')
        .send(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vantage: ${esc(target)} / ${esc(module)}</title></head><body><h1>Lighthouse reports: ${esc(target)} / ${esc(module)}</h1><p>Median run of each audit batch, newest first.</p><ul>\n${items || '<li>No audit has finished yet.</li>'}\n</ul><p><a href="../../">all reports</a></p></body></html>\n`,
        );
    } catch (err) {
      next(err);
    }
  });

  router.get('/lighthouse/:target/:module/:file', async (req, res, next) => {
    try {
      const { target, module, file } = req.params;
      const m = REPORT_FILE.exec(file);
      if (!m) return notFound(res, 'not a report file name (latest.html, latest.json or <timestamp>.html)');
      const path = await service.reports.path(target, module, m[1]!, m[2] as 'html' | 'json');
      if (!path) return notFound(res, `no report ${file} for ${target}/${module}`);
      // Reports embed the page's own content; keep them from running with vantage's origin powers.
      res.set(
        'Content-Security-Policy',
        "default-src 'self' 'unsafe-inline' data: blob:; connect-src 'none'",
      );
      res.set('Cache-Control', m[1] === 'latest' ? 'no-cache' : 'public, max-age=31536000, immutable');
      res.sendFile(path, {
        headers: { 'Content-Type': m[2] === 'html' ? 'text/html; charset=utf-8' : 'application/json' },
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
