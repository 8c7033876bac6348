/**
 * The timings that decide how fast VantageTargetDown pages, read from the repository's own
 * files (prometheus/prometheus.yml, prometheus/rules/vantage-alerts.rules.yml,
 * alertmanager/alertmanager.yml), so bench/alert-latency.ts measures and bounds whatever is
 * shipped, not numbers written into the script.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALERTMANAGER_TEMPLATE } from '../../test/helpers/alertmanager.js';
import { durationMs, PROMETHEUS_DIR } from '../../test/helpers/prometheus.js';
import type { Settings } from './alertLatencyReport.js';

export interface AlertingSettings extends Settings {
  /** The rule group that holds VantageTargetDown. */
  ruleGroup: string;
}

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

const yamlFile = async <T>(file: string): Promise<T> => parse(await readFile(file, 'utf8')) as T;

/**
 * The shipped settings, with the bench's overrides: `evaluation` for VantageTargetDown's rule
 * group, `groupWait` for the critical (pager) route. Unset keys take Prometheus's and
 * Alertmanager's own defaults, as they would.
 */
export async function alertingSettings(overrides: {
  evaluation?: string;
  groupWait?: string;
}): Promise<AlertingSettings> {
  const { global = {} } = await yamlFile<{ global?: Record<string, string> }>(
    join(PROMETHEUS_DIR, 'prometheus.yml'),
  );
  const rulesFile = join(PROMETHEUS_DIR, 'rules', 'vantage-alerts.rules.yml');
  const { groups } = await yamlFile<{
    groups: { name: string; interval?: string; rules: { alert?: string; for?: string }[] }[];
  }>(rulesFile);
  const group = groups.find((g) => g.rules.some((r) => r.alert === 'VantageTargetDown'));
  if (!group) throw new Error(`${rulesFile}: no rule group holds VantageTargetDown`);
  const rule = group.rules.find((r) => r.alert === 'VantageTargetDown')!;

  const { route } = await yamlFile<{ route: Route }>(ALERTMANAGER_TEMPLATE);
  const pager = route.routes?.find((r) => r.receiver === 'pager');
  if (!pager) throw new Error(`${ALERTMANAGER_TEMPLATE}: no route to the pager receiver`);

  return {
    ruleGroup: group.name,
    scrapeMs: durationMs(global.scrape_interval ?? '1m'),
    evaluationMs: durationMs(overrides.evaluation ?? group.interval ?? global.evaluation_interval ?? '1m'),
    forMs: durationMs(rule.for ?? '0s'),
    groupWaitMs: durationMs(overrides.groupWait ?? pager.group_wait ?? route.group_wait ?? '30s'),
    groupIntervalMs: durationMs(pager.group_interval ?? route.group_interval ?? '5m'),
  };
}
