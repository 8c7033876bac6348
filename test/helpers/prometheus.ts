/**
 * A real Prometheus for integration tests and benchmarks, running the repository's own
 * prometheus/prometheus.yml (or location.yml, global.yml) and rules/*.yml from a temp copy: Debian's `prometheus` on
 * 127.0.0.1 and a free port, its file_sd lists (targets/*.yml) rewritten to the addresses the
 * caller started, storage in the temp dir, and its log captured.
 *
 *   const prom = await startPrometheus({
 *     vantage: [vantage.baseUrl],                // or file_sd groups: [{ targets, labels: { location } }]
 *     alertmanagers: [am.url],
 *     intervals: { scrape: '1s', evaluation: '1s', for: { VantageTargetDown: '4s' } },
 *   });
 *   await prom.waitForTargets();                 // every scrape target up, every Alertmanager known
 *   await prom.query('probe_success{target="homepage"}');
 *   await prom.alerts({ alertname: 'VantageTargetDown' });
 *   await prom.stop();
 *
 * The global view (docs/scaling.md): a receiver running global.yml, and a location running
 * location.yml that remote-writes to it.
 *
 *   const global = await startPrometheus({ config: 'global.yml', vantage: [], args: ['--web.enable-remote-write-receiver'] });
 *   const eu = await startPrometheus({
 *     config: 'location.yml', vantage: [vantage.baseUrl], externalLabels: { location: 'eu-west' },
 *     remoteWrite: [`${global.url}/api/v1/write`], intervals: { batchSendDeadline: '1s' },
 *   });
 *
 * The copies are edited with the `yaml` package, never by hand: a test always runs the shipped
 * expressions, labels and annotations; only the intervals it asks for differ.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLMap } from 'yaml';
import { startDaemon } from './daemon.js';
import { freePort } from './ports.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
export const PROMETHEUS_DIR = fileURLToPath(new URL('../../prometheus/', import.meta.url));

/** One entry of a file_sd list: scrape addresses sharing labels (e.g. `location`). */
export interface TargetGroup {
  /** "127.0.0.1:PORT", or a base URL "http://127.0.0.1:PORT" (scheme and path are dropped). */
  targets: string[];
  labels?: Record<string, string>;
}

/**
 * Shorter (or longer) intervals than the shipped ones. Durations are Prometheus durations
 * ("500ms", "1s", "1m"). Anything not given stays as shipped.
 */
export interface PrometheusIntervals {
  /** global.scrape_interval; scrape_timeout is capped to it. */
  scrape?: string;
  /**
   * global.evaluation_interval, and the `interval` of every rule group that sets its own
   * (the 5m and 1h downsampling groups...), so every rule runs at this pace.
   */
  evaluation?: string;
  /** `interval` of rule groups by name, over `evaluation` (a group that has none gets one). */
  groups?: Record<string, string>;
  /** `for` of alert rules by alert name (every rule of that name). */
  for?: Record<string, string>;
  /**
   * queue_config.batch_send_deadline of every remote_write entry: the longest a sample waits
   * before it is sent (Prometheus' default 5s).
   */
  batchSendDeadline?: string;
}

export interface PrometheusOptions {
  /** The shipped configuration to run, a file of prometheus/ (default prometheus.yml). */
  config?: 'prometheus.yml' | 'location.yml' | 'global.yml';
  /**
   * The URLs of the config's remote_write entries, in order (the shipped ones name example
   * hosts). Required when the config has remote_write; one per entry.
   */
  remoteWrite?: string[];
  /** Scrape targets of the `vantage` job. */
  vantage: string | (string | TargetGroup)[];
  /** node_exporters the `node` job scrapes (targets/node.yml); none: the job has no targets. */
  node?: string[];
  /** Alertmanagers to send alerts to (and scrape); none: alerts go nowhere. */
  alertmanagers?: string[];
  intervals?: PrometheusIntervals;
  /** global.external_labels, e.g. { location: 'eu' } or the annotations' grafana_url / vantage_url. */
  externalLabels?: Record<string, string>;
  /**
   * --rules.alert.resend-delay. Default 1s: a firing alert is re-sent every second, so an alert
   * evaluated before Prometheus discovered its Alertmanager still arrives within a second.
   * Prometheus's own default is 1m (what a shipped deployment runs). A new alert and a
   * resolution are sent at once either way.
   */
  resendDelay?: string;
  /** More flags, e.g. `--log.level=debug`. */
  args?: string[];
  /** How long to wait for /-/ready (default 20 s). */
  timeoutMs?: number;
}

/** One element of an instant vector. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** One series of a range vector (a query such as `probe_success[5m]`): its raw samples. */
export interface Series {
  metric: Record<string, string>;
  /**
   * Oldest first. A scraped series has the scrape's start time; a rule's (ALERTS, a recorded
   * series) the evaluation's time.
   */
  values: { timestamp: number; value: number }[];
}

/** An alert as GET /api/v1/alerts shows it: pending or firing. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  /** When the expression first returned this series (RFC 3339). */
  activeAt: string;
  value: string;
}

export interface Prometheus {
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  /** The temp dir holding the config, rules, targets and TSDB (removed by stop()). */
  dir: string;
  /** Prometheus's log (stderr), one line per entry. */
  logs: string[];
  /** An instant query; `time` in ms since the epoch (default now). Throws unless a vector or scalar. */
  query(expr: string, time?: number): Promise<Sample[]>;
  /** An instant query of a range vector: raw samples with their timestamps. */
  querySeries(expr: string, time?: number): Promise<Series[]>;
  /** Pending and firing alerts, optionally only those whose labels include `labels`. */
  alerts(labels?: Record<string, string>): Promise<PrometheusAlert[]>;
  /** When Prometheus last evaluated the rule (alert or record) `name`, in ms since the epoch; 0 if never. */
  lastEvaluation(name: string): Promise<number>;
  /**
   * Polls `query(expr)` until `until(samples)` holds (default: a non-empty result) and
   * resolves with those samples; rejects after `timeoutMs` (default 20 s) with the last result.
   */
  waitForQuery(expr: string, until?: (samples: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  /**
   * Waits until every scrape target has been scraped successfully and every configured
   * Alertmanager is discovered. File-based discovery reaches the scrape loops and the notifier
   * only every 5 s, so right after start neither scrapes nor alerts have anywhere to go.
   */
  waitForTargets(timeoutMs?: number): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** "http://127.0.0.1:9470/x" or "127.0.0.1:9470" -> "127.0.0.1:9470". */
function address(target: string): string {
  return /^[a-z]+:\/\//i.test(target) ? new URL(target).host : target;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** A Prometheus duration ("1m30s") in milliseconds. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`not a Prometheus duration: ${JSON.stringify(text)}`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS[unit!]!, 0);
}

/** The shipped config (prometheus.yml by default) with the requested globals and remote_write URLs. */
async function writeMainConfig(dir: string, options: PrometheusOptions): Promise<void> {
  const config = options.config ?? 'prometheus.yml';
  const doc = parseDocument(await readFile(join(PROMETHEUS_DIR, config), 'utf8'));
  const { scrape, evaluation } = options.intervals ?? {};
  if (scrape !== undefined) {
    doc.setIn(['global', 'scrape_interval'], scrape);
    const timeout = String(doc.getIn(['global', 'scrape_timeout']) ?? '10s');
    if (durationMs(timeout) > durationMs(scrape)) doc.setIn(['global', 'scrape_timeout'], scrape);
  }
  if (evaluation !== undefined) doc.setIn(['global', 'evaluation_interval'], evaluation);
  if (options.externalLabels) {
    doc.setIn(['global', 'external_labels'], doc.createNode(options.externalLabels));
  }
  const remoteWrite = doc.get('remote_write');
  const entries = isSeq(remoteWrite) ? (remoteWrite.items as YAMLMap[]) : [];
  const urls = options.remoteWrite ?? [];
  // An entry left at its example host would send nowhere, and the test would wait in vain.
  if (urls.length !== entries.length) {
    throw new Error(
      `${config} has ${entries.length} remote_write entries; remoteWrite gave ${urls.length} URLs`,
    );
  }
  entries.forEach((entry, i) => {
    entry.set('url', urls[i]);
    const deadline = options.intervals?.batchSendDeadline;
    if (deadline !== undefined) entry.setIn(['queue_config', 'batch_send_deadline'], deadline);
  });
  await writeFile(join(dir, 'prometheus.yml'), String(doc));
}

/** Every rule file of prometheus/rules with the requested group intervals and `for`s. */
async function writeRules(dir: string, intervals: PrometheusIntervals): Promise<void> {
  await mkdir(join(dir, 'rules'));
  const unusedGroups = new Set(Object.keys(intervals.groups ?? {}));
  const unusedAlerts = new Set(Object.keys(intervals.for ?? {}));
  const files = (await readdir(join(PROMETHEUS_DIR, 'rules'))).filter((f) => f.endsWith('.yml'));
  for (const file of files) {
    const doc: Document = parseDocument(await readFile(join(PROMETHEUS_DIR, 'rules', file), 'utf8'));
    const groups = doc.get('groups');
    if (!isSeq(groups)) throw new Error(`${file}: no groups`);
    for (const group of groups.items) {
      if (!isMap(group)) continue;
      const name = String(group.get('name'));
      const interval = intervals.groups?.[name];
      if (interval !== undefined) {
        group.set('interval', interval);
        unusedGroups.delete(name);
      } else if (intervals.evaluation !== undefined && group.has('interval')) {
        group.set('interval', intervals.evaluation);
      }
      const rules = group.get('rules');
      if (!isSeq(rules)) continue;
      for (const rule of rules.items as YAMLMap[]) {
        const alert = rule.get('alert');
        const forDuration = typeof alert === 'string' ? intervals.for?.[alert] : undefined;
        if (forDuration === undefined) continue;
        rule.set('for', forDuration);
        unusedAlerts.delete(alert as string);
      }
    }
    await writeFile(join(dir, 'rules', file), String(doc));
  }
  // A misspelt name would silently test the shipped timing instead of the intended one.
  if (unusedGroups.size > 0) throw new Error(`no rule group named ${[...unusedGroups].join(', ')}`);
  if (unusedAlerts.size > 0) throw new Error(`no alert rule named ${[...unusedAlerts].join(', ')}`);
}

/** targets/*.yml, the file_sd lists prometheus.yml reads, pointing at the caller's processes. */
async function writeTargets(dir: string, options: PrometheusOptions, port: number): Promise<void> {
  await mkdir(join(dir, 'targets'), { recursive: true });
  const vantage = (Array.isArray(options.vantage) ? options.vantage : [options.vantage]).map((t) =>
    typeof t === 'string' ? { targets: [address(t)] } : { ...t, targets: t.targets.map(address) },
  );
  const alertmanagers = (options.alertmanagers ?? []).map(address);
  await writeFile(join(dir, 'targets', 'vantage.yml'), stringify(vantage));
  await writeFile(join(dir, 'targets', 'prometheus.yml'), stringify([{ targets: [`127.0.0.1:${port}`] }]));
  const nodes = (options.node ?? []).map(address);
  await writeFile(join(dir, 'targets', 'node.yml'), stringify(nodes.length > 0 ? [{ targets: nodes }] : []));
  await writeFile(
    join(dir, 'targets', 'alertmanager.yml'),
    stringify(alertmanagers.length > 0 ? [{ targets: alertmanagers }] : []),
  );
}

/**
 * Starts Prometheus with the repository's configuration and rules and resolves once /-/ready
 * answers 200. Rejects, with its log, if it exits first or is not ready within `timeoutMs`.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'vantage-prometheus-'));
  try {
    await writeMainConfig(dir, options);
    await writeRules(dir, options.intervals ?? {});
    // The port is free when chosen but could be taken before Prometheus binds it: try again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await writeTargets(dir, options, port);
      try {
        return await startOnce(dir, port, options);
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}
type QueryData =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] }
  | { resultType: 'matrix'; result: { metric: Record<string, string>; values: [number, string][] }[] };

async function startOnce(dir: string, port: number, options: PrometheusOptions): Promise<Prometheus> {
  const { resendDelay = '1s', args = [], timeoutMs = 20_000 } = options;
  const url = `http://127.0.0.1:${port}`;
  const { logs, tail, stop } = await startDaemon(
    'prometheus',
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      `--rules.alert.resend-delay=${resendDelay}`,
      ...args,
    ],
    { url, cleanupDir: dir, timeoutMs },
  );

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as ApiResponse<T>;
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  };
  const instant = (expr: string, time?: number): Promise<QueryData> =>
    api<QueryData>('query', { query: expr, ...(time === undefined ? {} : { time: String(time / 1000) }) });

  const query = async (expr: string, time?: number): Promise<Sample[]> => {
    const data = await instant(expr, time);
    switch (data.resultType) {
      case 'vector':
        return data.result.map((s) => ({
          metric: s.metric,
          value: Number(s.value[1]),
          timestamp: s.value[0] * 1000,
        }));
      case 'scalar':
        return [{ metric: {}, value: Number(data.result[1]), timestamp: data.result[0] * 1000 }];
      default:
        throw new Error(`query ${expr}: a ${data.resultType}, not an instant vector (use querySeries)`);
    }
  };

  return {
    url,
    port,
    dir,
    logs,
    query,
    async querySeries(expr, time) {
      const data = await instant(expr, time);
      if (data.resultType !== 'matrix')
        throw new Error(`querySeries ${expr}: a ${data.resultType}, not a range vector`);
      return data.result.map((s) => ({
        metric: s.metric,
        values: s.values.map(([t, v]) => ({ timestamp: t * 1000, value: Number(v) })),
      }));
    },
    async alerts(labels = {}) {
      const { alerts } = await api<{ alerts: PrometheusAlert[] }>('alerts');
      return alerts.filter((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
    },
    async lastEvaluation(name) {
      const data = await api<{ groups: { rules: { name: string; lastEvaluation: string }[] }[] }>('rules');
      const times = data.groups
        .flatMap((g) => g.rules)
        .filter((r) => r.name === name)
        .map((r) => Date.parse(r.lastEvaluation))
        .filter((t) => t > 0);
      return times.length > 0 ? Math.max(...times) : 0;
    },
    async waitForQuery(expr, until = (samples) => samples.length > 0, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const samples = await query(expr);
        if (until(samples)) return samples;
        if (Date.now() > deadline) {
          throw new Error(
            `${expr}: condition not met after ${timeoutMs}ms; last result: ${JSON.stringify(samples)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForTargets(timeoutMs = 20_000) {
      const expected = {
        // vantage, prometheus itself, every Alertmanager (the alertmanager job scrapes them) and node_exporter.
        targets:
          (Array.isArray(options.vantage) ? options.vantage : [options.vantage]).reduce<number>(
            (n, t) => n + (typeof t === 'string' ? 1 : t.targets.length),
            0,
          ) +
          1 +
          (options.alertmanagers?.length ?? 0) +
          (options.node?.length ?? 0),
        alertmanagers: options.alertmanagers?.length ?? 0,
      };
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { activeTargets } = await api<{ activeTargets: { scrapeUrl: string; health: string }[] }>(
          'targets',
          { state: 'active' },
        );
        const { activeAlertmanagers } = await api<{ activeAlertmanagers: unknown[] }>('alertmanagers');
        const up = activeTargets.filter((t) => t.health === 'up').length;
        if (up >= expected.targets && activeAlertmanagers.length >= expected.alertmanagers) return;
        if (Date.now() > deadline) {
          const health = activeTargets.map((t) => `${t.scrapeUrl} ${t.health}`).join(', ');
          throw new Error(
            `after ${timeoutMs}ms: ${up} of ${expected.targets} targets up (${health}), ` +
              `${activeAlertmanagers.length} of ${expected.alertmanagers} alertmanagers\n${tail()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}
