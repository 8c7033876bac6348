/**
 * Which link targets vantage's Markdown documents may keep as href (src/html/markdown.ts): http(s),
 * a #fragment, or a URL relative to the page. Everything else (javascript:, data:, mailto:,
 * protocol-relative //host, anything with control characters or a backslash) renders as text.
 */

/** A link target kept as href: http(s), a #fragment, or a relative URL (no scheme). */
export function isSafeHref(href: string): boolean {
  // Browsers drop control characters and read `\` as `/`, which would turn `/\host` into
  // another host: no such href is needed, so none is kept.
  for (const c of href) {
    const code = c.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || c === '\\') return false;
  }
  if (/^https?:\/\/[^\s]/i.test(href)) return true;
  if (href.startsWith('#') || href.startsWith('/') || href.startsWith('./') || href.startsWith('../')) {
    return !href.startsWith('//'); // protocol-relative: another host, scheme of the page
  }
  // A relative path: no scheme, i.e. no ':' before the first '/', '?' or '#'.
  const colon = href.indexOf(':');
  if (colon === -1) return href.length > 0;
  const firstDelimiter = href.search(/[/?#]/);
  return firstDelimiter !== -1 && firstDelimiter < colon;
}
