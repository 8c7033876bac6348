/**
 * GET /rum/v1/vantage-rum.js: the RUM snippet that `npm run build` bundled
 * (scripts/build-rum-snippet.mjs → dist/rum/vantage-rum.js and its .gz), served to any site.
 *
 * Contract:
 * - The bundle is read once, when the handler is first created; a missing bundle is a startup
 *   error naming the file and `npm run build`, not a 404 for every visitor.
 * - `application/javascript; charset=utf-8`; the prebuilt gzip when Accept-Encoding allows it
 *   (`Vary: Accept-Encoding`); a strong ETag from the content hash, so If-None-Match answers
 *   304; cached for an hour (a new version reaches browsers within that hour).
 * - Public: `Access-Control-Allow-Origin: *` and `Cross-Origin-Resource-Policy: cross-origin`, so
 *   pages of any origin (also under COEP) may load it; `X-Content-Type-Options: nosniff`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import { packageRoot } from '../runtime/packageRoot.js';

export const SNIPPET_ROUTE = '/rum/v1/vantage-rum.js';
export const SNIPPET_CACHE_CONTROL = 'public, max-age=3600';

export interface SnippetAsset {
  file: string;
  body: Buffer;
  gzip: Buffer;
  /** Strong, quoted: `"<hash>"`. */
  etag: string;
}

/** dist/rum/vantage-rum.js under the package root (the same from src/ and dist/). */
export function defaultSnippetFile(): string {
  return join(packageRoot(), 'dist', 'rum', 'vantage-rum.js');
}

export function loadSnippetAsset(file = defaultSnippetFile()): SnippetAsset {
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`;
    throw new Error(`the RUM snippet bundle ${file} ${why}: run \`npm run build\` to build it`, {
      cause: err,
    });
  }
  let gzip: Buffer;
  try {
    gzip = readFileSync(`${file}.gz`);
  } catch {
    gzip = gzipSync(body, { level: 9 }); // an older build without the .gz: make it once here
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { file, body, gzip, etag };
}

let defaultAsset: SnippetAsset | undefined;

/** If-None-Match's weak comparison (RFC 9110 13.1.2): any listed tag, W/ or not, or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** The handler for GET (and HEAD) /rum/v1/vantage-rum.js; `asset` for tests. */
export function snippetHandler(asset?: SnippetAsset): RequestHandler {
  const served = asset ?? (defaultAsset ??= loadSnippetAsset());
  return (req: Request, res: Response) => {
    res.set({
      'Content-Type': 'application/javascript; charset=utf-8',
      'Cache-Control': SNIPPET_CACHE_CONTROL,
      ETag: served.etag,
      Vary: 'Accept-Encoding',
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    if (matchesEtag(req.get('if-none-match'), served.etag)) {
      res.status(304).end();
      return;
    }
    // No Accept-Encoding at all: identity (negotiation would pick gzip, which any coding allows).
    const gzip =
      req.get('accept-encoding') !== undefined && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const body = gzip ? served.gzip : served.body;
    if (gzip) res.set('Content-Encoding', 'gzip');
    res.set('Content-Length', String(body.length));
    res.status(200).end(body);
  };
}
