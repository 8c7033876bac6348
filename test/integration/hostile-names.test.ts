/**
 * Names an attacker chooses reach lookups keyed by user input: /probe?module=__proto__, a module
 * called __proto__ in the config, and path parameters that are not valid percent-encoding. Each
 * gets a 400 (or a config error with path and line), never a 500 with a stack trace, and never a
 * silently dropped module.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { checkConfigText } from '../helpers/cliProcess.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

let target: TestServer;
let h: Harness;

beforeAll(async () => {
  target = await startHttpServer((_req, res) => res.end('ok\n'));
  h = await startVantage(`
modules:
  http_2xx:
    prober: http
    timeout: 2s
  constructor:
    prober: http
    timeout: 2s
    http:
      valid_status_codes: [200]
targets:
  - name: web
    url: ${target.origin}/
    modules: [http_2xx, constructor]
`);
});

afterAll(async () => {
  await h.close();
  await target.close();
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(h.baseUrl + path);
  return { status: res.status, text: await res.text() };
}

describe('/probe with a module name from Object.prototype', () => {
  it.each(['__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'module=%s answers 400 unknown module',
    async (name) => {
      const { status, text } = await get(`/probe?target=web&module=${name}`);
      expect(status).toBe(400);
      expect(text).toContain(`unknown module "${name}"`);
      expect(text).not.toMatch(/\bat \S+ \(/); // no stack trace
    },
  );

  it('a module really named "constructor" works', async () => {
    const { status, text } = await get('/probe?target=web&module=constructor');
    expect(status).toBe(200);
    expect(text).toContain('probe_success 1\n');
  });

  it('counts the requests as bad_request, and logs no internal error', async () => {
    const metrics = (await get('/metrics')).text;
    expect(metrics).toMatch(/vantage_probe_requests_total\{result="bad_request"\} [5-9]/);
    expect(h.logs.join('\n')).not.toContain('request failed');
  });
});

describe('query parameters named after Object.prototype', () => {
  it.each(['/api/changes?__proto__=x', '/api/incidents?__proto__=x', '/api/reports?__proto__=x'])(
    '%s answers 400 unknown parameter',
    async (path) => {
      const { status, text } = await get(path);
      expect(status).toBe(400);
      expect(text).toContain('__proto__');
      expect(text).toContain('unknown parameter');
    },
  );
});

describe('malformed percent-encoding in a path parameter', () => {
  it.each([
    '/reports/day/%ff.html',
    '/reports/%E0%A4%A/2026-01-01.html',
    '/lighthouse/%ff/mobile/',
    '/lighthouse/web/%ff/latest.html',
    '/lighthouse/web/mobile/%ff',
  ])('%s answers 400 in plain text', async (path) => {
    const res = await fetch(h.baseUrl + path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('malformed percent-encoding');
  });

  it('is not logged as an internal error', () => {
    expect(h.logs.join('\n')).not.toContain('request failed');
    expect(h.logs.join('\n')).not.toContain('URIError');
  });
});

describe('a config key named __proto__', () => {
  it('check-config refuses it with path and line instead of dropping the module', () => {
    const run = checkConfigText(
      [
        'modules:',
        '  http_2xx:',
        '    prober: http',
        '  __proto__:',
        '    prober: http',
        '    http:',
        '      headers:',
        '        __proto__: x',
        'targets:',
        '  - name: web',
        '    url: http://127.0.0.1:1/',
        '',
      ].join('\n'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr + run.stdout).toContain(
      'modules.__proto__ (line 4): the key "__proto__" is not allowed',
    );
    expect(run.stderr + run.stdout).toContain('modules.__proto__.http.headers.__proto__ (line 8)');
  });

  it('a reload with it is refused and the running config keeps its modules', async () => {
    await h.writeConfig(`
modules:
  __proto__:
    prober: http
targets:
  - name: web
    url: ${target.origin}/
`);
    const res = await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('modules.__proto__ (line 3)');
    expect((await get('/probe?target=web&module=constructor')).text).toContain('probe_success 1\n');
  });
});
