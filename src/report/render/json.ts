/**
 * The report as JSON: model.ts is the contract, so this is the structure as is, indented for
 * people who read it and diff it. JSON has no NaN or Infinity: JSON.stringify happens to write
 * them as null, but the replacer says so in code, so the contract ("a non-finite figure is
 * null, i.e. no figure") does not rest on a quirk nobody reads about, and stays if the
 * serialisation ever changes.
 */
import type { Report } from '../model.js';

/** Non-finite numbers become null; everything else passes through. */
function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** The report as pretty-printed JSON, ending in a newline. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, finiteOrNull, 2) + '\n';
}
