/**
 * What `vantage stack` runs: the four processes (vantage, Prometheus, Alertmanager and
 * node_exporter for the host's own saturation) with their flags, data directories and
 * addresses, from the same configuration files docker compose mounts, and the admin token file
 * vantage and Alertmanager share. Pure apart from reading the shipped prometheus.yml: stack.ts
 * does the writing, starting and stopping.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { LogFormat, LogLevel } from '../runtime/logger.js';
import { STACK_VANTAGE_DIR } from '../store/location.js';

/** Everything listens on loopback, like the 127.0.0.1-published ports of docker-compose.yml. */
export const STACK_HOST = '127.0.0.1';

export const COMPONENTS = ['vantage', 'prometheus', 'alertmanager', 'node-exporter'] as const;
export type Component = (typeof COMPONENTS)[number];
export type Ports = Record<Component, number>;
/** The components that keep data: node_exporter keeps none. */
export type StatefulComponent = Exclude<Component, 'node-exporter'>;

/** The ports of prometheus/targets/*.yml, the native file_sd lists. */
export const DEFAULT_PORTS: Ports = {
  vantage: 9470,
  prometheus: 9090,
  alertmanager: 9093,
  'node-exporter': 9100,
};

export const TITLES: Record<Component, string> = {
  vantage: 'vantage',
  prometheus: 'Prometheus',
  alertmanager: 'Alertmanager',
  'node-exporter': 'node_exporter',
};

/** Each component's file_sd list in prometheus/targets/ (the node job reads targets/node*.yml). */
export const TARGETS_FILES: Record<Component, string> = {
  vantage: 'vantage.yml',
  prometheus: 'prometheus.yml',
  alertmanager: 'alertmanager.yml',
  'node-exporter': 'node.yml',
};

/** Same as docker-compose.yml: a 30-day SLO window, the 30 days before it, four weeks of seasonality. */
export const RETENTION = '60d';

export interface StackOptions {
  /** The vantage checkout: bin/, prometheus/, alertmanager/, grafana/. */
  root: string;
  /** Absolute; vantage/, prometheus/ and alertmanager/ are made under it. */
  dataDir: string;
  /** Absolute; none: vantage's embedded demo configuration. */
  configFile?: string;
  logLevel: LogLevel;
  /** Absent: vantage's default (logfmt). */
  logFormat?: LogFormat;
  ports: Ports;
  /** Resolved executables. */
  binaries: { prometheus: string; alertmanager: string; 'node-exporter': string };
}

export interface ChildSpec {
  name: Component;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Its UI / API root. */
  url: string;
  /** 200 once it serves: /-/ready, node_exporter's landing page. */
  readyUrl: string;
  /** Whether SIGHUP reloads its configuration (node_exporter has none, and SIGHUP ends it). */
  reloadsOnHangup: boolean;
}

/** The Prometheus configuration to run: the shipped file, or a copy with other ports. */
export interface PrometheusConfig {
  file: string;
  /** Files to write first (absolute path -> content), when the ports are not the shipped ones. */
  generated: Map<string, string>;
}

export function baseUrl(port: number): string {
  return `http://${STACK_HOST}:${port}`;
}

export function dataDirs(dataDir: string): Record<StatefulComponent, string> {
  return {
    // Where `vantage change add --storage.path=DIR` looks too (src/store/location.ts).
    vantage: join(dataDir, STACK_VANTAGE_DIR),
    prometheus: join(dataDir, 'prometheus'),
    alertmanager: join(dataDir, 'alertmanager'),
  };
}

export function alertmanagerConfigPaths(o: StackOptions): { template: string; script: string; out: string } {
  return {
    template: join(o.root, 'alertmanager', 'alertmanager.yml'),
    script: join(o.root, 'alertmanager', 'render-config.sh'),
    out: join(dataDirs(o.dataDir).alertmanager, 'alertmanager.yml'),
  };
}

/**
 * The admin token shared by vantage and Alertmanager's webhooks to it, as a file both read
 * (vantage through VANTAGE_ADMIN_TOKEN_FILE, Alertmanager through credentials_file). Its
 * content, first match wins:
 * - the caller's VANTAGE_ADMIN_TOKEN_FILE: used as it is (`write` none);
 * - the caller's VANTAGE_ADMIN_TOKEN: written to `<data>/admin-token` at every start, so
 *   Alertmanager sends what vantage expects;
 * - otherwise `<data>/admin-token` as it is, generated at the first start (`write` 'generate').
 * stack.ts (writeAdminTokenFile) does the writing.
 */
export interface AdminTokenPlan {
  file: string;
  write?: { token: string } | 'generate';
}

export function adminTokenPlan(o: StackOptions, env: NodeJS.ProcessEnv = process.env): AdminTokenPlan {
  if (env.VANTAGE_ADMIN_TOKEN_FILE) return { file: resolve(env.VANTAGE_ADMIN_TOKEN_FILE) };
  const file = join(o.dataDir, 'admin-token');
  return { file, write: env.VANTAGE_ADMIN_TOKEN ? { token: env.VANTAGE_ADMIN_TOKEN } : 'generate' };
}

/**
 * The environment render-config.sh runs with: the caller's, plus the incident URL of this
 * vantage unless the caller set one, and the admin token file its webhooks to vantage send.
 */
export function renderEnv(o: StackOptions, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    VANTAGE_INCIDENT_WEBHOOK_URL:
      env.VANTAGE_INCIDENT_WEBHOOK_URL || `${baseUrl(o.ports.vantage)}/api/alertmanager`,
    VANTAGE_ADMIN_TOKEN_FILE: adminTokenPlan(o, env).file,
  };
}

/** vantage's environment: the caller's, with the stack's token file in place of VANTAGE_ADMIN_TOKEN. */
function vantageEnv(o: StackOptions, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const token = adminTokenPlan(o, env);
  const { VANTAGE_ADMIN_TOKEN: copied, ...rest } = env;
  return {
    ...rest,
    // Written into the file when it was the source; left for vantage to refuse beside a file of the caller's.
    ...(token.write === undefined && copied !== undefined && { VANTAGE_ADMIN_TOKEN: copied }),
    VANTAGE_ADMIN_TOKEN_FILE: token.file,
    // The default report.prometheus_url of any config (a file's own wins): reports read this Prometheus.
    VANTAGE_PROMETHEUS_URL: baseUrl(o.ports.prometheus),
    // The embedded demo's targets are served by vantage on this machine: its node_exporter is theirs.
    VANTAGE_DEMO_HOSTS: `${STACK_HOST}:${o.ports['node-exporter']}`,
  };
}

function samePorts(a: Ports, b: Ports): boolean {
  return COMPONENTS.every((c) => a[c] === b[c]);
}

function targetsFile(comment: string, port: number): string {
  return `# ${comment}, written by \`vantage stack\` for the ports it was given.\n- targets: ['${STACK_HOST}:${port}']\n`;
}

/**
 * With the shipped ports, prometheus/prometheus.yml itself, whose file_sd lists in targets/
 * hold exactly these addresses: editing it and POST /-/reload works as usual. With other
 * ports, a copy in the data directory with its own targets/ lists and the rules read from
 * this checkout; when vantage moved, alert annotations link to its runbook on the new port
 * (the `vantage_url` external label that docs/alerting.md describes). The copy's node job
 * still reads the user's own host lists, prometheus/targets/node-*.yml in this checkout.
 */
export function prometheusConfig(o: StackOptions): PrometheusConfig {
  const shipped = join(o.root, 'prometheus', 'prometheus.yml');
  const generated = new Map<string, string>();
  if (samePorts(o.ports, DEFAULT_PORTS)) return { file: shipped, generated };

  const dir = join(o.dataDir, 'prometheus-config');
  const doc = parseDocument(readFileSync(shipped, 'utf8'));
  doc.set('rule_files', [join(o.root, 'prometheus', 'rules', '*.yml')]);
  if (o.ports.vantage !== DEFAULT_PORTS.vantage) {
    doc.setIn(['global', 'external_labels', 'vantage_url'], baseUrl(o.ports.vantage));
  }
  const scrapeConfigs = doc.get('scrape_configs') as { items: unknown[] } | undefined;
  const nodeJob = scrapeConfigs?.items.findIndex(
    (job) => (job as { get(key: string): unknown }).get('job_name') === 'node',
  );
  if (nodeJob !== undefined && nodeJob >= 0) {
    doc.setIn(
      ['scrape_configs', nodeJob, 'file_sd_configs'],
      doc.createNode([
        {
          files: [
            join('targets', TARGETS_FILES['node-exporter']),
            join(o.root, 'prometheus', 'targets', 'node-*.yml'),
          ],
        },
      ]),
    );
  }
  const file = join(dir, 'prometheus.yml');
  generated.set(
    file,
    `# A copy of ${shipped} written by \`vantage stack\` for other ports: edit that file, not this one.\n` +
      doc.toString({ lineWidth: 0 }),
  );
  for (const c of COMPONENTS) {
    generated.set(join(dir, 'targets', TARGETS_FILES[c]), targetsFile(TITLES[c], o.ports[c]));
  }
  return { file, generated };
}

/**
 * The four processes, in start order: Prometheus last, so its first scrape finds vantage and
 * node_exporter.
 */
export function planChildren(o: StackOptions, prometheusConfigFile: string): ChildSpec[] {
  const dirs = dataDirs(o.dataDir);
  const url = (c: Component) => baseUrl(o.ports[c]);
  const listen = (c: Component) => `${STACK_HOST}:${o.ports[c]}`;
  return [
    {
      name: 'vantage',
      command: process.execPath,
      args: [
        join(o.root, 'bin', 'vantage.js'),
        'serve',
        `--web.listen-address=${listen('vantage')}`,
        `--storage.path=${dirs.vantage}`,
        `--log.level=${o.logLevel}`,
        ...(o.logFormat ? [`--log.format=${o.logFormat}`] : []),
        ...(o.configFile ? [`--config.file=${o.configFile}`] : []),
      ],
      env: vantageEnv(o, process.env),
      url: url('vantage'),
      readyUrl: `${url('vantage')}/-/ready`,
      reloadsOnHangup: true,
    },
    {
      name: 'alertmanager',
      command: o.binaries.alertmanager,
      args: [
        `--config.file=${alertmanagerConfigPaths(o).out}`,
        `--storage.path=${dirs.alertmanager}`,
        `--web.listen-address=${listen('alertmanager')}`,
        `--web.external-url=${url('alertmanager')}`,
        // One instance: no cluster, and no gossip port 9094 to take.
        '--cluster.listen-address=',
      ],
      url: url('alertmanager'),
      readyUrl: `${url('alertmanager')}/-/ready`,
      reloadsOnHangup: true,
    },
    {
      // Debian's prometheus-node-exporter with its default collectors: the host's CPU, memory,
      // filesystems, disks and network, which the capacity rules read.
      name: 'node-exporter',
      command: o.binaries['node-exporter'],
      // warn: at info it logs one line per collector at start (about 50), which buried the
      // stack's banner.
      args: [`--web.listen-address=${listen('node-exporter')}`, '--log.level=warn'],
      url: url('node-exporter'),
      readyUrl: `${url('node-exporter')}/`,
      reloadsOnHangup: false,
    },
    {
      name: 'prometheus',
      command: o.binaries.prometheus,
      args: [
        `--config.file=${prometheusConfigFile}`,
        `--storage.tsdb.path=${dirs.prometheus}`,
        `--storage.tsdb.retention.time=${RETENTION}`,
        `--web.listen-address=${listen('prometheus')}`,
        `--web.external-url=${url('prometheus')}`,
        '--web.enable-lifecycle',
      ],
      url: url('prometheus'),
      readyUrl: `${url('prometheus')}/-/ready`,
      reloadsOnHangup: true,
    },
  ];
}
