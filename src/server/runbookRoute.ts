/**
 * GET /runbook: docs/runbook.md as one self-contained HTML page (src/html/markdown.ts renders it,
 * src/html/layout.ts lays it out), one section per alert. Every
 * alert's runbook_url points at /runbook#<alert name, lowercased>, the id its heading gets.
 *
 * The file is read and rendered once, when the app is created: the page is the runbook of the
 * installed version, and a missing file (a trimmed install) answers 404 instead of failing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { Logger } from '../runtime/logger.js';
import { page } from '../html/layout.js';
import { renderMarkdown } from '../html/markdown.js';
import { sendError } from './errorResponse.js';

/** src/server/ and dist/server/ are both two levels below the package root. */
export const DEFAULT_RUNBOOK_FILE = fileURLToPath(new URL('../../docs/runbook.md', import.meta.url));

// Inline styles only and no scripts: the page must work offline, and the CSP below forbids
// everything else.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

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
  // The document brings its own <h1>; the only link out is the way back to the index page.
  const html = page({
    title,
    heading: '',
    kind: 'document',
    nav: [{ href: './', text: 'vantage' }],
    body: renderMarkdown(markdown),
  });
  return { ok: true, html };
}

export function runbookRouter(options: { file?: string; logger?: Logger } = {}): Router {
  const file = options.file ?? DEFAULT_RUNBOOK_FILE;
  const loaded = load(file);
  if (!loaded.ok) options.logger?.warn(loaded.message);

  const router = Router();
  router.get('/runbook', (req, res) => {
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (loaded.ok) res.type('html').send(loaded.html);
    else sendError(req, res, 404, loaded.message);
  });
  return router;
}
