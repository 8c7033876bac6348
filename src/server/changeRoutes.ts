/**
 * The change log over HTTP: POST /api/changes records one (admin token or loopback, exactly as
 * POST /-/reload), GET /api/changes lists them as JSON. Validation lives in the store; errors
 * come back as 400 with the field named.
 *
 * Retries are safe with an idempotency key (header `Idempotency-Key`, or `idempotency_key` in
 * the body), as in the IETF draft and Stripe's API: the same key with the same change answers
 * the original 201 and change again, marked `Idempotent-Replayed: true` (Stripe's header); the
 * same key with a different change answers 422, the draft's status for a reused key.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { VantageService } from '../service/service.js';
import {
  ChangeInputError,
  changeToJson,
  IdempotencyKeyConflict,
  parseChangeQuery,
  parseNewChange,
  type Change,
} from '../store/changes.js';
import { idempotencyKeyProblem, keyFromHeader } from '../store/idempotency.js';
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
        const { idempotency_key: bodyKey, ...fields } = body as Record<string, unknown>;
        const key = idempotencyKey(req.get('Idempotency-Key'), bodyKey);
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
        if (err instanceof ChangeInputError) badRequest(res, err.field, err.message);
        else if (err instanceof IdempotencyKeyConflict)
          res.status(422).json({ error: `${err.field}: ${err.message}`, field: err.field });
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

const changeLogFields = (c: Change) => ({ change_id: c.id, kind: c.kind, target: c.target ?? undefined });

/** The key from the header or the body (undefined: none); both given must agree. */
function idempotencyKey(header: string | undefined, bodyValue: unknown): string | undefined {
  if (bodyValue !== undefined && bodyValue !== null && typeof bodyValue !== 'string') {
    throw new ChangeInputError('idempotency_key', `must be a string, got ${typeof bodyValue}`);
  }
  const fromHeader = header === undefined ? undefined : keyFromHeader(header);
  const fromBody = bodyValue ?? undefined;
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new ChangeInputError(
      'idempotency_key',
      `the Idempotency-Key header ("${fromHeader}") and the body field ("${fromBody}") differ: send one`,
    );
  }
  const key = fromHeader ?? fromBody;
  if (key === undefined) return undefined;
  const problem = idempotencyKeyProblem(key);
  if (problem !== undefined) throw new ChangeInputError('idempotency_key', problem);
  return key;
}
