/**
 * Beyond one machine, on loopback (docs/scaling.md):
 *
 * - Two vantage instances as two locations probing the same target, scraped by a real
 *   Prometheus that runs the repository's prometheus.yml and rule files (intervals shortened),
 *   each scrape target with its `location` label from file_sd. The recording rules give one
 *   series per target across both locations; a target failing from one location does not
 *   raise VantageTargetDown, failing from both does.
 * - The global view: the same two locations, each with its own Prometheus running the shipped
 *   location.yml (rules evaluated locally, raw series remote-written), and a third Prometheus
 *   running global.yml with its remote-write receiver on, standing in for Mimir: one series per
 *   target there, VantageTargetDown only when both locations fail, and the report made from it
 *   equal to the one made from a single Prometheus holding the same samples.
 * - Two `vantage serve --shard=I/2` processes on one config probe disjoint sets of targets
 *   whose union is every target, each exporting target-level series for its own targets only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/render/json.js';
import { buildReport } from '../../src/report/report.js';
import { shardOf } from '../../src/service/shard.js';
import { copiedSeries, startBackfilledPrometheus } from '../helpers/backfill.js';
import { startPrometheus, type Prometheus, type Series } from '../helpers/prometheus.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';
import { freePort } from '../helpers/ports.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vantage.js');

/** Poll `fn` every 250 ms until it returns a truthy value; fail with `what` after `timeoutMs`. */
async function eventually<T>(
  fn: () => Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A stand-in for the target as one location sees it: healthy until told to fail. */
async function standIn(): Promise<{ server: TestServer; failing: boolean }> {
  const state = { failing: false };
  const server = await startHttpServer((_req, res) => {
    res.statusCode = state.failing ? 503 : 200;
    res.end(state.failing ? 'unavailable\n' : 'status: ok\n');
  });
  return Object.assign(state, { server });
}

const locationConfig = (url: string) => `
global:
  interval: 1s
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: 1s
    http: {valid_status_codes: [200], preferred_ip_protocol: ip4}
targets:
  - name: shop
    url: ${url}
    modules: [http_2xx]
    labels: {team: web}
    slo: {availability: 0.99, latency: 1s}
`;

/** The value of each series of `expr` by its location. */
async function byLocation(prometheus: Prometheus, expr: string): Promise<Record<string, number>> {
  return Object.fromEntries((await prometheus.query(expr)).map((s) => [s.metric.location, s.value]));
}

/**
 * Once shop fails from eu-west only: `prometheus` sees it, shop's one availability series
 * drops, and VantageTargetDown stays silent, not even pending, for well past its `for: 2s`.
 */
async function expectNoTargetDownFromOneLocation(prometheus: Prometheus): Promise<void> {
  await eventually(async () => {
    const seen = await byLocation(prometheus, 'probe_success{target="shop"}');
    return seen['eu-west'] === 0 && seen['us-east'] === 1;
  }, 'Prometheus to see shop down from eu-west and up from us-east');
  const downSince = Date.now();

  // One series, counting both locations: half the probes fail now, so availability drops.
  const availability = await prometheus.waitForQuery(
    'target:vantage_probe_availability:ratio_rate5m{target="shop"}',
    (r) => r.length === 1 && r[0]!.value < 1,
  );
  expect(availability[0]!.value).toBeGreaterThan(0);

  await eventually(
    async () => (await prometheus.lastEvaluation('VantageTargetDown')) > downSince + 4_000,
    'four more evaluations of VantageTargetDown',
  );
  expect(await byLocation(prometheus, 'probe_success{target="shop"}')).toEqual({
    'eu-west': 0,
    'us-east': 1,
  });
  expect(await prometheus.querySeries('ALERTS{alertname="VantageTargetDown"}[5m]')).toEqual([]);
  expect(await prometheus.alerts({ alertname: 'VantageTargetDown' })).toEqual([]);
}

/** Once shop fails from both locations: VantageTargetDown fires on `prometheus`, without a location. */
async function expectTargetDownFromEveryLocation(prometheus: Prometheus): Promise<void> {
  const firing = await prometheus.waitForQuery('ALERTS{alertname="VantageTargetDown",alertstate="firing"}');
  expect(firing.map((s) => s.metric)).toEqual([
    {
      __name__: 'ALERTS',
      alertname: 'VantageTargetDown',
      alertstate: 'firing',
      job: 'vantage',
      severity: 'critical',
      target: 'shop',
      team: 'web',
    },
  ]);
  expect(await byLocation(prometheus, 'probe_success{target="shop"}')).toEqual({
    'eu-west': 0,
    'us-east': 0,
  });
  const alerts = await prometheus.alerts({ alertname: 'VantageTargetDown' });
  expect(alerts.map((a) => [a.state, a.annotations.summary])).toEqual([
    ['firing', 'shop is down from every location'],
  ]);
}

describe('two locations, one Prometheus', () => {
  let fromEu: Awaited<ReturnType<typeof standIn>>;
  let fromUs: Awaited<ReturnType<typeof standIn>>;
  let eu: Harness;
  let us: Harness;
  let prometheus: Prometheus;

  beforeAll(async () => {
    [fromEu, fromUs] = await Promise.all([standIn(), standIn()]);
    [eu, us] = await Promise.all([
      startVantage(locationConfig(`${fromEu.server.origin}/`)),
      startVantage(locationConfig(`${fromUs.server.origin}/`)),
    ]);
    // The shipped prometheus.yml and rules; every rule group evaluated each second and
    // VantageTargetDown's `for` cut from 1m to 2s, the expressions untouched.
    prometheus = await startPrometheus({
      vantage: [
        { targets: [eu.baseUrl], labels: { location: 'eu-west' } },
        { targets: [us.baseUrl], labels: { location: 'us-east' } },
      ],
      intervals: { scrape: '1s', evaluation: '1s', for: { VantageTargetDown: '2s' } },
    });
    await prometheus.waitForTargets();
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all([eu?.close(), us?.close()]);
    await Promise.all([fromEu?.server.close(), fromUs?.server.close()]);
  });

  it('records one series per target across both locations, without location or instance', async () => {
    const availability = await prometheus.waitForQuery(
      'target:vantage_probe_availability:ratio_rate5m',
      (r) => r.length > 0 && r[0]!.value === 1,
    );
    expect(availability).toHaveLength(1);
    expect(availability[0]!.metric).toEqual({
      __name__: 'target:vantage_probe_availability:ratio_rate5m',
      job: 'vantage',
      target: 'shop',
      team: 'web',
    });

    // The raw series keep both locations apart; every rule level above them does not.
    expect(await byLocation(prometheus, 'probe_success{target="shop"}')).toEqual({
      'eu-west': 1,
      'us-east': 1,
    });
    expect(await byLocation(prometheus, 'vantage_shard_info{count="1"}')).toEqual({
      'eu-west': 1,
      'us-east': 1,
    });
    for (const rule of ['target:vantage_slo_objective:max', 'target:vantage_slo_burn_rate:ratio_rate5m']) {
      const series = await prometheus.waitForQuery(rule);
      expect(
        series.map((s) => s.metric),
        rule,
      ).toEqual([{ __name__: rule, job: 'vantage', target: 'shop', team: 'web' }]);
    }
  });

  it('does not raise VantageTargetDown while the target fails from one location only', async () => {
    fromEu.failing = true;
    await expectNoTargetDownFromOneLocation(prometheus);
  });

  it('fires VantageTargetDown, without a location, once the target fails from every location', async () => {
    fromUs.failing = true;
    await expectTargetDownFromEveryLocation(prometheus);
  });
});

// Each test waits on two or three Prometheus servers in turn, each wait with its own deadline:
// room for all of them on a loaded machine, so a failure names the wait that ran out.
describe('two locations remote-writing to a global Prometheus', { timeout: 60_000 }, () => {
  const LOCATIONS = ['eu-west', 'us-east'] as const;
  type Location = (typeof LOCATIONS)[number];
  let from: Record<Location, Awaited<ReturnType<typeof standIn>>>;
  let vantages: Harness[] = [];
  let local: Record<Location, Prometheus>;
  let global: Prometheus;

  beforeAll(async () => {
    const [eu, us] = await Promise.all([standIn(), standIn()]);
    from = { 'eu-west': eu!, 'us-east': us! };
    // Same target name at both locations, each reaching it over its own "network path".
    vantages = await Promise.all(
      LOCATIONS.map((l) => startVantage(locationConfig(`${from[l].server.origin}/`))),
    );
    // The shipped global.yml and rules: every rule group evaluated each second and
    // VantageTargetDown's `for` cut from 1m to 2s, the expressions untouched.
    global = await startPrometheus({
      config: 'global.yml',
      vantage: [],
      args: ['--web.enable-remote-write-receiver'],
      intervals: { scrape: '1s', evaluation: '1s', for: { VantageTargetDown: '2s' } },
    });
    // The shipped location.yml: the location's name as an external label, the rules evaluated
    // locally (every 2s, so their results exist to be dropped), samples sent within a second.
    const [euProm, usProm] = await Promise.all(
      LOCATIONS.map((location, i) =>
        startPrometheus({
          config: 'location.yml',
          vantage: [vantages[i]!.baseUrl],
          externalLabels: { location },
          remoteWrite: [`${global.url}/api/v1/write`],
          intervals: { scrape: '1s', evaluation: '2s', batchSendDeadline: '1s' },
        }),
      ),
    );
    local = { 'eu-west': euProm!, 'us-east': usProm! };
    await Promise.all([global, euProm!, usProm!].map((p) => p.waitForTargets()));
  });

  afterAll(async () => {
    await Promise.all([global, ...Object.values(local ?? {})].map((p) => p?.stop()));
    await Promise.all(vantages.map((v) => v.close()));
    await Promise.all(Object.values(from ?? {}).map((f) => f.server.close()));
  });

  it('records one availability per target on the global, from the raw series alone', async () => {
    const availability = await global.waitForQuery(
      'target:vantage_probe_availability:ratio_rate5m',
      (r) => r.length > 0 && r[0]!.value === 1,
    );
    expect(availability.map((s) => s.metric)).toEqual([
      {
        __name__: 'target:vantage_probe_availability:ratio_rate5m',
        job: 'vantage',
        target: 'shop',
        team: 'web',
      },
    ]);
    // The raw series arrive with each location's external label.
    expect(await byLocation(global, 'probe_success{target="shop"}')).toEqual({ 'eu-west': 1, 'us-east': 1 });
    expect(await byLocation(global, 'up{job="vantage"}')).toEqual({ 'eu-west': 1, 'us-east': 1 });

    // Each location records the same series and raises its own Watchdog: location.yml's
    // write_relabel_configs are all that keep them from the global, where they would stand
    // beside the global's own with a location label.
    for (const location of LOCATIONS) {
      const recorded = await local[location].waitForQuery('target:vantage_probe_availability:ratio_rate5m');
      await local[location].waitForQuery('ALERTS{alertname="Watchdog"}');
      // Until the global holds raw samples this location scraped after it recorded that.
      await eventually(
        async () =>
          (await global.query(`timestamp(up{job="vantage",location="${location}"})`))[0]!.timestamp >
          recorded[0]!.timestamp + 1_000,
        `${location}'s samples after its first recorded series to reach the global`,
      );
    }
    // The target level has no location on the global; a location's copy would. (Check-level
    // copies would carry the very labels of the global's own: two writers of one series.)
    expect(await global.query('{__name__=~"target:.+", location!=""}')).toEqual([]);
    expect(await global.query('ALERTS{alertname="Watchdog", location!=""}')).toEqual([]);
    expect(await global.query('ALERTS{alertname="Watchdog"}')).toHaveLength(1);
  });

  it('does not raise VantageTargetDown on the global while one location fails', async () => {
    from['eu-west'].failing = true;
    await expectNoTargetDownFromOneLocation(global);
  });

  it('fires VantageTargetDown on the global, without a location, once both locations fail', async () => {
    from['us-east'].failing = true;
    await expectTargetDownFromEveryLocation(global);
  });

  it('makes the same report from the global as from one Prometheus holding the same samples', async () => {
    // The report's time: a moment every location has scraped past (a 1s scrape has finished
    // within its 1s timeout), so each location's TSDB already holds every sample up to it.
    const at = Date.now() - 2_000;
    // Every sample of every series scraped from vantage: what location.yml sends (not the
    // recorded and alert series, which keep `job`), and all the report reads.
    const raw = (matcher = '') =>
      `{job="vantage", __name__!~".+:.+|ALERTS|ALERTS_FOR_STATE"${matcher ? `, ${matcher}` : ''}}[1h]`;
    const copied = new Map<Location, Series[]>();
    for (const location of LOCATIONS) copied.set(location, await local[location].querySeries(raw(), at));
    const samples = (series: Series[]) => series.reduce((n, s) => n + s.values.length, 0);

    // remote_write runs behind the scrapes (batch_send_deadline 1s, then the request): wait
    // until the global holds every sample each location had up to the report's time.
    await Promise.all(
      LOCATIONS.map((location) => {
        const expected = samples(copied.get(location)!);
        return eventually(
          async () => samples(await global.querySeries(raw(`location="${location}"`), at)) === expected,
          `the global to hold ${location}'s ${expected} samples up to the report's time`,
        );
      }),
    );

    // The single Prometheus of docs/scaling.md "Option A", holding the same samples: both
    // locations' series at their scrape instants, labelled with their location as Option A's
    // file_sd does. (A Prometheus scraping both vantages itself would scrape at other instants,
    // so its raw-sample percentiles and gauge means would differ by its timing, not by the
    // global view.)
    const single = await startBackfilledPrometheus(
      copiedSeries(
        LOCATIONS.flatMap((location) =>
          copied.get(location)!.map((s) => ({ ...s, metric: { ...s.metric, location } })),
        ),
      ),
    );
    try {
      const report = async (prometheus: { url: string }) => {
        const made = await buildReport({
          prometheusUrl: prometheus.url,
          date: new Date(at).toISOString().slice(0, 10),
          period: 'day',
          timeZone: 'UTC',
          now: at,
        });
        // generatedAt is the same `now` for both. prometheusUrl names the Prometheus asked,
        // the one thing that legitimately differs (and any sentence quoting it).
        return {
          made,
          json: JSON.parse(renderJson(made).replaceAll(prometheus.url, 'PROMETHEUS')) as unknown,
        };
      };
      const [fromGlobal, fromSingle] = await Promise.all([report(global), report(single)]);
      // Not two empty reports: both locations' probes, the failures of the tests before included.
      const { probes, failures } = fromGlobal.made.monitoring.overall;
      expect(fromGlobal.made.hasData).toBe(true);
      expect(failures.current).toBeGreaterThan(0);
      expect(probes.current).toBeGreaterThan(failures.current!);
      expect(fromGlobal.json).toEqual(fromSingle.json);
    } finally {
      await single.stop();
    }
  });
});

describe('vantage serve --shard', () => {
  const children: ChildProcess[] = [];
  let dir = '';
  let site: TestServer;
  const names = Array.from({ length: 12 }, (_, i) => `site-${i}`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vantage-scaling-shard-'));
    site = await startHttpServer((_req, res) => res.end('status: ok\n'));
    await writeFile(
      join(dir, 'vantage.yml'),
      [
        'global: {interval: 1s, jitter: 0}',
        'modules:',
        '  http_2xx: {prober: http, timeout: 1s, http: {preferred_ip_protocol: ip4}}',
        'targets:',
        ...names.map((n) => `  - {name: ${n}, url: "${site.origin}/${n}", slo: {availability: 0.999}}`),
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await site?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startShard(shard: string) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        `--config.file=${join(dir, 'vantage.yml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.path=${join(dir, `data-${shard.replace('/', '-')}`)}`,
        `--shard=${shard}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      () =>
        fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      `vantage --shard=${shard} to be ready`,
    );
    return { url, output: () => output };
  }

  /** target -> present, per family, from one /metrics body. */
  function targetsOf(body: string, family: string): string[] {
    const re = new RegExp(`^${family}\\{target="([^"]+)"`, 'gm');
    return [...new Set([...body.matchAll(re)].map((m) => m[1]!))].sort();
  }

  it('splits the targets of one config between two instances with no overlap and no gap', async () => {
    const shards = await Promise.all([startShard('0/2'), startShard('1/2')]);
    const expected = [0, 1].map((i) => names.filter((n) => shardOf(n, 2) === i).sort());
    expect(expected[0]!.length).toBeGreaterThan(0);
    expect(expected[1]!.length).toBeGreaterThan(0);

    const bodies = await Promise.all(
      shards.map((s, i) =>
        eventually(async () => {
          const body = await (await fetch(`${s.url}/metrics`)).text();
          // Every check of the shard has probed at least once.
          return targetsOf(body, 'probe_success').length === expected[i]!.length ? body : undefined;
        }, `shard ${i}/2 to have probed its targets`),
      ),
    );
    const probed = bodies.map((b) => targetsOf(b, 'probe_success'));
    expect(probed).toEqual(expected);
    expect(probed[0]!.filter((t) => probed[1]!.includes(t))).toEqual([]);
    expect([...probed[0]!, ...probed[1]!].sort()).toEqual([...names].sort());

    for (const [i, body] of bodies.entries()) {
      for (const family of [
        'vantage_probes_total',
        'vantage_target_info',
        'vantage_target_slo_objective',
        'vantage_target_latency_threshold_seconds',
        'vantage_maintenance_active',
      ]) {
        expect(targetsOf(body, family), `${family} on shard ${i}/2`).toEqual(expected[i]);
      }
      expect(body).toContain(`vantage_shard_info{index="${i}",count="2"} 1\n`);
      expect(shards[i]!.output()).toContain(`probing shard ${i} of 2`);
    }

    // On-demand /probe answers for every configured target, on either shard.
    const other = expected[1]![0]!;
    const res = await fetch(`${shards[0]!.url}/probe?target=${other}&module=http_2xx`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('probe_success 1');
  });

  it('refuses a malformed --shard with a message naming the flag', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--shard=2/2'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--shard: expected INDEX/COUNT with 0 <= INDEX < COUNT, got "2/2"');
  });
});
