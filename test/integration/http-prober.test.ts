/**
 * HTTP prober against real servers on 127.0.0.1: samples, phase accuracy, deadlines, and the
 * network-level failure reasons. TLS, bodies and redirects/DNS have their own files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTrace } from '../../src/probers/http/index.js';
import { startHttpServer, startTcpServer, type TestServer } from '../helpers/servers.js';
import { phase, probe, sample, sleep, traceText } from './http-prober-helpers.js';

describe('httpProber: success and samples', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/chunked') {
        res.write('part one, ');
        res.end('part two');
        return;
      }
      if (req.url === '/404') {
        res.writeHead(404).end('nope');
        return;
      }
      res.setHeader('content-type', 'text/plain');
      res.end('hello world');
    });
  });
  afterAll(() => server.close());

  it('reports blackbox samples for a plain GET', async () => {
    const result = await probe(`${server.origin}/`);
    expect(result.success).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    expect(sample(result, 'probe_http_content_length')).toBe(11);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(11);
    expect(sample(result, 'probe_http_redirects')).toBe(0);
    expect(sample(result, 'probe_http_ssl')).toBe(0);
    expect(sample(result, 'probe_http_version')).toBe(1.1);
    expect(sample(result, 'probe_ip_protocol')).toBe(4);
    expect(sample(result, 'probe_dns_lookup_time_seconds')).toBeGreaterThanOrEqual(0);
    // Reached phases present, TLS absent (not 0) on plain HTTP.
    for (const p of ['resolve', 'connect', 'processing', 'transfer'] as const) {
      expect(phase(result, p), p).toBeGreaterThanOrEqual(0);
    }
    expect(phase(result, 'tls')).toBeUndefined();
    // The renderer derives these from the result; the prober must not emit them.
    const names = result.samples.map((s) => s.family.name);
    expect(names).not.toContain('probe_success');
    expect(names).not.toContain('probe_duration_seconds');
    expect(names).not.toContain('probe_failure_info');
    expect(names).not.toContain('probe_failed_due_to_regex'); // no regexps configured
    expect(result.durationSeconds).toBeGreaterThan(0);
    expect(result.durationSeconds).toBeLessThan(1);
    expect(Math.abs(result.startedAtMs - Date.now())).toBeLessThan(5000);
  });

  it('reports probe_http_content_length -1 when the response has no Content-Length', async () => {
    const result = await probe(`${server.origin}/chunked`);
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_content_length')).toBe(-1);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe('part one, part two'.length);
  });

  it('fails with status_code on a non-2xx, and accepts it when listed', async () => {
    const failed = await probe(`${server.origin}/404`);
    expect(failed.success).toBe(false);
    expect(failed.failure).toMatchObject({ reason: 'status_code', phase: 'processing' });
    expect(failed.failure?.message).toContain('404');
    expect(sample(failed, 'probe_http_status_code')).toBe(404);

    const accepted = await probe(`${server.origin}/404`, { valid_status_codes: [404] });
    expect(accepted.success).toBe(true);
  });

  it('fails with http_version when the version is not allowed', async () => {
    const result = await probe(`${server.origin}/`, { valid_http_versions: ['HTTP/2.0'] });
    expect(result.failure).toMatchObject({ reason: 'http_version', phase: 'processing' });
    expect(sample(result, 'probe_http_version')).toBe(1.1);
    const ok = await probe(`${server.origin}/`, { valid_http_versions: ['HTTP/1.1'] });
    expect(ok.success).toBe(true);
  });

  it('fails with ssl_required when fail_if_not_ssl and the response is plain HTTP', async () => {
    const result = await probe(`${server.origin}/`, { fail_if_not_ssl: true });
    expect(result.failure).toMatchObject({ reason: 'ssl_required', phase: 'processing' });
    expect(result.failure?.message).toMatch(/did not come over TLS/);
  });

  it('renders the result as text with every phase and the trace', async () => {
    const result = await probe(`${server.origin}/404`);
    const text = formatTrace(result);
    expect(text).toContain('Probe failed: status_code in phase processing');
    expect(text).toMatch(/processing\s+\d+\.\d{6}s/);
    expect(text).toMatch(/tls\s+not reached/);
    expect(text).toContain(`GET ${server.origin}/404 -> 404`);
  });

  it('never throws, even for a URL it cannot parse', async () => {
    const result = await probe('http://exa mple.com:99999/');
    expect(result.success).toBe(false);
    expect(result.failure?.reason).toBe('protocol_error');
  });
});

describe('httpProber: phase accuracy', () => {
  // The nominal delays are what the server asks setTimeout for; what it actually waited (a timer can
  // fire late on a busy machine) is recorded too, so the assertions measure the prober, not the timer.
  let server: TestServer;
  let serverWaitedMs = 0;
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const received = performance.now();
      if (req.url === '/slow-headers') {
        setTimeout(() => {
          serverWaitedMs = performance.now() - received;
          res.end('late');
        }, 300);
        return;
      }
      if (req.url === '/slow-body') {
        res.writeHead(200, { 'content-length': '8' });
        res.flushHeaders();
        res.write('half');
        const headersSent = performance.now();
        setTimeout(() => {
          serverWaitedMs = performance.now() - headersSent;
          res.end('done');
        }, 200);
        return;
      }
      res.end('ok');
    });
  });
  afterAll(() => server.close());

  it('measures a 300 ms wait for headers as processing, within 10 ms', async () => {
    const result = await probe(`${server.origin}/slow-headers`);
    expect(result.success).toBe(true);
    const processing = phase(result, 'processing')!;
    expect(serverWaitedMs).toBeGreaterThanOrEqual(299);
    expect(processing).toBeGreaterThanOrEqual(0.299);
    expect(Math.abs(processing * 1000 - serverWaitedMs)).toBeLessThan(10);
    expect(phase(result, 'transfer')!).toBeLessThan(0.05);
  });

  it('measures a body that arrives 200 ms after the headers as transfer', async () => {
    const result = await probe(`${server.origin}/slow-body`);
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(8);
    const transfer = phase(result, 'transfer')!;
    expect(serverWaitedMs).toBeGreaterThanOrEqual(199);
    expect(Math.abs(transfer * 1000 - serverWaitedMs)).toBeLessThan(25);
    expect(phase(result, 'processing')!).toBeLessThan(0.05);
  });
});

describe('httpProber: network failures', () => {
  it('connection_refused, with only the phases reached', async () => {
    const closed = await startTcpServer(() => undefined);
    const port = closed.port;
    await closed.close();
    const result = await probe(`http://127.0.0.1:${port}/`);
    expect(result.failure).toMatchObject({ reason: 'connection_refused', phase: 'connect' });
    expect(phase(result, 'resolve')).toBeDefined();
    expect(phase(result, 'connect')).toBeDefined();
    expect(phase(result, 'tls')).toBeUndefined();
    expect(phase(result, 'processing')).toBeUndefined();
    expect(phase(result, 'transfer')).toBeUndefined();
    expect(sample(result, 'probe_http_status_code')).toBe(0);
  });

  it('connection_reset when the server resets after reading the request', async () => {
    const server = await startTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const result = await probe(`${server.origin}/`);
      expect(result.failure).toMatchObject({ reason: 'connection_reset', phase: 'processing' });
    } finally {
      await server.close();
    }
  });

  it('connection_reset when the server closes without answering', async () => {
    const server = await startTcpServer((socket) => socket.once('data', () => socket.destroy()));
    try {
      const result = await probe(`${server.origin}/`);
      expect(result.failure).toMatchObject({ reason: 'connection_reset', phase: 'processing' });
    } finally {
      await server.close();
    }
  });

  it('protocol_error on a garbage response', async () => {
    const server = await startTcpServer((socket) =>
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n')),
    );
    try {
      const result = await probe(`${server.origin}/`);
      expect(result.failure).toMatchObject({ reason: 'protocol_error', phase: 'processing' });
    } finally {
      await server.close();
    }
  });

  it('reads the HTTP version from the status line (HTTP/1.0)', async () => {
    const server = await startTcpServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')),
    );
    try {
      const result = await probe(`${server.origin}/`, { valid_http_versions: ['HTTP/1.1'] });
      expect(sample(result, 'probe_http_version')).toBe(1.0);
      expect(result.failure).toMatchObject({ reason: 'http_version' });
      expect(result.failure?.message).toContain('HTTP/1.0');
    } finally {
      await server.close();
    }
  });
});

describe('httpProber: deadlines', () => {
  let server: TestServer;
  let tcp: TestServer;
  const trickles = new Set<NodeJS.Timeout>();
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/silent') return; // accept, read the request, never answer
      // Headers at once, then one byte every 20 ms forever.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      const timer = setInterval(() => res.write('x'), 20);
      trickles.add(timer);
      res.on('close', () => clearInterval(timer));
    });
    // Accepts TCP and never speaks: a TLS handshake that stalls.
    tcp = await startTcpServer(() => undefined);
  });
  afterAll(async () => {
    for (const t of trickles) clearInterval(t);
    await Promise.all([server.close(), tcp.close()]);
  });

  it('times out in processing against a server that never answers', async () => {
    const result = await probe(`${server.origin}/silent`, {}, { timeoutMs: 400 });
    expect(result.failure).toMatchObject({ reason: 'timeout', phase: 'processing' });
    expect(result.failure?.message).toMatch(/^timeout in processing after \d+ms$/);
    expect(result.wallMs).toBeLessThan(450);
    expect(result.wallMs).toBeGreaterThanOrEqual(395);
    expect(phase(result, 'processing')!).toBeGreaterThan(0.35);
    expect(phase(result, 'transfer')).toBeUndefined();
    expect(traceText(result)).toContain('failed: timeout in processing after');
  });

  it('times out in transfer against a body that trickles forever', async () => {
    const result = await probe(`${server.origin}/trickle`, {}, { timeoutMs: 400 });
    expect(result.failure).toMatchObject({ reason: 'timeout', phase: 'transfer' });
    expect(result.wallMs).toBeLessThan(450);
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    expect(phase(result, 'transfer')!).toBeGreaterThan(0.3);
  });

  it('times out in tls against a handshake that stalls', async () => {
    const result = await probe(`https://127.0.0.1:${tcp.port}/`, {}, { timeoutMs: 300 });
    expect(result.failure).toMatchObject({ reason: 'timeout', phase: 'tls' });
    expect(result.wallMs).toBeLessThan(350);
    expect(phase(result, 'tls')!).toBeGreaterThan(0.25);
    expect(phase(result, 'processing')).toBeUndefined();
    // No handshake completed: no TLS samples.
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
    expect(sample(result, 'probe_http_ssl')).toBe(0);
  });

  it('returns at once when the signal is already aborted', async () => {
    const result = await probe(`${server.origin}/silent`, {}, { timeoutMs: 0 });
    expect(result.failure?.reason).toBe('timeout');
    expect(result.wallMs).toBeLessThan(50);
  });

  it('closes its connection when it times out', async () => {
    const silent = await startHttpServer(() => undefined);
    try {
      await probe(`${silent.origin}/`, {}, { timeoutMs: 100 });
      expect(silent.connections()).toBe(1);
      // The socket was destroyed on abort, so the server sees it close (no leaked connection).
      for (let i = 0; i < 50 && silent.openConnections() > 0; i++) await sleep(5);
      expect(silent.openConnections()).toBe(0);
    } finally {
      await silent.close();
    }
  });
});
