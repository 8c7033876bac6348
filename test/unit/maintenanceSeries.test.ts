import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import type { VantageConfig } from '../../src/config/schema.js';
import { MaintenanceSeries } from '../../src/metrics/maintenanceSeries.js';

function configOf(text: string): VantageConfig {
  const result = parseConfigText(text);
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

const config = configOf(`
modules:
  http_2xx: {prober: http}
targets:
  - {name: homepage, url: "https://example.com/", labels: {team: web, tier: "1"}}
  - {name: checkout, url: "https://example.com/checkout"}
  - {name: api, url: "https://api.example.com/"}
maintenance_windows:
  - name: weekly
    targets: [homepage, checkout]
    time_zone: Europe/Berlin
    cron: "0 2 * * SUN"
    duration: 2h
  - name: freeze
    start: "2026-12-24T00:00Z"
    end: "2026-12-27T00:00Z"
  - name: api-only
    targets: [api]
    start: "2026-12-01T10:00Z"
    duration: 30m
`);

const SUNDAY_0230_BERLIN = Date.UTC(2026, 10, 29, 1, 30);
const THURSDAY = Date.UTC(2026, 10, 26, 12);

describe('vantage_maintenance_active', () => {
  it('renders 0 or 1 per target, with the target and its static labels, and help that says what 1 means', () => {
    const series = new MaintenanceSeries(config);
    expect(series.render(THURSDAY).toString()).toBe(
      '# HELP vantage_maintenance_active Whether a maintenance window from the config covers the target now: ' +
        '1 in maintenance (alerts for the target are suppressed; probes still run), 0 otherwise.\n' +
        '# TYPE vantage_maintenance_active gauge\n' +
        'vantage_maintenance_active{target="homepage",team="web",tier="1"} 0\n' +
        'vantage_maintenance_active{target="checkout"} 0\n' +
        'vantage_maintenance_active{target="api"} 0\n',
    );
    const sunday = series.render(SUNDAY_0230_BERLIN).toString();
    expect(sunday).toContain('vantage_maintenance_active{target="homepage",team="web",tier="1"} 1\n');
    expect(sunday).toContain('vantage_maintenance_active{target="checkout"} 1\n');
    expect(sunday).toContain('vantage_maintenance_active{target="api"} 0\n');
    // A global window covers every target; a targeted one only its own.
    expect(series.render(Date.UTC(2026, 11, 25)).toString()).not.toContain('} 0\n');
    const apiOnly = series.render(Date.UTC(2026, 11, 1, 10, 29, 59)).toString();
    expect(apiOnly.match(/} 1\n/g)).toHaveLength(1);
    expect(apiOnly).toContain('vantage_maintenance_active{target="api"} 1\n');
  });

  it('shows 1 on the first render after a window opens, and 0 on the first after it closes', () => {
    const series = new MaintenanceSeries(config);
    const opens = Date.UTC(2026, 11, 1, 10);
    expect(series.render(opens - 1).toString()).toContain('{target="api"} 0');
    expect(series.render(opens).toString()).toContain('{target="api"} 1');
    expect(series.render(opens + 30 * 60_000).toString()).toContain('{target="api"} 0');
  });

  it('reuses the rendered body while the set of active windows is unchanged', () => {
    const series = new MaintenanceSeries(config);
    const first = series.render(THURSDAY);
    expect(series.render(THURSDAY + 60_000)).toBe(first);
    const sunday = series.render(SUNDAY_0230_BERLIN);
    expect(sunday).not.toBe(first);
    expect(series.render(SUNDAY_0230_BERLIN + 60_000)).toBe(sunday);
    // A new config generation is a new instance: nothing carries over.
    expect(new MaintenanceSeries(config).render(THURSDAY)).not.toBe(first);
  });

  it('lists the windows that cover a target, global ones included, in config order', () => {
    const series = new MaintenanceSeries(config);
    expect(series.windowsFor('homepage').map((w) => w.name)).toEqual(['weekly', 'freeze']);
    expect(series.windowsFor('api').map((w) => w.name)).toEqual(['freeze', 'api-only']);
  });

  it('renders nothing without targets, and all zeros without windows', () => {
    expect(new MaintenanceSeries(configOf('')).render(THURSDAY).length).toBe(0);
    const none = configOf(
      'modules: {m: {prober: http}}\ntargets: [{name: a, url: "https://example.com", modules: [m]}]\n',
    );
    expect(new MaintenanceSeries(none).render(THURSDAY).toString()).toContain(
      'vantage_maintenance_active{target="a"} 0\n',
    );
  });

  it('costs one evaluation per window, not per target, at 10,000 targets', () => {
    const targets = Array.from(
      { length: 10_000 },
      (_, i) => `  - {name: t${i}, url: "https://example.com/${i}"}`,
    );
    const big = configOf(
      [
        'modules: {http_2xx: {prober: http}}',
        'targets:',
        ...targets,
        'maintenance_windows:',
        '  - {name: half, targets: [' +
          Array.from({ length: 5000 }, (_, i) => `t${i * 2}`).join(', ') +
          '], cron: "*/10 * * * *", duration: 5m}',
        '  - {name: nightly, cron: "0 3 * * *", duration: 1h, time_zone: Europe/Berlin}',
      ].join('\n'),
    );
    const series = new MaintenanceSeries(big);
    const t = Date.UTC(2026, 11, 1, 12, 2);
    const first = series.render(t);
    expect(first.toString().match(/ 1\n/g)).toHaveLength(5000);
    const start = performance.now();
    for (let i = 0; i < 100; i++) expect(series.render(t + (i % 3) * 1000)).toBe(first);
    expect(performance.now() - start).toBeLessThan(500);
  });
});
