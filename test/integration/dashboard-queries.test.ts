/**
 * Every query of every shipped Grafana dashboard, against real data (issue 5, point 3).
 *
 * A real vantage probes local servers (plain HTTP, HTTPS with an openssl-made certificate, a
 * target that goes down, one that refuses connections, one in a maintenance window), reloads its
 * configuration once, and audits a local page with Lighthouse in real Chromium; a real
 * node_exporter reports this machine, named in the `hosts` of the target `shop`; a real
 * Prometheus runs the shipped prometheus.yml and rules, scraping vantage and node_exporter and
 * evaluating every rule group every second. Once the ends of the rule chains have data and a minute of history exists, every
 * panel query, annotation and template variable of grafana/dashboards/**.json runs through the
 * Prometheus HTTP API, its variables substituted as Grafana substitutes them
 * (helpers/grafanaTemplating.ts): for every value of each variable and with All, as an instant
 * query and as a range query over the last five minutes, and again over the dashboard's own
 * default time range. A query fails on any error, on a variable left unsubstituted, on a metric
 * name nothing produces, and on an empty result (for every single value of its variables, or
 * with All) that grafana/dashboards/empty-results.yml does not allow with a reason. An entry of
 * that file naming no query fails too. The allowed-empty queries are printed as a table.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestCerts } from '../helpers/certs.js';
import {
  checkDashboard,
  judge,
  keyOf,
  nameOf,
  parseAllowList,
  printTable,
  type Verdict,
} from '../helpers/dashboardCheck.js';
import {
  loadDashboards,
  type DashboardFile,
  type DashboardQuery,
  type RunRange,
} from '../helpers/dashboardQueries.js';
import { interpolate, queryTiming, type VariableValue } from '../helpers/grafanaTemplating.js';
import express from 'express';
import { shopRouter } from '../../src/demo/shop.js';
import { startLighthousePages, type LighthousePagesServer } from '../helpers/lighthousePages.js';
import { startNodeExporter, type NodeExporter } from '../helpers/nodeExporter.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { startHttpServer, startHttpsServer, type TestServer } from '../helpers/servers.js';
import { knownMetricNames, PromApi } from '../helpers/prometheusApi.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';
import { fieldTraffic, postAll } from '../helpers/beacons.js';
import { loadCommand } from '../../src/load/loadCommand.js';

const GRAFANA_DIR = fileURLToPath(new URL('../../grafana/', import.meta.url));
const DASHBOARDS_DIR = join(GRAFANA_DIR, 'dashboards');
const EMPTY_RESULTS = join(DASHBOARDS_DIR, 'empty-results.yml');
/** The dashboard time range of the check: "Last 5 minutes", ending when the check starts. */
const RANGE_MS = 5 * 60_000;
/** How much history the check waits for: more than the longest step (annotations: 1m). */
const HISTORY_MS = 65_000;

// ---------------------------------------------------------------------------------------------
// The running stack

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** The Prometheus data source's scrape interval (jsonData.timeInterval), as Grafana is provisioned. */
async function datasourceScrapeInterval(): Promise<string> {
  const dir = join(GRAFANA_DIR, 'provisioning', 'datasources');
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
    const doc = parse(await readFile(join(dir, file), 'utf8')) as {
      datasources?: { type?: string; jsonData?: { timeInterval?: string } }[];
    } | null;
    const prom = doc?.datasources?.find((ds) => ds.type === 'prometheus');
    if (prom?.jsonData?.timeInterval) return prom.jsonData.timeInterval;
  }
  return '15s'; // Grafana's default
}

/**
 * Every target is a check (an HTTP check, basket's journey, cart's browser flow); landing also has
 * the Lighthouse audit.
 */
const HTTP_TARGETS = ['shop', 'secure', 'checkout', 'legacy', 'docs', 'landing', 'basket', 'cart'];

let servers: TestServer[] = [];
let pages: LighthousePagesServer;
let nodeExporter: NodeExporter;
let vantage: Harness;
let prom: Prometheus;
let api: PromApi;

beforeAll(async () => {
  const certs = createTestCerts();
  const ok = await startHttpServer((_req, res) => void res.end('status: ok\n'));
  const tls = await startHttpsServer(certs.pem(certs.leaf), (_req, res) => void res.end('status: ok\n'));
  // Up for its first three probes, then 503: down after having been up, so VantageTargetDown fires.
  let checkoutRequests = 0;
  const checkout = await startHttpServer((_req, res) => {
    if (++checkoutRequests <= 3) res.end('status: ok\n');
    else res.writeHead(503).end('unavailable\n');
  });
  // A journey whose payment step fails every other run: the Journeys panels get both outcomes.
  let payments = 0;
  const basket = await startHttpServer((req, res) => {
    if (req.url === '/login')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t-1"}');
    else if (req.url === '/pay' && ++payments % 2 === 0) res.writeHead(500).end('payment failed\n');
    else res.end('status: ok\n');
  });
  // The demo shop's product page: a browser flow whose add-to-cart click is slow (INP, CLS, LCP per step).
  const shopApp = express();
  shopApp.use(shopRouter());
  const shop = await startHttpServer(shopApp);
  servers = [ok, tls, checkout, basket, shop];
  pages = await startLighthousePages();
  nodeExporter = await startNodeExporter();

  vantage = await startVantage(`
global: {interval: 1s, jitter: 0}
modules:
  http_2xx:
    prober: http
    timeout: 2s
    http: {valid_status_codes: [200], preferred_ip_protocol: ip4}
  https_2xx:
    prober: http
    timeout: 2s
    http:
      preferred_ip_protocol: ip4
      fail_if_not_ssl: true
      tls_config: {ca_file: ${certs.ca.cert}}
  desktop:
    prober: lighthouse
    timeout: 60s
    lighthouse: {form_factor: desktop, runs: 1, interval: 30s}
  basket_journey:
    prober: journey
    timeout: 2s
    journey:
      steps:
        - name: login
          request: {method: POST, url: /login}
          extract: {token: {json: $.token, secret: true}}
        - name: pay
          request: {method: POST, url: /pay, headers: {Authorization: 'Bearer \${token}'}}
          slo: {latency: 50ms}
        - name: receipt
          request: {url: /receipt}
  cart_flow:
    prober: browser
    timeout: 60s
    browser:
      form_factor: desktop
      interval: 30s
      steps:
        - {name: product, navigate: /demo/shop/catalogue/mug}
        - {name: add_to_cart, click: '#add', wait_for: {text: Added to cart}}
targets:
  - name: cart
    url: ${shop.origin}/
    modules: [cart_flow]
    labels: {team: web}
  - name: basket
    url: ${basket.origin}/
    modules: [basket_journey]
    labels: {team: web}
  - name: shop
    url: ${ok.origin}/shop
    modules: [http_2xx]
    labels: {team: web}
    slo: {availability: 0.995, latency: 250ms}
    # This machine's node_exporter: the Capacity dashboard's per-target panels join through it.
    hosts: ['${nodeExporter.address}']
    load_test: {allowed: true, max_rate: 50}
  - name: secure
    url: ${tls.origin}/
    modules: [https_2xx]
    labels: {team: payments}
  - name: checkout
    url: ${checkout.origin}/
    modules: [http_2xx]
    labels: {team: payments}
  - name: legacy
    url: http://127.0.0.1:${await closedPort()}/
    modules: [http_2xx]
  - name: docs
    url: ${ok.origin}/docs
    modules: [http_2xx]
    labels: {team: docs}
  - name: landing
    url: ${pages.heavyUrl}
    modules: [http_2xx, desktop]
    labels: {team: web}
maintenance_windows:
  - name: always
    targets: [docs]
    cron: '* * * * *'
    duration: 2m
rum:
  sites:
    # The Lighthouse target \`landing\` is a page of this site: the lab-against-field panels join them.
    - name: pages
      origins: [${new URL(pages.heavyUrl).origin}]
      page_groups: [{name: heavy, pattern: '^/heavy$'}]
      goals: [checkout]
  # Every beacon comes from 127.0.0.1 here.
  limits: {rate_per_client: {per_second: 1000, burst: 1000}}
`);
  prom = await startPrometheus({
    vantage: [{ targets: [vantage.baseUrl], labels: { location: 'test-1' } }],
    node: [nodeExporter.address],
    // The shipped rules; every group evaluated every second, and VantageTargetDown after 2 s
    // instead of a minute, so alert panels have a firing alert of a target.
    intervals: { scrape: '1s', evaluation: '1s', for: { VantageTargetDown: '2s' } },
  });
  api = new PromApi(prom.url);
  await prom.waitForTargets();
  // Field data in two batches a few scrapes apart, so rates and the field rules see it grow.
  const fieldOrigin = new URL(pages.heavyUrl).origin;
  const sendField = async (round: number) => {
    const traffic = fieldTraffic('pages', round);
    await postAll(
      vantage.baseUrl,
      traffic.map((t) => t.body),
      (i) => ({ origin: fieldOrigin, userAgent: traffic[i]!.userAgent }),
    );
  };
  await sendField(1);
  const historyStart = Date.now();
  // A configuration reload (the same file) once Prometheus has the first load's timestamp, for
  // the reload panels and annotations.
  await prom.waitForQuery('vantage_config_last_reload_success_timestamp_seconds');
  const reload = await fetch(`${vantage.baseUrl}/-/reload`, { method: 'POST' });
  if (reload.status !== 200) throw new Error(`reload: ${reload.status} ${await reload.text()}`);
  // The second batch once Prometheus holds the first, so every rum_* series grows between scrapes.
  await prom.waitForQuery('rum_page_views_total', undefined, 15_000);
  await sendField(2);
  // A real two-second load test of shop, stored where the running vantage keeps its store: its
  // watch exports the run as vantage_load_test_*, for the Capacity dashboard's Load tests row.
  const loadOutput: string[] = [];
  const loadStatus = await loadCommand(
    {
      'config.file': vantage.configFile,
      target: 'shop',
      rate: '20..40',
      steps: '2',
      'step-duration': '1s',
      'storage.path': dirname(vantage.configFile),
      format: 'json',
    },
    { write: (t) => void loadOutput.push(t), warn: () => {} },
  );
  if (loadStatus !== 0) throw new Error(`vantage load exited ${loadStatus}: ${loadOutput.join('')}`);
  // The ends of the rule chains: recorded series over recorded series (forecasts, the 30-day
  // budget), the Lighthouse baselines, and the alert of the target that went down.
  const until = (n: number) => (samples: unknown[]) => samples.length >= n;
  await Promise.all([
    prom.waitForQuery(
      'target:vantage_slo_error_budget_remaining:ratio30d',
      until(HTTP_TARGETS.length),
      150_000,
    ),
    prom.waitForQuery('target:vantage_probe_duration_seconds:mean_rate1h_forecast14d', until(1), 30_000),
    prom.waitForQuery('ALERTS{alertname="VantageTargetDown", alertstate="firing"}', until(1), 30_000),
    prom.waitForQuery('vantage_config_reloads_total{result="success"}', until(1), 30_000),
    // The capacity chain: a rate of node_exporter's counters, its 7-day forecast (which fits the
    // samples there are, two after two evaluations) and the join of a target with its host.
    prom.waitForQuery('instance:node_cpu_utilisation:predict_linear30d', until(1), 30_000),
    prom.waitForQuery('instance:node_memory_utilisation:predict_linear30d', until(1), 30_000),
    prom.waitForQuery('target:node_disk_io_time_seconds:max{target="shop"}', until(1), 30_000),
    prom.waitForQuery('target_host:up:max{target="shop"}', until(1), 30_000),
    prom.waitForQuery('vantage_load_test_knee_requests_per_second{target="shop"}', until(1), 30_000),
    prom.waitForQuery('target:lighthouse_category_score:avg1h_forecast14d', until(1), 90_000),
    prom.waitForQuery('lighthouse_timing_seconds{metric="interaction_to_next_paint"}', until(1), 150_000),
  ]);
  // Range queries are aligned to their step (15 s, a minute for annotations): with a minute of
  // history their points reach back before the data began, and still see it.
  await new Promise((r) => setTimeout(r, Math.max(0, historyStart + HISTORY_MS - Date.now())));
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await vantage?.close();
  await Promise.all([...servers.map((s) => s.close()), pages?.close(), nodeExporter?.stop()]);
});

// ---------------------------------------------------------------------------------------------
// The shipped dashboards

const dashboards: DashboardFile[] = await loadDashboards(DASHBOARDS_DIR).catch(() => []);
const allowText = await readFile(EMPTY_RESULTS, 'utf8').catch(() => '');
const allowList = parseAllowList(allowText);
const allQueries: DashboardQuery[] = [];
const allowedRows: Verdict['allowed'] = [];
const notes: string[] = [];
const summary: string[] = [];

describe('the shipped Grafana dashboards, against a running vantage and Prometheus', () => {
  let range: RunRange;
  let knownMetrics: Set<string>;
  beforeAll(async () => {
    const toMs = Date.now();
    range = { fromMs: toMs - RANGE_MS, toMs, scrapeInterval: await datasourceScrapeInterval() };
    const metricsText = await (await fetch(`${vantage.baseUrl}/metrics`)).text();
    knownMetrics = await knownMetricNames(api, metricsText, range.fromMs / 1000, toMs / 1000);
  });

  it('exist, each with a unique uid, and empty-results.yml is well formed', () => {
    expect(dashboards.length).toBeGreaterThan(0);
    const uids = dashboards.map((d) => d.uid);
    expect(uids.filter((u) => !u)).toEqual([]);
    expect(uids.filter((u, i) => uids.indexOf(u) !== i)).toEqual([]);
    expect(allowText, `${EMPTY_RESULTS} is missing`).not.toBe('');
    expect(allowList.problems).toEqual([]);
  });

  for (const d of dashboards) {
    it(`${d.uid} (${d.file}): every query runs and returns data`, async () => {
      const result = await checkDashboard(api, d, range);
      allQueries.push(...result.queries);
      // Variables offer the configured targets, nothing else.
      for (const v of result.variables.filter((x) => x.variable === 'target')) {
        expect(v.options.length, `$target of ${d.uid}: ${v.query}`).toBeGreaterThan(0);
        expect(
          v.options.filter((t) => !HTTP_TARGETS.includes(t)),
          `$target of ${d.uid}`,
        ).toEqual([]);
      }
      const verdict = judge(
        result.reports,
        result.variables,
        result.skipped,
        allowList.entries.filter((e) => e.dashboard === d.uid),
        knownMetrics,
      );
      allowedRows.push(...verdict.allowed);
      notes.push(...verdict.notes);
      summary.push(
        `${d.uid}: ${result.queries.length} queries, ${result.selections.length} variable selections ` +
          `(${result.selections.map((x) => x.label).join('; ')})`,
      );
      if (verdict.failures.length > 0) {
        throw new Error(
          `${verdict.failures.length} problem(s) in ${d.file}:\n\n${verdict.failures.join('\n\n')}`,
        );
      }
    }, 60_000);
  }

  it('empty-results.yml names only queries that exist', () => {
    const existing = new Set(allQueries.map(keyOf));
    const known = new Set(dashboards.map((d) => d.uid));
    const stale = allowList.entries
      .filter((e) => !existing.has(keyOf(e)))
      .map((e) => `${nameOf(e)}${known.has(e.dashboard) ? '' : ' (no such dashboard)'}`);
    expect(stale, 'stale entries in empty-results.yml').toEqual([]);
  });

  afterAll(() => {
    if (allowedRows.length > 0) {
      const rows = [['dashboard', 'panel', 'refId', 'now', 'reason']];
      for (const { entry, hadData } of allowedRows) {
        rows.push([entry.dashboard, entry.panel, entry.refId, hadData ? 'data' : 'empty', entry.reason]);
      }
      console.log(`Queries allowed to return no data (empty-results.yml):\n${printTable(rows)}`);
    }
    if (notes.length > 0) console.log(`Notes:\n${notes.join('\n')}`);
    console.log(`Checked:\n${summary.join('\n')}`);
  });
});

// ---------------------------------------------------------------------------------------------
// The check itself, on a fixture dashboard with known faults

describe('the check itself', () => {
  const variable = (selected: string[] | 'all'): Map<string, VariableValue> =>
    new Map([
      [
        'target',
        { name: 'target', multi: true, includeAll: true, allValue: '.*', options: ['a', 'b.c'], selected },
      ],
    ]);
  const range = { fromMs: 0, toMs: RANGE_MS };

  it('interpolates variables and built-ins as Grafana does', () => {
    const { builtins, stepSeconds } = queryTiming({ ...range, scrapeInterval: '15s' });
    expect(stepSeconds).toBe(15);
    expect(builtins).toMatchObject({
      __interval: '15s',
      __rate_interval: '60s',
      __range: '300s',
      __range_s: '300',
    });
    const expr = 'x{target=~"$target",t2=~"${target:regex}",t3="${target:pipe}"}[$__rate_interval]';
    expect(interpolate(expr, variable('all'), builtins, range)).toBe('x{target=~".*",t2=~".*",t3=".*"}[60s]');
    expect(interpolate(expr, variable(['a', 'b.c']), builtins, range)).toBe(
      'x{target=~"(a|b\\\\.c)",t2=~"(a|b\\.c)",t3="a|b.c"}[60s]',
    );
    expect(interpolate('${__to:date:seconds} $1 $nope [[target]]', variable(['a']), builtins, range)).toBe(
      '300 $1 $nope a',
    );
  });

  it('reports errors, unsubstituted variables, empty results not allowed, and stale entries', async () => {
    const panel = (title: string, expr: string) => ({
      title,
      type: 'timeseries',
      targets: [{ refId: 'A', expr }],
    });
    const fixture: DashboardFile = {
      file: 'fixture.json',
      uid: 'fixture',
      model: {
        uid: 'fixture',
        templating: {
          list: [
            {
              name: 'target',
              type: 'query',
              query: { query: 'label_values(probe_success, target)' },
              includeAll: true,
              multi: true,
              allValue: '.*',
            },
          ],
        },
        panels: [
          panel('Good', 'rate(vantage_probes_total{target=~"$target"}[$__rate_interval])'),
          {
            title: 'Row',
            type: 'row',
            panels: [
              panel('Broken', 'rate(probe_success{target=~"$target"})'),
              panel('Nothing', 'probe_success{target=~"$target", module="nope"}'),
              panel('Allowed', 'ALERTS{alertname="NeverFires", target=~"$target"}'),
              panel('Typo', 'probe_success{target=~"$tagret"}'),
              panel('Misspelt', 'probe_sucess{target=~"$target"} or probe_success{target=~"$target"}'),
            ],
          },
        ],
      },
    };
    const toMs = Date.now();
    const result = await checkDashboard(api, fixture, {
      fromMs: toMs - RANGE_MS,
      toMs,
      scrapeInterval: '15s',
    });
    expect(result.variables[0]!.options.sort()).toEqual([...HTTP_TARGETS].sort());
    // One selection per target, and All.
    expect(result.selections).toHaveLength(HTTP_TARGETS.length + 1);
    const metricsText = await (await fetch(`${vantage.baseUrl}/metrics`)).text();
    const known = await knownMetricNames(api, metricsText, (toMs - RANGE_MS) / 1000, toMs / 1000);
    const verdict = judge(
      result.reports,
      result.variables,
      result.skipped,
      [
        { dashboard: 'fixture', panel: 'Allowed', refId: 'A', reason: 'never fires' },
        { dashboard: 'fixture', panel: 'Gone', refId: 'A', reason: 'a panel that was removed' },
      ],
      known,
    );
    const n = HTTP_TARGETS.length + 1; // every target, and All
    expect(verdict.failures.map((f) => f.split('\n')[0])).toEqual([
      expect.stringMatching(
        new RegExp(
          `^fixture / "Broken" / A: instant query failed: .*range vector.* \\(${n} of ${n} selections, e\\.g\\. target=\\w+\\):$`,
        ),
      ),
      expect.stringMatching(/^fixture \/ "Broken" \/ A: range query failed: /),
      `fixture / "Nothing" / A: no data for every single value of its variables and with All selected (${n} selections), and empty-results.yml does not allow it:`,
      expect.stringMatching(
        new RegExp(`^fixture / "Typo" / A: unsubstituted \\$tagret \\(${n} of ${n} selections`),
      ),
      'fixture / "Misspelt" / A: selects probe_sucess, which nothing produces (not on vantage\'s /metrics, not stored by Prometheus, not a recording rule):',
      'empty-results.yml: fixture / "Gone" / A names no query of any dashboard (stale entry)',
    ]);
    expect(verdict.allowed).toEqual([
      { entry: expect.objectContaining({ panel: 'Allowed' }), hadData: false },
    ]);
  });
});
