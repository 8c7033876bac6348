/**
 * POST /api/alertmanager with impossible times: a resolved alert whose endsAt is before its
 * startsAt was recorded with duration 0, and startsAt in years 0001-0099 was stored as
 * 1901-1999. Both are now a 400 naming the alert (index, name, fingerprint) and the field, the
 * whole notification is refused (nothing recorded) and counted as bad_request; Alertmanager's
 * zero endsAt (0001-01-01T00:00:00Z) on a firing alert keeps meaning "not ended".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

let h: Harness;
beforeAll(async () => {
  h = await startVantage('modules:\n  http_2xx:\n    prober: http\ntargets: []\n');
});
afterAll(() => h.close());

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ZERO_TIME = '0001-01-01T00:00:00Z';

const alert = (fingerprint: string, startsAt: string, status = 'firing', endsAt = ZERO_TIME) => ({
  status,
  labels: { alertname: 'VantageTargetDown', severity: 'critical', target: 'homepage' },
  annotations: { summary: 'down' },
  startsAt,
  endsAt,
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint,
});

async function post(alerts: unknown[]) {
  const res = await fetch(h.baseUrl + '/api/alertmanager', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ version: '4', status: 'firing', receiver: 'vantage', alerts }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const fingerprints = async () => {
  const res = await fetch(h.baseUrl + '/api/incidents?limit=1000');
  return ((await res.json()) as { incidents: { fingerprint: string }[] }).incidents.map((i) => i.fingerprint);
};

const badRequests = async () => {
  const text = await (await fetch(h.baseUrl + '/metrics')).text();
  return Number(/vantage_alertmanager_notifications_total\{result="bad_request"\} (\d+)/.exec(text)?.[1]);
};

describe('POST /api/alertmanager with impossible times', () => {
  it('refuses a resolved alert ending before it started, naming alert and fields; records none of the batch', async () => {
    const start = Date.now() - HOUR;
    const before = await badRequests();
    const res = await post([
      alert('fp-good', iso(start)),
      alert('fp-backwards', iso(start), 'resolved', iso(start - 60_000)),
    ]);
    expect(res.status).toBe(400);
    expect(res.json.field).toBe('alerts.1.endsAt');
    expect(res.json.error).toBe(
      `alerts.1.endsAt: alert 1 (VantageTargetDown, fingerprint fp-backwards): endsAt ${iso(start - 60_000)} ` +
        `is before startsAt ${iso(start)}`,
    );
    expect(await fingerprints()).toEqual([]);
    expect(await badRequests()).toBe(before + 1);
  });

  it('refuses startsAt in years 0001-0099 instead of storing 1901-1999', async () => {
    for (const startsAt of ['0099-05-01T00:00:00Z', '0001-01-01T00:00:00Z']) {
      const res = await post([alert('fp-old', startsAt)]);
      expect(res.status, startsAt).toBe(400);
      expect(res.json.field).toBe('alerts.0.startsAt');
      expect(res.json.error).toMatch(
        /alert 0 \(VantageTargetDown, fingerprint fp-old\): year 00\d\d is before 1970/,
      );
    }
    expect(await fingerprints()).toEqual([]);
  });

  it('still records a firing alert with the zero endsAt, and a resolution that ends when it starts', async () => {
    const start = Date.now() - 2 * HOUR;
    expect((await post([alert('fp-zero', iso(start))])).status).toBe(200);
    const res = await post([alert('fp-instant', iso(start), 'resolved', iso(start))]);
    expect(res.status).toBe(200);
    expect((await fingerprints()).sort()).toEqual(['fp-instant', 'fp-zero']);
  });
});
