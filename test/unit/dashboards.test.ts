/**
 * The committed dashboards, docs/dashboards.md and empty-results.yml are exactly what the
 * generator (grafana/generator/) makes now, and Grafana's provisioning matches the stack:
 * the data sources' addresses and uids, and Prometheus' scrape interval.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARD_DIR, generateFiles } from '../../grafana/generator/generate.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const STALE = 'is out of date: run `npm run dashboards` and commit the result';

describe('generated dashboards', async () => {
  const files = await generateFiles();

  it.each(files.map((f) => [f.path, f.content]))('%s is what the generator makes', (path, content) => {
    let committed: string;
    try {
      committed = read(path);
    } catch {
      throw new Error(`${path} is missing: run \`npm run dashboards\` and commit the result`);
    }
    expect(committed === content, `${path} ${STALE}`).toBe(true);
  });

  it('has no dashboard the generator does not make', () => {
    const generated = new Set(files.map((f) => f.path));
    const committed = readdirSync(new URL(`${DASHBOARD_DIR}/`, root))
      .filter((name) => name.endsWith('.json'))
      .map((name) => `${DASHBOARD_DIR}/${name}`);
    expect(
      committed.filter((p) => !generated.has(p)),
      `stale dashboards: run \`npm run dashboards\``,
    ).toEqual([]);
  });

  // The README and docs/changes.md say changes show on every dashboard; every one has a time
  // axis to place them on.
  const dashboards = readdirSync(new URL(`${DASHBOARD_DIR}/`, root))
    .filter((name) => name.endsWith('.json'))
    .sort();
  it.each(dashboards)('%s marks the changes of the change log at their time', (name) => {
    const d = JSON.parse(read(`${DASHBOARD_DIR}/${name}`)) as {
      annotations: { list: { name: string; expr: string; useValueForTime?: boolean }[] };
    };
    const changes = d.annotations.list.find((a) => a.name === 'Changes');
    expect(changes, `${name} has no Changes annotation`).toBeDefined();
    expect(changes!.expr).toMatch(
      /^max by \(change_id, kind, target, title\) \(vantage_change_timestamp_seconds\b/,
    );
    expect(changes!.useValueForTime).toBe(true);
  });

  it('covers the nine provisioned dashboards', () => {
    expect(dashboards).toEqual([
      'capacity.json',
      'field.json',
      'journeys.json',
      'overview.json',
      'service.json',
      'slo.json',
      'target.json',
      'trends.json',
      'web-vitals.json',
    ]);
  });
});

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
}

describe('Grafana provisioning', () => {
  const datasources = (
    parse(read('grafana/provisioning/datasources/vantage.yml')) as {
      apiVersion: number;
      datasources: Datasource[];
    }
  ).datasources;
  const byUid = new Map(datasources.map((d) => [d.uid, d]));

  it('provisions Prometheus, with the scrape interval of prometheus.yml', () => {
    const prometheus = byUid.get('vantage-prometheus');
    expect(prometheus).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    const scrapeInterval = (
      parse(read('prometheus/prometheus.yml')) as { global: { scrape_interval: string } }
    ).global.scrape_interval;
    // Grafana's $__rate_interval is at least 4 x timeInterval: equal to the scrape interval, a
    // rate always spans at least four samples, never fewer than the two it needs.
    expect(prometheus!.jsonData?.timeInterval).toBe(scrapeInterval);
    expect(scrapeInterval).toBe('15s');
  });

  it('provisions Alertmanager', () => {
    expect(byUid.get('vantage-alertmanager')).toMatchObject({
      type: 'alertmanager',
      url: 'http://alertmanager:9093',
      jsonData: { implementation: 'prometheus' },
    });
  });

  it('loads the dashboards from files, read-only, one folder per directory', () => {
    const { providers } = parse(read('grafana/provisioning/dashboards/vantage.yml')) as {
      providers: {
        type: string;
        disableDeletion: boolean;
        allowUiUpdates: boolean;
        options: Record<string, unknown>;
      }[];
    };
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      type: 'file',
      disableDeletion: true,
      allowUiUpdates: false,
      options: { path: '/var/lib/grafana/dashboards', foldersFromFilesStructure: true },
    });
  });

  it('never names a data source uid in a dashboard', () => {
    for (const name of readdirSync(new URL(`${DASHBOARD_DIR}/`, root))) {
      const json = read(`${DASHBOARD_DIR}/${name}`);
      for (const uid of byUid.keys()) expect(json, `${name} names ${uid}`).not.toContain(uid);
    }
  });
});
