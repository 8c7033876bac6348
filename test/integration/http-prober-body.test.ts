/**
 * Request building (method, headers, body, credentials) and response bodies: size limits,
 * decompression (including a decompression bomb), body and header regexps, secrets kept out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { phase, probe, sample } from './http-prober-helpers.js';

const PAGE = 'status: ok\n' + 'lorem ipsum dolor sit amet\n'.repeat(200);

/**
 * `megabytes` MB of zeros as gzip: one compressed 1 MB member repeated (RFC 1952 allows a gzip file
 * to be a series of members, and decoders must read them all). ~1 KB per MB, built in milliseconds
 * without ever holding the decompressed data.
 */
function gzipBomb(megabytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: megabytes }, () => member));
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('httpProber: bodies and requests', () => {
  let server: TestServer;
  let bomb: Buffer;
  let tmp: string;
  let lastRequest: { method?: string; headers: IncomingMessage['headers']; body: string } | undefined;
  let hugeStreamClosed: Promise<void> = Promise.resolve();

  const handlers: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
    '/page': (_req, res) => {
      res.setHeader('content-length', Buffer.byteLength(PAGE)); // also on HEAD
      res.end(PAGE);
    },
    '/huge': (_req, res) => {
      // 1 MB chunks for as long as the client reads (the probe must stop at its limit).
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      hugeStreamClosed = new Promise((resolve) => res.on('close', () => resolve()));
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    },
    '/bomb': (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length });
      res.end(bomb);
    },
    '/gzip': (req, res) => {
      res.writeHead(200, {
        'content-encoding': 'gzip',
        'x-accept-encoding': req.headers['accept-encoding'] ?? 'none',
      });
      res.end(gzipSync(PAGE));
    },
    '/br': (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(PAGE)),
    '/deflate-zlib': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(PAGE)),
    '/deflate-raw': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateRawSync(PAGE)),
    '/not-gzip': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end('this is not gzip data'),
    '/headers': (_req, res) => {
      res.setHeader('X-Version', '2.4.1');
      res.setHeader('Set-Cookie', ['session=abc; Path=/', 'tracking=off; Path=/']);
      res.end('ok');
    },
    '/auth': (req, res) => {
      const ok =
        req.headers.authorization === basic('probe', 's3cret-pa55') ||
        req.headers.authorization === 'Bearer t0ken-value' ||
        req.headers.authorization === 'Token custom-cred';
      res.writeHead(ok ? 200 : 401).end(ok ? 'welcome' : 'denied');
    },
    '/echo': (req, res, body) => {
      lastRequest = { method: req.method, headers: req.headers, body };
      res.end('echoed');
    },
  };

  beforeAll(async () => {
    bomb = gzipBomb(200);
    tmp = mkdtempSync(join(tmpdir(), 'vantage-body-'));
    server = await startHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const handler = handlers[req.url ?? ''];
        if (handler) handler(req, res, Buffer.concat(parts).toString());
        else res.writeHead(404).end();
      });
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('stops reading at body_size_limit: body_too_large in transfer', async () => {
    const start = performance.now();
    const result = await probe(`${server.origin}/huge`, { body_size_limit: '1MB' });
    expect(result.failure).toMatchObject({ reason: 'body_too_large', phase: 'transfer' });
    expect(performance.now() - start).toBeLessThan(1000);
    const read = sample(result, 'probe_http_uncompressed_body_length')!;
    expect(read).toBeGreaterThan(1024 * 1024);
    expect(read).toBeLessThan(4 * 1024 * 1024);
    expect(phase(result, 'transfer')).toBeDefined();
    await hugeStreamClosed; // the connection was closed, not drained in the background
  });

  it('stops a gzip bomb right after the limit, without decompressing it', async () => {
    expect(bomb.length).toBeLessThan(300 * 1024);
    expect(gunzipSync(bomb.subarray(0, bomb.length / 100)).length).toBe(2 * 1024 * 1024); // 1% is 2 MB
    const start = performance.now();
    const result = await probe(`${server.origin}/bomb`, { compression: 'gzip', body_size_limit: '1MB' });
    const elapsed = performance.now() - start;
    expect(result.failure).toMatchObject({ reason: 'body_too_large', phase: 'transfer' });
    expect(result.failure?.message).toContain('after decompression');
    expect(elapsed).toBeLessThan(500); // decompressing 200 MB would take far longer
    const decoded = sample(result, 'probe_http_uncompressed_body_length')!;
    expect(decoded).toBeGreaterThan(1024 * 1024);
    expect(decoded).toBeLessThan(1024 * 1024 + 256 * 1024);
  });

  it('decompresses with compression: gzip, sending Accept-Encoding: gzip', async () => {
    const result = await probe(`${server.origin}/gzip`, {
      compression: 'gzip',
      fail_if_body_not_matches_regexp: ['status: ok'],
      fail_if_header_not_matches: [{ header: 'x-accept-encoding', regexp: '^gzip$' }],
    });
    expect(result.failure).toBeUndefined();
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(PAGE.length);
  });

  it('reads the body as is and sends no Accept-Encoding without compression', async () => {
    const result = await probe(`${server.origin}/gzip`, {
      fail_if_header_not_matches: [{ header: 'x-accept-encoding', regexp: '^none$' }],
    });
    expect(result.failure).toBeUndefined();
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(gzipSync(PAGE).length);
  });

  it('decompresses br and both deflate framings', async () => {
    for (const [path, compression] of [
      ['/br', 'br'],
      ['/deflate-zlib', 'deflate'],
      ['/deflate-raw', 'deflate'],
    ] as const) {
      const result = await probe(`${server.origin}${path}`, { compression });
      expect(result.failure, path).toBeUndefined();
      expect(sample(result, 'probe_http_uncompressed_body_length'), path).toBe(PAGE.length);
    }
  });

  it('fails with protocol_error when the body is not in the expected encoding', async () => {
    const result = await probe(`${server.origin}/not-gzip`, { compression: 'gzip' });
    expect(result.failure).toMatchObject({ reason: 'protocol_error', phase: 'transfer' });
  });

  it('body regexps in both directions, with probe_failed_due_to_regex', async () => {
    const passed = await probe(`${server.origin}/page`, {
      fail_if_body_matches_regexp: ['error'],
      fail_if_body_not_matches_regexp: ['^status: ok'],
    });
    expect(passed.success).toBe(true);
    expect(sample(passed, 'probe_failed_due_to_regex')).toBe(0);

    const matched = await probe(`${server.origin}/page`, { fail_if_body_matches_regexp: ['lorem ipsum'] });
    expect(matched.failure).toMatchObject({ reason: 'body_regex', phase: 'transfer' });
    expect(sample(matched, 'probe_failed_due_to_regex')).toBe(1);

    const missing = await probe(`${server.origin}/page`, {
      fail_if_body_not_matches_regexp: ['status: down'],
    });
    expect(missing.failure).toMatchObject({ reason: 'body_regex', phase: 'transfer' });
    expect(sample(missing, 'probe_failed_due_to_regex')).toBe(1);
  });

  it('header regexps: case-insensitive names, every value of a repeated header, allow_missing', async () => {
    const url = `${server.origin}/headers`;
    const ok = await probe(url, {
      fail_if_header_not_matches: [{ header: 'x-VERSION', regexp: '^2\\.' }],
      fail_if_header_matches: [{ header: 'X-Debug', regexp: '.*', allow_missing: true }],
    });
    expect(ok.failure).toBeUndefined();
    expect(sample(ok, 'probe_failed_due_to_regex')).toBe(0);

    // The second Set-Cookie value matches.
    const repeated = await probe(url, {
      fail_if_header_matches: [{ header: 'Set-Cookie', regexp: '^tracking=' }],
    });
    expect(repeated.failure).toMatchObject({ reason: 'header_regex', phase: 'processing' });
    expect(sample(repeated, 'probe_failed_due_to_regex')).toBe(1);
    // One matching value is enough for not_matches.
    const anyValue = await probe(url, {
      fail_if_header_not_matches: [{ header: 'set-cookie', regexp: '^tracking=off' }],
    });
    expect(anyValue.success).toBe(true);

    const wrongVersion = await probe(url, {
      fail_if_header_not_matches: [{ header: 'X-Version', regexp: '^3\\.' }],
    });
    expect(wrongVersion.failure?.reason).toBe('header_regex');
    const missing = await probe(url, { fail_if_header_not_matches: [{ header: 'X-Missing', regexp: '.' }] });
    expect(missing.failure?.reason).toBe('header_regex');
    expect(missing.failure?.message).toContain('missing');
    const allowed = await probe(url, {
      fail_if_header_not_matches: [{ header: 'X-Missing', regexp: '.', allow_missing: true }],
    });
    expect(allowed.success).toBe(true);
  });

  it('basic auth: right password succeeds, wrong one fails with status_code; no secret in the result', async () => {
    const good = await probe(`${server.origin}/auth`, {
      basic_auth: { username: 'probe', password: 's3cret-pa55' },
    });
    expect(good.success).toBe(true);
    const bad = await probe(`${server.origin}/auth`, {
      basic_auth: { username: 'probe', password: 'wrong-pa55' },
    });
    expect(bad.failure).toMatchObject({ reason: 'status_code' });
    expect(sample(bad, 'probe_http_status_code')).toBe(401);
    for (const result of [good, bad]) {
      const json = JSON.stringify(result);
      expect(json).not.toContain('s3cret-pa55');
      expect(json).not.toContain('wrong-pa55');
      expect(json).not.toContain(Buffer.from('probe:s3cret-pa55').toString('base64'));
    }
  });

  it('reads password_file, bearer_token_file and credentials_file at probe time', async () => {
    const passwordFile = join(tmp, 'password');
    writeFileSync(passwordFile, 's3cret-pa55\n'); // trailing newline is trimmed
    const fromFile = await probe(`${server.origin}/auth`, {
      basic_auth: { username: 'probe', password_file: passwordFile },
    });
    expect(fromFile.success).toBe(true);

    const tokenFile = join(tmp, 'token');
    writeFileSync(tokenFile, 'stale-token\n');
    const stale = await probe(`${server.origin}/auth`, { bearer_token_file: tokenFile });
    expect(stale.failure?.reason).toBe('status_code');
    writeFileSync(tokenFile, 't0ken-value\n'); // rotated: picked up without a reload
    const rotated = await probe(`${server.origin}/auth`, { bearer_token_file: tokenFile });
    expect(rotated.success).toBe(true);
    expect(JSON.stringify(rotated)).not.toContain('t0ken-value');

    const credFile = join(tmp, 'cred');
    writeFileSync(credFile, 'custom-cred');
    const custom = await probe(`${server.origin}/auth`, {
      authorization: { type: 'Token', credentials_file: credFile },
    });
    expect(custom.success).toBe(true);
  });

  it('bearer_token: sent, and redacted from the trace', async () => {
    const result = await probe(`${server.origin}/auth`, {
      bearer_token: 't0ken-value',
      headers: { 'X-Api-Key': 'k3y-value' },
    });
    expect(result.success).toBe(true);
    const json = JSON.stringify(result);
    expect(json).not.toContain('t0ken-value');
    expect(json).not.toContain('k3y-value');
  });

  it('sends method, body, body_file and headers; user headers override the defaults; Host follows the URL', async () => {
    const posted = await probe(`${server.origin}/echo`, {
      method: 'POST',
      body: '{"ping":true}',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'custom-agent/1' },
    });
    expect(posted.success).toBe(true);
    expect(lastRequest?.method).toBe('POST');
    expect(lastRequest?.body).toBe('{"ping":true}');
    expect(lastRequest?.headers['content-type']).toBe('application/json');
    expect(lastRequest?.headers['user-agent']).toBe('custom-agent/1');
    expect(lastRequest?.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(lastRequest?.headers.connection).toBe('close'); // no keep-alive, as blackbox

    const bodyFile = join(tmp, 'body.xml');
    writeFileSync(bodyFile, '<ping/>');
    await probe(`${server.origin}/echo`, { method: 'PUT', body_file: bodyFile });
    expect(lastRequest).toMatchObject({ method: 'PUT', body: '<ping/>' });
    expect(lastRequest?.headers['user-agent']).toMatch(/^vantage\/\d+\.\d+\.\d+/);
  });

  it('HEAD: no body read, Content-Length still reported', async () => {
    const result = await probe(`${server.origin}/page`, { method: 'HEAD' });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_content_length')).toBe(PAGE.length);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(0);
  });
});
