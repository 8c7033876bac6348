/**
 * The change log over HTTP: POST /api/changes records one (admin token or loopback, exactly as
 * POST /-/reload), GET /api/changes lists them as JSON. Input is validated here, at the edge
 * (input/changeInput.ts); errors come back as 400 with the field named (input/inputError.ts).
 *
 * Retries are safe with an idempotency key (header `Idempotency-Key`, or `idempotency_key` in
 * the body), as in the IETF draft and Stripe's API: the same key with the same change answers
 * the original 201 and change again, marked `Idempotent-Replayed: true` (Stripe's header); the
 * same key with a different change answers 422, the draft's status for a reused key.
 */
import express, { Router, type Request, type Response } from 'express';
import type { VantageService } from '../service/service.js';
import { changeToJson, IdempotencyKeyConflict, type Change } from '../store/changes.js';
import { requireAdmin } from './adminAuth.js';
import { parseChangeQuery, parseIdempotencyKey, parseNewChange } from '../input/changeInput.js';
import {
  InputError,
  jsonBodyErrors,
  jsonObjectBody,
  sendInputError,
  singleValuedQuery,
} from '../input/inputError.js';

export function changeRouter(service: VantageService): Router {
  const router = Router();

  router.post(
    '/api/changes',
    requireAdmin(service),
    express.json({ limit: '64kb', strict: true, type: () => true }),
    (req: Request, res: Response) => {
      try {
        const body = jsonObjectBody(req.body, '{"title": "...", "kind": "deploy"}');
        const { idempotency_key: bodyKey, ...fields } = body;
        const key = parseIdempotencyKey(req.get('Idempotency-Key'), bodyKey);
        const input = parseNewChange(fields);
        const log = service.options.logger;
        if (key === undefined) {
          const change = service.store.changes.add(input);
          log.info(changeLogFields(change), `change recorded: ${change.title}`);
          res.status(201).json(changeToJson(change));
          return;
        }
        const { change, replayed } = service.store.changes.addIdempotent(input, key);
        if (replayed) {
          log.info({ ...changeLogFields(change), idempotency_key: key }, 'change request replayed');
          res.set('Idempotent-Replayed', 'true');
        } else {
          log.info({ ...changeLogFields(change), idempotency_key: key }, `change recorded: ${change.title}`);
        }
        res.status(201).json(changeToJson(change));
      } catch (err) {
        if (err instanceof InputError) sendInputError(res, err);
        else if (err instanceof IdempotencyKeyConflict)
          sendInputError(res, new InputError(err.field, err.message), 422);
        else throw err;
      }
    },
  );

  router.get('/api/changes', (req: Request, res: Response) => {
    try {
      const changes = service.store.changes.list(parseChangeQuery(singleValuedQuery(req)));
      res.json({ changes: changes.map(changeToJson) });
    } catch (err) {
      if (err instanceof InputError) sendInputError(res, err);
      else throw err;
    }
  });

  // A body that is not JSON: 400 naming it, not the generic 500.
  router.use('/api/changes', jsonBodyErrors('64 kB'));
  return router;
}

const changeLogFields = (c: Change) => ({ change_id: c.id, kind: c.kind, target: c.target ?? undefined });
