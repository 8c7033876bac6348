/**
 * Outage to page: how long VantageTargetDown takes from a target going down to the pager's
 * webhook, and from its recovery to the resolution, with the SHIPPED settings: vantage (built,
 * bin/vantage.js) probing local targets, the repository's prometheus.yml and rules and its
 * alertmanager.yml, unchanged (the timings that matter are read from those files and printed),
 * and a local webhook receiver as the pager.
 *
 *   npx tsx bench/alert-latency.ts [--targets=12] [--blips=3] [--intervals=30s,15s] [--spread=60]
 *                                  [--seed=N] [--availability-interval=DUR] [--pager-group-wait=DUR]
 *
 * Per probe interval, `--targets` targets, each its own HTTP server in this process, go down
 * (the server stops listening) at random moments over `--spread` seconds, come back a random
 * moment of the pager group's group_interval after their page, and the times to page and to resolution are recorded, with where
 * the time went (probe, scrape, evaluation, `for`, group_wait), read back from vantage's
 * /metrics (polled every 100 ms) and Prometheus's raw samples and ALERTS series. `--blips`
 * more targets per interval are down for 6 s around exactly one probe: none may page.
 *
 * `--availability-interval` (the `interval` of VantageTargetDown's rule group) and
 * `--pager-group-wait` (the critical route's group_wait) try a change to the shipped settings.
 * Figures are printed, never asserted (docs/performance.md, "Outage to page").
 */
import { writeFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isMap, isSeq, parseDocument } from 'yaml';
import { renderAlertmanagerConfig, startAlertmanager } from '../test/helpers/alertmanager.js';
import { durationMs, startPrometheus } from '../test/helpers/prometheus.js';
import { startHttpServer, type TestServer } from '../test/helpers/servers.js';
import {
  startWebhookReceiver,
  type WebhookAlert,
  type WebhookReceiver,
} from '../test/helpers/webhookReceiver.js';
import { mulberry32 } from '../test/helpers/random.js';
import { stopAll } from './lib/children.js';
import { makeWorkDir, startVantage } from './lib/exporters.js';
import { samplesOf } from './lib/exposition.js';
import { report, type Row } from './lib/alertLatencyReport.js';
import { alertingSettings } from './lib/alertingSettings.js';
import { fixed } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    targets: { type: 'string', default: '12' },
    blips: { type: 'string', default: '3' },
    intervals: { type: 'string', default: '30s,15s' },
    spread: { type: 'string', default: '60' },
    seed: { type: 'string' },
    'availability-interval': { type: 'string' },
    'pager-group-wait': { type: 'string' },
  },
});

const settings = await alertingSettings({
  evaluation: args['availability-interval'],
  groupWait: args['pager-group-wait'],
});
const { evaluationMs, groupWaitMs, groupIntervalMs } = settings;
/** A blip is down from BLIP_MARGIN_MS before a probe to BLIP_MARGIN_MS after it. */
const BLIP_MARGIN_MS = 3_000;

const seed = Number(args.seed ?? Math.floor(Math.random() * 2 ** 31));
/** Seeded, so a run can be repeated with --seed. */
const random = mulberry32(seed);

const BODY = '<!doctype html><title>target</title><p>status: ok</p>\n';

/** A target's HTTP server, stopped and started again on the same port, and what happened to it. */
class Target {
  server: TestServer | undefined;
  port = 0;
  lastRequestAt = 0;
  requests = 0;
  downAt = 0;
  upAt = 0;
  pagedAt = NaN;
  resolvedAt = NaN;
  page: WebhookAlert | undefined;
  resolution: WebhookAlert | undefined;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    readonly kind: 'outage' | 'blip',
  ) {}

  async start(): Promise<void> {
    this.server = await startHttpServer((req, res) => {
      this.lastRequestAt = Date.now();
      this.requests++;
      req.resume();
      res.end(BODY);
    }, this.port);
    this.port = this.server.port;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}

/** probe_success flips as vantage's /metrics showed them, polled every 100 ms. */
const flips = new Map<string, { at: number; value: number }[]>();
async function pollVantage(baseUrl: string, until: { done: boolean }): Promise<void> {
  const last = new Map<string, number>();
  while (!until.done) {
    try {
      const body = await (await fetch(`${baseUrl}/metrics`)).text();
      const at = Date.now();
      for (const s of samplesOf(body, new Set(['probe_success']))) {
        const name = s.labels.target!;
        if (last.get(name) !== s.value) {
          last.set(name, s.value);
          flips.set(name, [...(flips.get(name) ?? []), { at, value: s.value }]);
        }
      }
    } catch {
      // vantage busy or stopping: the next poll tells.
    }
    await sleep(100);
  }
}
const firstFlip = (name: string, value: number, after: number): number =>
  flips.get(name)?.find((f) => f.value === value && f.at >= after)?.at ?? NaN;

/** The first /pager message about `alertname` on `target` with `status`, waiting up to `timeoutMs`. */
async function pagerMessage(
  receiver: WebhookReceiver,
  target: string,
  status: 'firing' | 'resolved',
  timeoutMs: number,
): Promise<{ at: number; alert: WebhookAlert } | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = receiver.received.find(
      (r) =>
        r.path === '/pager' &&
        r.message.status === status &&
        r.message.groupLabels.alertname === 'VantageTargetDown' &&
        r.message.groupLabels.target === target,
    );
    if (hit) return { at: hit.receivedAt, alert: hit.message.alerts[0]! };
    await sleep(50);
  }
  return undefined;
}

async function main(): Promise<void> {
  const perInterval = Number(args.targets);
  const blipsPerInterval = Number(args.blips);
  const intervals = args.intervals!.split(',');
  const spreadMs = Number(args.spread) * 1000;
  const workDir = makeWorkDir('alert-latency');
  console.log(`work dir ${workDir}, seed ${seed}`);

  const targets: Target[] = [];
  for (const interval of intervals) {
    for (let i = 1; i <= perInterval; i++) {
      targets.push(
        new Target(`down-${interval}-${String(i).padStart(2, '0')}`, durationMs(interval), 'outage'),
      );
    }
    for (let i = 1; i <= blipsPerInterval; i++)
      targets.push(new Target(`blip-${interval}-${i}`, durationMs(interval), 'blip'));
  }
  await Promise.all(targets.map((t) => t.start()));
  const receiver = await startWebhookReceiver();

  const vantage = await startVantage({
    workDir,
    interval: '30s', // vantage's default global.interval; the 15 s targets set their own
    targets: targets.map((t) => ({
      name: t.name,
      url: `http://127.0.0.1:${t.port}/`,
      interval: `${t.intervalMs / 1000}s`,
    })),
  });

  const amConfig = join(workDir, 'alertmanager.yml');
  const rendered = await renderAlertmanagerConfig(amConfig, {
    VANTAGE_INCIDENT_WEBHOOK_URL: `${receiver.url}/incidents`,
    VANTAGE_PAGER_WEBHOOK_URL: `${receiver.url}/pager`,
    VANTAGE_TICKET_WEBHOOK_URL: `${receiver.url}/ticket`,
    VANTAGE_HEARTBEAT_WEBHOOK_URL: `${receiver.url}/heartbeat`,
  });
  if (rendered.code !== 0) throw new Error(`render-config.sh: ${rendered.stderr}`);
  if (args['pager-group-wait'] !== undefined) {
    const doc = parseDocument(await readFile(amConfig, 'utf8'));
    const routes = doc.getIn(['route', 'routes']);
    const pager = isSeq(routes)
      ? routes.items.find((r) => isMap(r) && r.get('receiver') === 'pager')
      : undefined;
    if (!isMap(pager)) throw new Error('no pager route in alertmanager.yml');
    pager.set('group_wait', args['pager-group-wait']);
    await writeFile(amConfig, String(doc));
  }
  const am = await startAlertmanager(amConfig);
  const prom = await startPrometheus({
    vantage: [vantage.baseUrl],
    alertmanagers: [am.url],
    resendDelay: '1m', // Prometheus's default: what a shipped deployment runs
    ...(args['availability-interval'] === undefined
      ? {}
      : {
          intervals: { groups: { [settings.ruleGroup]: args['availability-interval'] } },
        }),
  });
  const stopEverything = async (): Promise<void> => {
    await prom.stop();
    await am.stop();
    await stopAll();
    await Promise.all(targets.map((t) => t.stop()));
    await receiver.close();
  };

  try {
    const polling = { done: false };
    const poller = pollVantage(vantage.baseUrl, polling);
    await prom.waitForTargets(60_000);
    // VantageTargetDown needs a check that has succeeded (vantage_probes_total{result="success"}).
    await prom.waitForQuery(
      'probe_success == 1 and on (target) vantage_probes_total{result="success"}',
      (s) => s.length === targets.length,
      120_000,
    );
    const start = Date.now();
    console.log(
      `${targets.length} targets up in Prometheus; outages start over the next ${spreadMs / 1000} s ` +
        `(scrape ${settings.scrapeMs / 1000} s; ${settings.ruleGroup} evaluated every ${evaluationMs / 1000} s, ` +
        `for ${settings.forMs / 1000} s; pager group_wait ${groupWaitMs / 1000} s, group_interval ${groupIntervalMs / 1000} s)`,
    );

    const outage = async (t: Target): Promise<void> => {
      await sleep(random() * spreadMs);
      t.downAt = Date.now();
      await t.stop();
      const page = await pagerMessage(receiver, t.name, 'firing', 6 * 60_000);
      if (!page) console.error(`${t.name}: no page within 6 minutes`);
      t.pagedAt = page?.at ?? NaN;
      t.page = page?.alert;
      // Back at a random moment of the pager group's flush cycle (group_interval).
      await sleep(random() * groupIntervalMs);
      await t.start();
      t.upAt = Date.now();
      const resolved = await pagerMessage(receiver, t.name, 'resolved', 6 * 60_000);
      if (!resolved) console.error(`${t.name}: no resolution within 6 minutes`);
      t.resolvedAt = resolved?.at ?? NaN;
      t.resolution = resolved?.alert;
      console.log(
        `${t.name}: page after ${fixed((t.pagedAt - t.downAt) / 1000, 1)} s, ` +
          `resolved ${fixed((t.resolvedAt - t.upAt) / 1000, 1)} s after recovery`,
      );
    };
    const blip = async (t: Target): Promise<void> => {
      await sleep(random() * spreadMs);
      // Down around exactly one probe: vantage probes each check at a fixed rate from its
      // second probe on (the first comes within 10 s of start, off the check's phase).
      while (t.requests < 2) await sleep(100);
      let nextProbe = t.lastRequestAt + t.intervalMs;
      while (nextProbe - BLIP_MARGIN_MS < Date.now() + 100) nextProbe += t.intervalMs;
      await sleep(nextProbe - BLIP_MARGIN_MS - Date.now());
      t.downAt = Date.now();
      await t.stop();
      await sleep(nextProbe + BLIP_MARGIN_MS - Date.now());
      await t.start();
      t.upAt = Date.now();
    };
    await Promise.all(targets.map((t) => (t.kind === 'outage' ? outage(t) : blip(t))));
    // A blip that were to page would do so within P + scrape + evaluation + for + group_wait.
    const lastBlip = Math.max(...targets.filter((t) => t.kind === 'blip').map((t) => t.upAt), 0);
    await sleep(Math.max(0, lastBlip + 150_000 - Date.now()));
    polling.done = true;
    await poller;

    const metrics = await (await fetch(`${vantage.baseUrl}/metrics`)).text();
    const failures = new Map(
      samplesOf(metrics, new Set(['vantage_probes_total']))
        .filter((s) => s.labels.result === 'failure')
        .map((s) => [s.labels.target!, s.value]),
    );
    const window = `${Math.ceil((Date.now() - start) / 1000) + 120}s`;
    const firstAfter = async (expr: string, after: number, value?: number): Promise<number> => {
      const series = await prom.querySeries(`${expr}[${window}]`);
      const times = series
        .flatMap((s) => s.values)
        .filter((v) => v.timestamp >= after && (value === undefined || v.value === value))
        .map((v) => v.timestamp);
      return times.length > 0 ? Math.min(...times) : NaN;
    };

    // The evaluation at which the alert went pending. ALERTS_FOR_STATE is written at every
    // evaluation while the alert is pending or firing, its value the alert's activeAt in whole
    // seconds: the pending evaluation is the one of those (they are evaluationMs apart) that
    // lies in activeAt's second, found even if the first sample itself were missing.
    const activeAt = async (target: string, after: number): Promise<number> => {
      const series = await prom.querySeries(
        `ALERTS_FOR_STATE{alertname="VantageTargetDown", target="${target}"}[${window}]`,
      );
      const first = series
        .flatMap((x) => x.values)
        .filter((v) => v.timestamp >= after)
        .sort((a, b) => a.timestamp - b.timestamp)[0];
      if (!first) return NaN;
      const second = first.value * 1000;
      return first.timestamp - Math.floor((first.timestamp - second) / evaluationMs) * evaluationMs;
    };
    const rows: Row[] = [];
    for (const t of targets) {
      const alerts = (state: string): string =>
        `ALERTS{alertname="VantageTargetDown", target="${t.name}", alertstate="${state}"}`;
      rows.push({
        name: t.name,
        kind: t.kind,
        intervalMs: t.intervalMs,
        downAt: t.downAt,
        upAt: t.upAt,
        failedProbes: failures.get(t.name) ?? 0,
        probeFailedAt: firstFlip(t.name, 0, t.downAt),
        scrapedFailedAt: await firstAfter(`probe_success{target="${t.name}"}`, t.downAt, 0),
        pendingAt: await activeAt(t.name, t.downAt),
        firingAt: await firstAfter(alerts('firing'), t.downAt),
        pagedAt: t.pagedAt,
        pageStartsAt: t.page ? Date.parse(t.page.startsAt) : NaN,
        probeOkAt: firstFlip(t.name, 1, t.upAt),
        scrapedOkAt: await firstAfter(`probe_success{target="${t.name}"}`, t.upAt, 1),
        resolvedEvalAt: t.resolution ? Date.parse(t.resolution.endsAt) : NaN,
        resolvedAt: t.resolvedAt,
        pages: receiver.received
          .filter(
            (r) =>
              r.path === '/pager' && r.message.status === 'firing' && r.message.groupLabels.target === t.name,
          )
          .map((r) => ({ alertname: r.message.groupLabels.alertname!, after: r.receivedAt - t.downAt })),
      });
    }
    writeFileSync(join(workDir, 'results.json'), JSON.stringify({ seed, settings, rows }, null, 2));
    // The configuration and rules this run used, beside its figures (the TSDB left out).
    const tsdb = join(prom.dir, 'data');
    await cp(prom.dir, join(workDir, 'prometheus'), {
      recursive: true,
      filter: (src) => !src.startsWith(tsdb),
    });
    report(rows, intervals.map(durationMs), settings);
    console.log(`\nraw figures: ${join(workDir, 'results.json')}`);
  } finally {
    await stopEverything();
  }
}

await main();
