import { describe, expect, it } from 'vitest';
import { compileAnchoredRegex, compileRegex } from '../../src/config/regex.js';

describe('compileRegex on RE2', () => {
  it.each([
    ['(?i)welcome', 'WELCOME', true],
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['a(?i:B)c', 'abc', true],
    ['\\pL+ \\p{Greek}', 'état λ', true],
    ['[[:digit:]]{3}', 'a123', true],
    ['(?P<code>5\\d\\d)', 'HTTP 503', true],
    ['ok\\z', 'ok\n', false],
    ['[(?i)]', '?', true],
  ])('%s against %j: %s', (pattern, text, expected) => {
    expect(compileRegex(pattern).test(text)).toBe(expected);
  });

  it.each([
    ['(a)\\1', /invalid escape sequence: \\1 .*no backreferences/],
    ['x(?=y)', /invalid perl operator: \(\?= .*no lookaround/],
    ['(?<!a)b', /invalid perl operator: \(\?<!/],
    ['a{1001}', /invalid repetition size/],
    ['a(?s)b', /the flag group \(\?s\) must open the pattern; .*\(\?i:text\)/],
    ['(?i)a(?m)b', /the flag group \(\?m\) must open the pattern/],
    ['a(?U:b+)', /ungreedy/],
  ])('refuses %s', (pattern, message) => {
    expect(() => compileRegex(pattern)).toThrow(message);
  });

  it('matches a body given as UTF-8 bytes, with no string made of it', () => {
    expect(compileRegex('"status":\\s*"ok"').test(Buffer.from('{"status": "ok"}'))).toBe(true);
  });
});

describe('compileAnchoredRegex on RE2', () => {
  it('anchors to the whole text even when the pattern sets (?m)', () => {
    const re = compileAnchoredRegex('(?m)https://status\\.example\\.com/');
    expect(re.test('https://status.example.com/')).toBe(true);
    expect(re.test('https://status.example.com/\nhttps://evil.test/')).toBe(false);
  });
  it('refuses a pattern that would only compile by closing the anchoring group', () => {
    expect(() => compileAnchoredRegex('https://a\\.test/)|(.*')).toThrow(SyntaxError);
  });
});
