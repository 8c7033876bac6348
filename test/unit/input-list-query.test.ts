/**
 * The limit parser every list endpoint shares (input/listQuery.ts): which texts are a
 * limit, and the one sentence for those that are not.
 */
import { describe, expect, it } from 'vitest';
import { limitParam, limitProblem } from '../../src/input/listQuery.js';

describe('limitProblem', () => {
  it.each<[string, number, string | undefined]>([
    ['1', 1000, undefined],
    ['100', 1000, undefined],
    ['1000', 1000, undefined],
    ['0007', 1000, undefined],
    ['0', 1000, 'must be a whole number from 1 to 1000, got "0"'],
    ['1001', 1000, 'must be a whole number from 1 to 1000, got "1001"'],
    ['5', 4, 'must be a whole number from 1 to 4, got "5"'],
    ['-1', 1000, 'must be a whole number from 1 to 1000, got "-1"'],
    ['+5', 1000, 'must be a whole number from 1 to 1000, got "+5"'],
    ['5.0', 1000, 'must be a whole number from 1 to 1000, got "5.0"'],
    ['1e3', 1000, 'must be a whole number from 1 to 1000, got "1e3"'],
    ['0x10', 1000, 'must be a whole number from 1 to 1000, got "0x10"'],
    [' 5', 1000, 'must be a whole number from 1 to 1000, got " 5"'],
    ['abc', 1000, 'must be a whole number from 1 to 1000, got "abc"'],
    ['12345678', 99_999_999, 'must be a whole number from 1 to 99999999, got "12345678"'],
  ])('%j (max %d) -> %j', (text, max, problem) => {
    expect(limitProblem(text, max)).toBe(problem);
  });
});

describe('limitParam', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['1', 1],
    ['50', 50],
  ])('%j -> %j', (text, limit) => {
    expect(limitParam(50).parse(text)).toBe(limit);
  });

  it('refuses what limitProblem refuses, with its sentence', () => {
    const result = limitParam(50).safeParse('51');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be a whole number from 1 to 50, got "51"');
  });
});
