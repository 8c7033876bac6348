import { describe, expect, it } from 'vitest';
import { page, PAGE_STYLESHEET, rootFrom } from '../../src/html/layout.js';

describe('rootFrom', () => {
  it.each([
    ['/', './'],
    ['/runbook', './'],
    ['/reports/', '../'],
    ['/lighthouse/', '../'],
    ['/lighthouse/web/mobile/', '../../../'],
    ['/lighthouse/web/mobile/latest.html', '../../../'],
    ['/no/such/page', '../../'],
  ])('%s -> %s', (path, root) => {
    expect(rootFrom(path)).toBe(root);
  });
});

describe('page', () => {
  it('escapes the title, heading and nav, and embeds the one stylesheet', () => {
    const html = page({
      title: 'a <b> & "c"',
      body: '<p>body</p>',
      nav: [{ href: '../?x=1&y="2"', text: '<up>' }],
    });
    expect(html).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>');
    expect(html).toContain('<h1>a &lt;b&gt; &amp; &quot;c&quot;</h1>\n<p>body</p>');
    expect(html).toContain('<nav><a href="../?x=1&amp;y=&quot;2&quot;">&lt;up&gt;</a></nav>');
    expect(html).toContain(`<style>${PAGE_STYLESHEET}</style>`);
    expect(html).not.toContain('http-equiv');
  });

  it('leaves out the heading when the body brings its own, and marks documents', () => {
    const html = page({ title: 't', heading: '', kind: 'document', body: '<h1 id="x">X</h1>' });
    expect(html).not.toContain('<h1>t</h1>');
    expect(html).toContain('<main class="document">\n<h1 id="x">X</h1>');
    expect(html).not.toContain('<nav>');
  });

  it('refreshes a live page', () => {
    expect(page({ title: 't', body: '', refreshSeconds: 15 })).toContain(
      '<meta http-equiv="refresh" content="15">',
    );
  });

  it('keeps "<" out of the stylesheet, which sits in a <style> element', () => {
    expect(PAGE_STYLESHEET).not.toContain('<');
  });
});
