/**
 * What `vantage stack` runs, without running it: the flags of the three processes, the shipped
 * Prometheus configuration used in place on the shipped ports, and the copy made for others.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../src/runtime/packageRoot.js';
import { writeAdminTokenFile } from '../../src/stack/adminTokenFile.js';
import {
  adminTokenPlan,
  alertmanagerConfigPaths,
  DEFAULT_PORTS,
  planChildren,
  TARGETS_FILES,
  prometheusConfig,
  renderEnv,
  type StackOptions,
} from '../../src/stack/plan.js';
import { BINARIES, findBinary, parsePorts } from '../../src/stack/preflight.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'vantage-stack-plan-'));

function options(overrides: Partial<StackOptions> = {}): StackOptions {
  return {
    root,
    dataDir,
    logLevel: 'info',
    ports: DEFAULT_PORTS,
    binaries: {
      prometheus: '/usr/bin/prometheus',
      alertmanager: '/usr/bin/prometheus-alertmanager',
      'node-exporter': '/usr/bin/prometheus-node-exporter',
    },
    ...overrides,
  };
}

describe('stack plan', () => {
  it('finds the checkout from its own module', () => {
    expect(packageRoot()).toBe(root);
  });

  it('the default ports are those of the native file_sd lists in prometheus/targets/', () => {
    const dir = join(root, 'prometheus', 'targets');
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['alertmanager.yml', 'node.yml', 'prometheus.yml', 'vantage.yml']);
    expect(Object.values(TARGETS_FILES).sort()).toEqual(files);
    for (const [component, file] of Object.entries(TARGETS_FILES) as [keyof typeof DEFAULT_PORTS, string][]) {
      const groups = parse(readFileSync(join(dir, file), 'utf8')) as { targets: string[] }[];
      expect(groups.flatMap((g) => g.targets)).toEqual([`127.0.0.1:${DEFAULT_PORTS[component]}`]);
    }
  });

  it('runs the shipped prometheus.yml in place on the default ports', () => {
    const config = prometheusConfig(options());
    expect(config.file).toBe(join(root, 'prometheus', 'prometheus.yml'));
    expect(config.generated.size).toBe(0);
  });

  it('copies prometheus.yml with its own targets and the checkout rules for other ports', () => {
    const ports = { vantage: 19470, prometheus: 19090, alertmanager: 19093, 'node-exporter': 19100 };
    const config = prometheusConfig(options({ ports }));
    const dir = join(dataDir, 'prometheus-config');
    expect(config.file).toBe(join(dir, 'prometheus.yml'));
    const copy = parse(config.generated.get(config.file)!) as {
      rule_files: string[];
      global: { scrape_interval: string; external_labels: Record<string, string> };
      scrape_configs: { job_name: string; file_sd_configs: { files: string[] }[] }[];
    };
    const shipped = parse(readFileSync(join(root, 'prometheus', 'prometheus.yml'), 'utf8')) as typeof copy;
    expect(copy.rule_files).toEqual([join(root, 'prometheus', 'rules', '*.yml')]);
    // The same jobs; the node job reads this copy's node.yml and the checkout's own host lists.
    expect(copy.scrape_configs.filter((j) => j.job_name !== 'node')).toEqual(
      shipped.scrape_configs.filter((j) => j.job_name !== 'node'),
    );
    expect(copy.scrape_configs.map((j) => j.job_name)).toEqual(shipped.scrape_configs.map((j) => j.job_name));
    expect(copy.scrape_configs.find((j) => j.job_name === 'node')!.file_sd_configs).toEqual([
      { files: ['targets/node.yml', join(root, 'prometheus', 'targets', 'node-*.yml')] },
    ]);
    expect(copy.global.scrape_interval).toBe(shipped.global.scrape_interval);
    expect(copy.global.external_labels).toEqual({ vantage_url: 'http://127.0.0.1:19470' });
    for (const [component, port] of Object.entries(ports) as [keyof typeof ports, number][]) {
      const list = parse(config.generated.get(join(dir, 'targets', TARGETS_FILES[component]))!) as unknown;
      expect(list).toEqual([{ targets: [`127.0.0.1:${port}`] }]);
    }
    // vantage on its usual port: runbook links need no external label.
    const moved = prometheusConfig(options({ ports: { ...DEFAULT_PORTS, prometheus: 19090 } }));
    expect(parse(moved.generated.get(moved.file)!).global.external_labels).toBeUndefined();
  });

  it('starts vantage, Alertmanager, node_exporter and Prometheus with the flags of docker-compose.yml, on loopback', () => {
    const o = options({ configFile: '/etc/vantage.yml' });
    const [vantage, alertmanager, nodeExporter, prometheus] = planChildren(o, '/p.yml');
    expect(vantage!.command).toBe(process.execPath);
    expect(vantage!.args).toEqual([
      join(root, 'bin', 'vantage.js'),
      'serve',
      '--web.listen-address=127.0.0.1:9470',
      `--storage.path=${join(dataDir, 'vantage')}`,
      '--log.level=info',
      '--config.file=/etc/vantage.yml',
    ]);
    expect(planChildren(options(), '/p.yml')[0]!.args.some((a) => a.startsWith('--config.file'))).toBe(false);
    expect(alertmanager!.args).toEqual([
      `--config.file=${join(dataDir, 'alertmanager', 'alertmanager.yml')}`,
      `--storage.path=${join(dataDir, 'alertmanager')}`,
      '--web.listen-address=127.0.0.1:9093',
      '--web.external-url=http://127.0.0.1:9093',
      '--cluster.listen-address=',
    ]);
    expect(prometheus!.args).toEqual([
      '--config.file=/p.yml',
      `--storage.tsdb.path=${join(dataDir, 'prometheus')}`,
      '--storage.tsdb.retention.time=60d',
      '--web.listen-address=127.0.0.1:9090',
      '--web.external-url=http://127.0.0.1:9090',
      '--web.enable-lifecycle',
    ]);
    expect(nodeExporter!.command).toBe('/usr/bin/prometheus-node-exporter');
    expect(nodeExporter!.args).toEqual(['--web.listen-address=127.0.0.1:9100', '--log.level=warn']);
    expect(nodeExporter!.readyUrl).toBe('http://127.0.0.1:9100/');
    for (const c of [vantage, alertmanager, prometheus]) {
      expect(c!.readyUrl).toBe(`${c!.url}/-/ready`);
      expect(c!.reloadsOnHangup).toBe(true);
    }
    // node_exporter has no configuration to reload, and SIGHUP would end it.
    expect(nodeExporter!.reloadsOnHangup).toBe(false);
    // The demo config's scheduled reports read the stack's Prometheus.
    expect(vantage!.env!.VANTAGE_PROMETHEUS_URL).toBe(prometheus!.url);
    // The demo targets are pages of this vantage, on this machine: its node_exporter serves them.
    expect(vantage!.env!.VANTAGE_DEMO_HOSTS).toBe('127.0.0.1:9100');
    expect(vantage!.env!.PATH).toBe(process.env.PATH);
  });

  it("points Alertmanager's incident copy at this vantage unless the caller chose a URL", () => {
    const o = options({ ports: { ...DEFAULT_PORTS, vantage: 19470 } });
    expect(renderEnv(o, {}).VANTAGE_INCIDENT_WEBHOOK_URL).toBe('http://127.0.0.1:19470/api/alertmanager');
    const own = 'https://incidents.example.com/hook';
    expect(renderEnv(o, { VANTAGE_INCIDENT_WEBHOOK_URL: own }).VANTAGE_INCIDENT_WEBHOOK_URL).toBe(own);
  });
});

describe('stack admin token', () => {
  const tokenFile = join(dataDir, 'admin-token');

  it('gives vantage and Alertmanager the same token file, in the data directory', async () => {
    const o = options();
    const vantage = planChildren(o, '/p.yml')[0]!;
    expect(vantage.env!.VANTAGE_ADMIN_TOKEN_FILE).toBe(tokenFile);
    expect(renderEnv(o, {}).VANTAGE_ADMIN_TOKEN_FILE).toBe(tokenFile);
    expect(adminTokenPlan(o, {})).toEqual({ file: tokenFile, write: 'generate' });

    // Alertmanager's rendered config sends that file's token with the webhooks to vantage.
    const { template, script, out } = alertmanagerConfigPaths(o);
    mkdirSync(dirname(out), { recursive: true });
    await writeAdminTokenFile(adminTokenPlan(o, {}));
    execFileSync('sh', [script, template, out], {
      env: renderEnv(o, { PATH: process.env.PATH }),
      stdio: 'pipe',
    });
    const rendered = parse(readFileSync(out, 'utf8')) as {
      receivers: { name: string; webhook_configs?: { url: string; http_config?: unknown }[] }[];
    };
    const incidents = rendered.receivers.find((r) => r.name === 'vantage-incidents')!.webhook_configs![0]!;
    expect(incidents).toMatchObject({
      url: 'http://127.0.0.1:9470/api/alertmanager',
      http_config: { authorization: { type: 'Bearer', credentials_file: tokenFile } },
    });
    const check = spawnSync('amtool', ['check-config', out], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('SUCCESS');
  });

  it('generates a random token at the first start, mode 0600, and keeps it across restarts', async () => {
    const o = options({ dataDir: mkdtempSync(join(tmpdir(), 'vantage-stack-token-')) });
    const plan = adminTokenPlan(o, {});
    await writeAdminTokenFile(plan);
    const first = readFileSync(plan.file, 'utf8');
    expect(first).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(plan.file).mode & 0o777).toBe(0o600);
    await writeAdminTokenFile(plan);
    expect(readFileSync(plan.file, 'utf8')).toBe(first);
    const other = options({ dataDir: mkdtempSync(join(tmpdir(), 'vantage-stack-token-')) });
    await writeAdminTokenFile(adminTokenPlan(other, {}));
    expect(readFileSync(join(other.dataDir, 'admin-token'), 'utf8')).not.toBe(first);
  });

  it("uses the caller's VANTAGE_ADMIN_TOKEN (written to the file) or VANTAGE_ADMIN_TOKEN_FILE (as it is)", async () => {
    const o = options({ dataDir: mkdtempSync(join(tmpdir(), 'vantage-stack-token-')) });
    const own = 'my-own-admin-token-0123456789';
    const plan = adminTokenPlan(o, { VANTAGE_ADMIN_TOKEN: own });
    expect(plan).toEqual({ file: join(o.dataDir, 'admin-token'), write: { token: own } });
    await writeAdminTokenFile(plan);
    expect(readFileSync(plan.file, 'utf8')).toBe(`${own}\n`);
    expect(statSync(plan.file).mode & 0o777).toBe(0o600);
    expect(adminTokenPlan(o, { VANTAGE_ADMIN_TOKEN_FILE: '/run/secrets/token' })).toEqual({
      file: '/run/secrets/token',
    });
  });
});

describe('stack preflight', () => {
  it('parses port flags', () => {
    expect(parsePorts({})).toEqual(DEFAULT_PORTS);
    expect(parsePorts({ prometheus: '19090' })).toEqual({ ...DEFAULT_PORTS, prometheus: 19090 });
    expect(parsePorts({ vantage: '0' })).toEqual({
      error: '--vantage.port: expected a port number 1-65535, got "0"',
    });
    expect(parsePorts({ alertmanager: '9470' })).toEqual({
      error: '--vantage.port and --alertmanager.port are both 9470',
    });
    expect(parsePorts({ 'node-exporter': '19100' })).toEqual({ ...DEFAULT_PORTS, 'node-exporter': 19100 });
    expect(parsePorts({ 'node-exporter': '9093' })).toEqual({
      error: '--alertmanager.port and --node-exporter.port are both 9093',
    });
  });

  it('looks binaries up on PATH under their Debian and upstream names', () => {
    const spec = { component: 'alertmanager' as const, names: ['no-such-am', 'sh'], debianPackage: 'pkg' };
    expect(findBinary(spec, undefined, '/nonexistent:/bin:/usr/bin')).toEqual({
      path: expect.stringMatching(/\/sh$/),
    });
    expect(findBinary(spec, undefined, '/nonexistent')).toEqual({
      error:
        "Alertmanager not found: no no-such-am or sh on PATH (/nonexistent). Debian's pkg package provides it " +
        '(apt-get install --no-install-recommends pkg), or pass --alertmanager.binary=PATH.',
    });
    expect(findBinary(spec, '/bin/sh', '')).toEqual({ path: '/bin/sh' });
    // A directory is not an executable.
    expect(findBinary(spec, '/usr/bin', '')).toHaveProperty('error');
    // node_exporter: Debian's name first, named with its package when missing.
    expect(findBinary(BINARIES['node-exporter'], undefined, '/nonexistent')).toEqual({
      error:
        "node_exporter not found: no prometheus-node-exporter or node_exporter on PATH (/nonexistent). Debian's " +
        'prometheus-node-exporter package provides it (apt-get install --no-install-recommends ' +
        'prometheus-node-exporter), or pass --node-exporter.binary=PATH.',
    });
    expect(findBinary(BINARIES['node-exporter'], undefined, '/usr/bin')).toEqual({
      path: '/usr/bin/prometheus-node-exporter',
    });
  });
});
