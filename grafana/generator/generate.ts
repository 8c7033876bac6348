/**
 * Everything `npm run dashboards` writes, as path -> content, formatted by Prettier with the
 * repository's settings so `prettier --check .` passes. Pure apart from reading the Prettier
 * config: the freshness test compares it with the committed files.
 */
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { dashboards } from './dashboards/index.js';
import { renderDocs } from './docs.js';
import { renderEmptyResults } from './emptyResults.js';
import { renderDashboard } from './grafana.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DASHBOARD_DIR = 'grafana/dashboards/vantage';

export interface GeneratedFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  content: string;
}

async function format(path: string, text: string): Promise<string> {
  const filepath = `${REPO_ROOT}${path}`;
  const options = await prettier.resolveConfig(filepath);
  return prettier.format(text, { ...options, filepath });
}

export async function generateFiles(): Promise<GeneratedFile[]> {
  const raw: GeneratedFile[] = [
    ...dashboards.map((d) => ({
      path: `${DASHBOARD_DIR}/${d.file}`,
      content: JSON.stringify(renderDashboard(d), null, 2),
    })),
    { path: 'grafana/dashboards/empty-results.yml', content: renderEmptyResults(dashboards) },
    { path: 'docs/dashboards.md', content: renderDocs(dashboards) },
  ];
  return Promise.all(raw.map(async (f) => ({ path: f.path, content: await format(f.path, f.content) })));
}
