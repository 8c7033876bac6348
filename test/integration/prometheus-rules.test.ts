/**
 * The shipped Prometheus configuration and rules, checked by promtool: the config and the
 * rule files are valid, every promtool unit test in prometheus/tests passes, and the alerts
 * keep DESIGN.md's contract (names, severities, annotations, maintenance suppression).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const promDir = join(root, 'prometheus');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

async function ruleFiles(): Promise<string[]> {
  return (await readdir(join(promDir, 'rules'))).filter((f) => f.endsWith('.yml')).sort();
}

async function allRules(): Promise<Rule[]> {
  const rules: Rule[] = [];
  for (const f of await ruleFiles()) {
    const doc = parse(await readFile(join(promDir, 'rules', f), 'utf8')) as RuleFile;
    for (const g of doc.groups) rules.push(...g.rules);
  }
  return rules;
}

/** promtool's exit status and output; a failure is returned, not thrown, so tests can show it. */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: root, maxBuffer: 16 << 20 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

const DESIGN_ALERTS: Record<string, string[]> = {
  VantageTargetDown: ['critical'],
  VantageSLOBurnRateFast: ['critical'],
  VantageSLOBurnRateSlow: ['warning'],
  VantageCertificateExpiring: ['warning', 'critical'],
  VantageSlowResponse: ['warning'],
  VantageResponseTimeRegression: ['warning'],
  VantageWebVitalsPoor: ['warning'],
  VantageLighthouseScoreRegression: ['warning'],
  VantageLatencyAnomaly: ['info'],
  VantageLighthouseAuditFailing: ['warning'],
  VantageProbeServiceDown: ['critical'],
  VantageConfigReloadFailed: ['warning'],
  Watchdog: ['none'],
  VantageJourneyStepSlow: ['warning'],
  VantageFieldWebVitalsPoor: ['warning'],
};
/**
 * DESIGN.md's "node-mixin's names | as there": the host alerts of vantage-capacity.rules.yml with
 * node-mixin's severities (its nodeCriticalSeverity default, critical; NodeCPUHighUsage is info).
 */
const NODE_MIXIN_ALERTS: Record<string, string[]> = {
  NodeFilesystemSpaceFillingUp: ['warning', 'critical'],
  NodeFilesystemAlmostOutOfSpace: ['warning', 'critical'],
  NodeFilesystemFilesFillingUp: ['warning', 'critical'],
  NodeFilesystemAlmostOutOfFiles: ['warning', 'critical'],
  NodeNetworkReceiveErrs: ['warning'],
  NodeNetworkTransmitErrs: ['warning'],
  NodeCPUHighUsage: ['info'],
  NodeSystemSaturation: ['warning'],
  NodeMemoryHighUtilization: ['warning'],
  NodeDiskIOSaturation: ['warning'],
};
/**
 * Field-data alerts: about a site's page group, not a target. A maintenance window mutes the page
 * groups its targets fall in (vantage_rum_target_page_group_info joins the two).
 */
const FIELD_ALERTS = new Set(['VantageFieldWebVitalsPoor']);
/** Alerts about vantage itself, not about a target: maintenance windows do not apply. */
/**
 * Host alerts (node-mixin's): about a host, which may serve several targets or none, so no
 * target's maintenance window applies. They carry `instance`, never `target`.
 */
const HOST_ALERTS = new Set(Object.keys(NODE_MIXIN_ALERTS));
const SERVICE_ALERTS = new Set([
  'VantageProbeServiceDown',
  'VantageConfigReloadFailed',
  'VantageMaintenanceWindowActive',
  'Watchdog',
]);

describe('promtool', () => {
  const temps: string[] = [];
  afterAll(async () => {
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('accepts prometheus.yml and the rule files it loads', async () => {
    const r = await promtool('check', 'config', join(promDir, 'prometheus.yml'));
    expect(r.output).toContain('is valid prometheus config file syntax');
    for (const f of await ruleFiles()) expect(r.output).toContain(`rules/${f}`);
    expect(r.code, r.output).toBe(0);
  });

  // The global view (docs/scaling.md "Option B"): scaling.test.ts runs both over remote_write.
  it.each(['location.yml', 'global.yml'])('accepts %s and the rule files it loads', async (file) => {
    const r = await promtool('check', 'config', join(promDir, file));
    for (const f of await ruleFiles()) expect(r.output).toContain(`rules/${f}`);
    expect(r.code, r.output).toBe(0);
  });

  it("holds prometheus.yml's commented remote_write block equal to location.yml's", async () => {
    const text = await readFile(join(promDir, 'prometheus.yml'), 'utf8');
    const commented = text.slice(text.indexOf('\n# remote_write:') + 1);
    const uncommented = commented.replace(/^# ?/gm, '');
    const location = parse(await readFile(join(promDir, 'location.yml'), 'utf8')) as {
      remote_write: unknown;
    };
    expect(parse(uncommented)).toEqual({ remote_write: location.remote_write });
  });

  // docs/scaling.md "When a location stops sending" gives the global a rule of its own; it must
  // work as printed: silent for 2 minutes plus its `for`, then firing, resolved when samples
  // arrive again, and never for a location whose vantage is merely down (up 0).
  it("fires the docs' VantageLocationSilent for a silent location only", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vantage-prom-'));
    temps.push(dir);
    const docs = await readFile(join(root, 'docs', 'scaling.md'), 'utf8');
    const start = docs.indexOf('groups:\n  - name: vantage-global');
    expect(start, 'the rule in docs/scaling.md').toBeGreaterThan(0);
    await writeFile(join(dir, 'silent.rules.yml'), docs.slice(start, docs.indexOf('```', start)));
    const test = {
      rule_files: ['silent.rules.yml'],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: [
            // eu-west sends until 2m, nothing from 2m15s to 12m, then again.
            { series: 'up{job="vantage",instance="eu:9470",location="eu-west"}', values: '1x8 _x40 1x10' },
            { series: 'up{job="vantage",instance="us:9470",location="us-east"}', values: '1x60' },
            { series: 'up{job="vantage",instance="ap:9470",location="ap-south"}', values: '1x8 0x52' },
          ],
          alert_rule_test: [
            { eval_time: '6m', alertname: 'VantageLocationSilent', exp_alerts: [] },
            {
              eval_time: '7m30s',
              alertname: 'VantageLocationSilent',
              exp_alerts: [
                {
                  exp_labels: { location: 'eu-west', severity: 'warning' },
                  exp_annotations: {
                    summary: 'Nothing has arrived from eu-west for 5 minutes',
                    description:
                      'The global store has received no samples from eu-west for five minutes: its ' +
                      'Prometheus, or its link, is down. Its probes are not seen meanwhile.',
                    runbook_url: 'http://localhost:9470/runbook#vantageprobeservicedown',
                    dashboard_url: 'http://localhost:3000/d/vantage-service',
                  },
                },
              ],
            },
            { eval_time: '12m30s', alertname: 'VantageLocationSilent', exp_alerts: [] },
          ],
        },
      ],
    };
    await writeFile(join(dir, 'silent.test.yml'), stringify(test));
    const r = await promtool('test', 'rules', join(dir, 'silent.test.yml'));
    expect(r.code, r.output).toBe(0);
  });

  it('accepts the docker compose variant (targets-compose mounted over targets)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vantage-prom-'));
    temps.push(dir);
    await cp(join(promDir, 'prometheus.yml'), join(dir, 'prometheus.yml'));
    await cp(join(promDir, 'rules'), join(dir, 'rules'), { recursive: true });
    await cp(join(promDir, 'targets-compose'), join(dir, 'targets'), { recursive: true });
    const r = await promtool('check', 'config', join(dir, 'prometheus.yml'));
    expect(r.code, r.output).toBe(0);
    // Every file_sd list the config names exists in both variants.
    const names = (await readdir(join(promDir, 'targets'))).sort();
    expect((await readdir(join(promDir, 'targets-compose'))).sort()).toEqual(names);
    expect(names).toEqual(['alertmanager.yml', 'node.yml', 'prometheus.yml', 'vantage.yml']);
  });

  it('accepts every rule file', async () => {
    const files = (await ruleFiles()).map((f) => join('prometheus', 'rules', f));
    const r = await promtool('check', 'rules', ...files);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  // Each unit-test file in its own promtool process, two at a time (the weekly ones take ~20 s).
  it.concurrent.each([
    'slo.test.yml',
    'slo-long.test.yml',
    'baselines.test.yml',
    'baselines-weekly.test.yml',
    'alerts.test.yml',
    'alerts-weekly.test.yml',
    'alerts-burn-history.test.yml',
    'alerts-burn-daily.test.yml',
    'journeys.test.yml',
    'browser-flows.test.yml',
    'browser-flows-weekly.test.yml',
    'field.test.yml',
    'global-view.test.yml',
    'capacity.test.yml',
    'capacity-forecast.test.yml',
  ])('passes the unit tests in prometheus/tests/%s', { timeout: 180_000 }, async (file) => {
    const r = await promtool('test', 'rules', join('prometheus', 'tests', file));
    expect(r.output, r.output).toContain('SUCCESS');
    expect(r.code, r.output).toBe(0);
  });
});

describe('the alert contract (DESIGN.md "Alerts")', () => {
  it('has every alert of DESIGN.md with its severities', async () => {
    const alerts = (await allRules()).filter((r) => r.alert);
    for (const [name, severities] of Object.entries({ ...DESIGN_ALERTS, ...NODE_MIXIN_ALERTS })) {
      const found = alerts.filter((a) => a.alert === name).map((a) => a.labels?.severity);
      expect(found.sort(), name).toEqual([...severities].sort());
    }
  });

  it('gives every alert a severity, summary, templated description, runbook and dashboard link', async () => {
    for (const a of (await allRules()).filter((r) => r.alert)) {
      const name = a.alert!;
      expect(['critical', 'warning', 'info', 'none'], name).toContain(a.labels?.severity);
      const ann = a.annotations ?? {};
      expect(Object.keys(ann).sort(), name).toEqual([
        'dashboard_url',
        'description',
        'runbook_url',
        'summary',
      ]);
      expect(ann.runbook_url, name).toMatch(new RegExp(`/runbook#${name.toLowerCase()}$`));
      expect(ann.dashboard_url, name).toMatch(/\/d\/vantage-[a-z-]+/);
      if (name !== 'Watchdog') expect(ann.description, name).toMatch(/\{\{[^}]*\$labels\.\w+/);
    }
  });

  it('silences every per-target alert while the target is in a maintenance window', async () => {
    const perTarget = (await allRules()).filter(
      (r) =>
        r.alert && !SERVICE_ALERTS.has(r.alert) && !FIELD_ALERTS.has(r.alert) && !HOST_ALERTS.has(r.alert),
    );
    for (const a of perTarget) {
      expect(a.expr.replace(/\s+/g, ' '), a.alert).toContain(
        'unless on (target) vantage_maintenance_active == 1',
      );
    }
  });

  it('silences every field alert while a target of its page group is in a maintenance window', async () => {
    const field = (await allRules()).filter((r) => r.alert && FIELD_ALERTS.has(r.alert));
    expect(field.map((a) => a.alert)).toEqual([...FIELD_ALERTS]);
    for (const a of field) {
      expect(a.expr.replace(/\s+/g, ' '), a.alert).toContain(
        'unless on (site, page_group) (vantage_rum_target_page_group_info and on (target) vantage_maintenance_active == 1)',
      );
    }
  });

  it('keeps host alerts about hosts: from the node job, with instance and without target', async () => {
    const host = (await allRules()).filter((r) => r.alert && HOST_ALERTS.has(r.alert));
    expect(new Set(host.map((a) => a.alert))).toEqual(HOST_ALERTS);
    for (const a of host) {
      expect(a.expr, a.alert).toContain('job="node"');
      expect(a.expr, a.alert).not.toMatch(/\btarget\b/);
      expect(a.annotations?.description, a.alert).toContain('{{ $labels.instance }}');
      expect(a.annotations?.dashboard_url, a.alert).toContain(
        '/d/vantage-capacity?var-host={{ $labels.instance }}',
      );
    }
  });

  it('names recording rules level:metric:operations', async () => {
    for (const r of (await allRules()).filter((x) => x.record)) {
      expect(r.record).toMatch(/^[a-z_]+:[a-z][a-z0-9_]*:[a-z0-9_]+$/);
    }
  });

  it('has a promtool test that fires and one that stays silent for every alert', async () => {
    const fired = new Set<string>();
    const silent = new Set<string>();
    for (const f of await readdir(join(promDir, 'tests'))) {
      const doc = parse(await readFile(join(promDir, 'tests', f), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      };
      for (const t of doc.tests)
        for (const at of t.alert_rule_test ?? []) {
          (at.exp_alerts?.length ? fired : silent).add(at.alertname);
        }
    }
    const names = new Set((await allRules()).filter((r) => r.alert).map((r) => r.alert!));
    for (const name of names) {
      expect(fired.has(name), `${name} fires in a test`).toBe(true);
      // Watchdog always fires: there is nothing to stay silent about.
      if (name !== 'Watchdog') expect(silent.has(name), `${name} stays silent in a test`).toBe(true);
    }
  });
});
