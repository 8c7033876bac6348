/**
 * GET /runbook: docs/runbook.md as one self-contained HTML page, one section per alert. Every
 * alert's runbook_url points at /runbook#<alert name, lowercased>, the id its heading gets.
 *
 * The file is read and rendered once, when the app is created: the page is the runbook of the
 * installed version, and a missing file (a trimmed install) answers 404 instead of failing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { Logger } from '../logger.js';
import { escapeHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

/** src/server/ and dist/server/ are both two levels below the package root. */
export const DEFAULT_RUNBOOK_FILE = fileURLToPath(new URL('../../docs/runbook.md', import.meta.url));

// Inline styles only and no scripts: the page must work offline, and the CSP below forbids
// everything else.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;padding:1em 2em 4em;max-width:60em;color:#222}
h1,h2,h3{line-height:1.25}h2{margin-top:2.2em;padding-top:.6em;border-top:1px solid #ddd}
h2:target{background:#fff8c5}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f4f4f4;padding:.1em .3em;border-radius:3px}
pre{background:#f4f4f4;padding:.8em 1em;overflow-x:auto;border-radius:4px}pre code{padding:0;background:none}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}a{color:#0550ae}nav{font-size:13px;margin-bottom:1em}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${STYLE}</style></head><body>
<nav><a href="./">vantage</a></nav>
${body}
</body></html>
`;
}

type Loaded = { ok: true; html: string } | { ok: false; message: string };

function load(file: string): Loaded {
  let markdown: string;
  try {
    markdown = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`;
    return {
      ok: false,
      message: `runbook not available: ${file} ${why}. Read docs/runbook.md in vantage's source instead.`,
    };
  }
  const title = /^#\s+(.+)$/m.exec(markdown)?.[1]?.replace(/[`*_]/g, '') ?? 'vantage runbook';
  return { ok: true, html: page(title, renderMarkdown(markdown)) };
}

export function runbookRouter(options: { file?: string; logger?: Logger } = {}): Router {
  const file = options.file ?? DEFAULT_RUNBOOK_FILE;
  const loaded = load(file);
  if (!loaded.ok) options.logger?.warn(loaded.message);

  const router = Router();
  router.get('/runbook', (_req, res) => {
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (loaded.ok) res.type('html').send(loaded.html);
    else res.status(404).type('text').send(`${loaded.message}\n`);
  });
  return router;
}
