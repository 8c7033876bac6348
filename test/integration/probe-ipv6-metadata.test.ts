/**
 * IPv6 spellings of the cloud metadata address on /probe, as an attacker sends them: a literal
 * URL the allowlist lets through, and a DNS name whose AAAA record is 64:ff9b::a9fe:a9fe. Both are
 * refused before a packet is sent, answered 403 and counted as forbidden_address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dnsServer.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

let dns: TestDnsServer;
let h: Harness;

beforeAll(async () => {
  dns = await startDnsServer({
    'nat64-metadata.test': { AAAA: ['64:ff9b::a9fe:a9fe'] },
    'sixtofour-metadata.test': { AAAA: ['2002:a9fe:a9fe::1'] },
  });
  h = await startVantage(`
global:
  dns_servers: ['${dns.address}']
modules:
  http_2xx:
    prober: http
    timeout: 2s
    http:
      preferred_ip_protocol: ip6
      ip_protocol_fallback: false
security:
  probe_url_allowlist: ['http://.*']
`);
});

afterAll(async () => {
  await h.close();
  await dns.close();
});

async function probe(target: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${h.baseUrl}/probe?module=http_2xx&target=${encodeURIComponent(target)}`);
  return { status: res.status, text: await res.text() };
}

describe('/probe refuses IPv4 metadata addresses spelled as IPv6', () => {
  it.each([
    'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
    'http://[2002:a9fe:a9fe::]/',
    'http://[::a9fe:a9fe]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[2001:0:4136:e378:8000:63bf:5601:5601]/',
    'http://nat64-metadata.test/latest/meta-data/',
    'http://sixtofour-metadata.test/',
  ])('%s: 403 forbidden_address', async (url) => {
    const { status, text } = await probe(url);
    expect(status).toBe(403);
    expect(text).toContain('169.254.0.0/16');
  });

  it('counts every refusal', async () => {
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const refusals = Number(
      /vantage_probe_refusals_total\{reason="forbidden_address"\} (\d+)/.exec(metrics)?.[1],
    );
    expect(refusals).toBeGreaterThanOrEqual(7);
  });
});
