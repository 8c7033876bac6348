/**
 * POST /rum/v1/beacon: the public door of field data. Every request is treated as hostile, and
 * refused as early and as cheaply as possible, in this order, each refusal counted in
 * vantage_rum_beacons_rejected_total{reason}:
 *
 *   origin not one a site lists       403 origin          (before reading anything)
 *   client over its rate              429 rate_limited    (Retry-After)
 *   not text/plain or application/json 415 content_type
 *   body over rum.limits.max_body_bytes 413 body_too_large (Content-Length, or counted while read)
 *   not JSON                          400 invalid_json
 *   then collector.ts: invalid_beacon / unknown_site (400), origin of another site (403),
 *   bot / headless / series_limit (204: dropped, so a bot does not retry), else 204 counted.
 *
 * `navigator.sendBeacon(url, string)` sends text/plain, a CORS-safelisted type, so a browser
 * sends it without a preflight; fetch with application/json gets one (OPTIONS, answered for the
 * configured origins only). The answer carries Access-Control-Allow-Origin for allowed origins.
 * Mounted before the write-request guard: this endpoint is meant to be written to cross-site,
 * and it changes nothing but counters.
 */
import { Router, type Request, type Response } from 'express';
import { inputErrorBody } from '../input/inputError.js';
import { clientAddress } from './clientLimits.js';
import type { RejectionReason, RumCollector } from './collector.js';

export const BEACON_PATH = '/rum/v1/beacon';

const ACCEPTED_TYPES = new Set(['text/plain', 'application/json']);

function contentTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The body, or undefined when it grew past `limit` (the caller answers 413). */
async function readBody(req: Request, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
}

export function beaconRouter(collector: () => RumCollector): Router {
  const router = Router();

  const allowOrigin = (res: Response, origin: string) => {
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Vary', 'Origin');
  };

  const refuse = (res: Response, reason: RejectionReason, status: number, message: string) => {
    collector().refuse(reason);
    res.status(status).type('text').send(`${message}\n`);
  };

  router.options(BEACON_PATH, (req, res) => {
    const origin = req.headers.origin;
    if (!collector().allowsOrigin(origin)) {
      refuse(
        res,
        'origin',
        403,
        `forbidden: origin ${origin ?? '(none)'} is not listed in rum.sites[].origins`,
      );
      return;
    }
    allowOrigin(res, origin!);
    res.set('Access-Control-Allow-Methods', 'POST');
    res.set('Access-Control-Allow-Headers', 'Content-Type');
    res.set('Access-Control-Max-Age', '86400');
    res.status(204).end();
  });

  router.post(BEACON_PATH, async (req, res, next) => {
    try {
      const rum = collector();
      const origin = req.headers.origin;
      if (!rum.allowsOrigin(origin)) {
        refuse(
          res,
          'origin',
          403,
          `forbidden: origin ${origin ?? '(none)'} is not listed in rum.sites[].origins`,
        );
        return;
      }
      allowOrigin(res, origin!);
      const client = clientAddress(
        req.socket.remoteAddress ?? '',
        req.headers['x-forwarded-for'] as string | undefined,
        rum.trustedProxies,
      );
      if (!rum.rateLimiter.take(client, performance.now())) {
        res.set('Retry-After', String(rum.rateLimiter.retryAfterSeconds()));
        refuse(res, 'rate_limited', 429, 'too many beacons from this client; slow down');
        return;
      }
      if (!ACCEPTED_TYPES.has(contentTypeOf(req))) {
        refuse(
          res,
          'content_type',
          415,
          'unsupported media type: send the beacon as text/plain or application/json',
        );
        return;
      }
      const tooLarge = () => {
        // Close rather than drain: reading on would let a client make vantage read a gigabyte.
        res.set('Connection', 'close');
        refuse(
          res,
          'body_too_large',
          413,
          `payload too large: a beacon is at most ${rum.maxBodyBytes} bytes`,
        );
      };
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > rum.maxBodyBytes) return tooLarge();
      const body = await readBody(req, rum.maxBodyBytes);
      if (body === undefined) return tooLarge();
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (err) {
        collector().refuse('invalid_json');
        res.status(400).json(inputErrorBody('body', `not valid JSON: ${(err as Error).message}`));
        return;
      }
      const outcome = rum.accept(json, { origin, userAgent: req.headers['user-agent'] });
      if (outcome.status === 400) {
        res.status(400).json(inputErrorBody(outcome.error.field, outcome.error.message));
      } else if (outcome.status === 403) {
        res.status(403).type('text').send(`forbidden: origin ${origin} is not one of this site's origins\n`);
      } else {
        res.status(204).end();
      }
    } catch (err) {
      next(err);
    }
  });

  router.all(BEACON_PATH, (_req, res) => {
    res.status(405).set('Allow', 'POST, OPTIONS').type('text').send('use POST for beacons\n');
  });
  return router;
}
