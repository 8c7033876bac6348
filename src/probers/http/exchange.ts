/**
 * One HTTP exchange over a fresh connection: a short-lived undici Client per hop whose `connect`
 * is ours (connector.ts), and a dispatch handler that timestamps the response and feeds the body
 * to a BodySink. A fresh connection per probe, as blackbox_exporter does (keep-alives disabled):
 * reusing one would hide DNS, connect and TLS from the measurement.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { HttpPhase } from '../types.js';
import { BodySink, type BodyLimit, type Compression } from './body.js';
import { createConnector, type ConnectSettings } from './connector.js';
import { HOP_FINISHED, type Hop, type HttpVersion } from './hop.js';
import type { ProbeRun } from './run.js';
import { Client } from './undiciClient.js';

export interface HopRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

export interface HopResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  httpVersion: HttpVersion;
  /** The Content-Length header; -1 when absent (Go's resp.ContentLength, as blackbox reports it). */
  contentLength: number;
  /** Undefined when the body was not read (a redirect being followed). */
  body: BodySink | undefined;
}

export interface HopOutcome {
  response: HopResponse | undefined;
  /** What went wrong, if anything: connecting, waiting for headers, or reading the body. */
  error: Error | undefined;
  errorPhase: HttpPhase | undefined;
}

export interface BodyPolicy {
  compression: Compression;
  limit: BodyLimit;
  keepBody: boolean;
  /** Called with the headers; false ends the exchange without reading the body (redirects). */
  wantsBody(response: HopResponse): boolean;
}

const noop = (): void => undefined;

function parseContentLength(value: string | string[] | undefined): number {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : -1;
}

class HopHandler implements Dispatcher.DispatchHandler {
  private settled = false;
  private response: HopResponse | undefined;

  constructor(
    private readonly hop: Hop,
    private readonly policy: BodyPolicy,
    private readonly resolve: (outcome: HopOutcome) => void,
  ) {}

  // Present so undici uses this (non-deprecated) handler API; nothing to do at request start.
  onRequestStart(): void {}

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (this.settled || statusCode < 200) return; // 1xx interim responses are not the answer
    const { hop } = this;
    const now = performance.now();
    // HTTP/1.x: the first byte seen on the socket; HTTP/2: the HEADERS frame, which is the first.
    const firstByte = Number.isNaN(hop.firstByteAt) ? now : hop.firstByteAt;
    const response: HopResponse = {
      statusCode,
      headers,
      httpVersion: hop.tls?.alpn === 'h2' ? '2.0' : (hop.httpVersion ?? '1.1'),
      contentLength: parseContentLength(headers['content-length']),
      body: undefined,
    };
    this.response = response;
    hop.stop(firstByte); // processing ends at the first byte, whatever comes next
    if (!this.policy.wantsBody(response)) {
      this.settle(undefined);
      return;
    }
    hop.enter('transfer', firstByte);
    const { compression, limit, keepBody } = this.policy;
    response.body = new BodySink(compression, limit, keepBody, controller, (err) => {
      hop.stop();
      this.settle(err);
    });
    hop.body = response.body;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.settled) this.response?.body?.write(chunk);
  }

  onResponseEnd(): void {
    if (!this.settled) this.response?.body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.hop.stop();
    this.settle(error);
  }

  private settle(error: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.hop.closeSockets();
    this.resolve({ response: this.response, error, errorPhase: error ? this.hop.current : undefined });
  }
}

/**
 * Runs the hop until the body is read, the headers say redirect, or something fails. Never rejects;
 * the caller races it against the deadline and destroys the hop afterwards in every case.
 */
export function exchange(
  hop: Hop,
  run: ProbeRun,
  settings: ConnectSettings,
  request: HopRequest,
  policy: BodyPolicy,
): Promise<HopOutcome> {
  return new Promise((resolve) => {
    const client = new Client(hop.target.url.origin, {
      connect: createConnector(hop, run, settings),
      allowH2: settings.module.enable_http2 && hop.target.https,
      pipelining: 1,
      // The probe deadline is the only timeout: undici's own timers would only add wakeups.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    hop.client = { destroy: () => client.destroy(HOP_FINISHED, noop) };
    client.dispatch(
      {
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        // Connection: close, no reuse (blackbox disables keep-alives).
        reset: true,
      },
      new HopHandler(hop, policy, resolve),
    );
  });
}
