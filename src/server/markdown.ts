/**
 * A small Markdown-to-HTML renderer for vantage's own documents (docs/runbook.md), covering the
 * subset they use: ATX headings, paragraphs, fenced code blocks, bullet and numbered lists
 * (nested by indentation, with code blocks inside items), GitHub tables and horizontal rules.
 * Inline markup (code, bold, italic, links) is markdownInline.ts.
 *
 * Safe by construction: every piece of source text reaches the output through escapeHtml, raw
 * HTML in the source is shown as text, and a link keeps its href only when it is http(s),
 * relative or a #fragment (anything else, javascript: included, renders as plain text).
 */
import { escapeHtml } from './html.js';
import { renderInline } from './markdownInline.js';

/**
 * The id of a heading: its text lowercased with everything but letters and digits removed, so
 * "VantageTargetDown" is `vantagetargetdown` (the same anchor GitHub gives that heading).
 */
export function headingId(text: string): string {
  return plainText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Inline Markdown reduced to its text: link targets, code ticks and emphasis marks dropped. */
function plainText(inline: string): string {
  return inline
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, '')
    .replace(/\\(.)/g, '$1');
}

/** Renders a Markdown document to an HTML fragment. */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  return renderBlocks(lines, new Map());
}

// ---------------------------------------------------------------------------------------------
// Blocks

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*))?$/;
const TABLE_DELIMITER = /^ {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** True when `line` cannot continue a paragraph because it opens another block. */
function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || LIST_ITEM.test(line);
}

/** `usedIds` is shared by a whole document, so a repeated heading gets `-1`, `-2`, as on GitHub. */
function renderBlocks(lines: readonly string[], usedIds: Map<string, number>): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const indent = line.length - line.trimStart().length;
      const body: string[] = [];
      i++;
      while (i < lines.length && !isClosingFence(lines[i]!, marker)) {
        body.push(stripIndent(lines[i]!, indent));
        i++;
      }
      i++; // the closing fence; an unclosed block runs to the end of the document
      const lang = fence[2]!.toLowerCase().replace(/[^a-z0-9_+-]/g, '');
      const cls = lang ? ` class="language-${lang}"` : '';
      out.push(`<pre><code${cls}>${escapeHtml(body.join('\n'))}${body.length ? '\n' : ''}</code></pre>`);
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const text = heading[2] ?? '';
      const id = uniqueId(headingId(text), usedIds);
      const idAttr = id ? ` id="${escapeHtml(id)}"` : '';
      out.push(`<h${level}${idAttr}>${renderInline(text)}</h${level}>`);
      i++;
      continue;
    }

    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }

    if (startsTable(lines, i)) {
      const header = splitRow(line);
      const aligns = splitRow(lines[i + 1]!).map(alignment);
      if (aligns.length === header.length) {
        i += 2;
        const rows: string[][] = [];
        while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) {
          rows.push(splitRow(lines[i]!));
          i++;
        }
        out.push(renderTable(header, aligns, rows));
        continue;
      }
    }

    if (LIST_ITEM.test(line)) {
      i = renderList(lines, i, usedIds, out);
      continue;
    }

    const paragraph: string[] = [line.trim()];
    i++;
    while (i < lines.length && !isBlank(lines[i]!) && !startsBlock(lines[i]!) && !startsTable(lines, i)) {
      paragraph.push(lines[i]!.trim());
      i++;
    }
    out.push(`<p>${renderInline(paragraph.join('\n'))}</p>`);
  }
  return out.join('\n');
}

function startsTable(lines: readonly string[], i: number): boolean {
  const next = lines[i + 1];
  return lines[i]!.includes('|') && next !== undefined && TABLE_DELIMITER.test(next);
}

function isClosingFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return (
    line.length - line.trimStart().length <= 3 &&
    trimmed.length >= marker.length &&
    [...trimmed].every((c) => c === marker[0])
  );
}

/** Removes up to `n` leading spaces. */
function stripIndent(line: string, n: number): string {
  let k = 0;
  while (k < n && line[k] === ' ') k++;
  return line.slice(k);
}

function uniqueId(id: string, used: Map<string, number>): string {
  if (!id) return id;
  const seen = used.get(id);
  used.set(id, (seen ?? -1) + 1);
  return seen === undefined ? id : `${id}-${seen + 1}`;
}

/**
 * One list, from the item at `start` to the first line that belongs to neither an item nor its
 * continuation. An item's content is every following line indented at least as far as its
 * text, de-indented and rendered as blocks, so nested lists and code blocks work.
 */
function renderList(
  lines: readonly string[],
  start: number,
  usedIds: Map<string, number>,
  out: string[],
): number {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const kind = listKind(first[2]!);
  const ordered = kind === '.' || kind === ')';
  const startNumber = ordered ? Number.parseInt(first[2]!, 10) : 1;
  const items: string[] = [];
  let i = start;
  for (;;) {
    const m = LIST_ITEM.exec(lines[i] ?? '');
    if (!m || listKind(m[2]!) !== kind) break;
    const contentIndent = m[1]!.length + m[2]!.length + Math.min((m[3] ?? ' ').length, 4);
    const body: string[] = [m[4] ?? ''];
    i++;
    while (i < lines.length) {
      const next = lines[i]!;
      if (isBlank(next)) {
        // A blank line ends the item unless indented content follows it.
        let j = i;
        while (j < lines.length && isBlank(lines[j]!)) j++;
        if (j < lines.length && indentOf(lines[j]!) >= contentIndent) {
          for (; i < j; i++) body.push('');
          continue;
        }
        break;
      }
      if (indentOf(next) >= contentIndent) {
        body.push(stripIndent(next, contentIndent));
      } else if (!startsBlock(next) && continuesParagraph(body)) {
        body.push(next.trim()); // a lazy continuation of the item's paragraph
      } else {
        break;
      }
      i++;
    }
    items.push(renderItem(body, usedIds));
    // Blank lines between items keep the list going.
    let j = i;
    while (j < lines.length && isBlank(lines[j]!)) j++;
    const again = LIST_ITEM.exec(lines[j] ?? '');
    if (!again || listKind(again[2]!) !== kind) break;
    i = j;
  }
  const tag = ordered ? 'ol' : 'ul';
  const startAttr = ordered && startNumber !== 1 ? ` start="${startNumber}"` : '';
  out.push(`<${tag}${startAttr}>\n${items.join('\n')}\n</${tag}>`);
  return i;
}

/** A list goes on while its markers agree: the same bullet, or numbers with the same `.` or `)`. */
function listKind(marker: string): string {
  return marker.slice(-1);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** True when the item's last line is paragraph text, which an unindented line may continue. */
function continuesParagraph(body: readonly string[]): boolean {
  const last = body[body.length - 1]!;
  return !isBlank(last) && !FENCE.test(last) && !last.includes('|') && !inFence(body);
}

/** True when the item's lines so far leave a fenced code block open. */
function inFence(body: readonly string[]): boolean {
  let open: string | undefined;
  for (const line of body) {
    if (open) {
      if (isClosingFence(line, open)) open = undefined;
    } else {
      const m = FENCE.exec(line);
      if (m) open = m[1]!;
    }
  }
  return open !== undefined;
}

/** An item that is a single paragraph renders without <p>, as a tight list item. */
function renderItem(body: readonly string[], usedIds: Map<string, number>): string {
  const html = renderBlocks(body, usedIds);
  const single = /^<p>([\s\S]*)<\/p>$/.exec(html);
  return `<li>${single && !single[1]!.includes('<p>') ? single[1] : html}</li>`;
}

// ---------------------------------------------------------------------------------------------
// Tables

type Align = '' | 'left' | 'center' | 'right';

/**
 * Splits a table row into cells on unescaped pipes. As on GitHub, `\|` is a literal pipe even
 * inside a code span, so `info\|none` in backticks shows as info|none.
 */
function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && s[k + 1] === '|') {
      cell += '|';
      k++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

function alignment(delimiter: string): Align {
  const left = delimiter.startsWith(':');
  const right = delimiter.endsWith(':');
  return left && right ? 'center' : right ? 'right' : left ? 'left' : '';
}

function renderTable(header: readonly string[], aligns: readonly Align[], rows: readonly string[][]): string {
  const cell = (tag: 'th' | 'td', text: string, k: number) => {
    const align = aligns[k];
    return `<${tag}${align ? ` style="text-align:${align}"` : ''}>${renderInline(text)}</${tag}>`;
  };
  const head = `<tr>${header.map((h, k) => cell('th', h, k)).join('')}</tr>`;
  // Rows with too few cells are padded and extra cells dropped, as GitHub does.
  const body = rows
    .map((r) => `<tr>${header.map((_, k) => cell('td', r[k] ?? '', k)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
