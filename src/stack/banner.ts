/**
 * What `vantage stack` prints once all four are ready: where each one answers and how to
 * reach Prometheus' and Alertmanager's views with the binaries the stack runs. Pure, so the
 * links can be tested without starting anything.
 *
 * Debian's Prometheus 2.42 is built without the React UI: /alerts, /rules and /targets are 404
 * there, the classic pages under /classic/ answer (as in every Prometheus 2.x). Debian's
 * Alertmanager has no web UI at all, so the banner gives the amtool commands instead.
 */
import { join } from 'node:path';
import {
  adminTokenPlan,
  alertmanagerConfigPaths,
  baseUrl,
  dataDirs,
  RETENTION,
  type StackOptions,
} from './plan.js';
import { DATABASE_FILE } from '../store/database.js';

/** The Prometheus 2.x pages that answer on Debian's build too. */
export const PROMETHEUS_PAGES = ['/classic/alerts', '/classic/rules', '/classic/targets'] as const;

/** The amtool commands that stand in for Alertmanager's UI (Debian's package has none). */
export function amtoolCommands(alertmanagerPort: number): { alerts: string; silences: string } {
  const amtool = `amtool --alertmanager.url=${baseUrl(alertmanagerPort)}`;
  return { alerts: `${amtool} alert query`, silences: `${amtool} silence query` };
}

export interface BannerInput {
  options: StackOptions;
  prometheusConfigFile: string;
  /** The runner's pid, which SIGHUP reloads. */
  pid: number;
  /** How a path is printed (relative to the working directory when inside it). */
  shown: (path: string) => string;
}

export function stackBanner({ options: o, prometheusConfigFile, pid, shown }: BannerInput): string {
  const prometheus = baseUrl(o.ports.prometheus);
  const amtool = amtoolCommands(o.ports.alertmanager);
  const rows: [string, string, string][] = [
    ['vantage', `${baseUrl(o.ports.vantage)}/`, 'live results, /metrics, /runbook'],
    ['Prometheus', `${prometheus}/`, PROMETHEUS_PAGES.map((p) => `${prometheus}${p}`).join(' ')],
    ['Alertmanager', `${baseUrl(o.ports.alertmanager)}/`, 'API only (no web UI in this package); alerts:'],
  ];
  const nodeExporter = `${baseUrl(o.ports['node-exporter'])}/metrics`;
  const grafana = (p: string) => shown(join(o.root, 'grafana', p));
  const token = adminTokenPlan(o).file;
  const pad = ' '.repeat(16);
  return [
    '',
    `vantage stack is ready (${o.configFile ? `config ${shown(o.configFile)}` : 'embedded demo config'}):`,
    ...rows.map(([name, url, what]) => `  ${name.padEnd(13)} ${url}`.padEnd(48) + what),
    `${pad}${amtool.alerts}`,
    `${pad}silences: ${amtool.silences}`,
    `  ${'node_exporter'.padEnd(13)} ${nodeExporter}`.padEnd(48) +
      "this host's CPU, memory, disks (Prometheus job node; more hosts: docs/capacity.md)",
    `  ${'Grafana'.padEnd(13)} not started by this runner (Debian has no grafana package). In a Grafana of your own:`,
    `${pad}data sources: copy ${grafana('provisioning/datasources/')} to /etc/grafana/provisioning/datasources/`,
    `${pad}  and set the urls to ${prometheus} (Prometheus), ${baseUrl(o.ports.alertmanager)} (Alertmanager)`,
    `${pad}dashboards:   copy ${grafana('provisioning/dashboards/')} to /etc/grafana/provisioning/dashboards/`,
    `${pad}  and ${grafana('dashboards/')} to /var/lib/grafana/dashboards/, then restart Grafana;`,
    `${pad}or run the whole stack, Grafana included, with docker compose (README).`,
    '',
    `  Prometheus config ${shown(prometheusConfigFile)} (reload: curl -X POST ${prometheus}/-/reload)`,
    `  Alertmanager config rendered to ${shown(alertmanagerConfigPaths(o).out)} (kill -HUP ${pid} renders it again and reloads all three)`,
    `  Admin token in ${shown(token)}, shared with Alertmanager; writes need it:`,
    `    curl -X POST -H "Authorization: Bearer $(cat ${shown(token)})" ${baseUrl(o.ports.vantage)}/-/reload`,
    `  Data in ${shown(o.dataDir)}, Prometheus keeps ${RETENTION}. Ctrl-C stops all four.`,
    `  Record a deploy: npx vantage change add --title=… --kind=deploy --storage.path=${shown(o.dataDir)}`,
    `    (the store is ${shown(join(dataDirs(o.dataDir).vantage, DATABASE_FILE))}; change list and report take the same path)`,
    '',
    '',
  ].join('\n');
}
