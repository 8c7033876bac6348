/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The stylesheet of vantage's own pages (the index, /reports/): one look, no external assets. */
export const PAGE_STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.ok{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.pending{color:#888}
.maint{color:#9a6700;font-weight:600}
nav a{margin-right:1em}`;
