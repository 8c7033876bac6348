/**
 * End to end, from an outage to the pager: a real vantage probes local HTTP servers, a real
 * Prometheus runs the shipped prometheus.yml and rules, a real Alertmanager runs the shipped
 * alertmanager.yml (rendered by render-config.sh), and a local webhook receiver stands in for
 * the pager, the ticket queue, the heartbeat and vantage's incident log.
 *
 * Only intervals are shortened, in the shipped ratio: shipped, vantage probes every 30 s,
 * Prometheus scrapes every 15 s and VantageTargetDown waits `for: 1m` (two probe intervals,
 * four scrapes); here 2 s, 1 s and 4 s, and every rule group is evaluated every second. Whether
 * one failed probe can page depends on those three only (docs/performance.md, "One failed
 * probe"). Alertmanager's group_wait (where not 0s) becomes 1 s and group_interval 2 s
 * (shortenTimings). The time an outage really takes to page with the shipped intervals is
 * measured by bench/alert-latency.ts (docs/performance.md, "Outage to page").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  renderAlertmanagerConfig,
  shortenTimings,
  startAlertmanager,
  type Alertmanager,
} from '../helpers/alertmanager.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';
import {
  startWebhookReceiver,
  type WebhookMessage,
  type WebhookReceiver,
} from '../helpers/webhookReceiver.js';

const PROBE_INTERVAL = '2s';
const INTERVALS = { scrape: '1s', evaluation: '1s', for: { VantageTargetDown: '4s' } };

const ok: RequestListener = (_req, res) => {
  res.end('status: ok\n');
};

/** A target that answers 503 to exactly one probe once `failNext()` is called. */
async function blipServer(): Promise<TestServer & { failNext(): void; failures(): number }> {
  let armed = false;
  let failures = 0;
  const server = await startHttpServer((req, res) => {
    if (armed) {
      armed = false;
      failures++;
      res.writeHead(503).end('unavailable\n');
    } else {
      ok(req, res);
    }
  });
  return Object.assign(server, {
    failNext: () => void (armed = true),
    failures: () => failures,
  });
}

const vantageConfig = (shop: string, blog: string): string => `
global:
  interval: ${PROBE_INTERVAL}
modules:
  http_2xx:
    prober: http
    timeout: 1s
    http: {valid_status_codes: [200], preferred_ip_protocol: ip4}
targets:
  - name: shop
    url: ${shop}/
    labels: {team: web}
  - name: blog
    url: ${blog}/
`;

/** The pager (or incident) message about VantageTargetDown on `target` with `status`. */
const targetDown =
  (target: string, status: 'firing' | 'resolved') =>
  (m: WebhookMessage): boolean =>
    m.status === status && m.groupLabels.alertname === 'VantageTargetDown' && m.groupLabels.target === target;

describe('an outage, end to end: vantage -> Prometheus -> Alertmanager -> pager', () => {
  let dir: string;
  let receiver: WebhookReceiver;
  let shop: TestServer;
  let blog: Awaited<ReturnType<typeof blipServer>>;
  let vantage: Harness;
  let am: Alertmanager;
  let prom: Prometheus;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vantage-alerting-e2e-'));
    receiver = await startWebhookReceiver();
    shop = await startHttpServer(ok);
    blog = await blipServer();

    const amConfig = join(dir, 'alertmanager.yml');
    const rendered = await renderAlertmanagerConfig(amConfig, {
      VANTAGE_INCIDENT_WEBHOOK_URL: `${receiver.url}/incidents`,
      VANTAGE_PAGER_WEBHOOK_URL: `${receiver.url}/pager`,
      VANTAGE_TICKET_WEBHOOK_URL: `${receiver.url}/ticket`,
      VANTAGE_HEARTBEAT_WEBHOOK_URL: `${receiver.url}/heartbeat`,
    });
    if (rendered.code !== 0) throw new Error(`render-config.sh: ${rendered.stderr}`);
    await shortenTimings(amConfig);

    [vantage, am] = await Promise.all([
      startVantage(vantageConfig(shop.origin, blog.origin)),
      startAlertmanager(amConfig),
    ]);
    prom = await startPrometheus({
      vantage: [vantage.baseUrl],
      alertmanagers: [am.url],
      intervals: INTERVALS,
    });
    await prom.waitForTargets();
    // VantageTargetDown only considers checks that have succeeded at least once (the `and on`
    // vantage_probes_total{result="success"}): wait until Prometheus has that for both.
    await prom.waitForQuery(
      'probe_success == 1 and on (target) vantage_probes_total{result="success"}',
      (samples) => samples.length === 2,
    );
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await vantage?.close();
    await Promise.all([shop?.close(), blog?.close(), receiver?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pages VantageTargetDown with its labels and annotations, copies it to the incident log, and resolves both when the target is back', async () => {
    // The Watchdog heartbeat proves the route from Prometheus's rules to the receivers is live.
    await receiver.waitFor('/heartbeat', (m) => m.commonLabels.alertname === 'Watchdog', 20_000);

    const port = shop.port;
    await shop.close();
    const page = await receiver.waitFor('/pager', targetDown('shop', 'firing'), 30_000);
    expect(page).toMatchObject({
      receiver: 'pager',
      groupLabels: { alertname: 'VantageTargetDown', target: 'shop' },
    });
    expect(page.alerts).toHaveLength(1);
    const [alert] = page.alerts;
    // instance and module are aggregated away; the target's static labels stay.
    expect(alert!.labels).toEqual({
      alertname: 'VantageTargetDown',
      severity: 'critical',
      target: 'shop',
      job: 'vantage',
      team: 'web',
    });
    expect(alert!.annotations).toEqual({
      summary: 'shop is down from every location',
      description:
        'Every HTTP check of shop has failed from every location for at least a minute. The failure ' +
        'reason is in probe_failure_info{target="shop"} and on vantage\'s index page.',
      runbook_url: 'http://localhost:9470/runbook#vantagetargetdown',
      dashboard_url: 'http://localhost:3000/d/vantage-target?var-target=shop',
    });
    expect(alert!.generatorURL.startsWith(`${prom.url}/graph?`)).toBe(true);

    const copy = await receiver.waitFor('/incidents', targetDown('shop', 'firing'));
    expect(copy.receiver).toBe('vantage-incidents');
    expect(copy.alerts[0]).toMatchObject({ labels: alert!.labels, annotations: alert!.annotations });
    expect(copy.alerts[0]!.fingerprint).toBe(alert!.fingerprint);

    // The target comes back on the same address.
    shop = await startHttpServer(ok, port);
    const resolved = await receiver.waitFor('/pager', targetDown('shop', 'resolved'), 30_000);
    expect(resolved.alerts[0]).toMatchObject({
      status: 'resolved',
      labels: alert!.labels,
      annotations: alert!.annotations,
      fingerprint: alert!.fingerprint,
    });
    expect(Date.parse(resolved.alerts[0]!.endsAt)).toBeGreaterThan(Date.parse(alert!.startsAt));
    const resolvedCopy = await receiver.waitFor('/incidents', targetDown('shop', 'resolved'));
    expect(resolvedCopy.alerts[0]!.fingerprint).toBe(alert!.fingerprint);
    // One page and one resolution: nothing repeated in between.
    expect(receiver.on('/pager').filter(targetDown('shop', 'firing'))).toHaveLength(1);
  }, 90_000);

  it('does not page on a single failed probe', async () => {
    blog.failNext();
    const history = (state: string) =>
      prom.querySeries(`ALERTS{alertname="VantageTargetDown", target="blog", alertstate="${state}"}[5m]`);
    // Prometheus saw the failure: the alert went pending...
    await waitFor(async () => (await history('pending')).length > 0, 20_000, 'blog pending');
    // ...and went back to inactive without firing.
    await waitFor(
      async () => (await prom.alerts({ alertname: 'VantageTargetDown', target: 'blog' })).length === 0,
      20_000,
      'blog inactive again',
    );
    expect(blog.failures()).toBe(1);
    expect(await history('firing')).toEqual([]);
    expect(receiver.received.filter((r) => targetDown('blog', 'firing')(r.message))).toEqual([]);
  }, 60_000);
});
