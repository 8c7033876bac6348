/**
 * One extraction of a step: a value from the response's JSON, a header, a regexp over the body, or
 * a cookie in the jar. Pure (the jar is read through a function), one job, table-tested. A value
 * that is not a string (a number, an object) is used as its JSON text. The error says what was
 * looked for and why it was not found, never the body (it may hold personal data or secrets).
 */
import type { CompiledExtraction } from './compile.js';
import type { StepResponse } from './responseBody.js';

export type Extracted = { ok: true; value: string } | { ok: false; error: string };

/** A selected JSON value as the text a template inserts. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function extractValue(
  rule: CompiledExtraction,
  response: StepResponse,
  cookie: (name: string) => string | undefined,
): Extracted {
  switch (rule.source) {
    case 'json': {
      const json = response.json;
      if (!json.ok)
        return { ok: false, error: `${rule.name}: ${json.error}, so ${rule.path} selects nothing` };
      const values = rule.query.query(json.value as Parameters<typeof rule.query.query>[0]).values();
      if (values.length === 0)
        return { ok: false, error: `${rule.name}: ${rule.path} selects nothing in the body` };
      return { ok: true, value: valueText(values[0]) };
    }
    case 'header': {
      const value = response.headers[rule.header];
      const first = Array.isArray(value) ? value[0] : value;
      if (first === undefined)
        return { ok: false, error: `${rule.name}: the response has no ${rule.header} header` };
      return { ok: true, value: first };
    }
    case 'regex': {
      const match = rule.regexp.exec(response.text);
      if (match === null)
        return { ok: false, error: `${rule.name}: /${rule.pattern}/ does not match the body` };
      return { ok: true, value: match[1] ?? match[0] };
    }
    case 'cookie': {
      const value = cookie(rule.cookie);
      if (value === undefined)
        return { ok: false, error: `${rule.name}: no cookie ${rule.cookie} in the jar` };
      return { ok: true, value };
    }
  }
}
