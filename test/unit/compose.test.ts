/**
 * docker-compose.yml, the Dockerfile and .dockerignore against the rest of the repository,
 * without a Docker engine: `docker-compose config` validates the compose file (scripts/test.sh
 * installs Debian's docker-compose), and the files are read to check that every mounted path
 * exists, that Prometheus' compose target lists name real services and ports, and that the
 * image's health check asks a route vantage serves.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'vantage-compose-'));
const emptyEnvFile = join(tmp, 'empty.env');
writeFileSync(emptyEnvFile, '');

interface Service {
  image?: string;
  build?: string | { context: string };
  ports?: (string | { target: number })[];
  expose?: (string | number)[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/**
 * `docker-compose config -q` in the repository with exactly `env` (no .env file a developer
 * may have made: --env-file points at an empty one unless `envFile` is given).
 */
function composeConfig(env: Record<string, string>, envFile = emptyEnvFile) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(GRAFANA_|VANTAGE_|PUBLISH_ADDRESS)/.test(k)),
  );
  return spawnSync('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config', '-q'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...base, ...env },
    timeout: 30_000,
  });
}

/** Container ports a service listens on: the container side of `ports`, and `expose`. */
function containerPorts(service: Service): number[] {
  const fromPorts = (service.ports ?? []).map((p) =>
    typeof p === 'string' ? Number(p.split(':').pop()!.split('/')[0]) : p.target,
  );
  return [...fromPorts, ...(service.expose ?? []).map(Number)];
}

/** Bind mounts as [host path, container path, read-only]. */
function bindMounts(service: Service): [string, string, boolean][] {
  const mounts: [string, string, boolean][] = [];
  for (const v of service.volumes ?? []) {
    if (typeof v === 'string') {
      const [source, target, mode] = v.split(':') as [string, string, string | undefined];
      if (source.startsWith('.') || source.startsWith('/')) mounts.push([source, target, mode === 'ro']);
    } else if (v.type === 'bind') {
      mounts.push([v.source, v.target, v.read_only === true]);
    }
  }
  return mounts;
}

/** A Dockerfile instruction's arguments, continuation lines joined. */
function instruction(name: string): string[] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}

describe('docker-compose.yml', () => {
  it('is valid with GRAFANA_ADMIN_PASSWORD set', () => {
    const r = composeConfig({ GRAFANA_ADMIN_PASSWORD: 'correct horse battery staple' });
    expect(r.error, 'docker-compose missing? scripts/test.sh installs it').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is refused without GRAFANA_ADMIN_PASSWORD, and with the unedited .env.example', () => {
    const unset = composeConfig({});
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toContain('set GRAFANA_ADMIN_PASSWORD');
    const empty = composeConfig({ GRAFANA_ADMIN_PASSWORD: '' });
    expect(empty.status).not.toBe(0);
    const example = composeConfig({}, join(root, '.env.example'));
    expect(example.status).not.toBe(0);
    expect(example.stderr).toContain('set GRAFANA_ADMIN_PASSWORD');
  });

  it('runs the five services, each with a restart policy and a health check', () => {
    // admin-token is a one-shot step before vantage and Alertmanager (its own test below).
    expect(Object.keys(compose.services).sort()).toEqual([
      'admin-token',
      'alertmanager',
      'grafana',
      'node-exporter',
      'prometheus',
      'vantage',
    ]);
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'admin-token') continue;
      expect(service.restart, name).toBe('unless-stopped');
      // vantage's health check is the image's HEALTHCHECK.
      if (name !== 'vantage') expect(service.healthcheck?.test[0], name).toBe('CMD');
    }
    expect(instruction('HEALTHCHECK')).toHaveLength(1);
    expect(compose.services.grafana!.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'vantage' || name === 'admin-token') {
        expect(service.build).toBe('.');
        continue;
      }
      expect(service.image, name).toMatch(
        /^(prom\/prometheus|prom\/alertmanager|prom\/node-exporter|grafana\/grafana):v?\d+\.\d+\.\d+$/,
      );
    }
  });

  it('mounts only paths that exist in the repository, configuration read-only', () => {
    const mounts = Object.entries(compose.services)
      .filter(([name]) => name !== 'node-exporter')
      .flatMap(([name, s]) => bindMounts(s).map(([source, target, ro]) => ({ name, source, target, ro })));
    expect(mounts.map((m) => m.source).sort()).toEqual([
      './alertmanager',
      './grafana/dashboards',
      './grafana/provisioning',
      './prometheus',
      './prometheus/targets-compose',
    ]);
    for (const m of mounts) {
      expect(existsSync(resolve(root, m.source)), `${m.name}: ${m.source} does not exist`).toBe(true);
      expect(m.ro, `${m.name}: ${m.source} should be read-only`).toBe(true);
    }
    // targets-compose goes over the native targets/ of the mounted prometheus/ directory.
    expect(mounts.find((m) => m.source === './prometheus/targets-compose')!.target).toBe(
      '/etc/prometheus/targets',
    );
    expect(statSync(join(root, 'prometheus', 'targets')).isDirectory()).toBe(true);
  });

  it("runs node_exporter as its README does in a container: the host's root read-only, its PIDs", () => {
    const node = compose.services['node-exporter'] as Service & { command: string[]; pid: string };
    expect(node.volumes).toEqual(['/:/host:ro,rslave']);
    expect(node.command).toContain('--path.rootfs=/host');
    expect(node.pid).toBe('host');
  });

  it('keeps data in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual([
      'admin-token',
      'alertmanager-data',
      'grafana-data',
      'prometheus-data',
      'vantage-data',
    ]);
    const volumeOf = (service: string) =>
      (compose.services[service]!.volumes ?? []).filter(
        (v): v is string => typeof v === 'string' && !v.startsWith('.'),
      );
    expect(volumeOf('vantage')).toEqual([
      'vantage-data:/var/lib/vantage',
      'admin-token:/run/vantage-token:ro',
    ]);
    expect(volumeOf('prometheus')).toEqual(['prometheus-data:/prometheus']);
    expect(volumeOf('alertmanager')).toEqual([
      'alertmanager-data:/alertmanager',
      'admin-token:/run/vantage-token:ro',
    ]);
    expect(volumeOf('grafana')).toEqual(['grafana-data:/var/lib/grafana']);
  });

  it('publishes 9470, 9090, 9093, 9100 and 3000 on 127.0.0.1 by default', () => {
    const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(published.sort()).toEqual([
      '${PUBLISH_ADDRESS:-127.0.0.1}:3000:3000',
      '${PUBLISH_ADDRESS:-127.0.0.1}:9090:9090',
      '${PUBLISH_ADDRESS:-127.0.0.1}:9093:9093',
      '${PUBLISH_ADDRESS:-127.0.0.1}:9100:9100',
      '${PUBLISH_ADDRESS:-127.0.0.1}:9470:9470',
    ]);
  });

  it('prometheus/targets-compose names compose services on their ports, one list per job', () => {
    const dir = join(root, 'prometheus', 'targets-compose');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
    expect(files.sort()).toEqual(readdirSync(join(root, 'prometheus', 'targets')).sort());
    // The node job's list names the node-exporter service.
    const serviceOf: Record<string, string> = { node: 'node-exporter' };
    for (const file of files) {
      const job = file.replace(/\.yml$/, '');
      const groups = parse(readFileSync(join(dir, file), 'utf8')) as { targets: string[] }[];
      const targets = groups.flatMap((g) => g.targets);
      expect(targets.length, file).toBeGreaterThan(0);
      for (const target of targets) {
        const [host, port] = target.split(':') as [string, string];
        expect(host, `${file}: ${target}`).toBe(serviceOf[job] ?? job);
        expect(Object.keys(compose.services), `${file}: ${target}`).toContain(host);
        expect(containerPorts(compose.services[host]!), `${file}: ${target}`).toContain(Number(port));
      }
    }
  });

  it("sends Alertmanager's incident copy to vantage's service name and port", () => {
    const url = new URL(compose.services.alertmanager!.environment!.VANTAGE_INCIDENT_WEBHOOK_URL!);
    expect(url.hostname).toBe('vantage');
    expect(containerPorts(compose.services.vantage!)).toContain(Number(url.port));
    expect(url.pathname).toBe('/api/alertmanager');
    // The other receivers come from the host's environment (or .env).
    for (const name of ['PAGER', 'TICKET', 'HEARTBEAT']) {
      const variable = `VANTAGE_${name}_WEBHOOK_URL`;
      expect(compose.services.alertmanager!.environment![variable]).toBe(`\${${variable}:-}`);
    }
  });

  it("points the demo config's scheduled reports at Prometheus's service name and port", () => {
    const url = new URL(compose.services.vantage!.environment!.VANTAGE_PROMETHEUS_URL!);
    expect(url.hostname).toBe('prometheus');
    expect(containerPorts(compose.services.prometheus!)).toContain(Number(url.port));
  });

  it("names node_exporter in the demo's hosts as the node job scrapes it, so the rules join them", () => {
    const nodeList = parse(readFileSync(join(root, 'prometheus', 'targets-compose', 'node.yml'), 'utf8')) as {
      targets: string[];
    }[];
    const demoHost = compose.services.vantage!.environment!.VANTAGE_DEMO_HOSTS!;
    expect(nodeList.flatMap((g) => g.targets)).toContain(demoHost);
    expect(containerPorts(compose.services['node-exporter']!)).toContain(Number(demoHost.split(':')[1]));
  });

  it('renders the Alertmanager template before starting it, clustering off', () => {
    const am = compose.services.alertmanager as Service & { entrypoint: string[]; command: string[] };
    expect(am.entrypoint).toEqual(['/bin/sh', '-c']);
    const script = am.command.join(' ');
    expect(script).toMatch(
      /^sh \/etc\/alertmanager\/render-config\.sh \/etc\/alertmanager\/alertmanager\.yml (\S+) && exec \/bin\/alertmanager --config\.file=\1 /,
    );
    expect(script).toMatch(/ --cluster\.listen-address=$/);
  });
});

describe('docker-compose.yml: the admin token between Alertmanager and vantage', () => {
  const services = compose.services as Record<string, Service & { command?: string[]; user?: string }>;
  const TOKEN_VOLUME = '/run/vantage-token';

  /**
   * admin-token's shell lines as the container runs them (compose's $$ is a literal $), with its
   * directory moved to `dir` and the two owners replaced by this machine's user: the logic and
   * the modes are tested here, the users exist only in the images.
   */
  function runInit(dir: string, env: Record<string, string> = {}) {
    const script = services['admin-token']!.command!.join(' ')
      .replaceAll('$$', '$')
      .replaceAll(TOKEN_VOLUME, dir)
      .replace(/-o vantage -g vantage|-o 65534 -g 65534/g, `-o ${process.getuid!()} -g ${process.getgid!()}`);
    return spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  }

  it('starts vantage and Alertmanager after admin-token, each reading its own copy from the shared volume', () => {
    const init = services['admin-token']!;
    expect(init.restart).toBe('no');
    expect(init.user).toBe('root');
    expect(init.volumes).toEqual([`admin-token:${TOKEN_VOLUME}`]);
    expect(init.environment).toEqual({ VANTAGE_ADMIN_TOKEN: '${VANTAGE_ADMIN_TOKEN:-}' });
    for (const name of ['vantage', 'alertmanager']) {
      expect(services[name]!.depends_on!['admin-token'], name).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(services[name]!.environment!.VANTAGE_ADMIN_TOKEN_FILE, name).toBe(
        `${TOKEN_VOLUME}/${name}/admin-token`,
      );
    }
    // The token reaches vantage through the file only.
    expect(services.vantage!.environment!).not.toHaveProperty('VANTAGE_ADMIN_TOKEN');
  });

  it('generates a token at the first start, keeps it across restarts, and copies it mode 0600', () => {
    const dir = mkdtempSync(join(tmp, 'token-'));
    const first = runInit(dir);
    expect(first.status, first.stderr).toBe(0);
    const token = readFileSync(join(dir, 'token'), 'utf8');
    expect(token).toMatch(/^[0-9a-f]{64}\n$/);
    for (const copy of ['vantage', 'alertmanager']) {
      const file = join(dir, copy, 'admin-token');
      expect(readFileSync(file, 'utf8')).toBe(token);
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(runInit(dir).status).toBe(0);
    expect(readFileSync(join(dir, 'vantage', 'admin-token'), 'utf8')).toBe(token);
    // VANTAGE_ADMIN_TOKEN from .env replaces it, for both.
    expect(runInit(dir, { VANTAGE_ADMIN_TOKEN: 'my-own-admin-token-0123456789' }).status).toBe(0);
    for (const copy of ['vantage', 'alertmanager'])
      expect(readFileSync(join(dir, copy, 'admin-token'), 'utf8')).toBe('my-own-admin-token-0123456789\n');
  });

  it("renders Alertmanager's webhook to vantage with that file as its bearer credentials; amtool accepts it", () => {
    const out = join(tmp, 'compose-alertmanager.yml');
    const am = services.alertmanager!.environment!;
    const render = spawnSync(
      'sh',
      [join(root, 'alertmanager', 'render-config.sh'), join(root, 'alertmanager', 'alertmanager.yml'), out],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          VANTAGE_INCIDENT_WEBHOOK_URL: am.VANTAGE_INCIDENT_WEBHOOK_URL,
          VANTAGE_ADMIN_TOKEN_FILE: am.VANTAGE_ADMIN_TOKEN_FILE,
          VANTAGE_PAGER_WEBHOOK_URL: 'https://pager.example/hook',
        },
      },
    );
    expect(render.status, render.stderr).toBe(0);
    const config = parse(readFileSync(out, 'utf8')) as {
      receivers: { name: string; webhook_configs?: { url: string; http_config?: unknown }[] }[];
    };
    const webhook = (name: string) => config.receivers.find((r) => r.name === name)!.webhook_configs![0]!;
    expect(webhook('vantage-incidents')).toMatchObject({
      url: 'http://vantage:9470/api/alertmanager',
      http_config: { authorization: { type: 'Bearer', credentials_file: am.VANTAGE_ADMIN_TOKEN_FILE } },
    });
    expect(webhook('pager').http_config).toBeUndefined();
    const check = spawnSync('amtool', ['check-config', out], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  let vantage: Harness;
  beforeAll(async () => {
    vantage = await startVantage(
      'modules:\n  http_2xx:\n    prober: http\ntargets:\n  - name: a\n    url: http://127.0.0.1:9/\n    modules: [http_2xx]\n    interval: 1h\n',
    );
  });
  afterAll(() => vantage.close());

  const healthcheck = JSON.parse(instruction('HEALTHCHECK')[0]!.replace(/^.*?CMD /, '')) as string[];

  it('exposes the port vantage listens on in the image and in compose', () => {
    expect(instruction('EXPOSE')).toEqual(['9470']);
    expect(instruction('CMD')).toEqual(['["--web.listen-address=0.0.0.0:9470"]']);
    expect(containerPorts(compose.services.vantage!)).toEqual([9470]);
  });

  it("health-checks a route vantage serves, with node's fetch", async () => {
    expect(healthcheck.slice(0, 2)).toEqual(['node', '-e']);
    const url = new URL(/fetch\('([^']+)'/.exec(healthcheck[2]!)![1]!);
    expect(url.port).toBe('9470');
    expect(url.pathname).toBe('/-/healthy');
    const res = await fetch(`${vantage.baseUrl}${url.pathname}`);
    expect(res.status).toBe(200);

    // The command itself: exit 0 against a live vantage, 1 against a closed port.
    const run = promisify(execFile);
    const script = (port: string) => healthcheck[2]!.replace(':9470/', `:${port}/`);
    const port = new URL(vantage.baseUrl).port;
    await expect(run(process.execPath, ['-e', script(port)])).resolves.toBeDefined();
    await expect(run(process.execPath, ['-e', script('9')])).rejects.toMatchObject({ code: 1 });
  });

  it('runs as a non-root user under tini, with storage on the volume', () => {
    expect(instruction('USER')).toEqual(['vantage']);
    expect(instruction('VOLUME')).toEqual(['["/var/lib/vantage"]']);
    const entrypoint = JSON.parse(instruction('ENTRYPOINT')[0]!) as string[];
    // tini as PID 1 reaps what a crashed Chrome leaves behind (docs/lighthouse.md), with or without --init.
    expect(entrypoint).toEqual([
      '/usr/bin/tini',
      '--',
      'node',
      '/app/bin/vantage.js',
      '--storage.path=/var/lib/vantage',
    ]);
  });

  it('sets the heap flags documented in docs/performance.md', () => {
    const documented = /NODE_OPTIONS="([^"]+)" npx vantage/.exec(
      readFileSync(join(root, 'docs', 'performance.md'), 'utf8'),
    )![1];
    expect(instruction('ENV').join(' ')).toContain(`NODE_OPTIONS="${documented}"`);
  });

  it('builds on node:20-bookworm-slim with Debian Chromium, installed lean', () => {
    expect(instruction('ARG')).toContain('NODE_IMAGE=node:20-bookworm-slim');
    const apt = instruction('RUN').find((r) => r.includes('apt-get install'))!;
    expect(apt).toContain('--no-install-recommends');
    expect(apt).toMatch(/\bchromium\b/);
    expect(apt).toContain('rm -rf /var/lib/apt/lists/*');
    expect(instruction('RUN').join('\n')).toMatch(
      /npm ci [^\n]*\n[^\n]*npm run build && npm prune --omit=dev/,
    );
  });

  it('.dockerignore lets in everything the Dockerfile copies from the build context', () => {
    const allowed = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const sources = instruction('COPY')
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      const path = source.replace(/\/$/, '');
      expect(existsSync(join(root, path)), source).toBe(true);
      expect(
        allowed.some((a) => path === a || path.startsWith(`${a}/`)),
        `${source} is not let in by .dockerignore`,
      ).toBe(true);
    }
  });
});
