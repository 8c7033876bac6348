/**
 * The JSON assertions of a step (`checks.json`): each path must select a value, equal to `equals`
 * (compared as JSON) or matching `matches` (RE2, over the value as text) when given. Pure, one job,
 * table-tested. The first failed assertion is the reason (json_mismatch). Messages describe the
 * value found by type and size, never quote a string (it may be a token or personal data).
 */
import { isDeepStrictEqual } from 'node:util';
import type { CompiledJsonAssertion } from './compile.js';
import { valueText } from './extract.js';
import type { StepResponse } from './responseBody.js';

function describeFound(value: unknown): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'an object';
}

/** The message of the first failed assertion, or undefined when all hold. */
export function failedJsonAssertion(
  rules: readonly CompiledJsonAssertion[],
  response: StepResponse,
): string | undefined {
  if (rules.length === 0) return undefined;
  const json = response.json;
  if (!json.ok) return json.error;
  for (const rule of rules) {
    const values = rule.query.query(json.value as Parameters<typeof rule.query.query>[0]).values();
    if (values.length === 0) return `${rule.path} selects nothing`;
    const found = values[0];
    if (rule.equals !== undefined && !isDeepStrictEqual(found, rule.equals)) {
      return `${rule.path} is ${describeFound(found)}, expected ${JSON.stringify(rule.equals)}`;
    }
    if (rule.matches !== undefined && !rule.matches.regexp.test(valueText(found))) {
      return `${rule.path} (${describeFound(found)}) does not match /${rule.matches.pattern}/`;
    }
  }
  return undefined;
}
