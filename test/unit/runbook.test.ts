/**
 * docs/runbook.md against the alert rules: every alert has its section, and every alert's
 * runbook_url opens that section on vantage's /runbook page (and on GitHub, whose anchors for
 * these headings are the same).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { headingId, renderMarkdown } from '../../src/html/markdown.js';

const root = new URL('../../', import.meta.url);
const runbook = readFileSync(new URL('docs/runbook.md', root), 'utf8');
interface RuleFile {
  groups: {
    rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  }[];
}
const rulesDir = new URL('prometheus/rules/', root);
const alertRules = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.yml'))
  .flatMap((f) => (parse(readFileSync(new URL(f, rulesDir), 'utf8')) as RuleFile).groups)
  .flatMap((g) => g.rules)
  .filter((r) => r.alert !== undefined);
const alertNames = [...new Set(alertRules.map((r) => r.alert!))];

/** Level-2 sections of the runbook: heading text -> body up to the next level-2 heading. */
function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  let inFence = false;
  let current: string | undefined;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^## (.+?)\s*$/.exec(line);
    if (heading) {
      current = heading[1]!;
      found.set(current, '');
    } else if (current !== undefined) {
      found.set(current, found.get(current)! + line + '\n');
    }
  }
  return found;
}

const runbookSections = sections(runbook);

describe('docs/runbook.md and the alert rules', () => {
  it('finds the alerts of the contract', () => {
    expect(alertNames).toEqual(
      expect.arrayContaining([
        'VantageTargetDown',
        'VantageSLOBurnRateFast',
        'VantageSLOBurnRateSlow',
        'VantageCertificateExpiring',
        'VantageSlowResponse',
        'VantageResponseTimeRegression',
        'VantageLatencyAnomaly',
        'VantageWebVitalsPoor',
        'VantageLighthouseScoreRegression',
        'VantageLighthouseAuditFailing',
        'VantageProbeServiceDown',
        'VantageConfigReloadFailed',
        'VantageMaintenanceWindowActive',
        'Watchdog',
        'NodeFilesystemSpaceFillingUp',
        'NodeFilesystemAlmostOutOfSpace',
        'NodeMemoryHighUtilization',
        'NodeCPUHighUsage',
        'NodeDiskIOSaturation',
        'NodeSystemSaturation',
      ]),
    );
  });

  it.each(alertRules.map((r) => [r.alert!, r.labels?.severity ?? '', r] as const))(
    '%s (%s): runbook_url ends in /runbook#<its section id>',
    (alert, _severity, rule) => {
      const id = headingId(alert);
      expect(id).toBe(alert.toLowerCase());
      expect(rule.annotations?.runbook_url?.endsWith(`/runbook#${id}`)).toBe(true);
    },
  );

  it.each(alertNames)('%s has a section with Meaning, Impact, Confirm, Act and Tune', (alert) => {
    const body = runbookSections.get(alert);
    expect(body, `no "## ${alert}" in docs/runbook.md`).toBeDefined();
    for (const part of ['Meaning', 'Impact', 'Confirm', 'Act', 'Tune']) {
      expect(body, `${alert}: no **${part}.**`).toMatch(new RegExp(`^\\*\\*${part}\\.\\*\\*`, 'm'));
    }
  });

  it('states each alert severity in its section', () => {
    for (const alert of alertNames) {
      const body = runbookSections.get(alert) ?? '';
      const severities = new Set(alertRules.filter((r) => r.alert === alert).map((r) => r.labels?.severity));
      for (const severity of severities) expect(body, alert).toContain(`\`${severity}\``);
    }
  });

  it('has no section for an alert that does not exist', () => {
    const alertLike = [...runbookSections.keys()].filter((h) =>
      /^(Vantage[A-Za-z]+|Node[A-Za-z]+|Watchdog)$/.test(h),
    );
    expect(alertLike.sort()).toEqual([...alertNames].sort());
  });

  it('renders an element with each alert id exactly once, and only links to ids that exist', () => {
    const html = renderMarkdown(runbook);
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    for (const alert of alertNames) {
      expect(ids.filter((id) => id === alert.toLowerCase())).toHaveLength(1);
    }
    const fragments = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(fragments.length).toBeGreaterThan(alertNames.length);
    for (const fragment of fragments) expect(ids, `#${fragment}`).toContain(fragment);
  });
});
