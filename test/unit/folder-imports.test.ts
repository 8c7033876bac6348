/**
 * No two areas of src/ import each other (issue 14): a contributor can read config/ without
 * scheduler/, and the store without the report. The checker itself is tested on a tree made
 * for it, so a broken checker cannot pass the real check by finding nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { areaCycles, areaEdges, areaOf } from '../helpers/folderImports.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

describe('areaOf', () => {
  it.each([
    ['cli.ts', '.'],
    ['config/schema.ts', 'config'],
    ['probers/http/classify.ts', 'probers'],
  ])('%s is in %s', (path, area) => expect(areaOf(path)).toBe(area));
});

describe('the checker on a tree made for it', () => {
  const root = mkdtempSync(join(tmpdir(), 'vantage-areas-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'a/one.ts': "import { two } from '../b/two.js';\nexport const one = two;",
    'b/two.ts': "export const two = 2;\nexport type Back = import('../a/deep/three.js').Three;",
    'a/deep/three.ts': "import type { Four } from '../../c/four.js';\nexport type Three = Four;",
    'c/four.ts': "import { z } from 'zod';\nexport type Four = typeof z;",
    'cli.ts': "import { one } from './a/one.js';\nexport { one };",
    'a/logger.ts': "export { one } from '../cli.js';",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }

  it('finds every pair that imports each other, type-only and re-exports included', () => {
    expect(areaCycles(areaEdges(root)).map((c) => c.areas)).toEqual([
      ['.', 'a'],
      ['a', 'b'],
    ]);
  });

  it('names one import each way, so the message says where to cut', () => {
    const [, ab] = areaCycles(areaEdges(root));
    expect(ab!.examples).toEqual(['a/one.ts imports ../b/two.js', 'b/two.ts imports ../a/deep/three.js']);
  });
});

describe('src/', () => {
  it('has no two areas importing each other', () => {
    const cycles = areaCycles(areaEdges(SRC)).map(
      (c) => `${c.areas.join(' <-> ')}: ${c.examples[0]}; ${c.examples[1]}`,
    );
    expect(cycles).toEqual([]);
  });
});
