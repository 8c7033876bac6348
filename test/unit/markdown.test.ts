import { describe, expect, it } from 'vitest';
import { headingId, renderInline, renderMarkdown } from '../../src/html/markdown.js';
import { isSafeHref } from '../../src/html/safeHref.js';

const md = (...lines: string[]) => renderMarkdown(lines.join('\n'));

describe('headingId', () => {
  it('gives the id GitHub gives: lowercased, punctuation dropped, spaces to "-"', () => {
    expect(headingId('VantageTargetDown')).toBe('vantagetargetdown');
    expect(headingId('Watchdog')).toBe('watchdog');
    expect(headingId('What to do: `probe_success` & [links](#x)')).toBe('what-to-do-probe_success--links');
  });

  it('gives repeated headings distinct ids', () => {
    expect(md('## Act', '', '## Act', '', '## Act')).toBe(
      '<h2 id="act">Act</h2>\n<h2 id="act-1">Act</h2>\n<h2 id="act-2">Act</h2>',
    );
  });
});

describe('renderMarkdown: escaping', () => {
  it('shows raw HTML as text', () => {
    const html = md('<script>alert(1)</script>', '', '# <img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('escapes code, link text, link targets and table cells', () => {
    expect(renderInline('`<b>&amp;</b>`')).toBe('<code>&lt;b&gt;&amp;amp;&lt;/b&gt;</code>');
    expect(renderInline('[<i>x</i>](https://a.example/?a=1&b="2")')).toBe(
      // markdown-it percent-encodes the quotes of a link target, then escapes the attribute.
      '<a href="https://a.example/?a=1&amp;b=%222%22">&lt;i&gt;x&lt;/i&gt;</a>',
    );
    expect(md('| a |', '| - |', '| <script> |')).toContain('<td>&lt;script&gt;</td>');
  });

  it('escapes code blocks, and gives them a sanitized language class', () => {
    expect(md('```promql" onclick="x', 'a < b && "c"', '```')).toBe(
      '<pre><code class="language-promql">a &lt; b &amp;&amp; &quot;c&quot;\n</code></pre>',
    );
  });
});

describe('renderMarkdown: links', () => {
  it('keeps http(s), relative and fragment hrefs', () => {
    for (const href of [
      'https://example.com/x',
      'http://a/b',
      '#vantagetargetdown',
      '/runbook',
      './a.md',
      '../b',
      'probe?target=a&debug=true',
      'docs/x.md#y',
    ]) {
      expect(isSafeHref(href), href).toBe(true);
      expect(renderInline(`[t](${href})`)).toBe(`<a href="${href.replace(/&/g, '&amp;')}">t</a>`);
    }
  });

  it('drops any other href and keeps the text', () => {
    for (const href of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'mailto:a@b',
      '//evil.example/',
      '/\\evil.example',
      'java\u0001script:x',
      'ftp://x',
    ]) {
      expect(isSafeHref(href), href).toBe(false);
    }
    expect(renderInline('[click](javascript:alert(1))')).toBe('click');
    expect(renderInline('[**x**](data:text/html,x)')).toBe('<strong>x</strong>');
  });

  it('renders autolinks to http(s) only', () => {
    expect(renderInline('<https://example.com/a>')).toBe(
      '<a href="https://example.com/a">https://example.com/a</a>',
    );
    expect(renderInline('<javascript:alert(1)>')).toBe('&lt;javascript:alert(1)&gt;');
  });

  it('does not nest links', () => {
    // CommonMark (and GitHub): the inner link wins, the outer brackets stay text.
    expect(renderInline('[a [b](#b)](#a)')).toBe('[a <a href="#b">b</a>](#a)');
  });
});

describe('renderMarkdown: inline', () => {
  it('renders bold, italic and code', () => {
    expect(renderInline('**Meaning.** a *b* _c_ `d`')).toBe(
      '<strong>Meaning.</strong> a <em>b</em> <em>c</em> <code>d</code>',
    );
    expect(renderInline('**bold with `co**de`**')).toBe('<strong>bold with <code>co**de</code></strong>');
  });

  it('leaves snake_case names, lone stars and backslash escapes alone', () => {
    expect(renderInline('probe_success and vantage_probes_total')).toBe(
      'probe_success and vantage_probes_total',
    );
    expect(renderInline('3 * 86400 and 2 * 3')).toBe('3 * 86400 and 2 * 3');
    expect(renderInline('\\*not italic\\* and \\`tick')).toBe('*not italic* and `tick');
    expect(renderInline('an unclosed **bold')).toBe('an unclosed **bold');
  });

  it('keeps backslashes inside code spans', () => {
    expect(renderInline('`grep "\\"x\\""`')).toBe('<code>grep &quot;\\&quot;x\\&quot;&quot;</code>');
  });
});

describe('renderMarkdown: blocks', () => {
  it('renders headings and paragraphs', () => {
    expect(md('# Title', 'text', 'more text', '', '### Sub ###')).toBe(
      '<h1 id="title">Title</h1>\n<p>text\nmore text</p>\n<h3 id="sub">Sub</h3>',
    );
  });

  it('keeps a fenced code block verbatim, markup and blank lines included', () => {
    expect(md('~~~', '# not a heading', '', '- not a list', '**x**', '~~~', 'after')).toBe(
      '<pre><code># not a heading\n\n- not a list\n**x**\n</code></pre>\n<p>after</p>',
    );
  });

  it('runs an unclosed code block to the end', () => {
    expect(md('```sh', 'echo <x>')).toBe('<pre><code class="language-sh">echo &lt;x&gt;</code></pre>');
  });

  it('renders bullet and numbered lists, nested, with code blocks in items', () => {
    const html = md(
      '- one',
      '- two',
      '  continued',
      '  - nested',
      '',
      '1. first:',
      '',
      '   ```sh',
      '   curl -s x',
      '   ```',
      '',
      '2. second',
      '',
      '5) five',
    );
    expect(html).toBe(
      [
        // CommonMark: the bullet list is tight (no <p>), the numbered one loose (blank lines
        // between its items), so each of its items is a paragraph.
        '<ul>',
        '<li>one</li>',
        '<li>two\ncontinued\n<ul>\n<li>nested</li>\n</ul>\n</li>',
        '</ul>',
        '<ol>',
        '<li>\n<p>first:</p>\n<pre><code class="language-sh">curl -s x\n</code></pre>\n</li>',
        '<li>\n<p>second</p>\n</li>',
        '</ol>',
        '<ol start="5">',
        '<li>five</li>',
        '</ol>',
      ].join('\n'),
    );
  });

  it('ends a list at an unindented paragraph after a blank line', () => {
    expect(md('- a', '', 'after')).toBe('<ul>\n<li>a</li>\n</ul>\n<p>after</p>');
  });

  it('renders tables with alignment, escaped pipes and ragged rows', () => {
    const html = md(
      '| alert | severity | note |',
      '| :---- | :------: | ---: |',
      '| `a\\|b` | **critical** | [x](#x) |',
      '| short |',
      // GitHub (GFM) makes a line right after a table one more row: a blank line ends it.
      '',
      'after',
    );
    expect(html).toBe(
      [
        '<table>',
        '<thead>\n<tr>',
        '<th style="text-align:left">alert</th>\n<th style="text-align:center">severity</th>\n<th style="text-align:right">note</th>',
        '</tr>\n</thead>',
        '<tbody>',
        '<tr>\n<td style="text-align:left"><code>a|b</code></td>\n<td style="text-align:center"><strong>critical</strong></td>\n<td style="text-align:right"><a href="#x">x</a></td>\n</tr>',
        '<tr>\n<td style="text-align:left">short</td>\n<td style="text-align:center"></td>\n<td style="text-align:right"></td>\n</tr>',
        '</tbody>',
        '</table>',
        '<p>after</p>',
      ].join('\n'),
    );
  });

  it('treats a pipe without a delimiter row as text, and renders rules', () => {
    expect(md('a | b', '', '---')).toBe('<p>a | b</p>\n<hr>');
  });

  it('accepts CRLF line endings', () => {
    expect(md('# A\r\n\r\ntext\r\n')).toBe('<h1 id="a">A</h1>\n<p>text</p>');
  });
});
