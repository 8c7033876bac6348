/**
 * The change log over HTTP: POST /api/changes records one (admin token or loopback, exactly as
 * POST /-/reload), GET /api/changes lists them as JSON. Validation lives in the store; errors
 * come back as 400 with the field named.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { VantageService } from '../service/service.js';
import { ChangeInputError, changeToJson, parseChangeQuery, parseNewChange } from '../store/changes.js';
import { requireAdmin } from './adminAuth.js';
import { badRequest, singleValuedQuery } from './apiInput.js';

export function changeRouter(service: VantageService): Router {
  const router = Router();

  router.post(
    '/api/changes',
    requireAdmin(service),
    express.json({ limit: '64kb', strict: true, type: () => true }),
    (req: Request, res: Response) => {
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        badRequest(res, 'body', 'expected a JSON object such as {"title": "...", "kind": "deploy"}');
        return;
      }
      try {
        const change = service.store.changes.add(parseNewChange(body as Record<string, unknown>));
        service.options.logger.info(
          { change_id: change.id, kind: change.kind, target: change.target ?? undefined },
          `change recorded: ${change.title}`,
        );
        res.status(201).json(changeToJson(change));
      } catch (err) {
        if (err instanceof ChangeInputError) badRequest(res, err.field, err.message);
        else throw err;
      }
    },
  );

  router.get('/api/changes', (req: Request, res: Response) => {
    const raw = singleValuedQuery(req, res);
    if (!raw) return;
    try {
      const changes = service.store.changes.list(parseChangeQuery(raw));
      res.json({ changes: changes.map(changeToJson) });
    } catch (err) {
      if (err instanceof ChangeInputError) badRequest(res, err.field, err.message);
      else throw err;
    }
  });

  // A body that is not JSON: 400 naming it, not the generic 500.
  router.use('/api/changes', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') badRequest(res, 'body', `not valid JSON: ${e.message}`);
    else if (e.type === 'entity.too.large')
      res.status(413).json({ error: 'body: larger than 64 kB', field: 'body' });
    else next(err);
  });
  return router;
}
