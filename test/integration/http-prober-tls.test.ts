/**
 * HTTPS probes: certificate verification outcomes as failure reasons, expiry samples equal to the
 * certificates' real NotAfter, server_name, client certificates, TLS version bounds and HTTP/2.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCerts, type TestCerts } from '../helpers/certs.js';
import { startHttp2Server, startHttpsServer, type TestServer } from '../helpers/servers.js';
import { phase, probe, sample } from './http-prober-helpers.js';

function notAfterSeconds(certPath: string): number {
  return Math.floor(Date.parse(new X509Certificate(readFileSync(certPath)).validTo) / 1000);
}

describe('httpProber: TLS', () => {
  let certs: TestCerts;
  let valid: TestServer;
  let selfSigned: TestServer;
  let expired: TestServer;
  let wrongHost: TestServer;
  let mutual: TestServer;
  let tls12: TestServer;
  let h2: TestServer;
  const sniSeen: (string | false | null)[] = [];

  beforeAll(async () => {
    certs = createTestCerts();
    const ok = (_req: unknown, res: { end(body: string): void }) => res.end('secure hello');
    valid = await startHttpsServer(certs.pem(certs.leaf), ok);
    selfSigned = await startHttpsServer(certs.pem(certs.selfSigned), ok);
    expired = await startHttpsServer(certs.pem(certs.expired), ok);
    wrongHost = await startHttpsServer(certs.pem(certs.wrongHost), (req, res) => {
      sniSeen.push((req.socket as TLSSocket).servername);
      res.end('wrong host');
    });
    mutual = await startHttpsServer(
      {
        ...certs.pem(certs.leaf),
        ca: readFileSync(certs.ca.cert),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => res.end(`hello ${(req.socket as TLSSocket).getPeerCertificate().subject.CN}`),
    );
    tls12 = await startHttpsServer({ ...certs.pem(certs.leaf), maxVersion: 'TLSv1.2' }, ok);
    h2 = await startHttp2Server(certs.pem(certs.leaf), (_req, res) => res.end('h2 hello'));
  });

  afterAll(async () => {
    await Promise.all([valid, selfSigned, expired, wrongHost, mutual, tls12, h2].map((s) => s?.close()));
    certs?.cleanup();
  });

  it('succeeds with the CA from ca_file and reports the real expiry dates', async () => {
    const result = await probe(`${valid.origin}/`, { tls_config: { ca_file: certs.ca.cert } });
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_ssl')).toBe(1);
    expect(sample(result, 'probe_tls_version_info', { version: 'TLS 1.3' })).toBe(1);
    // The leaf (30 days) expires before the CA (10 years): both gauges are its NotAfter.
    const leafNotAfter = notAfterSeconds(certs.leaf.cert);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(leafNotAfter);
    expect(sample(result, 'probe_ssl_last_chain_expiry_timestamp_seconds')).toBe(leafNotAfter);
    expect(phase(result, 'tls')).toBeGreaterThan(0);
    expect(phase(result, 'connect')).toBeDefined();
    expect(result.trace.some((e) => /^TLS 1\.3 handshake in .*cert CN=localhost/.test(e.message))).toBe(true);
  });

  it('tls_cert_untrusted when the CA is not trusted', async () => {
    const result = await probe(`${valid.origin}/`);
    expect(result.failure).toMatchObject({ reason: 'tls_cert_untrusted', phase: 'tls' });
    expect(phase(result, 'processing')).toBeUndefined();
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
  });

  it('tls_cert_untrusted for a self-signed certificate', async () => {
    const result = await probe(`${selfSigned.origin}/`, { tls_config: { ca_file: certs.ca.cert } });
    expect(result.failure).toMatchObject({ reason: 'tls_cert_untrusted', phase: 'tls' });
  });

  it('insecure_skip_verify accepts a self-signed certificate but reports no verified chain', async () => {
    const result = await probe(`${selfSigned.origin}/`, { tls_config: { insecure_skip_verify: true } });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(notAfterSeconds(certs.selfSigned.cert));
    expect(sample(result, 'probe_ssl_last_chain_expiry_timestamp_seconds')).toBeUndefined();
  });

  it('tls_cert_expired for an expired certificate', async () => {
    const result = await probe(`${expired.origin}/`, { tls_config: { ca_file: certs.ca.cert } });
    expect(result.failure).toMatchObject({ reason: 'tls_cert_expired', phase: 'tls' });
  });

  it('tls_hostname_mismatch when the certificate is for another name', async () => {
    const result = await probe(`${wrongHost.origin}/`, { tls_config: { ca_file: certs.ca.cert } });
    expect(result.failure).toMatchObject({ reason: 'tls_hostname_mismatch', phase: 'tls' });
  });

  it('server_name overrides the name checked and sent as SNI', async () => {
    sniSeen.length = 0;
    const result = await probe(`${wrongHost.origin}/`, {
      tls_config: { ca_file: certs.ca.cert, server_name: 'wrong.example' },
    });
    expect(result.success).toBe(true);
    expect(sniSeen).toEqual(['wrong.example']);
  });

  it('presents a client certificate from cert_file/key_file', async () => {
    const withCert = await probe(`${mutual.origin}/`, {
      tls_config: { ca_file: certs.ca.cert, cert_file: certs.client.cert, key_file: certs.client.key },
      fail_if_body_not_matches_regexp: ['hello vantage client'],
    });
    expect(withCert.failure).toBeUndefined();
    const without = await probe(`${mutual.origin}/`, { tls_config: { ca_file: certs.ca.cert } });
    // TLS 1.3: the server's alert arrives after the client already sent its request.
    expect(without.failure).toMatchObject({ reason: 'tls_error' });
    expect(without.failure?.message).toMatch(/certificate required/);
  });

  it('honours max_version and min_version', async () => {
    const capped = await probe(`${valid.origin}/`, {
      tls_config: { ca_file: certs.ca.cert, max_version: 'TLS12' },
    });
    expect(capped.success).toBe(true);
    expect(sample(capped, 'probe_tls_version_info', { version: 'TLS 1.2' })).toBe(1);
    const tooOld = await probe(`${tls12.origin}/`, {
      tls_config: { ca_file: certs.ca.cert, min_version: 'TLS13' },
    });
    expect(tooOld.failure).toMatchObject({ reason: 'tls_error', phase: 'tls' });
  });

  it('fails with ssl_required when fail_if_ssl and the response came over TLS', async () => {
    const result = await probe(`${valid.origin}/`, {
      tls_config: { ca_file: certs.ca.cert },
      fail_if_ssl: true,
    });
    expect(result.failure).toMatchObject({ reason: 'ssl_required', phase: 'processing' });
    expect(result.failure?.message).toMatch(/came over TLS/);
    // The handshake completed, so the certificate is still reported.
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(notAfterSeconds(certs.leaf.cert));
  });

  it('speaks HTTP/2 when offered via ALPN, and HTTP/1.1 when enable_http2 is off', async () => {
    const viaH2 = await probe(`${h2.origin}/`, {
      tls_config: { ca_file: certs.ca.cert },
      valid_http_versions: ['HTTP/2.0'],
      fail_if_body_not_matches_regexp: ['h2 hello'],
    });
    expect(viaH2.failure).toBeUndefined();
    expect(sample(viaH2, 'probe_http_version')).toBe(2);
    expect(phase(viaH2, 'processing')).toBeDefined();
    expect(phase(viaH2, 'transfer')).toBeDefined();

    const viaH1 = await probe(`${h2.origin}/`, {
      tls_config: { ca_file: certs.ca.cert },
      enable_http2: false,
      valid_http_versions: ['HTTP/2.0'],
    });
    expect(viaH1.failure).toMatchObject({ reason: 'http_version' });
    expect(sample(viaH1, 'probe_http_version')).toBe(1.1);
  });
});
