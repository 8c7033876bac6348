/**
 * The report archive over HTTP (docs/report.md): GET /reports/ (index), GET
 * /reports/<kind>/<label>[.html|.md|.json][?tz=ZONE], GET /api/reports (JSON list), and POST
 * /api/reports, which makes a report now with the config's report section (admin auth, exactly
 * as POST /api/changes).
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { REPORT_PERIOD_KINDS } from '../config/reportSchema.js';
import type { ReportFormat } from '../report/model.js';
import { reportPath, reportPaths, REPORTS_PATH } from '../report/reportLinks.js';
import { PrometheusError } from '../report/prometheusClient.js';
import { makeAndArchiveReport } from '../report/reportJob.js';
import { capacityTargetsOf } from '../report/capacity.js';
import { nextRunAt } from '../time/dailyRun.js';
import type { PeriodKind } from '../time/period.js';
import { formatLocal } from '../time/zone.js';
import type { VantageService } from '../service/service.js';
import type { ArchivedReport } from '../store/reports.js';
import { requireAdmin } from './adminAuth.js';
import {
  InputError,
  jsonBodyErrors,
  jsonObjectBody,
  sendInputError,
  singleValuedQuery,
} from '../input/inputError.js';
import { parseReportListQuery, parseReportRequest } from '../input/reportInput.js';
import { renderReportsPage } from './reportsPage.js';

const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};
const REPORT_FILE = /^(.+?)(?:\.(html|md|json))?$/;

function notFound(res: Response, message: string): void {
  res.status(404).type('text').send(`${message}\n`);
}

function isPeriodKind(value: string): value is PeriodKind {
  return (REPORT_PERIOD_KINDS as readonly string[]).includes(value);
}

export function reportRouter(service: VantageService): Router {
  const router = Router();
  const archive = () => service.store.reportArchive;
  const configuredZone = () => service.config.report?.schedule?.time_zone;
  /** ?tz= is needed in links only when the period is archived in several zones. */
  const zoneCount = (r: ArchivedReport) => archive().inAllZones(r.kind, r.label).length;
  const toJson = (r: ArchivedReport) => {
    const urls = reportPaths(r, zoneCount(r) > 1 ? r.timeZone : undefined);
    return {
      kind: r.kind,
      label: r.label,
      timeZone: r.timeZone,
      start: new Date(r.start).toISOString(),
      end: new Date(r.end).toISOString(),
      generatedAt: new Date(r.generatedAt).toISOString(),
      title: r.title,
      headline: r.headline,
      hasData: r.hasData,
      formats: r.formats,
      urls,
    };
  };

  router.get(['/reports', '/reports/'], (req, res) => {
    // The page's links are relative: it must be served under the trailing slash.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, REPORTS_PATH);
    const section = service.config.report;
    const schedule = section?.schedule;
    const status = !section
      ? 'Reports are not configured: add a report section (report.prometheus_url) to the configuration.'
      : schedule
        ? `Scheduled: ${schedule.periods.join(', ')} at ${schedule.time} ${schedule.time_zone}; next run ` +
          `${formatLocal(schedule.time_zone, service.reportScheduler.nextRunAt ?? nextRunAt(Date.now(), schedule.time, schedule.time_zone))}.`
        : 'No schedule configured: reports are made on request (POST /api/reports, vantage report).';
    const reports = archive().list({ limit: 1000 });
    // Zones per period from the list itself: one query for the page, not one per row.
    const zones = new Map<string, number>();
    const key = (r: ArchivedReport) => `${r.kind}/${r.label}`;
    for (const r of reports) zones.set(key(r), (zones.get(key(r)) ?? 0) + 1);
    res.type('html').send(renderReportsPage({ reports, ambiguous: (r) => zones.get(key(r))! > 1, status }));
  });

  router.get('/reports/:kind/:file', (req, res) => {
    const { kind, file } = req.params;
    if (!isPeriodKind(kind))
      return notFound(res, `no such report kind "${kind}" (kinds: ${REPORT_PERIOD_KINDS.join(', ')})`);
    let raw;
    try {
      raw = singleValuedQuery(req);
    } catch (err) {
      if (err instanceof InputError) return sendInputError(res, err);
      throw err;
    }
    const [, label, ext] = REPORT_FILE.exec(file)!;
    const report = archive().find(kind, label!, {
      ...(raw.tz !== undefined && { timeZone: raw.tz }),
      ...(configuredZone() !== undefined && { preferredZone: configuredZone() }),
    });
    if (!report) {
      const zones = archive()
        .inAllZones(kind, label!)
        .map((r) => r.timeZone);
      return notFound(
        res,
        raw.tz !== undefined && zones.length > 0
          ? `no ${kind} report ${label} in time zone ${raw.tz} (archived in: ${zones.join(', ')})`
          : `no ${kind} report ${label} in the archive (see ${REPORTS_PATH})`,
      );
    }
    if (ext === undefined) {
      // The bare period: its HTML (or the first format kept), at the address that names the format.
      const format = report.formats.includes('html') ? 'html' : report.formats[0]!;
      const target = reportPath(kind, report.label, format, raw.tz);
      return res.redirect(302, target.slice(`${REPORTS_PATH}${kind}/`.length));
    }
    const format = ext as ReportFormat;
    const body = archive().body(report.id, format);
    if (body === undefined) {
      return notFound(
        res,
        `the ${kind} report ${label} was archived without ${format} (formats kept: ${report.formats.join(', ')})`,
      );
    }
    // The HTML embeds its own styles and charts and runs no script: it has no business calling
    // out, running code or being framed elsewhere.
    if (format === 'html')
      res.set(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
      );
    res.set('Cache-Control', 'no-cache');
    res.set('Content-Type', CONTENT_TYPES[format]).send(body);
  });

  router.get('/api/reports', (req, res) => {
    try {
      const query = parseReportListQuery(singleValuedQuery(req));
      res.json({ reports: archive().list(query).map(toJson) });
    } catch (err) {
      if (err instanceof InputError) sendInputError(res, err);
      else throw err;
    }
  });

  router.post(
    '/api/reports',
    requireAdmin(service),
    express.json({ limit: '16kb', strict: true, type: () => true }),
    async (req: Request, res: Response, next: NextFunction) => {
      const section = service.config.report;
      if (!section) {
        sendInputError(
          res,
          new InputError(
            'report',
            'the configuration has no report section; add report.prometheus_url to make reports',
          ),
          409,
        );
        return;
      }
      let request;
      try {
        const body = jsonObjectBody(req.body, '{"date": "2025-01-14", "period": "day"}');
        request = parseReportRequest(body, section.schedule?.time_zone ?? 'UTC', Date.now());
      } catch (err) {
        if (err instanceof InputError) return sendInputError(res, err);
        return next(err);
      }
      try {
        const { archived, report } = await makeAndArchiveReport(
          section,
          service.store,
          request,
          Date.now(),
          capacityTargetsOf(service.config.targets),
        );
        service.options.logger.info(
          {
            kind: archived.kind,
            label: archived.label,
            time_zone: archived.timeZone,
            has_data: report.hasData,
          },
          `report archived on request: ${report.title}`,
        );
        const json = toJson(archived);
        res
          .status(201)
          .location(json.urls.html ?? Object.values(json.urls)[0]!)
          .json({
            kind: json.kind,
            label: json.label,
            timeZone: json.timeZone,
            hasData: json.hasData,
            headline: json.headline,
            urls: json.urls,
          });
      } catch (err) {
        // Prometheus down or answering errors is a bad gateway, not vantage's own failure.
        if (err instanceof PrometheusError) {
          service.options.logger.warn({ err }, `report on request failed: ${err.message}`);
          res.status(502).json({ error: err.message, field: 'report.prometheus_url' });
        } else next(err);
      }
    },
  );

  router.use('/api/reports', jsonBodyErrors('16 kB'));
  return router;
}
