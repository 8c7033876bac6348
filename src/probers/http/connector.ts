/**
 * The undici `connect` function of a hop: resolve, check the address, TCP connect, TLS handshake,
 * each step timed as its own phase. Doing this here rather than letting undici's connector do it is
 * what makes the phases measurable (undici exposes no DNS/connect/TLS timings) and what lets the
 * forbidden-address check see the very IP the socket connects to, with no window for DNS rebinding.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import type { buildConnector } from 'undici';
import type { HttpModuleConfig } from '../../config/schema.js';
import { forbiddenNetworkOf, isForbiddenAddress } from './addressGuard.js';
import { ProbeError } from './errors.js';
import type { Hop } from './hop.js';
import { resolveHost, type ResolvedAddress } from './resolve.js';
import type { ProbeRun } from './run.js';
import { summarizeTls } from './tls.js';
import { formatMs } from './trace.js';

export interface ConnectSettings {
  module: HttpModuleConfig;
  allowedNetworks: readonly string[];
  dnsServers: readonly string[] | undefined;
  /** Started when the hop was created so reading CA files overlaps DNS and TCP. */
  secureContext: Promise<SecureContext> | undefined;
}

function closedEarly(what: string): Error {
  return Object.assign(new Error(`connection closed during ${what}`), { code: 'ECONNRESET' });
}

async function resolveTarget(hop: Hop, run: ProbeRun, settings: ConnectSettings): Promise<ResolvedAddress> {
  const { hostname } = hop.target;
  const literal = isIP(hostname);
  if (literal !== 0) {
    // An IP literal needs no DNS; the phase stays present (tiny), as in blackbox_exporter.
    run.trace.add(`resolving ${hostname}: IP address, no DNS lookup`);
    return { address: hostname, family: literal === 6 ? 6 : 4 };
  }
  const { module } = settings;
  run.trace.add(
    `resolving ${hostname} (${module.preferred_ip_protocol} preferred${module.ip_protocol_fallback ? ', fallback allowed' : ''}` +
      `${settings.dnsServers?.length ? `, servers ${settings.dnsServers.join(' ')}` : ''})`,
  );
  return run.race(
    resolveHost(hostname, module.preferred_ip_protocol, module.ip_protocol_fallback, settings.dnsServers),
  );
}

function connectTcp(hop: Hop, address: string, port: number, family: 4 | 6): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port, family, noDelay: true });
    hop.adopt(socket);
    settleOn(socket, 'connect', 'connect', resolve, reject);
  });
}

function handshake(
  hop: Hop,
  tcp: Socket,
  context: SecureContext,
  settings: ConnectSettings,
): Promise<TLSSocket> {
  const { target } = hop;
  const { tls_config: tlsConfig, enable_http2: h2 } = settings.module;
  // The name the certificate must match: the override, else the URL host (an IP is matched
  // against IP SANs). SNI must not carry an IP address, so it is only sent for names.
  const identity = target.serverName ?? target.hostname;
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      socket: tcp,
      host: identity,
      servername: isIP(identity) === 0 ? identity : undefined,
      secureContext: context,
      rejectUnauthorized: !tlsConfig.insecure_skip_verify,
      ALPNProtocols: h2 ? ['h2', 'http/1.1'] : undefined,
      // Node hands the hostname check the detailed chain it just built; keep it for the samples.
      checkServerIdentity: (name, cert) => {
        hop.peerCertificate = cert as DetailedPeerCertificate; // Node passes getPeerCertificate(true)
        return checkServerIdentity(name, cert);
      },
    });
    hop.adopt(socket);
    settleOn(socket, 'secureConnect', 'TLS handshake', resolve, reject);
  });
}

/**
 * Settle a connection step on its success event, its error, or an early close (which Node
 * reports without an error), removing all three listeners whichever comes first.
 */
function settleOn<S extends Socket>(
  socket: S,
  successEvent: 'connect' | 'secureConnect',
  step: string,
  resolve: (socket: S) => void,
  reject: (err: Error) => void,
): void {
  const onSuccess = (): void => {
    cleanup();
    resolve(socket);
  };
  const onError = (err: Error): void => {
    cleanup();
    reject(err);
  };
  const onClose = (): void => {
    cleanup();
    reject(closedEarly(step));
  };
  const cleanup = (): void => {
    socket.off(successEvent, onSuccess).off('error', onError).off('close', onClose);
  };
  socket.once(successEvent, onSuccess).once('error', onError).once('close', onClose);
}

async function establish(hop: Hop, run: ProbeRun, settings: ConnectSettings): Promise<Socket> {
  const { target } = hop;
  hop.enter('resolve');
  const resolved = await resolveTarget(hop, run, settings);
  hop.resolved = resolved;
  run.trace.add(
    `resolved to ${resolved.address} (ip${resolved.family}) in ${formatMs(hop.sinceStart('resolve'))}`,
  );

  if (isForbiddenAddress(resolved.address, settings.allowedNetworks)) {
    const range = forbiddenNetworkOf(resolved.address);
    const via = resolved.address === target.hostname ? '' : ` (resolved from ${target.hostname})`;
    throw new ProbeError(
      'forbidden_address',
      `refusing to connect to ${resolved.address}${via}: ${range ? `${range.network}, ${range.why}` : 'not a valid address'}` +
        '; exempt it with security.allowed_networks if intended',
      'resolve',
    );
  }

  hop.enter('connect');
  const tcp = await connectTcp(hop, resolved.address, target.port, resolved.family);
  run.trace.add(`connected to ${resolved.address}:${target.port} in ${formatMs(hop.sinceStart('connect'))}`);
  if (!target.https) {
    hop.enter('processing');
    return tcp;
  }

  hop.enter('tls');
  const context = await run.race(settings.secureContext!);
  const secure = await handshake(hop, tcp, context, settings);
  const tls = summarizeTls(secure, hop.peerCertificate);
  hop.peerCertificate = undefined; // summarised; do not keep the chain alive with the hop
  hop.tls = tls;
  run.trace.add(
    `${tls.version} handshake in ${formatMs(hop.sinceStart('tls'))}, cert CN=${tls.subject}, expires ${tls.validTo}` +
      `${tls.authorized ? '' : ' (not verified: insecure_skip_verify)'}${tls.alpn ? `, ALPN ${tls.alpn}` : ''}`,
  );
  hop.enter('processing');
  return secure;
}

/** The `connect` option of the hop's undici Client. */
export function createConnector(
  hop: Hop,
  run: ProbeRun,
  settings: ConnectSettings,
): buildConnector.connector {
  return (_options, callback) => {
    establish(hop, run, settings).then(
      (socket) => {
        callback(null, socket);
        // undici attached its 'readable' listener synchronously inside the callback (see watchFirstBytes).
        if ((socket as TLSSocket).alpnProtocol !== 'h2') hop.watchFirstBytes(socket);
      },
      (err: Error) => callback(err, null),
    );
  };
}
