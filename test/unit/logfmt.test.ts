import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeLogfmt } from '../../src/runtime/logfmt.js';
import { createLogger, jsonLineToLogfmt } from '../../src/runtime/logger.js';

describe('logfmt encoding (go-logfmt rules)', () => {
  it.each([
    ['a bare word', { msg: 'stopped' }, 'msg=stopped'],
    ['a space quotes', { msg: 'vantage listening' }, 'msg="vantage listening"'],
    ['a double quote is escaped', { msg: 'say "hi"' }, 'msg="say \\"hi\\""'],
    ['a backslash alone stays bare', { path: 'C:\\tmp' }, 'path=C:\\tmp'],
    ['a backslash in a quoted value is escaped', { path: 'C:\\my tmp' }, 'path="C:\\\\my tmp"'],
    ['= quotes', { q: 'a=b' }, 'q="a=b"'],
    ['newline, tab and CR are escaped', { m: 'a\nb\tc\rd' }, 'm="a\\nb\\tc\\rd"'],
    ['other control characters as \\u00XX', { m: 'bell\u0007' }, 'm="bell\\u0007"'],
    ['unicode passes through unquoted', { target: 'café-日本' }, 'target=café-日本'],
    ['unicode with a space', { msg: 'Grüße aus Köln' }, 'msg="Grüße aus Köln"'],
    ['an empty value is key=', { module: '' }, 'module='],
    ['null', { v: null }, 'v=null'],
    ['the string "null" is quoted', { v: 'null' }, 'v="null"'],
    ['numbers and booleans bare', { n: 0.25, ok: false }, 'n=0.25 ok=false'],
    ['undefined is left out', { a: 1, b: undefined }, 'a=1'],
    ['nested objects become dotted keys', { err: { code: 'E1' } }, 'err.code=E1'],
    ['arrays are one JSON value, quoted', { list: ['a', 'b c'] }, 'list="[\\"a\\",\\"b c\\"]"'],
    ['invalid key characters are dropped', { 'a b=c"d': 1 }, 'abcd=1'],
    ['a key with nothing left is skipped', { ' =': 1, ok: 2 }, 'ok=2'],
  ])('%s', (_name, pairs, expected) => {
    expect(encodeLogfmt(pairs)).toBe(expected);
  });

  it('U+2028 alone does not quote, but is escaped inside quotes (go-logfmt copies encoding/json)', () => {
    expect(encodeLogfmt({ m: 'a\u2028b' })).toBe('m=a\u2028b');
    expect(encodeLogfmt({ m: 'a b\u2028' })).toBe('m="a b\\u2028"');
  });
});

describe('logger line layout', () => {
  it('puts level, ts, component and msg first and drops the constant service', () => {
    const line = jsonLineToLogfmt(
      JSON.stringify({
        level: 'warn',
        time: '2026-12-05T03:00:00.000Z',
        service: 'vantage',
        target: 'web',
        component: 'reports',
        msg: 'status code 503',
      }),
    );
    expect(line).toBe(
      'level=warn ts=2026-12-05T03:00:00.000Z component=reports msg="status code 503" target=web\n',
    );
  });

  it('logs an error as its message', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    createLogger('info', sink, 'logfmt').error({ err: new Error('disk full') }, 'saving failed');
    expect(lines[0]).toMatch(/^level=error ts=\S+Z msg="saving failed" err="disk full"\n$/);
  });
});
