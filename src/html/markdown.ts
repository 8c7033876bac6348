/**
 * Markdown to HTML for vantage's own documents (docs/runbook.md on /runbook), with markdown-it
 * (CommonMark plus GitHub tables and strikethrough) configured for pages vantage serves:
 *
 * - Raw HTML in the source is shown as text (`html: false`); images are not rendered (a page
 *   that loads nothing keeps its strict Content-Security-Policy).
 * - A link keeps its href only when isSafeHref (safeHref.ts) accepts it: http(s), relative or a
 *   #fragment. Any other link shows its text alone; an autolink shows as written, `<...>`.
 * - Headings get GitHub's ids (github-slugger: lowercased, punctuation dropped, spaces to '-',
 *   a repeated heading `-1`, `-2`), so /runbook#vantagetargetdown and the same anchor on GitHub
 *   open the same section.
 * - A fenced block's language becomes `class="language-<lang>"`, reduced to [a-z0-9_+-].
 */
import GithubSlugger, { slug } from 'github-slugger';
import MarkdownIt, { type StateCore, type Token } from 'markdown-it';
import { isSafeHref } from './safeHref.js';

const md = MarkdownIt('default', { html: false, linkify: false, typographer: false });
md.disable('image');
// Parse every link as a link, whatever its scheme, so the rule below can keep its text when it
// drops the href (markdown-it's own check would leave the whole `[text](target)` as text).
md.validateLink = () => true;

/** Inline tokens with unsafe links unwrapped: their text stays, the <a> goes. */
function withSafeLinks(tokens: Token[], state: StateCore): Token[] {
  const out: Token[] = [];
  let dropping: 'link' | 'autolink' | undefined;
  for (const token of tokens) {
    if (token.type === 'link_open' && !isSafeHref(String(token.attrGet('href') ?? ''))) {
      dropping = token.markup === 'autolink' ? 'autolink' : 'link';
      if (dropping === 'autolink') out.push(textToken(state, '<'));
      continue;
    }
    if (token.type === 'link_close' && dropping) {
      if (dropping === 'autolink') out.push(textToken(state, '>'));
      dropping = undefined;
      continue;
    }
    out.push(token);
  }
  return out;
}

function textToken(state: StateCore, content: string): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  return token;
}

/** The text of inline tokens as GitHub reads a heading: text and code, no markup. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

md.core.ruler.push('vantage_documents', (state) => {
  // One slugger per document: duplicates are counted within it, as on GitHub.
  const slugger = new GithubSlugger();
  state.tokens.forEach((token, i) => {
    if (token.type === 'inline' && token.children) {
      token.children = withSafeLinks(token.children, state);
    } else if (token.type === 'fence') {
      token.info = (token.info.trim().split(/\s/)[0] ?? '').toLowerCase().replace(/[^a-z0-9_+-]/g, '');
    } else if (token.type === 'heading_open') {
      const id = slugger.slug(plainText(state.tokens[i + 1]?.children ?? []));
      if (id) token.attrSet('id', id);
    }
  });
});

/** The id GitHub (and renderMarkdown) gives a heading with this inline Markdown, before duplicates. */
export function headingId(inlineMarkdown: string): string {
  const inline = md.parseInline(inlineMarkdown, {})[0];
  return slug(plainText(inline?.children ?? []));
}

/** Renders a Markdown document to an HTML fragment (no trailing newline). */
export function renderMarkdown(markdown: string): string {
  return md.render(markdown).replace(/\n+$/, '');
}

/** Renders one line of inline Markdown (code, emphasis, links) to HTML. */
export function renderInline(markdown: string): string {
  return md.renderInline(markdown);
}
