/**
 * Maintenance windows in a running vantage: vantage_maintenance_active on a real scrape (checked
 * by promtool), probes that keep running in maintenance, the index page, and reloads.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

let target: Server;
let targetUrl = '';

beforeAll(async () => {
  target = createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

const config = (windows: string) => `
global:
  interval: 1s
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: 2s
    http: {preferred_ip_protocol: ip4}
targets:
  - name: in-maintenance
    url: ${targetUrl}/a
    labels: {team: db}
  - name: normal
    url: ${targetUrl}/b
  - name: past-window
    url: ${targetUrl}/c
maintenance_windows:
${windows}`;

// Always active: an occurrence every minute, each lasting two.
const ALWAYS = `  - name: always
    targets: [in-maintenance]
    time_zone: Europe/Berlin
    cron: "* * * * *"
    duration: 2m
`;
const PAST = `  - name: last-year
    targets: [past-window]
    start: "2025-01-01T00:00Z"
    end: "2025-01-02T00:00Z"
`;

// A week from now, to the minute, in UTC: a window the index page lists as next.
const NEXT_WEEK = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);
const UPCOMING = `  - name: upcoming
    targets: [normal]
    start: "${NEXT_WEEK}Z"
    duration: 1h
`;

const metrics = async (h: Harness) => (await fetch(`${h.baseUrl}/metrics`)).text();
const probesOf = (text: string, name: string) =>
  Number(
    new RegExp(
      `vantage_probes_total\\{target="${name}",module="http_2xx",[^}]*result="success"\\} (\\d+)`,
    ).exec(text)?.[1] ?? 0,
  );

describe('maintenance windows in a running vantage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(config(ALWAYS + PAST + UPCOMING));
    await waitFor(() => h.service.results.latest('in-maintenance/http_2xx'), 10_000, 'first probe');
  });
  afterAll(() => h.close());

  it('exports 1 for targets in an active window and 0 for the others', async () => {
    const text = await metrics(h);
    expect(text).toContain('# TYPE vantage_maintenance_active gauge\n');
    expect(text).toContain('vantage_maintenance_active{target="in-maintenance",team="db"} 1\n');
    expect(text).toContain('vantage_maintenance_active{target="normal"} 0\n');
    expect(text).toContain('vantage_maintenance_active{target="past-window"} 0\n');
  });

  it('keeps probing targets in maintenance', async () => {
    const before = probesOf(await metrics(h), 'in-maintenance');
    await waitFor(async () => probesOf(await metrics(h), 'in-maintenance') > before, 10_000, 'another probe');
    expect(await metrics(h)).toContain(
      'probe_success{target="in-maintenance",module="http_2xx",team="db"} 1',
    );
  });

  it('passes promtool check metrics with nothing reported', async () => {
    const run = spawnSync('promtool', ['check', 'metrics'], { input: await metrics(h), encoding: 'utf8' });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('shows the maintenance on the index page', async () => {
    const page = await (await fetch(`${h.baseUrl}/`)).text();
    expect(page).toContain('<span class="maint">in maintenance</span> (always)');
    expect(page).toContain(`next: ${NEXT_WEEK.replace('T', ' ')} UTC (upcoming)`);
    expect(page).not.toContain('last-year');
  });
});

describe('reloading maintenance windows', () => {
  it('keeps the running windows on a bad reload and applies a good one', async () => {
    const h = await startVantage(config(ALWAYS));
    try {
      await h.writeConfig(
        config(
          ALWAYS.replace('targets: [in-maintenance]', 'targets: [in-maintenance, gone]').replace(
            '* * * * *',
            '* 24 * * *',
          ),
        ),
      );
      const bad = await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' });
      expect(bad.status).toBe(400);
      const errors = await bad.text();
      expect(errors).toContain(
        'maintenance_windows[0].targets[1] (line 20): unknown target "gone" (defined: in-maintenance, normal, past-window)',
      );
      expect(errors).toContain(
        'maintenance_windows[0].cron (line 22): invalid cron expression "* 24 * * *": hour field "24": 24 is out of range 0-23',
      );
      const afterBad = await metrics(h);
      expect(afterBad).toContain('vantage_config_last_reload_successful 0');
      expect(afterBad).toContain('vantage_maintenance_active{target="in-maintenance",team="db"} 1\n');

      // The window now covers every target: a global window.
      await h.writeConfig(config(ALWAYS.replace('    targets: [in-maintenance]\n', '')));
      expect((await fetch(`${h.baseUrl}/-/reload`, { method: 'POST' })).status).toBe(200);
      const afterGood = await metrics(h);
      expect(afterGood).toContain('vantage_config_last_reload_successful 1');
      expect(afterGood).toContain('vantage_maintenance_active{target="normal"} 1\n');
      expect(afterGood).toContain('vantage_maintenance_active{target="past-window"} 1\n');
    } finally {
      await h.close();
    }
  });
});
