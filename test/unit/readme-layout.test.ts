/**
 * The README's "Layout" block is the map a newcomer reads first: it must name every area of
 * src/ and nothing that is gone (issue 14).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The `src/<folder>/` entries of the fenced block under "## Layout". */
function readmeAreas(readme: string): string[] {
  const section = readme.split(/^## Layout$/m)[1]?.split(/^## /m)[0] ?? '';
  const block = section.split('```')[1] ?? '';
  return [...block.matchAll(/^src\/([a-z]+)\//gm)].map((m) => m[1]!);
}

describe('README layout', () => {
  it('lists every folder of src/, and only those', () => {
    const folders = readdirSync(`${ROOT}src`, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...new Set(readmeAreas(readFileSync(`${ROOT}README.md`, 'utf8')))].sort()).toEqual(folders);
  });

  it('points to the architecture and the contributing guide', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    expect(readme).toContain('](docs/architecture.md)');
    expect(readme).toContain('](CONTRIBUTING.md)');
  });
});
