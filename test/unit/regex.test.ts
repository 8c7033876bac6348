import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { compileAnchoredRegex, compileRegex } from '../../src/config/regex.js';

describe('compileRegex (RE2 patterns pasted from blackbox_exporter)', () => {
  it('turns leading inline flag groups into JavaScript flags', () => {
    expect(compileRegex('(?i)welcome').test('WELCOME home')).toBe(true);
    expect(compileRegex('(?is)a.b').test('A\nB')).toBe(true);
    expect(compileRegex('(?i)(?m)^ok$').test('x\nOK')).toBe(true);
    expect(compileRegex('welcome').test('WELCOME')).toBe(false);
  });
  it('anchors allowlist patterns to the whole text and keeps their leading flags', () => {
    const re = compileAnchoredRegex('(?i)https://status\\.example\\.com/.*');
    expect(re.test('HTTPS://STATUS.example.com/health')).toBe(true);
    expect(re.test('https://evil.test/?https://status.example.com/')).toBe(false);
    expect(compileAnchoredRegex('a|b').test('ab')).toBe(false);
  });

  it('rejects what JavaScript cannot mean', () => {
    expect(() => compileRegex('(?U)a+')).toThrow(/ungreedy/);
    expect(() => compileRegex('a(?i)b')).toThrow(SyntaxError);
  });
  it('lets a module with (?i) load, and reports a bad pattern with its path and line', () => {
    const ok = parseConfigText(
      'modules:\n  m:\n    prober: http\n    http:\n      fail_if_body_not_matches_regexp: ["(?i)status: ok"]\n',
    );
    expect(ok.ok).toBe(true);
    const bad = parseConfigText(
      'modules:\n  m:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: ["a(?i)b"]\n',
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors[0]!.path).toBe('modules.m.http.fail_if_body_matches_regexp[0]');
      expect(bad.errors[0]!.line).toBe(5);
      expect(bad.errors[0]!.message).toContain('not a valid regular expression');
    }
  });
});
