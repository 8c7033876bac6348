/**
 * The HTTP surface of vantage. Each route is thin and calls into the service; routing,
 * content types and status codes live here and nowhere else.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { redactSecrets } from '../config/redact.js';
import { renderConfigYaml } from '../config/render.js';
import { formatConfigError } from '../config/load.js';
import { demoRouter } from '../demo/demoPages.js';
import { shopRouter } from '../demo/shop.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { SNIPPET_ROUTE, snippetHandler } from '../rum/snippetAsset.js';
import type { VantageService } from '../service/service.js';
import { requireAdmin } from './adminAuth.js';
import { changeRouter } from './changeRoutes.js';
import { sendError } from './errorResponse.js';
import { incidentRouter } from './incidentRoutes.js';
import { renderIndexPage } from './indexPage.js';
import { lighthouseRouter } from './lighthouseRoutes.js';
import { probeHandler } from './probeRoute.js';
import { reportRouter } from './reportRoutes.js';
import { runbookRouter } from './runbookRoute.js';
import { writeRequestGuard } from './writeRequestGuard.js';
import { withBeaconEndpoint } from '../rum/beaconRoute.js';
import type { RequestListener } from 'node:http';

export interface AppOptions {
  serveDemoPages: boolean;
  /** The host of --web.listen-address: a name write requests may carry in their Host header. */
  listenHost?: string;
  /** Whether this listener takes field-data beacons: not when --rum.listen-address gives them their own. */
  serveRum?: boolean;
}

/**
 * What a vantage listener runs: the beacon endpoint answered in front of Express (it takes
 * thousands of requests a second; rum/beaconRoute.ts), everything else by the Express app.
 */
export function createRequestListener(service: VantageService, options: AppOptions): RequestListener {
  const app = createApp(service, options);
  if (options.serveRum === false) return app;
  return withBeaconEndpoint(
    () => service.rum,
    app,
    (err) => service.options.logger.error({ err }, 'beacon request failed'),
  );
}

/** The listener of --rum.listen-address: the field-data beacon and snippet, and a health check. */
export function createRumRequestListener(service: VantageService): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get(SNIPPET_ROUTE, snippetHandler());
  app.get('/-/healthy', (_req, res) => {
    res.type('text').send('vantage is healthy\n');
  });
  app.use((req, res) => {
    sendError(req, res, 404, 'not found: this listener serves the field-data snippet and beacon only');
  });
  return withBeaconEndpoint(
    () => service.rum,
    app,
    (err) => service.options.logger.error({ err }, 'beacon request failed'),
  );
}

export function createApp(service: VantageService, options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // The beacon itself is answered before Express (createRequestListener); the snippet here.
  if (options.serveRum !== false) app.get(SNIPPET_ROUTE, snippetHandler());
  else {
    app.all(/^\/rum\//, (req, res) => {
      sendError(req, res, 404, 'not found: field data is served on --rum.listen-address, not here');
    });
  }
  // Before every route: no write endpoint, present or future, is reachable around it.
  app.use(
    writeRequestGuard({
      adminTokenSet: () => service.adminToken !== undefined,
      allowedHosts: () => service.allowedHosts,
      listenHost: options.listenHost,
      refused: (reason) => service.health.writeRefusals.inc({ reason }),
    }),
  );

  app.get('/', (_req, res) => {
    res.type('html').send(renderIndexPage(service));
  });

  app.get('/metrics', async (_req, res, next) => {
    // Streamed piece by piece, yielding to the event loop in between: with 10,000 checks the
    // body is tens of megabytes, and building it in one go would stall every probe in flight
    // (and skew the durations they measure) for half a second per scrape.
    res.set('Content-Type', EXPOSITION_CONTENT_TYPE);
    try {
      for await (const chunk of service.metricsChunks()) {
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done).off('close', done);
              resolve();
            };
            res.on('drain', done).on('close', done);
          });
        }
        if (res.destroyed) return;
        await yieldToEventLoop();
      }
      res.end();
    } catch (err) {
      if (!res.headersSent) next(err);
      else res.destroy(err as Error);
    }
  });

  app.get('/probe', probeHandler(service));
  app.use(lighthouseRouter(service));
  app.use(runbookRouter({ logger: service.options.logger }));
  app.use(changeRouter(service));
  app.use(incidentRouter(service));
  app.use(reportRouter(service));

  app.get('/config', (_req, res) => {
    res.type('text').send(renderConfigYaml(redactSecrets(service.config)));
  });

  app.get('/-/healthy', (_req, res) => {
    res.type('text').send('vantage is healthy\n');
  });
  app.get('/-/ready', (_req, res) => {
    if (service.ready) res.type('text').send('vantage is ready\n');
    else res.status(503).type('text').send('vantage is not ready\n');
  });
  app.post('/-/reload', requireAdmin(service), async (_req, res) => {
    const outcome = await service.reload();
    if (outcome.ok) {
      res.type('text').send('configuration reloaded\n');
    } else {
      res
        .status(400)
        .type('text')
        .send(
          'configuration reload failed; the previous configuration keeps running:\n' +
            outcome.errors.map(formatConfigError).join('\n') +
            '\n',
        );
    }
  });
  // GET on a mutating endpoint is a mistake worth a clear answer, not a 404.
  app.get('/-/reload', (_req, res) => {
    res.status(405).set('Allow', 'POST').type('text').send('use POST /-/reload\n');
  });

  if (options.serveDemoPages)
    app.use(demoRouter(undefined, { rumSnippet: true }), shopRouter({ rumSnippet: true }));

  app.use((req, res) => {
    sendError(req, res, 404, 'not found');
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // A path parameter that is not valid percent-encoding (/reports/day/%ff.html): express's router
    // marks the URIError of decodeURIComponent with status 400. The client's mistake, not ours.
    if (err instanceof URIError && (err as URIError & { status?: number }).status === 400) {
      service.options.logger.debug({ path: req.path }, 'malformed percent-encoding in the request path');
      sendError(req, res, 400, 'bad request: malformed percent-encoding in the URL path');
      return;
    }
    service.options.logger.error({ err }, 'request failed');
    sendError(req, res, 500, 'internal error');
  });
  return app;
}
