/**
 * POST /rum/v1/beacon: the public door of field data, answered by plain node:http in front of
 * the Express app (see `withBeaconEndpoint`): it is the one endpoint that takes thousands of
 * requests a second, and Express's per-request work (its request and response objects, router,
 * middleware chain) cost five times what counting a beacon does (docs/performance.md, "Field
 * data").
 *
 * Every request is treated as hostile, and refused as early and as cheaply as possible, in this
 * order, each refusal counted in vantage_rum_beacons_rejected_total{reason}:
 *
 *   origin not one a site lists        403 origin          (before reading anything)
 *   client over its rate               429 rate_limited    (Retry-After)
 *   not text/plain or application/json 415 content_type
 *   body over rum.limits.max_body_bytes 413 body_too_large (Content-Length, or counted while read)
 *   not JSON                           400 invalid_json
 *   then collector.ts: invalid_beacon / unknown_site (400), origin of another site (403),
 *   bot / headless / series_limit (204: dropped, so a bot does not retry), else 204 counted.
 *
 * `navigator.sendBeacon(url, string)` sends text/plain, a CORS-safelisted type, so a browser
 * sends it without a preflight; fetch with application/json gets one (OPTIONS, answered for the
 * configured origins only). Answers carry Access-Control-Allow-Origin for allowed origins. This
 * endpoint is written to cross-site by design and changes nothing but counters, so the write
 * guard of the admin API (server/writeRequestGuard.ts) does not apply to it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { inputErrorBody } from '../input/inputError.js';
import { clientAddress } from './clientLimits.js';
import type { RejectionReason, RumCollector } from './collector.js';

export const BEACON_PATH = '/rum/v1/beacon';

const ACCEPTED_TYPES = new Set(['text/plain', 'application/json']);

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The body, or undefined when it grew past `limit` (the caller answers 413). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
}

function answer(
  res: ServerResponse,
  status: number,
  body?: string,
  type = 'text/plain; charset=utf-8',
): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** The beacon endpoint alone: every method of BEACON_PATH. */
export async function handleBeacon(
  req: IncomingMessage,
  res: ServerResponse,
  rum: RumCollector,
): Promise<void> {
  const origin = req.headers.origin;
  const refuse = (reason: RejectionReason, status: number, message: string) => {
    rum.refuse(reason);
    answer(res, status, `${message}\n`);
  };
  if (req.method !== 'POST' && req.method !== 'OPTIONS') {
    res.setHeader('Allow', 'POST, OPTIONS');
    answer(res, 405, 'use POST for beacons\n');
    return;
  }
  if (!rum.allowsOrigin(origin)) {
    refuse('origin', 403, `forbidden: origin ${origin ?? '(none)'} is not listed in rum.sites[].origins`);
    return;
  }
  res.setHeader('Access-Control-Allow-Origin', origin!);
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '86400');
    answer(res, 204);
    return;
  }
  const forwardedFor = req.headers['x-forwarded-for'];
  const client = clientAddress(
    req.socket.remoteAddress ?? '',
    Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor,
    rum.trustedProxies,
  );
  if (!rum.rateLimiter.take(client, performance.now())) {
    res.setHeader('Retry-After', String(rum.rateLimiter.retryAfterSeconds()));
    refuse('rate_limited', 429, 'too many beacons from this client; slow down');
    return;
  }
  if (!ACCEPTED_TYPES.has(contentTypeOf(req))) {
    refuse('content_type', 415, 'unsupported media type: send the beacon as text/plain or application/json');
    return;
  }
  const tooLarge = () => {
    // Close rather than drain: reading on would let a client make vantage read a gigabyte.
    res.setHeader('Connection', 'close');
    refuse('body_too_large', 413, `payload too large: a beacon is at most ${rum.maxBodyBytes} bytes`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > rum.maxBodyBytes) return tooLarge();
  const body = await readBody(req, rum.maxBodyBytes);
  if (body === undefined) return tooLarge();
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    rum.refuse('invalid_json');
    answer(
      res,
      400,
      JSON.stringify(inputErrorBody('body', `not valid JSON: ${(err as Error).message}`)),
      'application/json; charset=utf-8',
    );
    return;
  }
  const outcome = rum.accept(json, { origin, userAgent: req.headers['user-agent'] });
  if (outcome.status === 400) {
    answer(
      res,
      400,
      JSON.stringify(inputErrorBody(outcome.error.field, outcome.error.message)),
      'application/json; charset=utf-8',
    );
  } else if (outcome.status === 403) {
    answer(res, 403, `forbidden: origin ${origin} is not one of this site's origins\n`);
  } else {
    answer(res, 204);
  }
}

/**
 * A request listener that answers the beacon endpoint itself and hands every other request to
 * `next` (the Express app). A client that goes away mid-body is no error of vantage's.
 */
export function withBeaconEndpoint(
  rum: () => RumCollector,
  next: RequestListener,
  onError: (err: unknown) => void,
): RequestListener {
  return (req, res) => {
    const url = req.url ?? '';
    if (url !== BEACON_PATH && !url.startsWith(`${BEACON_PATH}?`)) return void next(req, res);
    handleBeacon(req, res, rum()).catch((err: unknown) => {
      if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET') return;
      onError(err);
      if (!res.headersSent) answer(res, 500, 'internal error\n');
      else res.destroy();
    });
  };
}
