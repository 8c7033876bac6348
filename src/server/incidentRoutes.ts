/**
 * The incident log over HTTP (docs/incidents.md): POST /api/alertmanager takes Alertmanager's
 * webhook (version 4) and records each alert's firing and resolution; GET /api/incidents lists
 * them with their durations and the recurring issues of the last 14 days.
 *
 * Authentication is the admin rule of POST /-/reload and POST /api/changes: with an admin
 * token configured, `Authorization: Bearer <token>` (Alertmanager's http_config
 * authorization.credentials_file); without one, loopback clients only.
 */
import express, { Router, type Request, type Response } from 'express';
import type { VantageService } from '../service/service.js';
import { recurringIncidents, type RecurringIncident } from '../report/recurringIncidents.js';
import { IGNORED_ALERTNAMES, incidentToJson, type WebhookAlert } from '../store/incidents.js';
import { requireAdmin } from './adminAuth.js';
import { parseIncidentQuery, parseWebhookPayload } from '../input/incidentInput.js';
import { InputError, jsonBodyErrors, sendInputError, singleValuedQuery } from '../input/inputError.js';

/** Alertmanager sends every alert of a group (max_alerts 0): a storm of them stays under this. */
export const WEBHOOK_BODY_LIMIT = '4mb';

/**
 * One line per alert recorded, firing or resolved, so the log tells the outage's story beside the
 * probe failures. Alertmanager repeats a firing group (repeat_interval): a repeat logs again.
 */
function logIncident(service: VantageService, alert: WebhookAlert): void {
  const alertname = alert.labels.alertname!;
  if (IGNORED_ALERTNAMES.has(alertname)) return;
  const what = alert.labels.target ? `${alertname} for ${alert.labels.target}` : alertname;
  service.options.logger.info(
    {
      alertname,
      target: alert.labels.target,
      severity: alert.labels.severity,
      status: alert.status,
      starts_at: alert.startsAt,
      ...(alert.status === 'resolved' && { ends_at: alert.endsAt }),
    },
    `incident ${alert.status === 'resolved' ? 'resolved' : 'recorded'}: ${what}`,
  );
}

export function incidentRouter(service: VantageService): Router {
  const router = Router();
  const count = (result: 'recorded' | 'ignored' | 'bad_request') =>
    service.health.alertmanagerNotifications.inc({ result });

  router.post(
    '/api/alertmanager',
    requireAdmin(service),
    express.json({ limit: WEBHOOK_BODY_LIMIT, strict: true, type: () => true }),
    (req: Request, res: Response) => {
      let alerts;
      try {
        alerts = parseWebhookPayload(req.body);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        count('bad_request');
        service.options.logger.warn({ field: err.field }, `Alertmanager webhook refused: ${err.message}`);
        sendInputError(res, err);
        return;
      }
      const outcome = service.store.incidents.record(alerts);
      count(outcome.recorded > 0 || outcome.ignored === 0 ? 'recorded' : 'ignored');
      service.options.logger.debug(outcome, 'Alertmanager notification recorded');
      for (const alert of alerts) logIncident(service, alert);
      res.json(outcome);
    },
  );

  router.get('/api/incidents', (req: Request, res: Response) => {
    try {
      const query = parseIncidentQuery(singleValuedQuery(req));
      const incidents = service.store.incidents.list(query);
      const recurring = recurringIncidents(service.store.incidents, Date.now(), {
        ...(query.target !== undefined && { target: query.target }),
        ...(query.alertname !== undefined && { alertname: query.alertname }),
      });
      res.json({ incidents: incidents.map(incidentToJson), recurring: recurring.map(recurringToJson) });
    } catch (err) {
      if (err instanceof InputError) sendInputError(res, err);
      else throw err;
    }
  });

  router.use(
    '/api/alertmanager',
    jsonBodyErrors(WEBHOOK_BODY_LIMIT, () => count('bad_request')),
  );
  return router;
}

/** A recurring issue in GET /api/incidents: times in ISO-8601 UTC, with the report's sentence. */
function recurringToJson(r: RecurringIncident) {
  return {
    alertname: r.alertname,
    target: r.target,
    count: r.count,
    total: r.total,
    firstAt: new Date(r.firstAt).toISOString(),
    lastAt: new Date(r.lastAt).toISOString(),
    sentence: r.sentence,
  };
}
