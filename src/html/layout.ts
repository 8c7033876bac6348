/**
 * The one layout of every page vantage serves (the index, /lighthouse/ lists, /reports/, the
 * runbook, error pages, and any page added later): page() writes the document skeleton, the
 * navigation and the stylesheet; callers give the title and an HTML body they escaped.
 *
 * The stylesheet is embedded in each page rather than served at its own URL: /runbook is sent
 * with `default-src 'none'` (inline styles only), every link on these pages is relative so
 * vantage works under any proxy prefix (a stylesheet URL would need one depth-dependent path per
 * page), and a page saved from the browser keeps its look. It is 2 kB, less than one table row
 * of the index page per check. The report document (src/report/render/html.ts) has its own,
 * because it is mailed and archived as one file with print rules of its own.
 */
import { escapeHtml } from './escape.js';

/**
 * The stylesheet of vantage's own pages. No "<" in it: it sits inside a <style> element. A
 * table's first column names the row and does not wrap ("demo-fast" stays one word); the
 * columns of figures and reasons take the wrapping.
 */
export const PAGE_STYLESHEET = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;padding:1.2em 2em 3em;color:#222}
a{color:#0550ae}
h1{font-size:1.6em;margin:.2em 0 .5em}h1,h2,h3{line-height:1.25}h2{font-size:1.3em;margin:1.6em 0 .6em}
nav{font-size:13px;padding-bottom:.6em;margin-bottom:1em;border-bottom:1px solid #ddd}nav a{margin-right:1.2em}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}
td:first-child{white-space:nowrap}
.ok{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.pending{color:#888}
.maint{color:#9a6700;font-weight:600}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f4f4f4;padding:.1em .3em;border-radius:3px}
pre{background:#f4f4f4;padding:.8em 1em;overflow-x:auto;border-radius:4px}pre code{padding:0;background:none}
main.document{max-width:60em;font-size:15px;line-height:1.5}
.document h2{margin-top:2.2em;padding-top:.6em;border-top:1px solid #ddd}.document h2:target{background:#fff8c5}
.document table{width:auto;margin:1em 0}.document th,.document td{border:1px solid #ddd;padding:.3em .6em}
`;

export interface NavLink {
  /** Relative to the page, so vantage works behind a proxy that adds a path prefix. */
  href: string;
  text: string;
}

export interface PageOptions {
  /** The <title>, as text. */
  title: string;
  /** The <h1>, as text; defaults to the title. Empty for a body that brings its own (a document). */
  heading?: string;
  /** The page content, HTML the caller has escaped. */
  body: string;
  /** Links above the heading. */
  nav?: readonly NavLink[];
  /** Reload the page every so many seconds (pages that show live results). */
  refreshSeconds?: number;
  /** 'document' for long prose (the runbook): a readable line length and section rules. */
  kind?: 'list' | 'document';
}

/** A complete HTML document in vantage's layout. */
export function page(options: PageOptions): string {
  const heading = options.heading ?? options.title;
  const nav = options.nav?.length
    ? `<nav>${options.nav.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`).join('')}</nav>\n`
    : '';
  const refresh =
    options.refreshSeconds !== undefined
      ? `<meta http-equiv="refresh" content="${Math.max(1, Math.round(options.refreshSeconds))}">\n`
      : '';
  const mainClass = options.kind === 'document' ? ' class="document"' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
${refresh}<title>${escapeHtml(options.title)}</title>
<style>${PAGE_STYLESHEET}</style>
</head>
<body>
${nav}<main${mainClass}>
${heading ? `<h1>${escapeHtml(heading)}</h1>\n` : ''}${options.body}
</main>
</body>
</html>
`;
}

/** The way back to the index page from a path such as /lighthouse/a/b/: "../../../". */
export function rootFrom(path: string): string {
  const depth = Math.max(0, path.split('/').length - 2);
  return depth === 0 ? './' : '../'.repeat(depth);
}
