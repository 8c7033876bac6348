/**
 * One guard in front of every request that can change something (any method but GET, HEAD and
 * OPTIONS): POST /api/changes, /api/alertmanager, /api/reports, /-/reload and whatever is added.
 * It stops a web page from making the visitor's browser act on vantage:
 *
 * - **Cross-site requests.** A page on another origin can send a "simple" POST without CORS
 *   (`fetch(url, {method: 'POST', mode: 'no-cors', body})`, or a form) but cannot choose its
 *   Origin header nor send `Content-Type: application/json` without a preflight that vantage never
 *   answers. So: a request that carries an Origin must come from vantage's own origin (same host
 *   as the Host header, or a configured name), and a request with a body must say
 *   `application/json` (415 otherwise). A request with no Origin (curl, amtool, Alertmanager,
 *   Prometheus' tooling; browsers always send one on POST) and no body (`curl -X POST
 *   /-/reload`) passes.
 * - **DNS rebinding.** A page on evil.example whose name then resolves to 127.0.0.1 is
 *   same-origin with itself, so Origin says nothing; its requests still carry `Host:
 *   evil.example`. With no admin token (loopback is trusted then), the Host must be a name
 *   vantage is known by: localhost, a loopback IP, the address the connection arrived on, the
 *   listen host, the machine's host name, or `security.allowed_hosts`. With a token the bearer
 *   token is the proof (a browser cannot add it cross-site), so any Host passes.
 *
 * Authentication stays with each route (requireAdmin: the token, or loopback without one); this
 * guard is about what a browser may be tricked into, whoever the client is.
 */
import { isIP } from 'node:net';
import { hostname as machineHostname } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import type { WriteRefusal } from '../metrics/serviceHealth.js';
import { isLoopback } from './adminAuth.js';

export type WriteRefusalReason = Extract<WriteRefusal, 'foreign_origin' | 'unknown_host' | 'content_type'>;

export interface WriteGuardOptions {
  /** Whether an admin token is configured (then the Host is not checked). */
  adminTokenSet: () => boolean;
  /** security.allowed_hosts of the running config (empty before it is loaded). */
  allowedHosts: () => readonly string[];
  /** The host of --web.listen-address, when it names one (not 0.0.0.0 or ::). */
  listenHost?: string;
  refused: (reason: WriteRefusalReason) => void;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `Host` header -> lower-case host name without port or brackets; undefined when unparseable. */
export function hostOf(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(h);
  if (bracketed) return bracketed[1];
  const plain = /^([a-z0-9._-]+)(?::\d+)?$/.exec(h);
  return plain ? plain[1]!.replace(/\.$/, '') : undefined;
}

const unmapped = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address);

/** Names no DNS answer can point elsewhere: browsers resolve localhost and *.localhost themselves. */
function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || isLoopback(host);
}

/** Whether the request has a body: a length above 0 or a chunked one (fetch sends `content-length: 0`). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? 0);
  return !Number.isFinite(length) || length > 0;
}

export function writeRequestGuard(options: WriteGuardOptions) {
  const listenHost =
    options.listenHost && !['0.0.0.0', '::', ''].includes(options.listenHost)
      ? hostOf(isIP(options.listenHost) === 6 ? `[${options.listenHost}]` : options.listenHost)
      : undefined;
  const ownName = machineHostname().toLowerCase();

  const knownName = (host: string, req: Request): boolean =>
    isLocalName(host) ||
    host === unmapped(req.socket.localAddress ?? '') ||
    host === listenHost ||
    host === ownName ||
    options.allowedHosts().some((name) => name.toLowerCase() === host);

  const refuse = (res: Response, reason: WriteRefusalReason, status: number, message: string) => {
    options.refused(reason);
    res.status(status).type('text').send(`${message}\n`);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const hostHeader = req.headers.host;
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, hostHeader, options.allowedHosts())) {
      return refuse(
        res,
        'foreign_origin',
        403,
        `forbidden: a request from ${origin === 'null' ? 'an opaque origin' : origin} may not change anything on vantage (cross-site request)`,
      );
    }
    if (!options.adminTokenSet() && hostHeader !== undefined) {
      const host = hostOf(hostHeader);
      if (host === undefined || !knownName(host, req)) {
        return refuse(
          res,
          'unknown_host',
          403,
          `forbidden: Host "${hostHeader}" is not a name vantage is reached by; add it to security.allowed_hosts (or set an admin token)`,
        );
      }
    }
    if (hasBody(req) && req.is('application/json') !== 'application/json') {
      return refuse(
        res,
        'content_type',
        415,
        `unsupported media type: write requests take a JSON body with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`,
      );
    }
    next();
  };
}

/**
 * Whether `origin` is vantage's own: its host:port is the Host header (the page came from this
 * vantage), or its host name is in security.allowed_hosts (a reverse proxy that rewrites Host).
 * Scheme and port count: http://127.0.0.1:3000 is another origin than vantage on :9470, as it
 * is for the browser. `null` (sandboxed frames, file: pages) and anything unparseable are foreign.
 */
export function sameOrigin(
  origin: string,
  hostHeader: string | undefined,
  allowedHosts: readonly string[],
): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (hostHeader !== undefined && url.host === hostHeader.trim().toLowerCase()) return true;
  const host = hostOf(url.host);
  return host !== undefined && allowedHosts.some((name) => name.toLowerCase() === host);
}
