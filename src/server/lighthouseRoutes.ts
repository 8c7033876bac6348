/**
 * Lighthouse reports of the median run of each audit batch, as Lighthouse renders them:
 * /lighthouse/<target>/<module>/latest.html (and .json), by timestamp, and an index of the
 * kept history. Browser flows keep their runs in the same place: the flow report (.html), the run
 * record (.json) and screenshots (<stamp>.png of a failing page, <stamp>.<step>.png of a
 * screenshot step). Grafana panels, the index page and failure messages link here.
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
import type { ProbeResult } from '../probers/types.js';
import { summaryOfStoredRun, type FlowRunSummary } from '../probers/browser/runRecord.js';
import { escapeHtml } from '../html/escape.js';
import { page, type NavLink } from '../html/layout.js';
import { sendError } from './errorResponse.js';

const esc = escapeHtml;

/** Whether a module's checks keep reports on disk (the prober table says: audits and flows do). */
const keepsReports = (module: ModuleConfig): boolean => proberFor(module).reports !== undefined;
/** What they keep: an audit's report or a flow's run. */
const keptKind = (module: ModuleConfig) => proberFor(module).reports?.kind;

/** <stamp|latest>.html, .json, .png, or <stamp|latest>.<step>.png. */
const REPORT_FILE = /^(latest|\d{8}T\d{6}(?:\d{3})?Z)(?:\.([a-z0-9_]+))?\.(html|json|png)$/;
const CONTENT_TYPES = { html: 'text/html; charset=utf-8', json: 'application/json', png: 'image/png' };

const FLOW_HEADERS = '<th>Result</th><th>Transaction time</th><th>Steps</th>';

/** The result cells of a flow's run; "—" where there is none. */
function flowCells(run: FlowRunSummary | undefined): string {
  if (!run) return '<td>—</td><td>—</td><td>—</td>';
  const result = run.success
    ? 'passed'
    : `<strong>failed</strong> at ${esc(run.failure?.step ?? '—')} (${esc(run.failure?.reason ?? '?')})`;
  return `<td>${result}</td><td>${formatSeconds(run.durationSeconds)}</td><td>${formatCount(run.steps)}</td>`;
}

/** A flow's latest result as the listing's summary (steps from the kept samples). */
function flowSummaryOf(result: ProbeResult | undefined): FlowRunSummary | undefined {
  if (!result) return undefined;
  const steps = new Set(result.samples.flatMap((s) => (s.labels?.step ? [s.labels.step] : []))).size;
  return {
    success: result.success,
    durationSeconds: result.durationSeconds,
    ...(result.failure && { failure: result.failure }),
    steps,
    screenshots: [],
  };
}

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
    const kept = service.checks().filter((c) => keepsReports(c.module));
    const row = (
      c: (typeof kept)[number],
      pending: string,
      cells: (latest: ProbeResult | undefined) => string,
    ) => {
      const base = `${encodeURIComponent(c.target.name)}/${encodeURIComponent(c.moduleName)}/`;
      const latest = service.results.latest(c.key);
      const when = latest
        ? esc(new Date(latest.startedAtMs).toISOString())
        : `<span class="pending">${pending}</span>`;
      const links = latest
        ? `<a href="${base}latest.html">latest report</a> · <a href="${base}latest.json">JSON</a> · <a href="${base}">history</a>`
        : `<a href="${base}">history</a>`;
      return `<tr><td>${esc(c.target.name)}</td><td>${esc(c.moduleName)}</td>${cells(latest)}<td>${when}</td><td>${links}</td></tr>`;
    };
    const audits = kept.filter((c) => keptKind(c.module) === 'audit');
    const flows = kept.filter((c) => keptKind(c.module) === 'flow');
    const auditRows = audits
      .map((c) =>
        row(c, 'first audit pending', (latest) =>
          summaryCells(latest ? summaryFromResult(latest) : undefined),
        ),
      )
      .join('\n');
    const flowRows = flows
      .map((c) => row(c, 'first run pending', (latest) => flowCells(flowSummaryOf(latest))))
      .join('\n');
    let body = audits.length
      ? `<p>Median run of the latest audit batch of each check; scores 0–100 as Lighthouse shows them.</p>` +
        `<table><thead><tr><th>Target</th><th>Module</th>${SUMMARY_HEADERS}<th>Audited (UTC)</th><th></th></tr></thead>` +
        `<tbody>\n${auditRows}\n</tbody></table>`
      : '<p>No Lighthouse modules are configured.</p>';
    if (flows.length) {
      body +=
        `<h2>Browser flows</h2><p>The latest run of each flow: Lighthouse's flow report, the run record, and a screenshot when a step failed.</p>` +
        `<table><thead><tr><th>Target</th><th>Module</th>${FLOW_HEADERS}<th>Started (UTC)</th><th></th></tr></thead>` +
        `<tbody>\n${flowRows}\n</tbody></table>`;
    }
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
      const isFlow = keptKind(service.definition(target, module)!.module) === 'flow';
      const rows = await Promise.all(
        kept.map(async (r) => {
          const json = await service.reports.path(target, module, r.timestamp, 'json');
          const stamp = esc(r.timestamp);
          if (isFlow) {
            const run = json ? await summaryOfStoredRun(json) : undefined;
            const shots = (run?.screenshots ?? [])
              .map(
                (s) =>
                  ` · <a href="${esc(s.file)}">${s.step ? `screenshot ${esc(s.step)}` : 'failure screenshot'}</a>`,
              )
              .join('');
            return (
              `<tr><td>${esc(new Date(r.startedAtMs).toISOString())}</td>${flowCells(run)}` +
              `<td><a href="${stamp}.html">report</a> · <a href="${stamp}.json">run record</a>${shots}</td></tr>`
            );
          }
          const summary = json ? await summaryOfStoredReport(json) : undefined;
          return (
            `<tr><td>${esc(new Date(r.startedAtMs).toISOString())}</td>${summaryCells(summary)}` +
            `<td><a href="${stamp}.html">report</a> · <a href="${stamp}.json">JSON</a></td></tr>`
          );
        }),
      );
      const body = rows.length
        ? (isFlow
            ? `<p>Each kept run of the flow, newest first.</p>` +
              `<table><thead><tr><th>Started (UTC)</th>${FLOW_HEADERS}<th></th></tr></thead>`
            : `<p>Median run of each audit batch, newest first.</p>` +
              `<table><thead><tr><th>Started (UTC)</th>${SUMMARY_HEADERS}<th></th></tr></thead>`) +
          `<tbody>\n${rows.join('\n')}\n</tbody></table>`
        : `<p>No ${isFlow ? 'run' : 'audit'} has finished yet.</p>`;
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
      if (!m || (m[2] !== undefined && m[3] !== 'png'))
        return notFound(
          req,
          res,
          'not a report file name (latest.html, latest.json, <timestamp>.html, <timestamp>.png or <timestamp>.<step>.png)',
        );
      const format = m[3] as 'html' | 'json' | 'png';
      const path = await service.reports.path(target, module, m[1]!, format, m[2]);
      const definition = service.definition(target, module);
      const isAudit = definition !== undefined && keepsReports(definition.module);
      if (!path && m[1] === 'latest' && format === 'html' && isAudit) {
        return noReportYet(service, target, module, res);
      }
      if (!path) return notFound(req, res, `no report ${file} for ${target}/${module}`);
      // Reports embed the page's own content; keep them from running with vantage's origin powers.
      res.set(
        'Content-Security-Policy',
        "default-src 'self' 'unsafe-inline' data: blob:; connect-src 'none'",
      );
      res.set('Cache-Control', m[1] === 'latest' ? 'no-cache' : 'public, max-age=31536000, immutable');
      res.sendFile(path, { headers: { 'Content-Type': CONTENT_TYPES[format] } });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
