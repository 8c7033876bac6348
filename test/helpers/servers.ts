/**
 * Real servers for integration tests, on 127.0.0.1 and a random port only. Every accepted socket is
 * tracked so close() is immediate even for servers that never answer or trickle a body forever
 * (server.close() alone would wait for those connections to end).
 */
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createSecureServer, type SecureServerOptions } from 'node:http2';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TestServer {
  /** "http://127.0.0.1:PORT" (or https://). */
  origin: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Connections currently open (not yet closed by either side). */
  openConnections(): number;
  close(): Promise<void>;
}

async function listen(server: Server, scheme: string, port = 0): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined); // a probe that aborts resets its side: not a test failure
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    origin: `${scheme}://127.0.0.1:${bound}`,
    port: bound,
    connections: () => accepted,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `port` 0 (the default) takes a free one; a given port brings a stopped server back on it. */
export function startHttpServer(handler: RequestListener, port = 0): Promise<TestServer> {
  return listen(createHttpServer(handler), 'http', port);
}

export function startHttpsServer(options: HttpsServerOptions, handler: RequestListener): Promise<TestServer> {
  const server = createHttpsServer(options, handler);
  server.on('tlsClientError', () => undefined); // handshakes the probe rejects are expected here
  return listen(server, 'https');
}

/** HTTP/2 over TLS (ALPN h2), also answering HTTP/1.1 clients. */
export function startHttp2Server(
  options: SecureServerOptions,
  handler: RequestListener,
): Promise<TestServer> {
  const server = createSecureServer({ ...options, allowHTTP1: true }, handler as never);
  server.on('tlsClientError', () => undefined);
  return listen(server as unknown as Server, 'https');
}

/** A raw TCP server: garbage responses, resets, silence, stalled TLS handshakes. */
export function startTcpServer(onConnection: (socket: Socket) => void): Promise<TestServer> {
  return listen(createTcpServer(onConnection), 'http');
}
