import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

function mustLoad(text: string) {
  const result = parseConfigText(text);
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result;
}

describe('shipped examples', () => {
  it('examples/vantage.yml loads with no errors and no warnings', async () => {
    const { config, warnings } = mustLoad(await read('examples/vantage.yml'));
    expect(warnings).toEqual([]);
    expect(config.targets.length).toBeGreaterThan(0);
    // Placeholders only: nothing real is ever probed from an example.
    for (const target of config.targets) {
      const host = new URL(target.url).hostname;
      expect(host === '127.0.0.1' || host === 'example.com' || host.endsWith('.example.com')).toBe(true);
    }
    // It shows every section.
    expect(Object.keys(config)).toEqual([
      'global',
      'modules',
      'targets',
      'security',
      'maintenance_windows',
      'rum',
      'report',
    ]);
    expect(config.maintenance_windows.length).toBeGreaterThan(0);
    expect(config.rum.sites.length).toBeGreaterThan(0);
    expect(config.report?.schedule?.periods.length).toBeGreaterThan(0);
    expect(config.security.probe_url_allowlist.length).toBeGreaterThan(0);
  });

  it('examples/blackbox.yml (a blackbox_exporter config) loads in vantage unchanged', async () => {
    const { config, warnings } = mustLoad(await read('examples/blackbox.yml'));
    expect(Object.keys(config.modules)).toEqual([
      'http_2xx',
      'http_2xx_content',
      'http_post_2xx',
      'http_basic_auth',
    ]);
    // Only "not used by any target": there are no targets in a blackbox config.
    expect(warnings.every((w) => w.includes('is not used by any target'))).toBe(true);
  });

  it('every vantage.yml block in the migration guide loads', async () => {
    const guide = await read('examples/blackbox-migration.md');
    const blocks = [...guide.matchAll(/```yaml\n(# vantage\.yml\n[\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) mustLoad(block);
  });

  it('every vantage.yml block in docs/configuration.md loads', async () => {
    const reference = await read('docs/configuration.md');
    const blocks = [...reference.matchAll(/```yaml\n(# vantage\.yml\n[\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    for (const block of blocks) mustLoad(block);
  });
});
