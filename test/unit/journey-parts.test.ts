/**
 * The pure parts of journeys, table-tested: the template syntax, extractions and JSON assertions
 * (over real json-p3 queries and RE2 regexps), the step's compiled form, and the redaction of a
 * run's secrets.
 */
import { describe, expect, it } from 'vitest';
import { journeyModuleSchema } from '../../src/config/journeySchema.js';
import { parseTemplate, TemplateError } from '../../src/config/template.js';
import { compileStep } from '../../src/probers/journey/compile.js';
import { extractValue } from '../../src/probers/journey/extract.js';
import { failedJsonAssertion } from '../../src/probers/journey/jsonChecks.js';
import { StepResponse } from '../../src/probers/journey/responseBody.js';
import { JourneyVariables } from '../../src/probers/journey/variables.js';

describe('parseTemplate', () => {
  it.each([
    ['plain', [{ kind: 'text', text: 'plain' }]],
    ['', []],
    [
      'Bearer ${token}',
      [
        { kind: 'text', text: 'Bearer ' },
        { kind: 'var', name: 'token' },
      ],
    ],
    ['${env:SHOP_PASSWORD}', [{ kind: 'env', name: 'SHOP_PASSWORD' }]],
    ['${file:/run/secrets/pw}', [{ kind: 'file', path: '/run/secrets/pw' }]],
    [
      '/o/${id}/x',
      [
        { kind: 'text', text: '/o/' },
        { kind: 'var', name: 'id' },
        { kind: 'text', text: '/x' },
      ],
    ],
    ['cost: $5', [{ kind: 'text', text: 'cost: $5' }]],
    ['literal $${name}', [{ kind: 'text', text: 'literal ${name}' }]],
    [
      '${a}${b}',
      [
        { kind: 'var', name: 'a' },
        { kind: 'var', name: 'b' },
      ],
    ],
  ])('%j', (text, parts) => expect(parseTemplate(text)).toEqual(parts));

  it.each([
    ['${token', /unterminated "\$\{" at character 1/],
    ['${}', /is not a variable reference/],
    ['${my-token}', /is not a variable reference/],
    ['${env:}', /not an environment variable name/],
    ['${file:}', /the file path is missing/],
    ['${vault:x}', /unknown source "vault" \(known: env, file\)/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTemplate(text)).toThrow(TemplateError);
    expect(() => parseTemplate(text)).toThrow(message);
  });
});

/** A compiled step with the given extract and checks, from the real schema. */
function step(extract: Record<string, unknown>, checks: Record<string, unknown> = {}) {
  const journey = journeyModuleSchema.parse({
    steps: [{ name: 's', request: { url: '/' }, extract, checks }],
  });
  return compileStep(journey, journey.steps[0]!);
}

const response = (body: string, headers: Record<string, string | string[]> = {}) =>
  new StepResponse(headers, Buffer.from(body));

describe('extractValue', () => {
  const cookies = (name: string) => (name === 'sid' ? 'abc123' : undefined);
  it.each([
    [{ v: { json: '$.token' } }, '{"token":"t-1"}', {}, 't-1'],
    [{ v: { json: '$.items[1].id' } }, '{"items":[{"id":1},{"id":2}]}', {}, '2'],
    [{ v: { json: '$.order' } }, '{"order":{"id":7}}', {}, '{"id":7}'],
    [{ v: { json: '$.ok' } }, '{"ok":true}', {}, 'true'],
    [{ v: { header: 'Location' } }, '', { location: '/orders/9' }, '/orders/9'],
    [{ v: { header: 'x-id' } }, '', { 'x-id': ['a', 'b'] }, 'a'],
    [{ v: { regex: 'order-(\\d+)' } }, 'your order-1234 is placed', {}, '1234'],
    [{ v: { regex: 'order-\\d+' } }, 'your order-1234 is placed', {}, 'order-1234'],
    [{ v: { cookie: 'sid' } }, '', {}, 'abc123'],
  ])('%j from %j', (extract, body, headers, value) => {
    expect(extractValue(step(extract).extractions[0]!, response(body, headers), cookies)).toEqual({
      ok: true,
      value,
    });
  });

  it.each([
    [
      { v: { json: '$.token' } },
      'not json',
      /v: the body is not JSON \(8 characters\), so \$\.token selects nothing/,
    ],
    [{ v: { json: '$.token' } }, '{"other":1}', /v: \$\.token selects nothing in the body/],
    [{ v: { header: 'x-id' } }, '', /v: the response has no x-id header/],
    [{ v: { regex: 'order-(\\d+)' } }, 'no order', /v: \/order-\(\\d\+\)\/ does not match the body/],
    [{ v: { cookie: 'other' } }, '', /v: no cookie other in the jar/],
  ])('%j fails on %j', (extract, body, message) => {
    const out = extractValue(step(extract).extractions[0]!, response(body), cookies);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatch(message);
  });
});

describe('failedJsonAssertion', () => {
  it.each([
    [[{ path: '$.items' }], '{"items":1}', undefined],
    [[{ path: '$.items', equals: 1 }], '{"items":1}', undefined],
    [[{ path: '$.tags', equals: ['a', 'b'] }], '{"tags":["a","b"]}', undefined],
    [[{ path: '$.state', matches: '^(paid|shipped)$' }], '{"state":"paid"}', undefined],
    [[{ path: '$.missing' }], '{"items":1}', '$.missing selects nothing'],
    [[{ path: '$.items', equals: 1 }], '{"items":2}', '$.items is 2, expected 1'],
    [
      [{ path: '$.token', equals: 'x' }],
      '{"token":"secret-value"}',
      '$.token is a string of 12 characters, expected "x"',
    ],
    [
      [{ path: '$.state', matches: '^paid$' }],
      '{"state":"failed"}',
      '$.state (a string of 6 characters) does not match /^paid$/',
    ],
    [[{ path: '$.a' }], '<html>', 'the body is not JSON (6 characters)'],
  ])('%j on %s', (json, body, message) => {
    expect(failedJsonAssertion(step({}, { json }).jsonAssertions, response(body))).toBe(message);
  });
});

describe('compileStep', () => {
  it('marks as secret the headers that carry env, file or secret extracted values, and the well-known ones', () => {
    const journey = journeyModuleSchema.parse({
      secret_headers: ['X-Marked'],
      headers: { 'X-Shared': 'plain' },
      steps: [
        {
          name: 'login',
          request: { url: '/' },
          extract: { token: { json: '$.t', secret: true }, id: { json: '$.id' } },
        },
        {
          name: 'next',
          request: {
            url: '/${id}',
            headers: {
              'X-Bearer': '${token}',
              'X-Env': '${env:HOME}',
              'X-Id': '${id}',
              'X-Marked': 'm',
              Authorization: 'a',
            },
          },
        },
      ],
    });
    expect(compileStep(journey, journey.steps[1]!).secretHeaders.sort()).toEqual([
      'authorization',
      'x-bearer',
      'x-env',
      'x-marked',
    ]);
  });
});

describe('JourneyVariables.redact', () => {
  it('replaces secret values, raw and percent-encoded, and leaves short ones and plain values alone', () => {
    const v = new JourneyVariables();
    v.set('token', 'tok/en+1234', true);
    v.set('id', 'order-1', false);
    v.set('pin', '123', true);
    expect(v.redact('GET /o/order-1?t=tok%2Fen%2B1234 Bearer tok/en+1234 pin 123')).toBe(
      'GET /o/order-1?t=<secret> Bearer <secret> pin 123',
    );
  });
});
