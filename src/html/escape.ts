/**
 * Escaping for every HTML vantage writes: its own pages (src/server/), the report document
 * (src/report/render/) and the Markdown renderer. One function, so no page escapes differently.
 */

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
