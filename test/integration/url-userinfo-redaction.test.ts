/**
 * A target URL with a password in it (http://admin:PASS@host/) is probed with that password, and
 * the password appears in nothing vantage shows or exports: /, /metrics, /config,
 * /probe?debug=true, the logs, and check-config's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl, urlWithoutUserinfo } from '../../src/config/redact.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { checkConfigText } from '../helpers/cliProcess.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

const PASSWORD = 'Url-Pa55word-9f3k';
const TOKEN = 'usertoken-7b1d2c';

let target: TestServer;
let h: Harness;
const authorized = { count: 0 };

beforeAll(async () => {
  target = await startHttpServer((req, res) => {
    const expected = 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64');
    if (req.headers.authorization === expected) {
      authorized.count++;
      res.end('ok\n');
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://admin:${PASSWORD}@127.0.0.1:1/elsewhere` }).end();
    } else {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
    }
  });
  const host = target.origin.slice('http://'.length);
  h = await startVantage(`
global:
  interval: 1s
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: 2s
targets:
  - name: private
    url: http://admin:${PASSWORD}@${host}/status
  - name: token
    url: http://${TOKEN}@${host}/redirect
`);
  await waitFor(() => h.service.results.totals('private/http_2xx')?.success, 10_000, 'first probe');
  await waitFor(() => h.service.results.totals('token/http_2xx')?.failure, 10_000, 'first probe');
});

afterAll(async () => {
  await h.close();
  await target.close();
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(h.baseUrl + path);
  return { status: res.status, text: await res.text() };
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(encodeURIComponent(PASSWORD));
}

describe('a password in a target URL', () => {
  it('is still sent to the target: the scheduled probe succeeds', () => {
    expect(authorized.count).toBeGreaterThan(0);
  });

  it('/ shows the URL with the password replaced', async () => {
    const { status, text } = await get('/');
    expect(status).toBe(200);
    expectNoSecret(text);
    expect(text).toContain('http://admin:&lt;secret&gt;@127.0.0.1:');
  });

  it('/ links to the URL without userinfo, so the browser asks for credentials instead of sending <secret>', async () => {
    const { text } = await get('/');
    expect(text).toMatch(/<a href="http:\/\/127\.0\.0\.1:\d+\/status">http:\/\/admin:&lt;secret&gt;@/);
    expect(text).not.toMatch(/href="[^"]*&lt;secret&gt;/);
  });

  it('/metrics: vantage_target_info carries the redacted URL', async () => {
    const { text } = await get('/metrics');
    expectNoSecret(text);
    expect(text).toMatch(
      /vantage_target_info\{target="private",url="http:\/\/admin:<secret>@127\.0\.0\.1:\d+\/status"/,
    );
    expect(text).toMatch(
      /vantage_target_info\{target="token",url="http:\/\/<secret>@127\.0\.0\.1:\d+\/redirect"/,
    );
  });

  it('/config shows the URLs redacted', async () => {
    const { text } = await get('/config');
    expectNoSecret(text);
    expect(text).toContain('url: http://admin:<secret>@127.0.0.1:');
  });

  it('/probe?debug=true probes with the password and shows none', async () => {
    const { status, text } = await get('/probe?target=private&module=http_2xx&debug=true');
    expect(status).toBe(200);
    expect(text).toContain('probe_success 1');
    expectNoSecret(text);
    expect(text).toContain('(http://admin:<secret>@127.0.0.1:');
    // A Location header with a password, from the target, is redacted in the trace too.
    const redirect = await get('/probe?target=token&module=http_2xx&debug=true');
    expectNoSecret(redirect.text);
    expect(redirect.text).toContain('Location: http://admin:<secret>@127.0.0.1:1/elsewhere');
  });

  it('/probe by URL answers without echoing the password', async () => {
    const url = `http://admin:${PASSWORD}@127.0.0.1:9/nowhere`;
    const { status, text } = await get(`/probe?module=http_2xx&target=${encodeURIComponent(url)}`);
    expect(status).toBe(403);
    expectNoSecret(text);
  });

  it('the logs never carry it', () => {
    expectNoSecret(h.logs.join('\n'));
  });
});

describe('check-config', () => {
  it('quotes an invalid URL without its password', () => {
    const run = checkConfigText(
      `modules:\n  http_2xx:\n    prober: http\ntargets:\n  - name: bad\n    url: "ftp://admin:${PASSWORD}@host/"\n`,
    );
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('targets[0].url (line 6)');
    expectNoSecret(run.stdout + run.stderr);
  });
});

describe('report.prometheus_url with a password', () => {
  it('check-config summarises it without the password', () => {
    const run = checkConfigText(
      `modules:\n  http_2xx:\n    prober: http\nreport:\n  prometheus_url: http://reader:${PASSWORD}@127.0.0.1:9090\n`,
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('reports from http://reader:<secret>@127.0.0.1:9090');
    expectNoSecret(run.stdout + run.stderr);
  });
});

describe('redactUrl', () => {
  it.each([
    ['http://admin:pass@host/', 'http://admin:<secret>@host/'],
    ['https://TOKEN@host:8443/x?y=1', 'https://<secret>@host:8443/x?y=1'],
    ['http://a:p@ss@host/', 'http://a:<secret>@host/'],
    ['http://host/path?next=a@b', 'http://host/path?next=a@b'],
    ['http://host/', 'http://host/'],
    ['not a url', 'not a url'],
    ['redirect to http://u:p@x/ failed', 'redirect to http://u:<secret>@x/ failed'],
  ])('%s -> %s', (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });
});

describe('urlWithoutUserinfo', () => {
  it.each([
    ['http://admin:pass@host/', 'http://host/'],
    ['https://TOKEN@host:8443/x?y=1', 'https://host:8443/x?y=1'],
    ['http://host/path?next=a@b', 'http://host/path?next=a@b'],
  ])('%s -> %s', (input, output) => {
    expect(urlWithoutUserinfo(input)).toBe(output);
  });
});

describe('redactSecrets (what /config shows)', () => {
  it('redacts every URL-valued key, *_url included', () => {
    const out = redactSecrets({
      targets: [{ url: 'http://a:pw12@h/' }],
      report: { prometheus_url: 'http://r:pw34@p:9090' },
    });
    expect(out).toEqual({
      targets: [{ url: 'http://a:<secret>@h/' }],
      report: { prometheus_url: 'http://r:<secret>@p:9090' },
    });
  });
});
