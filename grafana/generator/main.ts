/**
 * `npm run dashboards`: writes the dashboards' JSON, docs/dashboards.md and
 * grafana/dashboards/empty-results.yml, and removes dashboard JSON the generator no longer
 * makes (a renamed file would otherwise stay provisioned).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DASHBOARD_DIR, REPO_ROOT, generateFiles } from './generate.js';

const files = await generateFiles();
for (const f of files) {
  const path = join(REPO_ROOT, f.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, f.content);
  console.log(`wrote ${f.path}`);
}
const generated = new Set(files.map((f) => f.path));
for (const name of readdirSync(join(REPO_ROOT, DASHBOARD_DIR))) {
  const path = `${DASHBOARD_DIR}/${name}`;
  if (name.endsWith('.json') && !generated.has(path)) {
    rmSync(join(REPO_ROOT, path));
    console.log(`removed ${path}`);
  }
}
