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

/**
 * The body, or undefined when it grew past `limit` (the caller answers 413). Events rather than
 * `for await`: the async iterator cost more than everything else about reading a beacon.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        req.off('data', onData).off('end', onEnd).off('error', reject);
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * Write the whole answer at once, headers as one flat list: setHeader per header (validated and
 * stored one by one) was a third of a beacon's cost.
 */
function answer(
  res: ServerResponse,
  status: number,
  headers: string[],
  body?: string,
  type = 'text/plain; charset=utf-8',
): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  headers.push('Content-Type', type, 'Content-Length', String(Buffer.byteLength(body)));
  res.writeHead(status, headers).end(body);
}

/** The beacon endpoint alone: every method of BEACON_PATH. */
export async function handleBeacon(
  req: IncomingMessage,
  res: ServerResponse,
  rum: RumCollector,
): Promise<void> {
  const origin = req.headers.origin;
  /** Response headers so far; CORS ones once the origin is known to be allowed. */
  const headers: string[] = [];
  const refuse = (reason: RejectionReason, status: number, message: string) => {
    rum.refuse(reason);
    answer(res, status, headers, `${message}\n`);
  };
  if (req.method !== 'POST' && req.method !== 'OPTIONS') {
    answer(res, 405, ['Allow', 'POST, OPTIONS'], 'use POST for beacons\n');
    return;
  }
  if (!rum.allowsOrigin(origin)) {
    refuse('origin', 403, `forbidden: origin ${origin ?? '(none)'} is not listed in rum.sites[].origins`);
    return;
  }
  headers.push('Access-Control-Allow-Origin', origin!, 'Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    headers.push(
      'Access-Control-Allow-Methods',
      'POST',
      'Access-Control-Allow-Headers',
      'Content-Type',
      'Access-Control-Max-Age',
      '86400',
    );
    answer(res, 204, headers);
    return;
  }
  const forwardedFor = req.headers['x-forwarded-for'];
  const client = clientAddress(
    req.socket.remoteAddress ?? '',
    Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor,
    rum.trustedProxies,
  );
  if (!rum.rateLimiter.take(client, performance.now())) {
    headers.push('Retry-After', String(rum.rateLimiter.retryAfterSeconds()));
    refuse('rate_limited', 429, 'too many beacons from this client; slow down');
    return;
  }
  if (!ACCEPTED_TYPES.has(contentTypeOf(req))) {
    refuse('content_type', 415, 'unsupported media type: send the beacon as text/plain or application/json');
    return;
  }
  const tooLarge = () => {
    // Close rather than drain: reading on would let a client make vantage read a gigabyte.
    headers.push('Connection', 'close');
    refuse('body_too_large', 413, `payload too large: a beacon is at most ${rum.maxBodyBytes} bytes`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > rum.maxBodyBytes) return tooLarge();
  const body = await readBody(req, rum.maxBodyBytes);
  if (body === undefined) return tooLarge();
  const json = 'application/json; charset=utf-8';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    rum.refuse('invalid_json');
    answer(
      res,
      400,
      headers,
      JSON.stringify(inputErrorBody('body', `not valid JSON: ${(err as Error).message}`)),
      json,
    );
    return;
  }
  const outcome = rum.accept(parsed, { origin, userAgent: req.headers['user-agent'] });
  if (outcome.status === 400) {
    answer(
      res,
      400,
      headers,
      JSON.stringify(inputErrorBody(outcome.error.field, outcome.error.message)),
      json,
    );
  } else if (outcome.status === 403) {
    answer(res, 403, headers, `forbidden: origin ${origin} is not one of this site's origins\n`);
  } else {
    answer(res, 204, headers);
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
      if (!res.headersSent) answer(res, 500, [], 'internal error\n');
      else res.destroy();
    });
  };
}
