/**
 * A real Alertmanager for integration tests: renders the repository's alertmanager/alertmanager.yml
 * with alertmanager/render-config.sh, runs Debian's prometheus-alertmanager on 127.0.0.1 and a
 * free port with storage in a temp dir and clustering off, and talks to its v2 API.
 *
 *   const file = join(dir, 'alertmanager.yml');
 *   await renderAlertmanagerConfig(file, { VANTAGE_INCIDENT_WEBHOOK_URL: `${receiver.url}/incidents` });
 *   await shortenTimings(file); // notifications within seconds instead of minutes
 *   const am = await startAlertmanager(file);
 *   await am.postAlerts([{ labels: { alertname: 'VantageTargetDown', severity: 'critical', target: 'x' } }]);
 *   ...
 *   await am.stop();
 *
 * Prometheus in an end-to-end test reaches it at `am.url` (alerting.alertmanagers static_configs
 * target `127.0.0.1:${am.port}`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { startDaemon } from './daemon.js';
import { freePort } from './ports.js';

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';
export const AMTOOL_BIN = process.env.AMTOOL_BIN ?? 'amtool';
export const ALERTMANAGER_TEMPLATE = fileURLToPath(
  new URL('../../alertmanager/alertmanager.yml', import.meta.url),
);
export const RENDER_SCRIPT = fileURLToPath(new URL('../../alertmanager/render-config.sh', import.meta.url));

/** An alert as POST /api/v2/alerts takes it (what Prometheus sends). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; Alertmanager uses "now" when absent. */
  startsAt?: string;
  /** RFC 3339; an endsAt in the past resolves the alert. */
  endsAt?: string;
  generatorURL?: string;
}

/** An alert as GET /api/v2/alerts returns it (the fields tests use). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  receivers: { name: string }[];
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

export interface Alertmanager {
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  /** Alertmanager's log (stderr), one line per entry, for assertions and failure messages. */
  logs: string[];
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Every alert Alertmanager holds, with its inhibition and silence status as of this call. */
  alerts(): Promise<GettableAlert[]>;
  /** Silences alerts whose labels include `labels` (exact values) for `durationMs` (default 1h); resolves with the silence's id. */
  silence(labels: Record<string, string>, durationMs?: number): Promise<string>;
  /** SIGTERM (SIGKILL after 5s) and removes the storage dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RenderResult {
  code: number;
  stderr: string;
}

/**
 * Runs render-config.sh on the repository's template (or `template`) with exactly `env` as the
 * VANTAGE_* variables (none inherited from the developer's shell). Resolves with the exit code
 * and stderr; it does not throw on a non-zero exit, so tests can assert refusals.
 */
export function renderAlertmanagerConfig(
  outFile: string,
  env: Record<string, string> = {},
  template = ALERTMANAGER_TEMPLATE,
): Promise<RenderResult> {
  return new Promise((done) => {
    execFile(
      'sh',
      [RENDER_SCRIPT, template, outFile],
      { env: { PATH: process.env.PATH, ...env } },
      (err, _o, stderr) =>
        done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 127, stderr }),
    );
  });
}

/**
 * Rewrites a rendered config in place so notifications arrive within seconds: group_wait (when
 * not 0s) and group_interval of the root route and every child route. Routing, receivers,
 * repeat intervals and inhibitions stay as they are.
 */
export async function shortenTimings(
  configFile: string,
  timings: { groupWait?: string; groupInterval?: string } = {},
): Promise<void> {
  const { groupWait = '1s', groupInterval = '2s' } = timings;
  interface Route {
    group_wait?: string;
    group_interval?: string;
    routes?: Route[];
  }
  const config = parse(await readFile(configFile, 'utf8')) as { route: Route };
  const visit = (route: Route): void => {
    if (route.group_wait !== '0s') route.group_wait = groupWait;
    route.group_interval = groupInterval;
    route.routes?.forEach(visit);
  };
  visit(config.route);
  await writeFile(configFile, stringify(config));
}

/**
 * Starts Alertmanager with `configFile` and resolves once /-/ready answers 200. Rejects, with
 * its log, if it exits first or is not ready within `timeoutMs`. `args` adds flags (e.g.
 * `--log.level=debug`).
 */
export async function startAlertmanager(
  configFile: string,
  options: { args?: string[]; timeoutMs?: number } = {},
): Promise<Alertmanager> {
  // The port is free when chosen but could be taken before Alertmanager binds it: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(configFile, await freePort(), options);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
    }
  }
}

async function startOnce(
  configFile: string,
  port: number,
  { args = [], timeoutMs = 15_000 }: { args?: string[]; timeoutMs?: number },
): Promise<Alertmanager> {
  const storage = await mkdtemp(join(tmpdir(), 'vantage-alertmanager-'));
  const url = `http://127.0.0.1:${port}`;
  const { logs, stop } = await startDaemon(
    'alertmanager',
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      // No gossip: a single instance notifies at once instead of waiting for peers to settle.
      '--cluster.listen-address=',
      ...args,
    ],
    { url, cleanupDir: storage, timeoutMs },
  );

  const api = async (path: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(`${url}/api/v2${path}`, init);
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    url,
    port,
    logs,
    async postAlerts(alerts) {
      await api('/alerts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
    },
    async alerts() {
      return (await (await api('/alerts')).json()) as GettableAlert[];
    },
    async silence(labels, durationMs = 3_600_000) {
      const now = Date.now();
      const res = await api('/silences', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: Object.entries(labels).map(([name, value]) => ({
            name,
            value,
            isRegex: false,
            isEqual: true,
          })),
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + durationMs).toISOString(),
          createdBy: 'vantage tests',
          comment: 'test silence',
        }),
      });
      return ((await res.json()) as { silenceID: string }).silenceID;
    },
    stop,
  };
}
