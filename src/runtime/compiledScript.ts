/**
 * Where the compiled JavaScript of a vantage module lives, for code that starts it in another
 * process or thread (the Lighthouse child, the probe workers). They always run compiled, from
 * dist/: a TypeScript entry would need a loader in every child. Found from the package root,
 * so the answer is the same from src/ (tests, tsx) and from dist/ (production).
 */
import { join } from 'node:path';
import { packageRoot } from './packageRoot.js';

/** dist/<modulePath>.js, e.g. compiledScript('probers/lighthouse/worker'). */
export function compiledScript(modulePath: string): string {
  return join(packageRoot(), 'dist', `${modulePath}.js`);
}
