import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/jsonSchema.js';

type Schema = Record<string, unknown>;

/**
 * A small structural JSON Schema check (type, properties, required, additionalProperties,
 * propertyNames, items, enum/const, oneOf/anyOf, numeric and length bounds, pattern): enough to
 * prove the generated schema accepts real configs and rejects typos, without a validator package.
 */
function violations(schema: Schema, value: unknown, at = '$'): string[] {
  const out: string[] = [];
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives) {
    const results = alternatives.map((s) => violations(s, value, at));
    if (!results.some((r) => r.length === 0)) {
      out.push(
        ...(results.length === 1 ? results[0]! : [`${at}: matches none of ${results.length} alternatives`]),
      );
    }
  }
  if (schema.const !== undefined && value !== schema.const)
    out.push(`${at}: not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${at}: not in enum`);
  const types =
    schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  if (types && !types.some((t) => hasType(value, t))) return [...out, `${at}: not ${types.join('|')}`];
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${at}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(`${at}: above maximum`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
      out.push(`${at}: too small`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum)
      out.push(`${at}: too big`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) out.push(`${at}: too short`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value))
      out.push(`${at}: pattern`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      out.push(`${at}: too few items`);
    if (schema.items)
      value.forEach((v, i) => out.push(...violations(schema.items as Schema, v, `${at}[${i}]`)));
  }
  if (isRecord(value) && types?.includes('object')) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[])
      if (!(key in value)) out.push(`${at}.${key}: required`);
    for (const [key, v] of Object.entries(value)) {
      if (schema.propertyNames)
        out.push(...violations(schema.propertyNames as Schema, key, `${at}.${key} (name)`));
      if (properties[key]) out.push(...violations(properties[key], v, `${at}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${at}.${key}: not allowed`);
      else if (isRecord(schema.additionalProperties)) {
        out.push(...violations(schema.additionalProperties, v, `${at}.${key}`));
      }
    }
  }
  return out;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('JSON Schema of vantage.yml', () => {
  const schema = configJsonSchema() as Schema;

  it('matches the committed vantage.schema.json (regenerate: npm run schema)', async () => {
    const committed = await readFile(new URL('../../vantage.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(JSON.stringify(schema, null, 2) + '\n');
  });

  it('is a draft 2020-12 schema with an id, a title and a description', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toEqual(expect.any(String));
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual([
      'global',
      'modules',
      'targets',
      'security',
      'maintenance_windows',
      'rum',
      'report',
    ]);
  });

  it('describes targets with their required and optional fields, in input form', () => {
    const targets = (schema.properties as Record<string, Schema>).targets!;
    expect(targets.type).toBe('array');
    const item = targets.items as Schema;
    expect(item.type).toBe('object');
    expect(item.required).toEqual(['name', 'url']);
    expect(item.additionalProperties).toBe(false);
    const props = item.properties as Record<string, Schema>;
    expect(Object.keys(props)).toEqual([
      'name',
      'url',
      'modules',
      'interval',
      'labels',
      'slo',
      'hosts',
      'load_test',
      'traffic_query',
    ]);
    expect(props.name!.pattern).toBe('^[a-z0-9_-]+$');
    // Durations are written as strings ("15s"), not the milliseconds they parse into.
    expect(props.interval!.type).toBe('string');
    const slo = props.slo!.properties as Record<string, Schema>;
    expect(slo.latency).toMatchObject({ type: 'string', default: '2s' });
    expect(slo.availability).toMatchObject({ type: 'number', exclusiveMaximum: 1, default: 0.999 });
    expect(props.name!.description).toEqual(expect.any(String));
  });

  it('describes the http module with every blackbox_exporter option vantage supports', () => {
    const modules = (schema.properties as Record<string, Schema>).modules!;
    const http = ((modules.additionalProperties as Schema).oneOf as Schema[])[0]!;
    expect(http.required).toEqual(['prober']);
    const props = http.properties as Record<string, Schema>;
    expect(props.prober).toMatchObject({ const: 'http' });
    expect(props.timeout).toMatchObject({ type: 'string', default: '10s' });
    const options = Object.keys((props.http as Schema).properties as object);
    for (const key of [
      'valid_status_codes',
      'valid_http_versions',
      'method',
      'headers',
      'body',
      'follow_redirects',
      'fail_if_ssl',
      'fail_if_not_ssl',
      'fail_if_body_matches_regexp',
      'fail_if_body_not_matches_regexp',
      'fail_if_header_matches',
      'fail_if_header_not_matches',
      'preferred_ip_protocol',
      'ip_protocol_fallback',
      'tls_config',
      'basic_auth',
      'bearer_token',
      'authorization',
      'body_size_limit',
      'compression',
    ]) {
      expect(options).toContain(key);
    }
  });

  it('accepts the annotated example and rejects typos and wrong types', async () => {
    const example = parse(await readFile(new URL('../../examples/vantage.yml', import.meta.url), 'utf8'));
    expect(violations(schema, example)).toEqual([]);
    expect(
      violations(schema, {
        modules: { m: { prober: 'http', timout: '5s' } },
        targets: [{ name: 'Home', url: 'https://example.com', interval: 30 }],
      }),
    ).toEqual([
      // A module is one of the probers' shapes (http, lighthouse, journey or browser); a typo fits none.
      '$.modules.m: matches none of 4 alternatives',
      '$.targets[0].name: pattern',
      '$.targets[0].interval: not string',
    ]);
  });
});
