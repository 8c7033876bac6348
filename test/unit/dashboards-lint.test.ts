/**
 * The committed dashboards (grafana/dashboards/**\/*.json, what Grafana loads) against the rules
 * of grafana/dashboard-linter (test/helpers/dashboardLint.ts says which apply and why), and
 * their contract with the alert rules and with empty-results.yml.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  RULES,
  lint,
  queryingPanels,
  variable,
  type GrafanaDashboard,
  type Panel,
} from '../helpers/dashboardLint.js';

const root = new URL('../../', import.meta.url);
const dashboardDir = new URL('grafana/dashboards/', root);

function dashboardFiles(dir: URL, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? dashboardFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`)
      : e.name.endsWith('.json')
        ? [`${prefix}${e.name}`]
        : [],
  );
}

const files = dashboardFiles(dashboardDir);
const dashboards = new Map<string, GrafanaDashboard>(
  files.map((f) => [f, JSON.parse(readFileSync(new URL(f, dashboardDir), 'utf8')) as GrafanaDashboard]),
);

// ---------------------------------------------------------------------------------------------

describe('dashboard lint', () => {
  it('finds the dashboards', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(files)('%s', (file) => {
    const d = dashboards.get(file)!;
    it.each(Object.keys(RULES))('%s', (name) => {
      const { rule, applies } = RULES[name]!;
      if (applies && !applies(d)) return;
      expect(rule(d)).toEqual([]);
    });
  });

  it('has unique uids', () => {
    const uids = [...dashboards.values()].map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe('the lint rules catch what they are meant to', () => {
  const good = dashboards.get('vantage/target.json')!;
  const firstPanel = queryingPanels(good)[0]!;
  const withQuery = (expr: string, changes: Partial<Panel> = {}): GrafanaDashboard => ({
    ...good,
    panels: [{ ...firstPanel, ...changes, targets: [{ ...firstPanel.targets![0]!, expr }] }],
  });
  const problems = (d: GrafanaDashboard, rule: string) => RULES[rule]!.rule(d);

  it('passes the committed Target dashboard', () => {
    expect(Object.values(lint(good)).flat()).toEqual([]);
  });

  it.each([
    ['target-promql-rule', 'sum(rate(probe_success{target=~"$target", location=~"$location"}[5m])'],
    ['target-promql-rule', 'probe_success{target=~"$target", location=~"$location", x=~"$nope"}'],
    ['target-rate-interval-rule', 'rate(vantage_probes_total{target=~"$target", location=~"$location"}[5m])'],
    [
      'target-rate-interval-rule',
      'increase(vantage_probes_total{target=~"$target", location=~"$location"}[1h])',
    ],
    [
      'target-counter-agg-rule',
      'sum by (target) (vantage_probes_total{target=~"$target", location=~"$location"})',
    ],
    ['target-target-rule', 'probe_success{location=~"$location"}'],
    ['target-location-rule', 'probe_success{target=~"$target"}'],
    ['target-location-rule', 'target:vantage_slo_objective:max{target=~"$target", location=~"$location"}'],
  ])('%s rejects %s', (rule, expr) => {
    expect(problems(withQuery(expr), rule)).not.toEqual([]);
  });

  it('rejects a panel without unit, description or templated data source', () => {
    const bad = withQuery('probe_success{target=~"$target", location=~"$location"}', {
      description: '',
      datasource: { type: 'prometheus', uid: 'vantage-prometheus' },
      fieldConfig: { defaults: {}, overrides: [] },
    });
    expect(problems(bad, 'panel-title-description-rule')).not.toEqual([]);
    expect(problems(bad, 'panel-datasource-rule')).not.toEqual([]);
    expect(problems(bad, 'panel-units-rule')).not.toEqual([]);
  });

  it('rejects variables that do not reload on time change or are not label queries', () => {
    const bad: GrafanaDashboard = {
      ...good,
      templating: {
        list: good.templating.list.map((v) =>
          v.name === 'target' ? { ...v, refresh: 1, query: 'label_values(vantage_target_info{, target)' } : v,
        ),
      },
    };
    expect(problems(bad, 'template-on-time-change-reload-rule')).not.toEqual([]);
    expect(problems(bad, 'template-label-promql-rule')).not.toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

interface AlertRule {
  alert?: string;
  annotations?: Record<string, string>;
}

describe('dashboards and the rest of the stack', () => {
  const byUid = new Map([...dashboards.values()].map((d) => [d.uid, d]));

  it('has the dashboards whose uids are a contract', () => {
    expect([...byUid.keys()].sort()).toEqual(
      [
        'vantage-capacity',
        'vantage-field',
        'vantage-journeys',
        'vantage-overview',
        'vantage-service',
        'vantage-slo',
        'vantage-target',
        'vantage-trends',
        'vantage-web-vitals',
      ].sort(),
    );
  });

  it("opens every alert's dashboard_url, with the variables it sets", () => {
    const rulesDir = new URL('prometheus/rules/', root);
    const urls = readdirSync(rulesDir)
      .filter((f) => f.endsWith('.yml'))
      .flatMap(
        (f) =>
          (parse(readFileSync(new URL(f, rulesDir), 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups,
      )
      .flatMap((g) => g.rules)
      .flatMap((r) => (r.annotations?.dashboard_url ? [r] : []));
    expect(urls.length).toBeGreaterThan(10);
    for (const r of urls) {
      const url = r.annotations!.dashboard_url!;
      const m = /\/d\/([\w-]+)(?:\?(.*))?$/.exec(url);
      expect(m, `${r.alert}: ${url}`).not.toBeNull();
      const d = byUid.get(m![1]);
      expect(d, `${r.alert} links to /d/${m![1]}, which no dashboard has`).toBeDefined();
      for (const param of (m![2] ?? '').split('&').filter(Boolean)) {
        const name = /^var-([\w]+)=/.exec(param)?.[1];
        if (name) expect(variable(d!, name), `${r.alert} sets var-${name} on ${d!.uid}`).toBeDefined();
      }
    }
  });

  it('lists in empty-results.yml only queries that exist', () => {
    const entries = parse(readFileSync(new URL('empty-results.yml', dashboardDir), 'utf8')) as {
      dashboard: string;
      panel: string;
      refId: string;
      reason: string;
    }[];
    expect(entries.length).toBeGreaterThan(0);
    const keys = entries.map((e) => `${e.dashboard}/${e.panel}/${e.refId}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of entries) {
      expect(e.reason.length, JSON.stringify(e)).toBeGreaterThan(20);
      const d = byUid.get(e.dashboard);
      expect(d, e.dashboard).toBeDefined();
      const annotation = /^annotation: (.+)$/.exec(e.panel)?.[1];
      if (annotation) {
        expect(d!.annotations.list.map((a) => a.name)).toContain(annotation);
      } else {
        const panel = d!.panels.find((p) => p.title === e.panel);
        expect(panel, `${e.dashboard}: panel ${e.panel}`).toBeDefined();
        expect(panel!.targets!.map((t) => t.refId)).toContain(e.refId);
      }
    }
  });

  it.each(['vantage-target', 'vantage-journeys', 'vantage-trends', 'vantage-web-vitals'])(
    '%s shows changes, alerts, restarts and reloads',
    (uid) => {
      const annotations = byUid.get(uid)!.annotations.list;
      expect(annotations.map((a) => a.name)).toEqual([
        'Changes',
        'Alerts',
        'vantage restarts',
        'Config reloads',
      ]);
      const changes = annotations[0]!;
      expect(changes.useValueForTime).toBe(true);
      expect(changes.expr).toContain('vantage_change_timestamp_seconds');
      expect(annotations[1]!.expr).toContain('ALERTS{');
      expect(annotations[2]!.expr).toContain('process_start_time_seconds');
      expect(annotations[3]!.expr).toContain('vantage_config_last_reload_success_timestamp_seconds');
    },
  );
});
