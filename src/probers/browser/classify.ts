/**
 * Why a browser step failed, in vantage's reasons (DESIGN.md): from what went wrong in the page, as
 * the step runner saw it. Pure, table-tested.
 *
 * The step runner knows what it was waiting for when a wait ran out (a selector, a navigation, a
 * text), so it names those reasons itself; what reaches `classifyStepError` is an error thrown by
 * Chrome or Puppeteer: a network error of a navigation (net::ERR_*, mapped to the HTTP prober's
 * reasons where one applies), a browser or tab that went away, or anything else the page refused.
 */
import type { StepFailure } from './workerProtocol.js';

/** Chrome's network errors (net::ERR_*) that have an HTTP prober reason. */
const NET_ERRORS: readonly [RegExp, string][] = [
  [/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/, 'dns_error'],
  [/ERR_CONNECTION_REFUSED/, 'connection_refused'],
  [/ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE/, 'connection_reset'],
  [/ERR_CERT_DATE_INVALID/, 'tls_cert_expired'],
  [/ERR_CERT_AUTHORITY_INVALID/, 'tls_cert_untrusted'],
  [/ERR_CERT_COMMON_NAME_INVALID/, 'tls_hostname_mismatch'],
  [/ERR_CERT_|ERR_SSL_/, 'tls_error'],
  [/ERR_TIMED_OUT|ERR_CONNECTION_TIMED_OUT/, 'timeout'],
];

/** What Puppeteer says when the browser or the tab is gone. */
const GONE =
  /Target closed|Session closed|Connection closed|Protocol error.*(closed|detached)|Page crashed|ECONNRESET|ECONNREFUSED/i;

export function classifyStepError(err: unknown): StepFailure {
  const message = err instanceof Error ? err.message : String(err);
  for (const [pattern, reason] of NET_ERRORS) {
    if (pattern.test(message)) return { reason, message };
  }
  if (GONE.test(message)) return { reason: 'chrome_crashed', message };
  return { reason: 'page_error', message };
}

/** A step failure the runner words itself (a wait that ran out, a failed assertion). */
export class StepError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const stepFailureOf = (err: unknown): StepFailure =>
  err instanceof StepError ? { reason: err.reason, message: err.message } : classifyStepError(err);
