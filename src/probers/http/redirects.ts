/**
 * Redirect following, done by the prober itself (undici's Client does not follow) so that every hop
 * gets its own DNS resolution, forbidden-address check, phase timings and trace line. The rules are
 * Go's http.Client's, which blackbox_exporter uses: 301/302/303 turn into GET without a body,
 * 307/308 keep method and body, and cookies set along the way are sent back (a login redirect chain
 * works, as with Go's cookie jar; the jar is cookies.ts).
 *
 * Secrets (configured credentials, the Authorization header and every secret header, see
 * config/secretHeaders.ts) follow Go's rule for which hosts may receive them: the original host and
 * its subdomains, whatever the port (blackbox_exporter behaves so, and a site commonly redirects
 * between its own ports). Stricter than Go in two ways, both as curl and the Fetch standard do:
 * never after a downgrade from https to http (the secret would cross the network in clear), and
 * never again once a hop went elsewhere (a.test -> evil.test -> a.test: evil chose the way back;
 * Go does the same since 1.23.5).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ProbeCookies } from './cookies.js';
import type { PreparedRequest } from './request.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The Location of a redirect response, or undefined when it is not one. */
export function redirectLocation(statusCode: number, headers: IncomingHttpHeaders): string | undefined {
  if (!REDIRECT_STATUSES.has(statusCode)) return undefined;
  const location = headers.location;
  return typeof location === 'string' && location !== '' ? location : undefined;
}

/** Method and body of the next hop. */
export function redirectedRequest(
  statusCode: number,
  method: string,
  body: PreparedRequest['body'],
): { method: string; body: PreparedRequest['body'] } {
  if (statusCode === 307 || statusCode === 308) return { method, body };
  return { method: method === 'GET' || method === 'HEAD' ? method : 'GET', body: undefined };
}

/** Whether `host` is `origin` or a subdomain of it (Go's shouldCopyHeaderOnRedirect). */
export function isSameOrSubdomain(origin: string, host: string): boolean {
  return host === origin || host.endsWith(`.${origin}`);
}

/** The hops of one probe that may receive its secrets; create one per probe. */
export class SecretScope {
  private left = false;

  constructor(readonly first: URL) {}

  /** Whether `hop` may receive the secrets; call once per hop, in order. */
  admits(hop: URL): boolean {
    if (this.left) return false;
    const downgrade = this.first.protocol === 'https:' && hop.protocol === 'http:';
    if (downgrade || !isSameOrSubdomain(this.first.hostname, hop.hostname)) this.left = true;
    return !this.left;
  }
}

/**
 * The headers of one hop: the module's, secrets only where they belong, cookies from the jar.
 * The first hop without cookies or credentials shares the cached header object (no copy).
 */
export function hopHeaders(
  prepared: PreparedRequest,
  scope: SecretScope,
  hop: URL,
  jar: ProbeCookies | undefined,
): Record<string, string> {
  const trusted = scope.admits(hop);
  const cookie = jar?.header(hop);
  const sameHost = scope.first.host === hop.host;
  if (trusted && sameHost && cookie === undefined && prepared.authorization === undefined) {
    return prepared.headers;
  }
  const headers = { ...prepared.headers };
  if (!trusted) {
    delete headers.authorization;
    delete headers.cookie;
    for (const name of prepared.secretHeaders) delete headers[name];
  } else if (prepared.authorization !== undefined && headers.authorization === undefined) {
    // A user-set Authorization header wins over configured auth, as in prometheus/common.
    headers.authorization = prepared.authorization;
  }
  // A custom Host header only makes sense for the host it was written for.
  if (!sameHost) delete headers.host;
  if (cookie !== undefined) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie;
  return headers;
}
