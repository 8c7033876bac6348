/**
 * The store's boundary (docs/architecture.md "Input is validated at the edge"): nothing under
 * src/store/ imports the report (which reads the store), the HTTP server, or zod (request input
 * is validated in src/input/ before the store sees it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const STORE = join(import.meta.dirname, '../../src/store');
const imports = (file: string) =>
  [...readFileSync(join(STORE, file), 'utf8').matchAll(/^import[^;]*? from '([^']+)';/gms)].map((m) => m[1]!);

describe('src/store imports', () => {
  const files = readdirSync(STORE).filter((f) => f.endsWith('.ts'));

  it('finds the store modules', () => {
    expect(files).toEqual(expect.arrayContaining(['changes.ts', 'incidents.ts', 'reports.ts', 'store.ts']));
  });

  it.each(files)('%s imports neither ../report, ../server nor zod', (file) => {
    const outside = imports(file).filter((from) => /^\.\.\/(report|server)\//.test(from) || from === 'zod');
    expect(outside).toEqual([]);
  });
});
