/**
 * TLS settings (tls_config) and what a completed handshake tells us (version, certificate expiries).
 *
 * Building a SecureContext parses every CA certificate, which costs far more than the handshake
 * itself on a fast network, so contexts are cached per tls_config object (stable until a config
 * reload). Files are still re-read when they change on disk (checked every few seconds) so that
 * rotated CA bundles and client certificates are picked up without a reload, as blackbox_exporter does.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  createSecureContext,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import type { HttpModuleConfig } from '../../config/schema.js';
import { ProbeError } from './errors.js';

export type TlsConfig = HttpModuleConfig['tls_config'];

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

/** How often the files behind a cached context are stat()ed for changes. */
const RECHECK_MS = 5000;

interface CachedContext {
  context: SecureContext;
  stamp: string;
  checkedAt: number;
}

const contexts = new WeakMap<TlsConfig, CachedContext>();

async function readTlsFile(what: string, path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    throw new ProbeError(
      'tls_error',
      `cannot read tls_config.${what} "${path}": ${(err as Error).message}`,
      'tls',
    );
  }
}

async function fileStamp(config: TlsConfig): Promise<string> {
  const paths = [config.ca_file, config.cert_file, config.key_file];
  const stamps = await Promise.all(
    paths.map((path) =>
      path === undefined
        ? '-'
        : stat(path).then(
            (s) => `${s.mtimeMs}:${s.size}`,
            () => 'missing',
          ),
    ),
  );
  return stamps.join('|');
}

/** The SecureContext for a module's tls_config (CA, client certificate, protocol versions). */
export async function secureContextFor(config: TlsConfig): Promise<SecureContext> {
  const cached = contexts.get(config);
  const now = performance.now();
  if (cached !== undefined && now - cached.checkedAt < RECHECK_MS) return cached.context;
  const stamp = await fileStamp(config);
  if (cached !== undefined && cached.stamp === stamp) {
    cached.checkedAt = now;
    return cached.context;
  }
  const [ca, cert, key] = await Promise.all([
    readTlsFile('ca_file', config.ca_file),
    readTlsFile('cert_file', config.cert_file),
    readTlsFile('key_file', config.key_file),
  ]);
  let context: SecureContext;
  try {
    context = createSecureContext({
      ca,
      cert,
      key,
      minVersion: config.min_version === undefined ? undefined : TLS_VERSIONS[config.min_version],
      maxVersion: config.max_version === undefined ? undefined : TLS_VERSIONS[config.max_version],
    });
  } catch (err) {
    throw new ProbeError('tls_error', `invalid tls_config: ${(err as Error).message}`, 'tls');
  }
  contexts.set(config, { context, stamp, checkedAt: now });
  return context;
}

/** What a completed handshake yields, kept on the hop for samples and the trace. */
export interface TlsSummary {
  /** blackbox_exporter's label value: "TLS 1.2", "TLS 1.3". */
  version: string;
  /** Earliest NotAfter (epoch seconds) over the peer's chain. */
  earliestExpiry: number | undefined;
  /** Earliest NotAfter in the verified chain; undefined when the chain was not verified. */
  verifiedChainExpiry: number | undefined;
  /** Leaf subject CN and NotAfter, for the trace. */
  subject: string;
  validTo: string;
  authorized: boolean;
  alpn: string | false;
}

/** "TLSv1.3" -> "TLS 1.3"; "TLSv1" -> "TLS 1.0" (Go's tls.VersionName spelling, as blackbox). */
function tlsVersionName(protocol: string | null): string {
  if (protocol === null) return 'unknown';
  if (protocol === 'TLSv1') return 'TLS 1.0';
  const m = /^TLSv(\d\.\d)$/.exec(protocol);
  return m ? `TLS ${m[1]}` : protocol;
}

function notAfterSeconds(cert: { valid_to?: string }): number | undefined {
  if (!cert.valid_to) return undefined;
  const ms = Date.parse(cert.valid_to);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Reads the handshake outcome. The detailed peer certificate (getPeerCertificate(true)) is the chain
 * the server presented, completed by OpenSSL with the issuer it found in the trust store; the root
 * points at itself, which ends the walk. Node exposes this one chain only, so the earliest expiry is
 * taken over it, and the verified-chain expiry is the same value when the chain was verified
 * (blackbox: the latest among verified chains of each chain's earliest expiry).
 */
export function summarizeTls(
  socket: TLSSocket,
  fromHostnameCheck: DetailedPeerCertificate | undefined,
): TlsSummary {
  // Converting the chain to JS objects costs ~0.2 ms, so the copy Node already made for the hostname
  // check is reused when there is one. An empty object when the server sent no certificate.
  const peer = (fromHostnameCheck ?? socket.getPeerCertificate(true)) as Partial<DetailedPeerCertificate>;
  const leaf = peer.raw !== undefined ? (peer as DetailedPeerCertificate) : undefined;
  let earliest: number | undefined;
  const seen = new Set<object>();
  let cert = leaf;
  while (cert !== undefined && !seen.has(cert)) {
    seen.add(cert);
    const notAfter = notAfterSeconds(cert);
    if (notAfter !== undefined && (earliest === undefined || notAfter < earliest)) earliest = notAfter;
    const issuer: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    cert = issuer !== undefined && issuer !== cert ? issuer : undefined;
  }
  const cn = leaf?.subject?.CN as string | string[] | undefined;
  return {
    version: tlsVersionName(socket.getProtocol()),
    earliestExpiry: earliest,
    verifiedChainExpiry: socket.authorized ? earliest : undefined,
    subject: Array.isArray(cn) ? cn.join(',') : (cn ?? ''),
    validTo: leaf?.valid_to ?? '',
    authorized: socket.authorized,
    alpn: socket.alpnProtocol ?? false,
  };
}
