/**
 * Issue 12, point 3: an incident's times are the outage as vantage's probes saw it (first failed
 * probe to first successful probe after it), with the alert's times beside them. The alert's
 * own startsAt is when its `for` ran out and its endsAt the next evaluation after recovery, so
 * it understates the outage.
 *
 * A real HTTP target fails for a known span while a real vantage probes it. First end to end:
 * a real Prometheus (the shipped rules, shortened intervals) fires VantageTargetDown and a real
 * Alertmanager delivers it to vantage's webhook; /api/incidents and the report both give the
 * probes' outage within one probe interval of what the target saw. Then a restart of vantage
 * between the alert firing and resolving (the webhook posted as Alertmanager posts it): the
 * outage still starts at the failed probe before the restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { VantageService } from '../../src/service/service.js';
import {
  renderAlertmanagerConfig,
  shortenTimings,
  startAlertmanager,
  type Alertmanager,
} from '../helpers/alertmanager.js';
import { alertmanagerWebhook, type WebhookAlertInput } from '../helpers/alertmanagerWebhook.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { startHttpServer } from '../helpers/servers.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';

const PROBE_INTERVAL_MS = 1000;
/** Other alerts may fire on a young Prometheus too (the burn rates): this test is about this one. */
const DOWN_ON_SHOP = '?target=shop&alertname=VantageTargetDown';

/** A target that answers 503 while `failing`, and remembers when it answered what. */
async function switchableTarget() {
  const answers: { at: number; ok: boolean }[] = [];
  const state = { failing: false };
  const server = await startHttpServer((_req, res) => {
    answers.push({ at: Date.now(), ok: !state.failing });
    if (state.failing) res.writeHead(503).end('unavailable\n');
    else res.end('ok\n');
  });
  return {
    server,
    state,
    answers,
    /** The first failed answer, and the first successful one after the last failure. */
    outage() {
      const firstFailed = answers.find((a) => !a.ok)!;
      const lastFailedIndex = answers.map((a) => a.ok).lastIndexOf(false);
      const firstOkAfter = answers.slice(lastFailedIndex + 1).find((a) => a.ok);
      return { start: firstFailed.at, end: firstOkAfter?.at };
    },
    failures: () => answers.filter((a) => !a.ok).length,
  };
}

const config = (origin: string, extra = '') => `
global:
  interval: ${PROBE_INTERVAL_MS / 1000}s
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: 1s
    http: {valid_status_codes: [200], preferred_ip_protocol: ip4}
targets:
  - name: shop
    url: ${origin}/
${extra}`;

interface OutageJson {
  startsAt: string;
  endsAt: string | null;
  durationSeconds: number | null;
  source: 'probes' | 'alert';
}
interface IncidentJson {
  alertname: string;
  target: string | null;
  status: string;
  startsAt: string;
  endsAt: string | null;
  durationSeconds: number | null;
  outage: OutageJson;
}

async function incidents(baseUrl: string, query = ''): Promise<IncidentJson[]> {
  const res = await fetch(`${baseUrl}/api/incidents${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { incidents: IncidentJson[] }).incidents;
}

const ms = (iso: string | null) => (iso === null ? NaN : Date.parse(iso));

/** Whether vantage has recorded a successful probe of shop (its /metrics says so). */
async function shopUp(baseUrl: string, up: boolean): Promise<boolean> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return new RegExp(`^probe_success\\{target="shop",module="http_2xx"\\} ${up ? 1 : 0}$`, 'm').test(text);
}

describe('an outage seen by the probes, alerted by a real Prometheus and Alertmanager', () => {
  let dir: string;
  let target: Awaited<ReturnType<typeof switchableTarget>>;
  let vantage: Harness;
  let am: Alertmanager;
  let prom: Prometheus;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vantage-incidents-outage-'));
    target = await switchableTarget();
    vantage = await startVantage(config(target.server.origin));
    const amConfig = join(dir, 'alertmanager.yml');
    const url = `${vantage.baseUrl}/api/alertmanager`;
    const rendered = await renderAlertmanagerConfig(amConfig, {
      VANTAGE_INCIDENT_WEBHOOK_URL: url,
      VANTAGE_PAGER_WEBHOOK_URL: url,
      VANTAGE_TICKET_WEBHOOK_URL: url,
      VANTAGE_HEARTBEAT_WEBHOOK_URL: url,
    });
    if (rendered.code !== 0) throw new Error(`render-config.sh: ${rendered.stderr}`);
    await shortenTimings(amConfig);
    am = await startAlertmanager(amConfig);
    prom = await startPrometheus({
      vantage: [vantage.baseUrl],
      alertmanagers: [am.url],
      intervals: { scrape: '1s', evaluation: '1s', for: { VantageTargetDown: '3s' } },
    });
    // Reports read this Prometheus.
    await vantage.writeConfig(config(target.server.origin, `report:\n  prometheus_url: ${prom.url}\n`));
    expect((await vantage.service.reload()).ok).toBe(true);
    await prom.waitForTargets();
    await prom.waitForQuery(
      'probe_success{target="shop"} == 1 and on (target) vantage_probes_total{result="success"}',
      (samples) => samples.length === 1,
    );
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await vantage?.close();
    await target?.server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records and reports first failed to first successful probe, with the alert times beside', async () => {
    target.state.failing = true;
    const firing = await waitFor(
      async () => (await incidents(vantage.baseUrl, DOWN_ON_SHOP)).find((i) => i.status === 'firing'),
      30_000,
      'the firing incident',
    );
    // While the target still fails, the outage is open.
    expect(firing!.outage).toMatchObject({ source: 'probes', endsAt: null, durationSeconds: null });
    await waitFor(() => target.failures() >= 8, 10_000, 'a few more failed probes');
    target.state.failing = false;

    const [incident] = (await waitFor(
      async () => {
        const list = await incidents(vantage.baseUrl, DOWN_ON_SHOP);
        return list[0]?.status === 'resolved' ? list : undefined;
      },
      30_000,
      'the resolved incident',
    ))!;
    const seen = target.outage();
    expect(incident!.alertname).toBe('VantageTargetDown');
    expect(incident!.outage.source).toBe('probes');
    // A probe starts a moment before the target answers it: within one probe interval.
    const start = ms(incident!.outage.startsAt);
    const end = ms(incident!.outage.endsAt);
    expect(seen.start - start).toBeGreaterThanOrEqual(0);
    expect(seen.start - start).toBeLessThan(PROBE_INTERVAL_MS);
    expect(seen.end! - end).toBeGreaterThanOrEqual(0);
    expect(seen.end! - end).toBeLessThan(PROBE_INTERVAL_MS);
    expect(incident!.outage.durationSeconds).toBeCloseTo((end - start) / 1000, 3);
    // The alert's own times are kept beside it: it started once `for` (3 s) had run out, after
    // the outage began, and ended at an evaluation after the first successful probe.
    expect(ms(incident!.startsAt) - start).toBeGreaterThanOrEqual(3000);
    expect(ms(incident!.endsAt)).toBeGreaterThanOrEqual(end);
    expect(incident!.durationSeconds).toBeCloseTo((ms(incident!.endsAt) - ms(incident!.startsAt)) / 1000, 3);

    // The report: the incident's times and duration are the outage's, the alert's beside them.
    const date = new Date().toISOString().slice(0, 10);
    const made = await fetch(`${vantage.baseUrl}/api/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ date, period: 'day', time_zone: 'UTC' }),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const json = (await (await fetch(`${vantage.baseUrl}/reports/day/${date}.json?tz=UTC`)).json()) as {
      evaluation: { incidents: Record<string, unknown>[] };
    };
    const reported = json.evaluation.incidents.filter((i) => i.alertname === 'VantageTargetDown');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      alertname: 'VantageTargetDown',
      startsAt: start,
      endsAt: end,
      durationSeconds: (end - start) / 1000,
      timesFrom: 'probes',
      alertStartsAt: ms(incident!.startsAt),
      alertEndsAt: ms(incident!.endsAt),
    });
    const md = await (await fetch(`${vantage.baseUrl}/reports/day/${date}.md?tz=UTC`)).text();
    const second = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
    const row = md.split('\n').find((l) => l.startsWith('| VantageTargetDown'));
    expect(row, md).toBeDefined();
    expect(row).toContain(`| ${second(start)} | ${second(end)} |`);
    expect(row).toContain(`| probes | ${second(ms(incident!.startsAt))} – ${second(ms(incident!.endsAt))} |`);
  }, 120_000);
});

describe('an outage across a restart of vantage, the webhook posted as Alertmanager posts it', () => {
  let target: Awaited<ReturnType<typeof switchableTarget>>;
  let first: Harness;
  let second: { service: VantageService; baseUrl: string; close(): Promise<void> } | undefined;

  beforeAll(async () => {
    target = await switchableTarget();
    first = await startVantage(config(target.server.origin));
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await target?.server.close();
  });

  /** A second vantage on the first one's config and store, as after `systemctl restart`. */
  async function restart() {
    await first.service.stop();
    const service = new VantageService(first.service.options);
    const server: Server = await new Promise((resolve) => {
      const s = createApp(service, { serveDemoPages: false }).listen(0, '127.0.0.1', () => resolve(s));
    });
    await service.start();
    return {
      service,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      async close() {
        await service.stop();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  const post = async (baseUrl: string, alerts: WebhookAlertInput[]) => {
    const res = await fetch(`${baseUrl}/api/alertmanager`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(alertmanagerWebhook(alerts)),
    });
    expect(res.status).toBe(200);
  };
  const down = (status: 'firing' | 'resolved', startsAt: string, endsAt = '0001-01-01T00:00:00Z') => ({
    status,
    labels: { alertname: 'VantageTargetDown', severity: 'critical', target: 'shop', job: 'vantage' },
    annotations: { summary: 'shop is down from every location' },
    startsAt,
    endsAt,
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: 'c0ffee0123456789',
  });
  // An alert that is not about a streak of failed probes keeps its own times, and says so.
  const slow = (startsAt: string): WebhookAlertInput => ({
    status: 'firing',
    labels: { alertname: 'VantageSlowResponse', severity: 'warning', target: 'shop', job: 'vantage' },
    annotations: { summary: 'shop is slow' },
    startsAt,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: 'feed0123456789ab',
  });

  it('starts the outage at the failed probe before the restart and ends it at the first success after', async () => {
    await waitFor(() => shopUp(first.baseUrl, true), 10_000, 'a successful probe');
    target.state.failing = true;
    await waitFor(() => target.failures() >= 3, 10_000, 'three failed probes');
    const alertStart = new Date().toISOString();
    await post(first.baseUrl, [down('firing', alertStart), slow(alertStart)]);

    second = await restart();
    const failuresAtRestart = target.failures();
    await waitFor(
      () => target.failures() >= failuresAtRestart + 2,
      10_000,
      'failed probes after the restart',
    );
    target.state.failing = false;
    await waitFor(
      () => shopUp(second!.baseUrl, true),
      10_000,
      'the first successful probe after the restart',
    );
    const alertEnd = new Date().toISOString();
    await post(second.baseUrl, [down('resolved', alertStart, alertEnd)]);

    const list = await incidents(second.baseUrl, '?target=shop');
    const incident = list.find((i) => i.alertname === 'VantageTargetDown')!;
    const seen = target.outage();
    expect(incident).toMatchObject({ status: 'resolved', startsAt: alertStart, endsAt: alertEnd });
    expect(incident.outage.source).toBe('probes');
    expect(seen.start - ms(incident.outage.startsAt)).toBeGreaterThanOrEqual(0);
    expect(seen.start - ms(incident.outage.startsAt)).toBeLessThan(PROBE_INTERVAL_MS);
    expect(seen.end! - ms(incident.outage.endsAt)).toBeGreaterThanOrEqual(0);
    expect(seen.end! - ms(incident.outage.endsAt)).toBeLessThan(PROBE_INTERVAL_MS);

    const other = list.find((i) => i.alertname === 'VantageSlowResponse')!;
    expect(other.outage).toEqual({
      startsAt: alertStart,
      endsAt: null,
      durationSeconds: null,
      source: 'alert',
    });
  }, 60_000);
});
