/**
 * One request/response round trip of a probe (the first request, or one redirect hop): its target,
 * its phase clock and the resources to tear down. Phases are timestamped as they are entered, so a
 * phase that was never reached has no start and is left out of the samples (DESIGN.md: absent, not 0),
 * and a phase cut short by a failure or the deadline still shows how long it ran.
 */
import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { HttpPhase } from '../types.js';
import type { ResolvedAddress } from './resolve.js';
import type { TlsSummary } from './tls.js';

export const PHASE_INDEX: Readonly<Record<HttpPhase, number>> = {
  resolve: 0,
  connect: 1,
  tls: 2,
  processing: 3,
  transfer: 4,
};

export type HttpVersion = '1.0' | '1.1' | '2.0';

export interface HopTarget {
  url: URL;
  /** URL host without IPv6 brackets. */
  hostname: string;
  port: number;
  https: boolean;
  /** Name the certificate must match and SNI (tls_config.server_name or a Host header), if any. */
  serverName: string | undefined;
  /** The URL without credentials, for the trace. */
  display: string;
}

/**
 * The error every hop teardown uses. Node's stream destroy() formats the stack of the error it is
 * given, and undici would otherwise create a fresh error per connection ("reset", "client
 * destroyed"): with one pre-formatted instance, tearing down costs no stack trace. The code is
 * undici's informational one, which it treats as a normal end of the connection.
 */
export const HOP_FINISHED: Error = Object.assign(new Error('probe hop finished'), { code: 'UND_ERR_INFO' });
void HOP_FINISHED.stack;

/** Anything the hop must stop on abort (undici Client, zlib decoder). */
interface Destroyable {
  destroy(): unknown;
}

export class Hop {
  private readonly starts = new Float64Array(5).fill(NaN);
  private readonly ends = new Float64Array(5).fill(NaN);
  current: HttpPhase | undefined;
  resolved: ResolvedAddress | undefined;
  tls: TlsSummary | undefined;
  /** The peer chain as Node's hostname check saw it (see connector.ts). */
  peerCertificate: DetailedPeerCertificate | undefined;
  httpVersion: HttpVersion | undefined;
  /** When the first response byte was read (HTTP/1.x), for the processing/transfer boundary. */
  firstByteAt = Number.NaN;
  /** The first error a socket of this hop emitted; sockets keep a listener so none goes unhandled. */
  socketError: Error | undefined;
  client: Destroyable | undefined;
  body: Destroyable | undefined;
  private sockets: (Socket | TLSSocket)[] = [];
  private destroyed = false;

  constructor(readonly target: HopTarget) {}

  enter(phase: HttpPhase, at: number = performance.now()): void {
    this.stop(at);
    const i = PHASE_INDEX[phase];
    this.starts[i] = at;
    this.current = phase;
  }

  /** Ends the running phase (end of body, a failure, the deadline). */
  stop(at: number = performance.now()): void {
    if (this.current === undefined) return;
    const i = PHASE_INDEX[this.current];
    if (Number.isNaN(this.ends[i]!)) this.ends[i] = at;
  }

  /** Seconds spent in a phase, or undefined when the phase was never entered. */
  seconds(phase: HttpPhase): number | undefined {
    const i = PHASE_INDEX[phase];
    const start = this.starts[i]!;
    if (Number.isNaN(start)) return undefined;
    const end = this.ends[i]!;
    return ((Number.isNaN(end) ? performance.now() : end) - start) / 1000;
  }

  /** Time since a phase started, in ms (trace messages). */
  sinceStart(phase: HttpPhase, at: number = performance.now()): number {
    return at - this.starts[PHASE_INDEX[phase]]!;
  }

  adopt(socket: Socket | TLSSocket): void {
    this.sockets.push(socket);
    // A socket error must never be unhandled (it would crash the process). undici adds its own
    // listener once it owns the socket; this one only remembers the error for classification.
    socket.on('error', (err: Error) => {
      if (err !== HOP_FINISHED) this.socketError ??= err;
    });
    if (this.destroyed) socket.destroy();
  }

  /**
   * Records when the first response byte arrives and the HTTP version in the status line, which
   * undici does not expose. Attached only after undici attached its 'readable' listener: a 'data'
   * listener then just observes the chunks undici read()s, without switching to flowing mode.
   */
  watchFirstBytes(socket: Socket): void {
    let head: Buffer | undefined;
    const onData = (chunk: Buffer): void => {
      if (Number.isNaN(this.firstByteAt)) this.firstByteAt = performance.now();
      head = head === undefined ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 8) return;
      socket.off('data', onData);
      // "HTTP/1.0 200 OK": anything else is left to undici's parser to reject.
      if (head[5] === 0x31 && head[6] === 0x2e) this.httpVersion = head[7] === 0x30 ? '1.0' : '1.1';
    };
    socket.on('data', onData);
  }

  /**
   * Closes the connection as soon as the exchange is over, from inside undici's completion callback:
   * undici then finds the socket already destroyed and skips its own per-connection "reset" error.
   * HTTP/2 sessions are left to the client's destroy().
   */
  closeSockets(): void {
    if (this.tls?.alpn === 'h2') return;
    // Only the socket undici reads from (the TLS one over TCP): destroying the TCP socket under a
    // TLSSocket closes the latter synchronously, re-entering undici while its parser still runs.
    this.sockets[this.sockets.length - 1]?.destroy(HOP_FINISHED);
  }

  /** Tears everything down at once: used on completion, on failure and at the deadline. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.body?.destroy();
    this.client?.destroy();
    for (const socket of this.sockets) socket.destroy(HOP_FINISHED);
  }
}

/** Builds a hop target from a URL; `serverName` applies only to the first host (blackbox behaviour). */
export function hopTarget(url: URL, serverName: string | undefined): HopTarget {
  const https = url.protocol === 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  const display = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  return { url, hostname, port, https, serverName, display };
}
