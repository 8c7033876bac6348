/**
 * Maps whatever the network stack threw (node:dns, node:net, node:tls, undici, node:zlib) onto the
 * fixed list of failure reasons (DESIGN.md) that dashboards and alerts group by. The phase the error
 * happened in disambiguates what the code alone cannot: ECONNREFUSED from the DNS server is a
 * dns_error, not a refused connection to the target.
 */
import type { FailureReason, HttpPhase } from '../types.js';
import { ProbeError } from './errors.js';

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENODATA',
  'NXDOMAIN',
  'EAI_NONAME',
  'EAI_NODATA',
  'ESERVFAIL',
]);
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_GOAWAY_SESSION',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ABORT_ERR',
  'UND_ERR_ABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);
const PROTOCOL_CODES = new Set([
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_INFO',
  'Z_DATA_ERROR',
  'Z_BUF_ERROR',
  'ERR_INVALID_URL',
]);

/** Fallback when no code is recognised: what failing in that phase most likely means. */
const PHASE_DEFAULT: Record<HttpPhase, FailureReason> = {
  resolve: 'dns_error',
  connect: 'connection_refused',
  tls: 'tls_error',
  processing: 'protocol_error',
  transfer: 'protocol_error',
};

function reasonForCode(code: string, message: string, phase: HttpPhase): FailureReason | undefined {
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (DNS_CODES.has(code)) return 'dns_error';
  if (code.startsWith('HPE_') || PROTOCOL_CODES.has(code)) return 'protocol_error';
  if (code.startsWith('ERR_HTTP2_')) return RESET_CODES.has(code) ? 'connection_reset' : 'protocol_error';
  // Whatever else fails while resolving is a DNS problem, including ECONNREFUSED from the DNS server.
  if (phase === 'resolve') return 'dns_error';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'CERT_HAS_EXPIRED') return 'tls_cert_expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls_hostname_mismatch';
  if (UNTRUSTED_CODES.has(code)) return 'tls_cert_untrusted';
  // undici reports a malformed exchange ("bad response", "bad upgrade") as a SocketError too.
  if (code === 'UND_ERR_SOCKET' && /^bad /.test(message)) return 'protocol_error';
  if (RESET_CODES.has(code)) return 'connection_reset';
  // OpenSSL errors and alerts: during the handshake, or after it (TLS 1.3 servers reject a missing
  // client certificate only once the client already sent its request).
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || (phase === 'tls' && code === 'EPROTO')) {
    return 'tls_error';
  }
  return undefined;
}

export interface Classified {
  reason: FailureReason;
  message: string;
}

/** Classifies an error raised in `phase`. Walks `cause` chains (undici wraps socket errors). */
export function classifyError(err: unknown, phase: HttpPhase): Classified {
  if (err instanceof ProbeError) return { reason: err.reason, message: err.message };
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      const reason = reasonForCode(code, current.message, phase);
      if (reason !== undefined) return { reason, message: describe(err, current, code) };
    }
    current = current.cause;
  }
  if (err instanceof Error && err.name === 'AbortError') return { reason: 'timeout', message: err.message };
  return { reason: PHASE_DEFAULT[phase], message: describe(err, err, undefined) };
}

function describe(outer: unknown, inner: unknown, code: string | undefined): string {
  // OpenSSL errors carry a readable `reason` ("tlsv13 alert certificate required") next to a
  // message full of source paths.
  const ssl = outer as { library?: unknown; reason?: unknown };
  if (typeof ssl.library === 'string' && typeof ssl.reason === 'string') {
    return `${ssl.library}: ${ssl.reason}${code !== undefined ? ` (${code})` : ''}`;
  }
  const text = outer instanceof Error ? outer.message : String(outer);
  const innerText = inner instanceof Error && inner !== outer ? `: ${inner.message}` : '';
  const base = `${text || 'error'}${innerText}`;
  return code !== undefined && !base.includes(code) ? `${base} (${code})` : base;
}
