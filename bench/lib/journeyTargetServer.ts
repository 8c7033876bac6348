/**
 * The site the journey benchmark probes: the bench target page on every GET path, plus a small
 * login → account → order → confirmation flow that only works with the token and the session
 * cookie of its login, so a journey that drops either fails instead of being measured. It counts
 * the requests it answers, which is what the benchmark divides CPU by, and runs as its own
 * process, so its CPU is not counted against vantage.
 *
 *   node --import tsx bench/lib/journeyTargetServer.ts PORT
 *
 * Paths:
 * - `GET /__bench/requests`: `{"requests": N, "rejected": M}` so far; not counted itself.
 * - `POST /login`: `{"token": "tok-N"}` and `Set-Cookie: session=sess-N`.
 * - `GET /account`: the page, with `Authorization: Bearer tok-N` and `session=sess-N` of one login; else 401.
 * - `POST /orders`: 201 and `<p>Order order-N placed</p>` with the session cookie; else 401.
 * - `GET /orders/order-N`: 200 and `Order order-N confirmed`, `status: ok`, with the session cookie; else 401.
 * - any other `GET`: 200 and the bench page containing `status: ok` (as bench/lib/targetServer.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse as parseCookie } from 'cookie';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: journeyTargetServer.ts PORT');
  process.exit(2);
}

// Built once: the server should cost as little as possible per request.
const PAGE = Buffer.from(
  '<!doctype html>\n<html><head><title>bench target</title></head>\n' +
    '<body><h1>bench target</h1><p>status: ok</p></body></html>\n',
);
const HTML = 'text/html; charset=utf-8';

let requests = 0;
let rejected = 0;
let logins = 0;
let orders = 0;

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, extra = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (status >= 400) rejected++;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(bytes.length), ...extra });
  res.end(bytes);
}

/** The login number N of a request's session cookie, or undefined without one. */
function sessionOf(req: IncomingMessage): string | undefined {
  const session = parseCookie(req.headers.cookie ?? '').session;
  return session?.startsWith('sess-') ? session.slice('sess-'.length) : undefined;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  if (path === '/__bench/requests') {
    send(res, 200, 'application/json', JSON.stringify({ requests, rejected }));
    return;
  }
  requests++;
  const session = sessionOf(req);
  if (req.method === 'POST' && path === '/login') {
    const n = ++logins;
    send(res, 200, 'application/json', `{"token":"tok-${n}"}`, {
      'Set-Cookie': `session=sess-${n}; Path=/; HttpOnly`,
    });
  } else if (path === '/account') {
    const authorised = session !== undefined && req.headers.authorization === `Bearer tok-${session}`;
    if (authorised) send(res, 200, HTML, PAGE);
    else send(res, 401, 'text/plain', 'login first\n');
  } else if (req.method === 'POST' && path === '/orders') {
    if (session === undefined) send(res, 401, 'text/plain', 'login first\n');
    else send(res, 201, HTML, `<p>Order order-${++orders} placed</p>\n`);
  } else if (path.startsWith('/orders/order-')) {
    const id = path.slice('/orders/'.length);
    if (session === undefined) send(res, 401, 'text/plain', 'login first\n');
    else send(res, 200, HTML, `<p>Order ${id} confirmed</p><p>status: ok</p>\n`);
  } else if (req.method === 'GET') {
    send(res, 200, HTML, PAGE);
  } else {
    send(res, 405, 'text/plain', 'method not allowed\n');
  }
}

const server = createServer((req, res) => {
  // Read the whole request body before answering, so the connection stays usable.
  req.resume();
  req.once('end', () => handle(req, res));
});
// Probers open a connection per probe; a deep backlog absorbs bursts of new connections.
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`journey target server listening on 127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
