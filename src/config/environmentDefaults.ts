/**
 * Settings the environment supplies when vantage.yml leaves them out. `vantage stack` and
 * docker compose know the Prometheus that scrapes vantage and say so in VANTAGE_PROMETHEUS_URL:
 * that is the default report.prometheus_url of every configuration (the embedded demo's and a
 * file's alike), so the stack makes reports with a file that has no report section. A file's
 * own report.prometheus_url always wins.
 */

export interface ConfigDefaults {
  /** report.prometheus_url when the file sets none. */
  reportPrometheusUrl?: string;
  /**
   * The embedded demo's `hosts` (VANTAGE_DEMO_HOSTS, comma-separated host:port): the node_exporter
   * that `vantage stack` and docker compose run on the machine serving the demo pages, so the
   * Capacity dashboard joins the demo targets with it. A config file names its own hosts.
   */
  demoHosts?: string[];
}

export function configDefaultsFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigDefaults {
  const demoHosts = (env.VANTAGE_DEMO_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return {
    reportPrometheusUrl: env.VANTAGE_PROMETHEUS_URL || undefined,
    ...(demoHosts.length > 0 && { demoHosts }),
  };
}

/**
 * Fills the defaults into the parsed YAML value before validation, so a section completed
 * from the environment is checked (and defaulted) exactly like one written in the file. A
 * `report` that is not a mapping is left for the schema to refuse.
 */
export function applyConfigDefaults(raw: Record<string, unknown>, defaults: ConfigDefaults): void {
  const url = defaults.reportPrometheusUrl;
  if (!url) return;
  const report = raw.report;
  if (report === undefined) raw.report = { prometheus_url: url };
  else if (isPlainObject(report) && report.prometheus_url === undefined) report.prometheus_url = url;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
