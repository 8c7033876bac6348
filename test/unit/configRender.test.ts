/**
 * The pieces GET /config relies on to print a config that pastes back: every transformed field
 * of the schema has an input form, and the duration and size forms parse back to the same value.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  formatConfigByteSize,
  formatConfigDuration,
  parseByteSize,
  parseDuration,
} from '../../src/config/duration.js';
import { inputForms } from '../../src/config/inputForm.js';
import { configSchema } from '../../src/config/schema.js';

/** Paths of schema nodes that transform their input without saying how to write the result back. */
function transformsWithoutInputForm(
  schema: z.core.$ZodType,
  path: string,
  seen = new Set<unknown>(),
): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  if (inputForms.get(schema)) return [];
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  const child = (s: unknown, p: string) => transformsWithoutInputForm(s as z.core.$ZodType, p, seen);
  switch (def.type) {
    case 'pipe':
    case 'transform':
      return [path];
    case 'object':
      return Object.entries(def.shape as object).flatMap(([k, s]) => child(s, `${path}.${k}`));
    case 'record':
      return child(def.valueType, `${path}.*`);
    case 'array':
      return child(def.element, `${path}[]`);
    case 'union':
      return (def.options as unknown[]).flatMap((s, i) => child(s, `${path}|${i}`));
    default:
      return 'innerType' in def ? child(def.innerType, path) : [];
  }
}

describe('rendering the parsed config back to vantage.yml', () => {
  it('knows the input form of every transformed field', () => {
    expect(transformsWithoutInputForm(configSchema, 'config')).toEqual([]);
  });

  it('renders durations in Prometheus syntax that parses back to the same milliseconds', () => {
    const written = ['500ms', '1s', '15s', '1m30s', '90s', '2d', '1w', '1y', '1h0m1ms', '24d', '100000y'];
    for (const text of written) {
      const ms = parseDuration(text)!;
      const rendered = formatConfigDuration(ms);
      expect(rendered).toMatch(/^(\d+(w|d|h|m|s|ms))+$/);
      expect(parseDuration(rendered)).toBe(ms);
    }
    expect(formatConfigDuration(parseDuration('1m30s')!)).toBe('1m30s');
    expect(formatConfigDuration(parseDuration('2d')!)).toBe('2d');
    expect(formatConfigDuration(parseDuration('500ms')!)).toBe('500ms');
  });

  it('renders byte sizes as a user writes them, parsing back to the same bytes', () => {
    for (const text of ['0', '1500', '512KB', '10MB', '10MiB', '1GiB', '1025']) {
      const bytes = parseByteSize(text)!;
      expect(parseByteSize(formatConfigByteSize(bytes))).toBe(bytes);
    }
    expect(formatConfigByteSize(10 * 1024 ** 2)).toBe('10MiB');
    expect(formatConfigByteSize(1500)).toBe(1500);
    expect(formatConfigByteSize(0)).toBe(0);
  });
});
