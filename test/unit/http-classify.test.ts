/**
 * Error classification: every code family the network stack produces maps onto one reason of the
 * fixed list, with the phase settling ambiguous codes.
 */
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/probers/http/classify.js';
import { ProbeError } from '../../src/probers/http/errors.js';
import { FAILURE_REASONS, type HttpPhase } from '../../src/probers/types.js';

function err(code: string, message = `error ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it.each<[string, HttpPhase, string]>([
    ['ENOTFOUND', 'resolve', 'dns_error'],
    ['EAI_AGAIN', 'resolve', 'dns_error'],
    ['ENODATA', 'resolve', 'dns_error'],
    ['NXDOMAIN', 'resolve', 'dns_error'],
    ['ESERVFAIL', 'resolve', 'dns_error'],
    ['ECONNREFUSED', 'resolve', 'dns_error'], // the DNS server refused, not the target
    ['ECONNREFUSED', 'connect', 'connection_refused'],
    ['EHOSTUNREACH', 'connect', 'connection_refused'],
    ['ECONNRESET', 'processing', 'connection_reset'],
    ['ECONNRESET', 'tls', 'connection_reset'],
    ['EPIPE', 'processing', 'connection_reset'],
    ['UND_ERR_SOCKET', 'transfer', 'connection_reset'],
    ['ETIMEDOUT', 'connect', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'processing', 'timeout'],
    ['CERT_HAS_EXPIRED', 'tls', 'tls_cert_expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls', 'tls_hostname_mismatch'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls', 'tls_cert_untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls', 'tls_cert_untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls', 'tls_cert_untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'tls', 'tls_cert_untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls', 'tls_cert_untrusted'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', 'tls_error'],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'processing', 'tls_error'],
    ['CERT_NOT_YET_VALID', 'tls', 'tls_error'],
    ['HPE_INVALID_CONSTANT', 'processing', 'protocol_error'],
    ['HPE_INVALID_CHUNK_SIZE', 'transfer', 'protocol_error'],
    ['UND_ERR_HEADERS_OVERFLOW', 'processing', 'protocol_error'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'transfer', 'protocol_error'],
    ['ERR_HTTP2_PROTOCOL_ERROR', 'processing', 'protocol_error'],
    ['ERR_HTTP2_STREAM_CANCEL', 'processing', 'connection_reset'],
    ['Z_DATA_ERROR', 'transfer', 'protocol_error'],
  ])('%s in %s -> %s', (code, phase, reason) => {
    expect(classifyError(err(code), phase).reason).toBe(reason);
  });

  it('treats a "bad response" SocketError as a protocol error', () => {
    expect(classifyError(err('UND_ERR_SOCKET', 'bad response'), 'processing').reason).toBe('protocol_error');
  });

  it('walks the cause chain', () => {
    const wrapped = new Error('fetch failed', { cause: err('ECONNREFUSED') });
    expect(classifyError(wrapped, 'connect').reason).toBe('connection_refused');
  });

  it('keeps the reason of a ProbeError', () => {
    const result = classifyError(new ProbeError('body_too_large', 'too big', 'transfer'), 'processing');
    expect(result).toEqual({ reason: 'body_too_large', message: 'too big' });
  });

  it('treats an AbortError as a timeout', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(classifyError(abort, 'transfer').reason).toBe('timeout');
  });

  it('falls back by phase for unknown errors, always to a listed reason', () => {
    const phases: HttpPhase[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];
    const reasons = phases.map((p) => classifyError(new Error('strange'), p).reason);
    expect(reasons).toEqual([
      'dns_error',
      'connection_refused',
      'tls_error',
      'protocol_error',
      'protocol_error',
    ]);
    for (const r of reasons) expect(FAILURE_REASONS).toContain(r);
    expect(classifyError('not even an Error', 'connect').reason).toBe('connection_refused');
  });

  it('names the code in the message, and shortens OpenSSL errors to their reason', () => {
    expect(classifyError(err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connect').message).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(classifyError(err('EPIPE', 'write failed'), 'processing').message).toBe('write failed (EPIPE)');
    const ssl = Object.assign(
      err('ERR_SSL_WRONG_VERSION_NUMBER', '0A00010B:SSL routines::wrong version number'),
      {
        library: 'SSL routines',
        reason: 'wrong version number',
      },
    );
    expect(classifyError(ssl, 'tls').message).toBe(
      'SSL routines: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)',
    );
  });
});
