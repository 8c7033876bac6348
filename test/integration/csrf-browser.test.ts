/**
 * Cross-site requests and DNS rebinding against vantage's write endpoints, from a real headless
 * Chromium, with no admin token configured (the case where loopback clients are trusted):
 *
 * - cross-site: a page on another origin (another port of 127.0.0.1) makes the browser POST
 *   /api/changes and /-/reload the ways a page can without CORS: fetch with mode no-cors,
 *   navigator.sendBeacon and a form with enctype text/plain whose body is valid JSON;
 * - DNS rebinding: a page on http://evil.example:PORT (Chromium resolves the name to 127.0.0.2
 *   by --host-resolver-rules) whose later requests reach vantage, exactly as after the name was
 *   rebound to 127.0.0.1: same-origin, so it may even send application/json. The attacker's
 *   server forwards everything but the page to vantage unchanged (Host and Origin included),
 *   which is what vantage receives once the DNS answer has flipped.
 *
 * Asserted: nothing is recorded, no reload happens, and the refusals were counted (so the
 * requests did reach vantage and were refused, rather than never sent).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromePath } from '../../src/probers/lighthouse/chrome.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';
import { TEST_CHROME_FLAGS as CHROME_FLAGS } from '../helpers/testChrome.js';

let vantage: Harness;
let vantagePort: number;
let browser: Browser;
let chromeTmp: string;
const servers: Server[] = [];

/** The attack, run in the page: every write a page can send, then `document.title = 'done'`. */
function attackPage(target: string, sameOrigin: boolean): string {
  const change = (title: string) => JSON.stringify(JSON.stringify({ title, kind: 'other' }));
  return `<!doctype html><title>attacker</title>
<form id="f" method="POST" action="${target}/api/changes" enctype="text/plain" target="sink">
  <input name='{"title":"form post","kind":"other","x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
(async () => {
  const settle = (p) => p.then(() => 'sent', (e) => String(e));
  const results = await Promise.all([
    settle(fetch('${target}/api/changes', { method: 'POST', mode: 'no-cors', body: ${change('no-cors fetch')} })),
    settle(fetch('${target}/-/reload', { method: 'POST', mode: 'no-cors' })),
    ${
      sameOrigin
        ? `settle(fetch('${target}/api/changes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ${change('rebound json')} })),
    settle(fetch('${target}/-/reload', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })),`
        : ''
    }
  ]);
  navigator.sendBeacon('${target}/api/changes', ${change('beacon')});
  document.querySelector('iframe').onload = () => { document.title = 'done ' + results.join(','); };
  document.getElementById('f').submit();
})();
</script>`;
}

/** Serves the attack page at / and forwards every other request to vantage untouched. */
async function startAttacker(host: string, port: number, page: () => string): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page());
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: vantagePort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  servers.push(server);
  return server;
}

async function counters(): Promise<{ reloads: number; refusals: Record<string, number> }> {
  const text = await (await fetch(`${vantage.baseUrl}/metrics`)).text();
  const refusals: Record<string, number> = {};
  for (const m of text.matchAll(/^vantage_write_request_refusals_total\{reason="(\w+)"\} (\d+)/gm))
    refusals[m[1]!] = Number(m[2]);
  const reloads = Number(/^vantage_config_reloads_total\{result="success"\} (\d+)/m.exec(text)?.[1] ?? NaN);
  return { reloads, refusals };
}

async function changeTitles(): Promise<string[]> {
  const body = (await (await fetch(`${vantage.baseUrl}/api/changes`)).json()) as {
    changes: { title: string }[];
  };
  return body.changes.map((c) => c.title);
}

async function runAttack(url: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction("document.title.startsWith('done')", { timeout: 20_000 });
    // sendBeacon is queued by the browser: give it the time to leave.
    await new Promise((r) => setTimeout(r, 500));
    return await page.title();
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  vantage = await startVantage('targets: []\n');
  vantagePort = Number(new URL(vantage.baseUrl).port);
  chromeTmp = await mkdtemp(join(tmpdir(), 'vantage-csrf-chrome-'));
  browser = await puppeteer.launch({
    executablePath: findChromePath(),
    headless: true,
    args: [...CHROME_FLAGS, '--host-resolver-rules=MAP evil.example 127.0.0.2'],
    userDataDir: join(chromeTmp, 'profile'),
    env: { ...process.env, TMPDIR: chromeTmp },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await vantage?.close();
  await rm(chromeTmp, { recursive: true, force: true });
});

describe('a hostile page in a real Chromium, no admin token configured', () => {
  it('cannot record a change or reload from another origin (no-cors fetch, sendBeacon, text/plain form)', async () => {
    const attacker = await startAttacker('127.0.0.1', 0, () => attackPage(vantage.baseUrl, false));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    const before = await counters();

    const title = await runAttack(attackerUrl);

    expect(title).toBe('done sent,sent'); // the browser did send both fetches
    expect(await changeTitles()).toEqual([]);
    const after = await counters();
    expect(after.reloads).toBe(before.reloads);
    // fetch, sendBeacon, form and the reload all arrived and were refused for their Origin.
    expect(after.refusals.foreign_origin! - before.refusals.foreign_origin!).toBe(4);
  }, 60_000);

  it('cannot record a change or reload through a DNS-rebound name, even with same-origin JSON', async () => {
    // The attacker's server on 127.0.0.2 and vantage's port: http://evil.example:PORT is
    // "the same origin" to the page before and after the rebinding.
    await startAttacker('127.0.0.2', vantagePort, () =>
      attackPage(`http://evil.example:${vantagePort}`, true),
    );
    const before = await counters();

    const title = await runAttack(`http://evil.example:${vantagePort}/`);

    expect(title).toBe('done sent,sent,sent,sent');
    expect(await changeTitles()).toEqual([]);
    const after = await counters();
    expect(after.reloads).toBe(before.reloads);
    // Same-origin, so the Origin check passes; the Host check refuses all six.
    expect(after.refusals.unknown_host! - before.refusals.unknown_host!).toBe(6);
  }, 60_000);
});
