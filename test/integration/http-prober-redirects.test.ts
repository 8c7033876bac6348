/**
 * Redirects (counting, loops, method rules, credentials and cookies across hosts), DNS through a
 * local test DNS server, and the forbidden-address guard on every hop. Nothing here sends a packet
 * anywhere but 127.0.0.1: forbidden addresses are refused before any socket exists.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dnsServer.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { countClientSockets, phase, probe, sample, traceText } from './http-prober-helpers.js';

describe('httpProber: redirects', () => {
  let server: TestServer;
  let dns: TestDnsServer;
  const seen: { url: string; method: string; authorization?: string; cookie?: string; body: string }[] = [];

  beforeAll(async () => {
    server = await startHttpServer((req: IncomingMessage, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const url = req.url ?? '/';
        seen.push({
          url: `${req.headers.host}${url}`,
          method: req.method ?? '',
          authorization: req.headers.authorization,
          cookie: req.headers.cookie,
          body: Buffer.concat(parts).toString(),
        });
        const chain = /^\/chain\/(\d+)$/.exec(url);
        if (chain) {
          const n = Number(chain[1]);
          // 50 ms of processing per hop, so the summed processing phase is measurable.
          setTimeout(() => {
            if (n === 0) res.end('arrived');
            else res.writeHead(302, { location: `/chain/${n - 1}` }).end();
          }, 50);
          return;
        }
        const redirect = (status: number, location: string) => res.writeHead(status, { location }).end();
        if (url === '/loop') return redirect(302, '/loop');
        if (url === '/see-other') return redirect(303, '/landing');
        if (url === '/temporary') return redirect(307, '/landing');
        if (url === '/metadata') return redirect(302, 'http://169.254.169.254/latest/meta-data/');
        if (url === '/metadata-mapped')
          return redirect(302, 'http://[::ffff:169.254.169.254]/latest/meta-data/');
        if (url === '/zero') return redirect(302, `http://0.0.0.0:${server.port}/landing`);
        if (url === '/ftp') return redirect(302, 'ftp://127.0.0.1/file');
        if (url === '/to-other-host') return redirect(302, `http://other.test:${server.port}/landing`);
        if (url === '/to-subdomain') return redirect(302, `http://api.site.test:${server.port}/landing`);
        if (url === '/login') {
          res.writeHead(302, { location: '/home', 'set-cookie': 'sid=42; Path=/; HttpOnly' }).end();
          return;
        }
        if (url === '/home') return void res.writeHead(req.headers.cookie === 'sid=42' ? 200 : 403).end();
        if (url === '/landing') return void res.end('landed');
        res.writeHead(404).end();
      });
    });
    dns = await startDnsServer({
      'site.test': { A: ['127.0.0.1'] },
      'api.site.test': { A: ['127.0.0.1'] },
      'other.test': { A: ['127.0.0.1'] },
      'metadata.test': { A: ['169.254.169.254'] },
      'v6only.test': { AAAA: ['fd00:ec2::254'] },
    });
  });
  afterAll(async () => {
    await Promise.all([server.close(), dns.close()]);
  });

  it('follows a redirect chain, counts it, sums phases and traces every hop', async () => {
    const connectionsBefore = server.connections();
    const result = await probe(`${server.origin}/chain/3`);
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_redirects')).toBe(3);
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    // Four hops of ~50 ms each: processing is summed across hops, as blackbox does.
    expect(phase(result, 'processing')!).toBeGreaterThanOrEqual(0.199);
    expect(phase(result, 'processing')!).toBeLessThan(0.3);
    expect(server.connections() - connectionsBefore).toBe(4); // a fresh connection per hop
    const trace = traceText(result);
    for (const n of [3, 2, 1])
      expect(trace).toContain(`/chain/${n} -> 302 HTTP/1.1 Location: /chain/${n - 1}`);
    expect(trace).toContain('/chain/0 -> 200');
  });

  it('too_many_redirects on a loop, after max_redirects', async () => {
    const result = await probe(`${server.origin}/loop`);
    expect(result.failure).toMatchObject({ reason: 'too_many_redirects', phase: 'processing' });
    expect(sample(result, 'probe_http_redirects')).toBe(10);
    const short = await probe(`${server.origin}/loop`, { max_redirects: 2 });
    expect(short.failure?.reason).toBe('too_many_redirects');
    expect(sample(short, 'probe_http_redirects')).toBe(2);
  });

  it('does not follow when follow_redirects is false', async () => {
    const result = await probe(`${server.origin}/loop`, { follow_redirects: false });
    expect(result.failure).toMatchObject({ reason: 'status_code' });
    expect(sample(result, 'probe_http_status_code')).toBe(302);
    expect(sample(result, 'probe_http_redirects')).toBe(0);
    const accepted = await probe(`${server.origin}/loop`, {
      follow_redirects: false,
      valid_status_codes: [302],
    });
    expect(accepted.success).toBe(true);
  });

  it('303 turns POST into GET without a body; 307 keeps both', async () => {
    seen.length = 0;
    await probe(`${server.origin}/see-other`, { method: 'POST', body: 'payload' });
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['POST', 'payload'],
      ['GET', ''],
    ]);
    seen.length = 0;
    await probe(`${server.origin}/temporary`, { method: 'POST', body: 'payload' });
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['POST', 'payload'],
      ['POST', 'payload'],
    ]);
  });

  it('sends credentials to the same site and its subdomains only', async () => {
    const options = { dnsServers: [dns.address] };
    const module = { basic_auth: { username: 'u', password: 'p' }, preferred_ip_protocol: 'ip4' as const };
    seen.length = 0;
    const other = await probe(`http://site.test:${server.port}/to-other-host`, module, options);
    expect(other.success).toBe(true);
    expect(seen.map((s) => s.authorization !== undefined)).toEqual([true, false]);
    seen.length = 0;
    await probe(`http://site.test:${server.port}/to-subdomain`, module, options);
    expect(seen.map((s) => s.authorization !== undefined)).toEqual([true, true]);
  });

  it('keeps cookies set along a redirect chain', async () => {
    const result = await probe(`${server.origin}/login`);
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_redirects')).toBe(1);
  });

  it('protocol_error on a redirect to an unsupported scheme', async () => {
    const result = await probe(`${server.origin}/ftp`);
    expect(result.failure).toMatchObject({ reason: 'protocol_error' });
    expect(result.failure?.message).toContain('ftp:');
  });

  it('refuses a redirect to the metadata address before connecting', async () => {
    const { value: result, sockets } = await countClientSockets(() => probe(`${server.origin}/metadata`));
    expect(result.failure).toMatchObject({ reason: 'forbidden_address', phase: 'resolve' });
    expect(result.failure?.message).toContain('169.254.169.254');
    expect(sockets).toBe(1); // the first hop's only: no socket was ever created for 169.254.169.254
    expect(traceText(result)).not.toMatch(/connected to 169\.254/);
    expect(result.wallMs).toBeLessThan(500);
  });

  it('refuses IPv4-mapped IPv6 and 0.0.0.0 forms too', async () => {
    for (const path of ['/metadata-mapped', '/zero']) {
      const { value: result, sockets } = await countClientSockets(() => probe(`${server.origin}${path}`));
      expect(result.failure, path).toMatchObject({ reason: 'forbidden_address', phase: 'resolve' });
      expect(sockets, path).toBe(1);
    }
  });

  it('refuses a name that resolves to the metadata address (test DNS server)', async () => {
    const { value: result, sockets } = await countClientSockets(() =>
      probe('http://metadata.test/latest/meta-data/', {}, { dnsServers: [dns.address] }),
    );
    expect(result.failure).toMatchObject({ reason: 'forbidden_address', phase: 'resolve' });
    expect(result.failure?.message).toMatch(/169\.254\.169\.254 \(resolved from metadata\.test\)/);
    expect(sockets).toBe(0);
    expect(phase(result, 'connect')).toBeUndefined();
  });

  it('refuses an AAAA answer in a forbidden IPv6 range', async () => {
    const result = await probe('http://v6only.test/', {}, { dnsServers: [dns.address] });
    expect(result.failure).toMatchObject({ reason: 'forbidden_address', phase: 'resolve' });
    expect(sample(result, 'probe_ip_protocol')).toBe(6);
  });
});

describe('httpProber: DNS', () => {
  let server: TestServer;
  let dns: TestDnsServer;
  let silentDns: TestDnsServer;
  beforeAll(async () => {
    server = await startHttpServer((_req, res) => res.end('ok'));
    dns = await startDnsServer({ 'www.site.test': { A: ['127.0.0.1'] } });
    silentDns = await startDnsServer({}, { silent: true });
  });
  afterAll(async () => {
    await Promise.all([server.close(), dns.close(), silentDns.close()]);
  });

  it('resolves through the configured DNS server and reports the lookup', async () => {
    const result = await probe(`http://www.site.test:${server.port}/`, {}, { dnsServers: [dns.address] });
    expect(result.success).toBe(true);
    // Default preferred_ip_protocol ip6 with fallback: the name has only an A record.
    expect(sample(result, 'probe_ip_protocol')).toBe(4);
    expect(sample(result, 'probe_dns_lookup_time_seconds')).toBeGreaterThan(0);
    expect(phase(result, 'resolve')).toBe(sample(result, 'probe_dns_lookup_time_seconds'));
    expect(traceText(result)).toMatch(/resolved to 127\.0\.0\.1 \(ip4\)/);
    expect(dns.queries()).toBeGreaterThan(0);
  });

  it('dns_error without fallback when the preferred family has no record', async () => {
    const result = await probe(
      `http://www.site.test:${server.port}/`,
      { preferred_ip_protocol: 'ip6', ip_protocol_fallback: false },
      { dnsServers: [dns.address] },
    );
    expect(result.failure).toMatchObject({ reason: 'dns_error', phase: 'resolve' });
    expect(phase(result, 'connect')).toBeUndefined();
  });

  it('dns_error on NXDOMAIN', async () => {
    const result = await probe('http://nope.site.test/', {}, { dnsServers: [dns.address] });
    expect(result.failure).toMatchObject({ reason: 'dns_error', phase: 'resolve' });
    expect(phase(result, 'resolve')).toBeDefined();
    expect(phase(result, 'connect')).toBeUndefined();
  });

  it('times out in resolve against a DNS server that never answers', async () => {
    const result = await probe(
      'http://www.site.test/',
      {},
      { dnsServers: [silentDns.address], timeoutMs: 300 },
    );
    expect(result.failure).toMatchObject({ reason: 'timeout', phase: 'resolve' });
    expect(result.wallMs).toBeLessThan(350);
    expect(silentDns.queries()).toBeGreaterThan(0);
  });
});
