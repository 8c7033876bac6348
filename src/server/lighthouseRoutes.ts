/**
 * Lighthouse reports of the median run of each audit batch, as Lighthouse renders them:
 * /lighthouse/<target>/<module>/latest.html (and .json), by timestamp, and an index of the
 * kept history. Grafana panels and the index page link here.
 */
import { Router, type Request, type Response } from 'express';
import {
  SUMMARY_CATEGORIES,
  summaryFromResult,
  summaryOfStoredReport,
  type AuditSummary,
} from '../probers/lighthouse/auditSummary.js';
import { formatCount, formatScore, formatSeconds, formatUnitless } from '../format/index.js';
import type { ModuleConfig } from '../config/schema.js';
import { proberFor } from '../probers/table.js';
import type { VantageService } from '../service/service.js';
import { escapeHtml } from '../html/escape.js';
import { page, type NavLink } from '../html/layout.js';
import { sendError } from './errorResponse.js';

const esc = escapeHtml;

/** Whether a module's checks keep reports on disk (the prober table says: Lighthouse audits do). */
const keepsReports = (module: ModuleConfig): boolean => proberFor(module).reports !== undefined;

const REPORT_FILE = /^(latest|\d{8}T\d{6}(?:\d{3})?Z)\.(html|json)$/;

function notFound(req: Request, res: Response, what: string): void {
  sendError(req, res, 404, what);
}

/** The way up from a check's pages (/lighthouse/<target>/<module>/...) to the list and the index. */
const CHECK_NAV: readonly NavLink[] = [
  { href: '../../../', text: 'vantage' },
  { href: '../../', text: 'All Lighthouse reports' },
];

const SUMMARY_HEADERS =
  Object.values(SUMMARY_CATEGORIES)
    .map((title) => `<th>${title}</th>`)
    .join('') + '<th>LCP</th><th>CLS</th><th>TBT</th>';

/** The score and Web Vitals cells of one audit; "—" where a figure is absent. */
function summaryCells(summary: AuditSummary | undefined): string {
  const scores = Object.keys(SUMMARY_CATEGORIES)
    .map((c) => `<td>${formatScore(summary?.scores[c])}</td>`)
    .join('');
  return (
    scores +
    `<td>${formatSeconds(summary?.lcpSeconds)}</td><td>${formatUnitless(summary?.cls)}</td>` +
    `<td>${formatSeconds(summary?.tbtSeconds)}</td>`
  );
}

/**
 * latest.html before any report exists (first audit still queued, or every batch failed so far):
 * an HTML page that says why and refreshes itself, where a browser would show a bare 404.
 */
function noReportYet(service: VantageService, target: string, module: string, res: Response): void {
  const latest = service.results.latest(`${target}/${module}`);
  const why = latest
    ? `The latest audit batch (${esc(new Date(latest.startedAtMs).toISOString())}) produced no valid run: ` +
      `${esc(latest.failure?.message ?? 'no reason recorded')}. The next batch runs on the module's interval.`
    : `No audit of this check has finished yet. Audits run one at a time on their schedule ` +
      `(${formatCount(service.audits.length)} waiting in the queue now); a batch of several runs takes a minute or more.`;
  res
    .status(404)
    .type('html')
    .send(
      page({
        title: `vantage: No Lighthouse report yet: ${target} / ${module}`,
        heading: `No Lighthouse report yet: ${target} / ${module}`,
        nav: [...CHECK_NAV, { href: './', text: 'History of this check' }],
        refreshSeconds: 15,
        body: `<p>${why}</p><p>This page reloads every 15 seconds and shows the report as soon as one is saved.</p>`,
      }),
    );
}

export function lighthouseRouter(service: VantageService): Router {
  const router = Router();

  router.get('/lighthouse/', (_req, res) => {
    const audits = service.checks().filter((c) => keepsReports(c.module));
    const rows = audits
      .map((c) => {
        const base = `${encodeURIComponent(c.target.name)}/${encodeURIComponent(c.moduleName)}/`;
        const latest = service.results.latest(c.key);
        const audited = latest
          ? esc(new Date(latest.startedAtMs).toISOString())
          : '<span class="pending">first audit pending</span>';
        const links = latest
          ? `<a href="${base}latest.html">latest report</a> · <a href="${base}latest.json">JSON</a> · <a href="${base}">history</a>`
          : `<a href="${base}">history</a>`;
        return (
          `<tr><td>${esc(c.target.name)}</td><td>${esc(c.moduleName)}</td>` +
          `${summaryCells(latest ? summaryFromResult(latest) : undefined)}<td>${audited}</td><td>${links}</td></tr>`
        );
      })
      .join('\n');
    const body = audits.length
      ? `<p>Median run of the latest audit batch of each check; scores 0–100 as Lighthouse shows them.</p>` +
        `<table><thead><tr><th>Target</th><th>Module</th>${SUMMARY_HEADERS}<th>Audited (UTC)</th><th></th></tr></thead>` +
        `<tbody>\n${rows}\n</tbody></table>`
      : '<p>No Lighthouse modules are configured.</p>';
    res.type('html').send(
      page({
        title: 'vantage: Lighthouse reports',
        heading: 'Lighthouse reports',
        nav: [{ href: '../', text: 'vantage' }],
        body,
      }),
    );
  });

  router.get('/lighthouse/:target/:module/', async (req, res, next) => {
    try {
      const { target, module } = req.params;
      if (!service.definition(target, module))
        return notFound(req, res, `no Lighthouse check ${target}/${module}`);
      const kept = await service.reports.list(target, module);
      const rows = await Promise.all(
        kept.map(async (r) => {
          const json = await service.reports.path(target, module, r.timestamp, 'json');
          const summary = json ? await summaryOfStoredReport(json) : undefined;
          return (
            `<tr><td>${esc(new Date(r.startedAtMs).toISOString())}</td>${summaryCells(summary)}` +
            `<td><a href="${esc(r.timestamp)}.html">report</a> · <a href="${esc(r.timestamp)}.json">JSON</a></td></tr>`
          );
        }),
      );
      const body = rows.length
        ? `<p>Median run of each audit batch, newest first.</p>` +
          `<table><thead><tr><th>Started (UTC)</th>${SUMMARY_HEADERS}<th></th></tr></thead>` +
          `<tbody>\n${rows.join('\n')}\n</tbody></table>`
        : '<p>No audit has finished yet.</p>';
      res.type('html').send(
        page({
          title: `vantage: Lighthouse reports: ${target} / ${module}`,
          heading: `Lighthouse reports: ${target} / ${module}`,
          nav: CHECK_NAV,
          body,
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  router.get('/lighthouse/:target/:module/:file', async (req, res, next) => {
    try {
      const { target, module, file } = req.params;
      const m = REPORT_FILE.exec(file);
      if (!m)
        return notFound(req, res, 'not a report file name (latest.html, latest.json or <timestamp>.html)');
      const path = await service.reports.path(target, module, m[1]!, m[2] as 'html' | 'json');
      const definition = service.definition(target, module);
      const isAudit = definition !== undefined && keepsReports(definition.module);
      if (!path && m[1] === 'latest' && m[2] === 'html' && isAudit) {
        return noReportYet(service, target, module, res);
      }
      if (!path) return notFound(req, res, `no report ${file} for ${target}/${module}`);
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
