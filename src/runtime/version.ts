/** The package version, read once from package.json so `--version`, build_info and User-Agent agree. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './packageRoot.js';

const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  version: string;
};
export const VERSION: string = pkg.version;
