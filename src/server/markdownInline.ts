/**
 * Inline Markdown for src/server/markdown.ts: code spans, bold, italic, links and autolinks,
 * with backslash escapes. All text goes through escapeHtml; a link keeps its href only when
 * isSafeHref accepts it (http(s), relative or a #fragment), otherwise only its text is shown.
 */
import { escapeHtml } from './html.js';

const PUNCTUATION = /[!-/:-@[-`{-~]/;

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

/** Renders inline Markdown; `inLink` stops links from nesting. */
export function renderInline(text: string, inLink = false): string {
  let out = '';
  let plain = '';
  const flush = () => {
    out += escapeHtml(plain);
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;

    if (c === '\\' && i + 1 < text.length && PUNCTUATION.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }

    if (c === '`') {
      const span = codeSpan(text, i);
      if (span) {
        flush();
        out += `<code>${escapeHtml(span.content)}</code>`;
        i = span.end;
      } else {
        const run = backtickRun(text, i);
        plain += text.slice(i, i + run);
        i += run;
      }
      continue;
    }

    if (c === '[' && !inLink) {
      const link = parseLink(text, i);
      if (link) {
        flush();
        const label = renderInline(link.label, true);
        out += isSafeHref(link.href) ? `<a href="${escapeHtml(link.href)}">${label}</a>` : label;
        i = link.end;
        continue;
      }
    }

    if (c === '<' && !inLink) {
      const auto = /^<(https?:\/\/[^\s<>]+)>/i.exec(text.slice(i));
      if (auto) {
        flush();
        out += `<a href="${escapeHtml(auto[1]!)}">${escapeHtml(auto[1]!)}</a>`;
        i += auto[0].length;
        continue;
      }
    }

    if (c === '*' || c === '_') {
      const emphasis = parseEmphasis(text, i);
      if (emphasis) {
        flush();
        const tag = emphasis.strong ? 'strong' : 'em';
        out += `<${tag}>${renderInline(emphasis.inner, inLink)}</${tag}>`;
        i = emphasis.end;
        continue;
      }
      // An unmatched run stays text, whole: `**` must not become `*` + emphasis.
      let run = 1;
      while (text[i + run] === c) run++;
      plain += text.slice(i, i + run);
      i += run;
      continue;
    }

    plain += c;
    i++;
  }
  flush();
  return out;
}

function backtickRun(text: string, at: number): number {
  let n = 0;
  while (text[at + n] === '`') n++;
  return n;
}

/** A code span opened by the backtick run at `at`, closed by a run of the same length. */
function codeSpan(text: string, at: number): { content: string; end: number } | undefined {
  const n = backtickRun(text, at);
  let k = at + n;
  while (k < text.length) {
    const close = text.indexOf('`', k);
    if (close === -1) return undefined;
    const m = backtickRun(text, close);
    if (m === n) {
      let content = text.slice(at + n, close).replace(/\n/g, ' ');
      if (content.length > 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim()) {
        content = content.slice(1, -1);
      }
      return { content, end: close + m };
    }
    k = close + m;
  }
  return undefined;
}

/** Skips a code span at `k` if there is one, so delimiters inside code are not seen. */
function skipCode(text: string, k: number): number {
  if (text[k] !== '`') return k + 1;
  const span = codeSpan(text, k);
  return span ? span.end : k + backtickRun(text, k);
}

/** `[label](href)`: brackets may nest in the label, parentheses may nest in the href. */
function parseLink(text: string, at: number): { label: string; href: string; end: number } | undefined {
  let depth = 0;
  let k = at;
  while (k < text.length) {
    const c = text[k]!;
    if (c === '\\') {
      k += 2;
      continue;
    }
    if (c === '`') {
      k = skipCode(text, k);
      continue;
    }
    if (c === '[') depth++;
    if (c === ']' && --depth === 0) break;
    k++;
  }
  if (k >= text.length || text[k + 1] !== '(') return undefined;
  const label = text.slice(at + 1, k);
  let parens = 0;
  let j = k + 2;
  while (j < text.length) {
    const c = text[j]!;
    if (/\s/.test(c)) return undefined;
    if (c === '(') parens++;
    if (c === ')' && parens-- === 0) break;
    j++;
  }
  if (j >= text.length) return undefined;
  return { label, href: text.slice(k + 2, j), end: j + 1 };
}

/**
 * `*x*`, `_x_`, `**x**`, `__x__`. The opening delimiter must be followed by a non-space and the
 * closing one preceded by a non-space. `_` never opens or closes inside a word, so snake_case
 * names such as probe_success stay as they are.
 */
function parseEmphasis(
  text: string,
  at: number,
): { inner: string; strong: boolean; end: number } | undefined {
  const c = text[at]!;
  const strong = text[at + 1] === c;
  const width = strong ? 2 : 1;
  const isWord = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
  if (c === '_' && isWord(text[at - 1])) return undefined;
  const first = text[at + width];
  if (first === undefined || /\s/.test(first) || (!strong && first === c)) return undefined;
  let k = at + width;
  while (k < text.length) {
    if (text[k] === '\\') {
      k += 2;
      continue;
    }
    if (text[k] === '`') {
      k = skipCode(text, k);
      continue;
    }
    if (text[k] === '[') {
      const link = parseLink(text, k);
      if (link) {
        k = link.end;
        continue;
      }
    }
    if (text[k] === c) {
      let run = 0;
      while (text[k + run] === c) run++;
      const closes =
        !/\s/.test(text[k - 1]!) && (strong ? run >= 2 : run === 1) && !(c === '_' && isWord(text[k + run]));
      if (closes) {
        // For `**`, close on the last two of a longer run (`**a***` is bold "a*" in spirit).
        const close = strong ? k + run - 2 : k;
        return { inner: text.slice(at + width, close), strong, end: close + width };
      }
      k += run;
      continue;
    }
    k++;
  }
  return undefined;
}
