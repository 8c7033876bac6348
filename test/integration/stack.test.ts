/**
 * `vantage stack` as a user runs it (`node bin/vantage.js stack`, from the built dist/): the
 * real vantage, Debian's Prometheus, Alertmanager and node_exporter on 127.0.0.1, on ports this
 * test picks.
 *
 * vantage gets an HTTP-only config: the embedded demo config would start Lighthouse audits, and
 * Chrome runs only in the `chrome` test project.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tryBind } from '../../src/stack/preflight.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/vantageHarness.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');
const dir = mkdtempSync(join(tmpdir(), 'vantage-stack-'));

/** `count` distinct free ports, all held at once while choosing so none repeats. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  // SIGTERM: the runner stops its own children; a test that failed midway leaves nothing behind.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
});

function stack(args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(process.execPath, [BIN, 'stack', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  };
}

function portArgs([vantage, prometheus, alertmanager, nodeExporter]: number[]): string[] {
  return [
    `--vantage.port=${vantage}`,
    `--prometheus.port=${prometheus}`,
    `--alertmanager.port=${alertmanager}`,
    `--node-exporter.port=${nodeExporter}`,
  ];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

let target: TestServer;
let configFile: string;

beforeAll(async () => {
  target = await startHttpServer((_req, res) => res.end('status: ok\n'));
  configFile = join(dir, 'vantage.yml');
  writeFileSync(
    configFile,
    `modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\ntargets:\n  - name: local\n    url: ${target.origin}/\n    modules: [http_2xx]\n    interval: 2s\n`,
  );
});
afterAll(() => target.close());

describe('vantage stack', () => {
  it('runs vantage, Prometheus, Alertmanager and node_exporter on loopback; Prometheus scrapes vantage and targets node_exporter; SIGHUP reloads, SIGINT stops all four', async () => {
    const ports = await freePorts(4);
    const [vantagePort, promPort, amPort, nodePort] = ports as [number, number, number, number];
    // The same config with reports made from this stack's Prometheus.
    const reportingConfig = join(dir, 'vantage-reports.yml');
    writeFileSync(
      reportingConfig,
      `${readFileSync(configFile, 'utf8')}report:\n  prometheus_url: http://127.0.0.1:${promPort}\n`,
    );
    const run = stack([
      `--config.file=${reportingConfig}`,
      `--storage.path=${join(dir, 'data')}`,
      ...portArgs(ports),
    ]);
    await waitFor(
      () => run.stdout().includes('vantage stack is ready') || run.child.exitCode !== null,
      60_000,
      'the stack to be ready',
    );
    expect(run.child.exitCode, run.stderr()).toBeNull();
    expect(run.stdout()).toContain(`http://127.0.0.1:${vantagePort}/`);
    expect(run.stdout()).toContain(`http://127.0.0.1:${promPort}/`);
    expect(run.stdout()).toContain(`http://127.0.0.1:${amPort}/`);
    expect(run.stdout()).toContain(`http://127.0.0.1:${nodePort}/metrics`);
    expect(run.stdout()).toMatch(/Grafana +not started by this runner/);
    expect(run.stdout()).toContain('grafana/provisioning/datasources/');

    for (const port of [vantagePort, promPort, amPort]) {
      const res = await fetch(`http://127.0.0.1:${port}/-/ready`);
      expect(res.status, `/-/ready on ${port}`).toBe(200);
    }
    const nodeMetrics = async () => (await fetch(`http://127.0.0.1:${nodePort}/metrics`)).text();
    expect(await nodeMetrics()).toContain('node_cpu_seconds_total{');

    // The shipped rules are loaded, and alerts go to this Alertmanager.
    const prom = `http://127.0.0.1:${promPort}`;
    const rules = await getJson<{ data: { groups: { name: string }[] } }>(`${prom}/api/v1/rules`);
    expect(rules.data.groups.length).toBeGreaterThan(3);
    const ams = await waitFor(
      async () => {
        const r = await getJson<{ data: { activeAlertmanagers: { url: string }[] } }>(
          `${prom}/api/v1/alertmanagers`,
        );
        return r.data.activeAlertmanagers.length > 0 ? r.data.activeAlertmanagers : undefined;
      },
      10_000,
      'Prometheus to discover Alertmanager',
    );
    expect(ams![0]!.url).toContain(`127.0.0.1:${amPort}`);

    // The first scrape comes within one 15 s scrape interval of discovery.
    const query = async (q: string) =>
      (
        await getJson<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(
          `${prom}/api/v1/query?query=${encodeURIComponent(q)}`,
        )
      ).data.result;
    const up = await waitFor(
      async () => {
        const r = await query('up{job="vantage"}');
        return r.length > 0 ? r : undefined;
      },
      25_000,
      'a scrape of vantage',
    );
    expect(up![0]!.metric.instance).toBe(`127.0.0.1:${vantagePort}`);
    expect(up![0]!.value[1]).toBe('1');
    // The node job scrapes the stack's node_exporter on its port (the copy's targets/node.yml).
    // Its target, not its first scrape: that comes at an offset of up to 15 s, and the node
    // series themselves are checked against a real Prometheus in dashboard-queries.test.ts.
    const targets = await getJson<{
      data: { activeTargets: { labels: Record<string, string>; scrapeUrl: string }[] };
    }>(`${prom}/api/v1/targets?state=active`);
    expect(targets.data.activeTargets.filter((t) => t.labels.job === 'node').map((t) => t.scrapeUrl)).toEqual(
      [`http://127.0.0.1:${nodePort}/metrics`],
    );

    // Writes need the token the stack generated (owner-only) and gave Alertmanager too.
    const tokenFile = join(dir, 'data', 'admin-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(run.stdout()).toContain(`Admin token in ${tokenFile}`);

    // vantage makes its reports from the stack's Prometheus: today's, on request.
    const today = new Date().toISOString().slice(0, 10);
    const makeReport = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${vantagePort}/api/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ date: today }),
      });
    expect((await makeReport({})).status).toBe(401);
    const made = await makeReport({ authorization: `Bearer ${token}` });
    expect(made.status).toBe(201);

    // Alertmanager delivers to vantage's incident log with that token (route (a), no group_wait).
    const posted = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'StackTokenCheck', severity: 'info', target: 'local' },
          startsAt: new Date().toISOString(),
        },
      ]),
    });
    expect(posted.status).toBe(200);
    await waitFor(
      async () =>
        (
          await getJson<{ incidents: { alertname: string }[] }>(
            `http://127.0.0.1:${vantagePort}/api/incidents`,
          )
        ).incidents.some((i) => i.alertname === 'StackTokenCheck'),
      15_000,
      "Alertmanager's notification in vantage's incident log",
    );
    const report = await getJson<{ prometheusUrl: string; period: { label: string } }>(
      `http://127.0.0.1:${vantagePort}/reports/day/${today}.json`,
    );
    expect(report.prometheusUrl).toBe(prom);
    expect(report.period.label).toBe(today);

    // Each child's lines behind its name.
    expect(run.stderr()).toMatch(/^vantage {7}\| level=info ts=\S+ msg="vantage listening"/m);
    expect(run.stderr()).toMatch(/^prometheus {4}\| .*Server is ready to receive web requests/m);
    expect(run.stderr()).toMatch(/^alertmanager {2}\| /m);
    // node_exporter runs at log level warn: none of its ~50 info lines at start bury the banner.
    expect(run.stderr()).not.toMatch(/^node-exporter \| .*level=info/m);

    // SIGHUP: the Alertmanager config is rendered again and all three reload.
    const count = (text: string, needle: string) => text.split(needle).length - 1;
    const loaded = 'Completed loading of configuration file';
    expect(count(run.stderr(), loaded)).toBe(2); // one line each from Prometheus and Alertmanager
    run.child.kill('SIGHUP');
    await waitFor(
      () =>
        count(run.stderr(), loaded) === 4 &&
        run.stderr().includes('SIGHUP received, reloading configuration'),
      10_000,
      'all three to reload',
    );
    expect(count(run.stderr(), 'render-config.sh: warning: VANTAGE_PAGER_WEBHOOK_URL is not set')).toBe(2);
    expect(run.child.exitCode).toBeNull();
    // node_exporter got no SIGHUP (it would have ended): still serving.
    expect(await nodeMetrics()).toContain('node_cpu_seconds_total{');

    const stoppedAt = Date.now();
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit, run.stderr().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(6000);
    expect(run.stdout()).toContain('vantage stack: stopped');
    // Nothing listens any more: all four are gone.
    for (const port of ports) expect(await tryBind(port), `port ${port}`).toBeUndefined();
  }, 90_000);

  it('refuses to start without Prometheus, Alertmanager or node_exporter, naming the Debian package', () => {
    const explicit = spawnSync(
      process.execPath,
      [BIN, 'stack', `--storage.path=${join(dir, 'missing')}`, '--prometheus.binary=/nonexistent/prometheus'],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(explicit.status).toBe(1);
    expect(explicit.stderr).toContain('vantage stack: cannot start');
    expect(explicit.stderr).toContain('Prometheus not found: --prometheus.binary=/nonexistent/prometheus');
    expect(explicit.stderr).toContain('apt-get install --no-install-recommends prometheus)');

    const noNode = spawnSync(
      process.execPath,
      [BIN, 'stack', `--storage.path=${join(dir, 'missing')}`, '--node-exporter.binary=/nonexistent/ne'],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(noNode.status).toBe(1);
    expect(noNode.stderr).toContain('node_exporter not found: --node-exporter.binary=/nonexistent/ne');
    expect(noNode.stderr).toContain('apt-get install --no-install-recommends prometheus-node-exporter)');

    // None on PATH: each named, with its package.
    const emptyDir = mkdtempSync(join(tmpdir(), 'vantage-stack-path-'));
    const onPath = spawnSync(process.execPath, [BIN, 'stack', `--storage.path=${join(dir, 'missing')}`], {
      encoding: 'utf8',
      timeout: 15_000,
      env: { ...process.env, PATH: emptyDir },
    });
    expect(onPath.status).toBe(1);
    expect(onPath.stderr).toContain('Prometheus not found: no prometheus on PATH');
    expect(onPath.stderr).toContain(
      'Alertmanager not found: no prometheus-alertmanager or alertmanager on PATH',
    );
    expect(onPath.stderr).toContain('apt-get install --no-install-recommends prometheus-alertmanager');
    expect(onPath.stderr).toContain(
      'node_exporter not found: no prometheus-node-exporter or node_exporter on PATH',
    );
  });

  it('refuses to start when a port is taken, naming the port and what it was for', async () => {
    const ports = await freePorts(4);
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(ports[1], '127.0.0.1', r));
    try {
      const run = stack([`--storage.path=${join(dir, 'taken')}`, ...portArgs(ports)]);
      const exit = await run.exited;
      expect(exit.code).toBe(1);
      expect(run.stderr()).toContain(`port ${ports[1]} for Prometheus on 127.0.0.1 is taken`);
      expect(run.stderr()).toContain('--prometheus.port=PORT');
      // Nothing was started.
      expect(await tryBind(ports[0]!)).toBeUndefined();
      expect(run.stdout()).toBe('');
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('refuses invalid or clashing port flags as a usage error', () => {
    const bad = spawnSync(process.execPath, [BIN, 'stack', '--prometheus.port=99999'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--prometheus.port: expected a port number 1-65535, got "99999"');
    const clash = spawnSync(process.execPath, [BIN, 'stack', '--vantage.port=9090'], { encoding: 'utf8' });
    expect(clash.status).toBe(2);
    expect(clash.stderr).toContain('--vantage.port and --prometheus.port are both 9090');
  });

  it('when one of them dies, stops the others and exits 1 naming it, with its last stderr lines', async () => {
    const fake = join(dir, 'fake-alertmanager');
    writeFileSync(
      fake,
      '#!/bin/sh\necho "fake alertmanager: starting" >&2\nsleep 1\necho "fake alertmanager: out of cheese" >&2\nexit 3\n',
    );
    chmodSync(fake, 0o755);
    const ports = await freePorts(4);
    const run = stack([
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'dies')}`,
      `--alertmanager.binary=${fake}`,
      ...portArgs(ports),
    ]);
    const exit = await run.exited;
    expect(exit.code, run.stderr().slice(-2000)).toBe(1);
    expect(run.stderr()).toContain('vantage stack: Alertmanager exited with code 3; stopping the others.');
    expect(run.stderr()).toMatch(
      /Its last lines:\n {2}fake alertmanager: starting\n {2}fake alertmanager: out of cheese\n/,
    );
    for (const port of [ports[0]!, ports[1]!, ports[3]!])
      expect(await tryBind(port), `port ${port}`).toBeUndefined();
  }, 30_000);
});
