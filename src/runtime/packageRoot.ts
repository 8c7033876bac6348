/**
 * The directory of vantage's package.json: the nearest one named vantage, upwards from this
 * file, so the answer is the same from src/ (tests, tsx) and from dist/ (production). Whatever
 * ships beside the code (dist/, prometheus/, alertmanager/, grafana/) is found from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
let cachedRoot: string | undefined;

/** `from` (for tests) starts the search elsewhere; the default search is done once. */
export function packageRoot(from?: string): string {
  if (from === undefined && cachedRoot) return cachedRoot;
  let dir = from ?? HERE;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vantage') break;
      } catch {
        // unreadable package.json: keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the vantage package root (package.json)');
    dir = parent;
  }
  if (from === undefined) cachedRoot = dir;
  return dir;
}
