/**
 * Starting the processes a benchmark compares: vantage (built, from bin/vantage.js), Debian's
 * prometheus-blackbox-exporter, and the local target server. Both exporters get the same
 * http module, so the figures compare the same work.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { freePort, spawnChild, waitForHttp, type Child } from './children.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BLACKBOX_BINARY = '/usr/bin/prometheus-blackbox-exporter';
/** Every address a benchmark touches is loopback. */
export const HOST = '127.0.0.1';

/** The module both exporters run: blackbox_exporter syntax, which vantage accepts unchanged. */
export const HTTP_2XX_MODULE = {
  prober: 'http',
  timeout: '5s',
  http: {
    valid_status_codes: [200],
    fail_if_body_not_matches_regexp: ['status: ok'],
    preferred_ip_protocol: 'ip4',
  },
} as const;

export interface RunningExporter {
  tool: 'vantage' | 'blackbox_exporter';
  child: Child;
  baseUrl: string;
}

/** A fresh directory for configs, logs, vantage's storage and CPU profiles of one run. */
export function makeWorkDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `vantage-bench-${name}-`));
}

export async function startTargetServer(workDir: string): Promise<{ child: Child; baseUrl: string }> {
  const port = await freePort();
  const child = spawnChild({
    name: 'target-server',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/targetServer.ts'), String(port)],
    cwd: REPO_ROOT, // where `tsx` resolves from
    logDir: workDir,
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(child, `${baseUrl}/`);
  return { child, baseUrl };
}

export interface VantageTarget {
  name: string;
  url: string;
  /** This target's probe interval; default: the global one. */
  interval?: string;
  /** The modules that probe it; default: [http_2xx]. */
  modules?: readonly string[];
}

export interface StartVantageOptions {
  workDir: string;
  targets: readonly VantageTarget[];
  interval: string;
  /** Write a V8 CPU profile (.cpuprofile) into this directory when vantage exits. */
  cpuProfileDir?: string;
  /** Extra `vantage serve` flags. */
  flags?: readonly string[];
  /** More modules (vantage config syntax), beside http_2xx, for targets that name them. */
  modules?: Readonly<Record<string, unknown>>;
  /** More top-level config sections (e.g. `rum`), written as given. */
  sections?: Readonly<Record<string, unknown>>;
}

export async function startVantage(options: StartVantageOptions): Promise<RunningExporter> {
  const entry = join(REPO_ROOT, 'bin/vantage.js');
  if (!existsSync(join(REPO_ROOT, 'dist/cli.js'))) {
    throw new Error('vantage is not built: run `npm run build` first (bench runs the compiled dist/)');
  }
  const configFile = join(options.workDir, 'vantage.yml');
  const config = {
    global: { interval: options.interval },
    modules: { http_2xx: HTTP_2XX_MODULE, ...options.modules },
    targets: options.targets.map((t) => ({
      name: t.name,
      url: t.url,
      modules: t.modules ?? ['http_2xx'],
      ...(t.interval === undefined ? {} : { interval: t.interval }),
    })),
    ...options.sections,
  };
  writeFileSync(configFile, stringify(config));
  const storage = join(options.workDir, 'vantage-data');
  mkdirSync(storage, { recursive: true });
  const port = await freePort();
  const nodeFlags = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawnChild({
    name: 'vantage',
    command: process.execPath,
    args: [
      ...nodeFlags,
      entry,
      `--config.file=${configFile}`,
      `--web.listen-address=${HOST}:${port}`,
      // Not the default `data/` in the working directory: a benchmark leaves the repo untouched.
      `--storage.path=${storage}`,
      '--log.level=warn',
      ...(options.flags ?? []),
    ],
    cwd: options.workDir,
    logDir: options.workDir,
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(child, `${baseUrl}/-/ready`, 120_000);
  return { tool: 'vantage', child, baseUrl };
}

export async function startBlackbox(workDir: string): Promise<RunningExporter> {
  if (!existsSync(BLACKBOX_BINARY)) {
    throw new Error(`${BLACKBOX_BINARY} not found: apt-get install prometheus-blackbox-exporter`);
  }
  const configFile = join(workDir, 'blackbox.yml');
  writeFileSync(configFile, stringify({ modules: { http_2xx: HTTP_2XX_MODULE } }));
  const port = await freePort();
  const child = spawnChild({
    name: 'blackbox_exporter',
    command: BLACKBOX_BINARY,
    args: [`--config.file=${configFile}`, `--web.listen-address=${HOST}:${port}`, '--log.level=warn'],
    cwd: workDir,
    logDir: workDir,
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(child, `${baseUrl}/metrics`);
  return { tool: 'blackbox_exporter', child, baseUrl };
}
