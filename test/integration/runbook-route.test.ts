/**
 * GET /runbook on a running vantage: docs/runbook.md as one self-contained HTML page with an
 * anchor for every alert, linked from the index page; a clear 404 when the file is missing.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runbookRouter } from '../../src/server/runbookRoute.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const rules = parse(
  readFileSync(new URL('../../prometheus/rules/vantage-alerts.rules.yml', import.meta.url), 'utf8'),
) as { groups: { rules: { alert?: string }[] }[] };
const alerts = [...new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))))];

let vantage: Harness;

beforeAll(async () => {
  vantage = await startVantage('modules:\n  http_2xx: {prober: http}\n');
});

afterAll(async () => {
  await vantage.close();
});

describe('GET /runbook', () => {
  it('answers 200 with an HTML page that has an id for every alert', async () => {
    const res = await fetch(`${vantage.baseUrl}/runbook`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>vantage runbook</title>');
    expect(alerts.length).toBeGreaterThanOrEqual(14);
    for (const alert of alerts) {
      expect(html, alert).toContain(`<h2 id="${alert.toLowerCase()}">${alert}</h2>`);
    }
  });

  it('is self-contained: no scripts, no external resources, a CSP that forbids them', async () => {
    const res = await fetch(`${vantage.baseUrl}/runbook`);
    const html = await res.text();
    expect(html).not.toMatch(/<(?:script|link|img|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/\s(?:src|srcset|on[a-z]+)=/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).not.toMatch(/@import|url\(/i);
    // A link relative to docs/ (alertmanager.md) works on GitHub but not at /runbook: only
    // anchors, the way back to the index page, and absolute URLs.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(14);
    for (const href of hrefs) expect(href).toMatch(/^(?:#|\.\/$|https?:\/\/)/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('is linked from the index page', async () => {
    const html = await (await fetch(`${vantage.baseUrl}/`)).text();
    expect(html).toContain('<a href="runbook">Runbook</a>');
  });
});

describe('GET /runbook without docs/runbook.md', () => {
  let server: Server;
  let baseUrl = '';
  const warnings: string[] = [];

  beforeAll(async () => {
    const logger = { warn: (msg: string) => warnings.push(msg) } as never;
    const app = express().use(runbookRouter({ file: '/nonexistent/docs/runbook.md', logger }));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('answers 404 with a message naming the file, and warned at startup', async () => {
    const res = await fetch(`${baseUrl}/runbook`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(
      "runbook not available: /nonexistent/docs/runbook.md is missing. Read docs/runbook.md in vantage's source instead.\n",
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('/nonexistent/docs/runbook.md is missing');
  });
});
