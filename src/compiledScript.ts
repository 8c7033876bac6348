/**
 * Where the compiled JavaScript of a vantage module lives, for code that starts it in another
 * process or thread (the Lighthouse child, the probe workers). They always run compiled, from
 * dist/: a TypeScript entry would need a loader in every child. Found from the package root
 * (the nearest package.json named vantage, upwards), so the answer is the same from src/
 * (tests, tsx) and from dist/ (production).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
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
  cachedRoot = dir;
  return dir;
}

/** dist/<modulePath>.js, e.g. compiledScript('probers/lighthouse/worker'). */
export function compiledScript(modulePath: string): string {
  return join(packageRoot(), 'dist', `${modulePath}.js`);
}
