/**
 * The incident log end to end: POST /api/alertmanager on a running service (validation, auth
 * as POST /api/changes, firing then resolved, repeats and concurrent posts idempotent,
 * Watchdog ignored), GET /api/incidents with durations and recurring issues, the metrics on a
 * real /metrics scrape checked by promtool, and a real Alertmanager delivering to vantage.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { databasePath, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';
import { renderAlertmanagerConfig, shortenTimings, startAlertmanager } from '../helpers/alertmanager.js';
import { alertmanagerWebhook } from '../helpers/alertmanagerWebhook.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';
import { externalAddress, withExternalServer } from '../helpers/externalServer.js';

const TOKEN = 'incident-log-admin-token-0123456789';
const HOUR = 3_600_000;

const config = (extra = '') => `
modules:
  http_2xx:
    prober: http
targets: []
${extra}`;

interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
}

const payload = (alerts: Alert[]) => alertmanagerWebhook(alerts);

const down = (fingerprint: string, startsAt: string, extra: Partial<Alert> = {}): Alert => ({
  status: 'firing',
  labels: { alertname: 'VantageTargetDown', severity: 'critical', target: 'homepage' },
  annotations: { summary: 'homepage is down', description: 'probe failing for 1m' },
  startsAt,
  fingerprint,
  ...extra,
});

async function post(h: Harness, body: unknown, token: string | null = null) {
  const res = await fetch(h.baseUrl + '/api/alertmanager', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

interface IncidentJson {
  fingerprint: string;
  alertname: string;
  target: string | null;
  severity: string;
  status: string;
  startsAt: string;
  endsAt: string | null;
  durationSeconds: number | null;
  summary: string;
}
interface ListJson {
  incidents: IncidentJson[];
  recurring: { alertname: string; target: string | null; count: number; sentence: string }[];
}

async function list(h: Harness, query = ''): Promise<ListJson> {
  const res = await fetch(`${h.baseUrl}/api/incidents${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ListJson;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('POST /api/alertmanager without an admin token (loopback and private networks)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(config());
  });
  afterAll(() => h.close());

  it('refuses bad payloads with 400 naming the field', async () => {
    const start = iso(Date.now() - HOUR);
    const cases: [unknown, string][] = [
      ['{not json', 'body'],
      [[], 'body'],
      [{ ...payload([down('a', start)]), version: '3' }, 'version'],
      [{ ...payload([]), alerts: 'none' }, 'alerts'],
      [payload([{ ...down('a', start), startsAt: 'yesterday' }]), 'alerts.0.startsAt'],
      [payload([{ ...down('a', start), fingerprint: '' }]), 'alerts.0.fingerprint'],
      [payload([{ ...down('a', start), labels: { severity: 'critical' } }]), 'alerts.0.labels'],
      [payload([{ ...down('a', start), status: 'pending' as 'firing' }]), 'alerts.0.status'],
      [payload([down('a', start, { status: 'resolved', endsAt: 'soon' })]), 'alerts.0.endsAt'],
    ];
    for (const [body, field] of cases) {
      const res = await post(h, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json?.field, res.text).toBe(field);
    }
    const big = await post(
      h,
      payload([down('a', start, { annotations: { description: 'x'.repeat(5_000_000) } })]),
    );
    expect(big.status).toBe(413);
    expect((await list(h)).incidents).toEqual([]);
  });

  it('records firing, then resolved with its duration; repeats change nothing', async () => {
    const start = Date.now() - 2 * HOUR;
    const end = start + 754_500;
    const firing = payload([down('fp-1', iso(start))]);
    for (let i = 0; i < 3; i++) expect((await post(h, firing)).json).toEqual({ recorded: 1, ignored: 0 });
    let incidents = (await list(h, '?target=homepage')).incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      fingerprint: 'fp-1',
      alertname: 'VantageTargetDown',
      target: 'homepage',
      severity: 'critical',
      summary: 'homepage is down',
      status: 'firing',
      startsAt: iso(start),
      endsAt: null,
      durationSeconds: null,
    });
    expect((await list(h, '?status=firing')).incidents).toHaveLength(1);

    const resolved = payload([down('fp-1', iso(start), { status: 'resolved', endsAt: iso(end) })]);
    for (let i = 0; i < 3; i++) expect((await post(h, resolved)).status).toBe(200);
    // A late firing repeat does not reopen a resolved incident.
    expect((await post(h, firing)).status).toBe(200);
    incidents = (await list(h, '?target=homepage')).incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'resolved', endsAt: iso(end), durationSeconds: 754.5 });
    expect((await list(h, '?status=firing')).incidents).toEqual([]);
  });

  it('creates an incident resolved from a resolved notification never seen firing', async () => {
    const start = Date.now() - 3 * HOUR;
    const res = await post(
      h,
      payload([
        down('fp-late', iso(start), {
          status: 'resolved',
          endsAt: iso(start + 60_000),
          labels: { alertname: 'VantageSlowResponse', severity: 'warning', target: 'checkout' },
        }),
      ]),
    );
    expect(res.status).toBe(200);
    const [incident] = (await list(h, '?target=checkout')).incidents;
    expect(incident).toMatchObject({
      status: 'resolved',
      durationSeconds: 60,
      alertname: 'VantageSlowResponse',
    });
  });

  it('concurrent posts of the same group create each incident once', async () => {
    const start = Date.now() - 5 * HOUR;
    const alerts = Array.from({ length: 5 }, (_, i) =>
      down(`fp-c${i}`, iso(start + i * 1000), {
        labels: { alertname: 'VantageSLOBurnRateFast', severity: 'critical', target: `t${i}` },
      }),
    );
    const results = await Promise.all(Array.from({ length: 40 }, () => post(h, payload(alerts))));
    for (const r of results) expect(r.status).toBe(200);
    const found = (await list(h, '?alertname=VantageSLOBurnRateFast')).incidents;
    expect(found.map((i) => i.fingerprint).sort()).toEqual(alerts.map((a) => a.fingerprint).sort());
  });

  it('ignores Watchdog: 200, nothing recorded', async () => {
    const before = (await list(h)).incidents.length;
    const res = await post(
      h,
      payload([{ ...down('fp-w', iso(Date.now())), labels: { alertname: 'Watchdog', severity: 'none' } }]),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ recorded: 0, ignored: 1 });
    expect((await list(h)).incidents).toHaveLength(before);
    expect((await list(h, '?alertname=Watchdog')).incidents).toEqual([]);
  });

  it('finds the same alert on the same target 3 times in 14 days, with a sentence', async () => {
    const now = Date.now();
    const labels = { alertname: 'VantageLighthouseScoreRegression', severity: 'warning', target: 'blog' };
    const starts = [now - 10 * 24 * HOUR, now - 5 * 24 * HOUR, now - 1 * 24 * HOUR];
    await post(h, payload(starts.map((s, i) => down(`fp-r${i}`, iso(s), { labels }))));
    // Only twice on another target, and once 20 days ago: not recurring.
    await post(
      h,
      payload([
        down('fp-o1', iso(now - 2 * HOUR), { labels: { ...labels, target: 'shop' } }),
        down('fp-o2', iso(now - 3 * HOUR), { labels: { ...labels, target: 'shop' } }),
        down('fp-o3', iso(now - 20 * 24 * HOUR), { labels: { ...labels, target: 'shop' } }),
      ]),
    );
    const { recurring } = await list(h);
    const blog = recurring.filter((r) => r.alertname === labels.alertname);
    expect(blog).toHaveLength(1);
    expect(blog[0]).toMatchObject({ target: 'blog', count: 3 });
    expect(blog[0]!.sentence).toMatch(
      /^VantageLighthouseScoreRegression fired 3 times on blog in the last 14 days \(first .+ UTC, last .+ UTC\)\.$/,
    );
    expect((await list(h, '?target=shop')).recurring).toEqual([]);
  });

  it('validates the query string', async () => {
    for (const [q, field] of [
      ['?status=open', 'status'],
      ['?since=yesterday', 'since'],
      ['?limit=0', 'limit'],
      ['?colour=red', 'colour'],
    ]) {
      const res = await fetch(`${h.baseUrl}/api/incidents${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    expect((await list(h, '?limit=1')).incidents).toHaveLength(1);
    const since = iso(Date.now() - 4 * HOUR);
    for (const i of (await list(h, `?since=${since}`)).incidents) expect(i.startsAt >= since).toBe(true);
  });

  it('exports the open incidents and the notification counter; promtool accepts /metrics', async () => {
    await post(
      h,
      payload([
        down('fp-m', iso(Date.now() - 60_000), {
          labels: { alertname: 'VantageWebVitalsPoor', severity: 'warning', target: 'm' },
        }),
      ]),
    );
    const text = await (await fetch(h.baseUrl + '/metrics')).text();
    expect(text).toContain('vantage_incidents_open{severity="critical"} 5');
    expect(text).toContain('vantage_incidents_open{severity="warning"} 7');
    expect(text).toContain('vantage_incidents_open{severity="info"} 0');
    expect(text).toMatch(/vantage_alertmanager_notifications_total\{result="bad_request"\} 10\n/);
    expect(text).toMatch(/vantage_alertmanager_notifications_total\{result="ignored"\} 1\n/);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
    expect((promtool.stdout + promtool.stderr).trim()).toBe('');
  });

  // Without a token only loopback may post; compose and `vantage stack` give Alertmanager a token.
  it.skipIf(!externalAddress)('refuses non-loopback clients with 403', async () => {
    await withExternalServer(h.service, async (url) => {
      const res = await fetch(`${url}/api/alertmanager`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload([down('fp-x', iso(Date.now()))])),
      });
      expect(res.status).toBe(403);
      expect((await fetch(`${url}/api/incidents`)).status).toBe(200);
    });
  });
});

describe('POST /api/alertmanager with an admin token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startVantage(config(`security:\n  admin_token: "${TOKEN}"\n`));
  });
  afterAll(() => h.close());

  it('needs the bearer token, even from loopback', async () => {
    const body = payload([down('fp-t', iso(Date.now() - HOUR))]);
    expect((await post(h, body)).status).toBe(401);
    expect((await post(h, body, 'wrong')).status).toBe(401);
    expect((await list(h)).incidents).toEqual([]);
    expect((await post(h, body, TOKEN)).status).toBe(200);
    expect((await list(h)).incidents).toHaveLength(1);
  });
});

describe('a real Alertmanager', () => {
  it('delivers a firing and then resolved alert; GET /api/incidents shows it resolved with its duration', async () => {
    const h = await startVantage(config());
    const dir = await mkdtemp(join(tmpdir(), 'vantage-incidents-am-'));
    let am: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
    try {
      const file = join(dir, 'alertmanager.yml');
      const url = `${h.baseUrl}/api/alertmanager`;
      const rendered = await renderAlertmanagerConfig(file, {
        VANTAGE_INCIDENT_WEBHOOK_URL: url,
        VANTAGE_PAGER_WEBHOOK_URL: url,
        VANTAGE_TICKET_WEBHOOK_URL: url,
        VANTAGE_HEARTBEAT_WEBHOOK_URL: url,
      });
      expect(rendered.code, rendered.stderr).toBe(0);
      await shortenTimings(file);
      am = await startAlertmanager(file);
      const labels = { alertname: 'VantageTargetDown', severity: 'critical', target: 'am-e2e' };
      const annotations = { summary: 'am-e2e is down', description: 'from a real Alertmanager' };
      const startsAt = new Date(Date.now() - 90_000);
      await am.postAlerts([{ labels, annotations, startsAt: startsAt.toISOString() }]);
      const firing = await waitFor(
        async () => (await list(h, '?target=am-e2e')).incidents[0],
        20_000,
        'the firing incident',
      );
      expect(firing).toMatchObject({ status: 'firing', summary: 'am-e2e is down', durationSeconds: null });
      expect(firing!.startsAt).toBe(startsAt.toISOString());

      const endsAt = new Date(Date.now() - 1000);
      await am.postAlerts([
        { labels, annotations, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() },
      ]);
      const resolved = await waitFor(
        async () => {
          const [i] = (await list(h, '?target=am-e2e')).incidents;
          return i?.status === 'resolved' ? i : undefined;
        },
        20_000,
        'the resolved incident',
      );
      const all = (await list(h, '?target=am-e2e')).incidents;
      expect(all).toHaveLength(1);
      expect(resolved!.endsAt).toBe(endsAt.toISOString());
      expect(resolved!.durationSeconds).toBeCloseTo((endsAt.getTime() - startsAt.getTime()) / 1000, 3);
    } finally {
      await am?.stop();
      await h.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('migration 2', () => {
  it('upgrades a version-1 database (change log only), keeping its changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vantage-incidents-migrate-'));
    try {
      await mkdir(dir, { recursive: true });
      const raw = new Database(databasePath(dir));
      raw.exec(MIGRATIONS[0]!);
      raw.pragma('user_version = 1');
      raw
        .prepare('INSERT INTO changes (at, title, kind, created_at) VALUES (?, ?, ?, ?)')
        .run(1, 'before the upgrade', 'deploy', 1);
      raw.close();
      const store = Store.open(dir);
      expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
      expect(store.changes.list().map((c) => c.title)).toEqual(['before the upgrade']);
      const alert = {
        status: 'firing' as const,
        labels: { alertname: 'VantageTargetDown', severity: 'critical' },
        annotations: {},
        startsAt: '2025-03-14T09:30:00Z',
        endsAt: '',
        fingerprint: 'abc',
      };
      expect(store.incidents.record([alert, alert])).toEqual({ recorded: 2, ignored: 0 });
      expect(store.incidents.list()).toHaveLength(1);
      expect(store.incidents.list()[0]).toMatchObject({ target: null, severity: 'critical' });
      store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
