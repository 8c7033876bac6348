/**
 * The request of one step in one run: its templates resolved against the run's variables, the
 * URL resolved against the target's, and the headers and body the http prober sends. Content-Type
 * follows the body kind unless the step sets one. Credentials in the URL (user:pass@) become basic
 * auth, as in http modules.
 */
import { USER_AGENT, userinfoAuthorization, type PreparedRequest } from '../http/index.js';
import { JsonTemplateLeaf, type CompiledStep } from './compile.js';
import type { JourneyVariables } from './variables.js';

export interface StepRequest {
  url: string;
  prepared: PreparedRequest;
}

function resolveJson(value: unknown, variables: JourneyVariables): unknown {
  if (value instanceof JsonTemplateLeaf) return variables.resolve(value.template);
  if (Array.isArray(value)) return value.map((v) => resolveJson(v, variables));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveJson(v, variables);
    return out;
  }
  return value;
}

const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const;

/** Throws a VariableError when a reference cannot be resolved; a bad URL is the caller's to report. */
export async function stepRequest(
  step: CompiledStep,
  variables: JourneyVariables,
  base: URL,
  compression: string,
): Promise<StepRequest> {
  if (step.files.length > 0) await variables.loadFiles(step.files);
  const url = new URL(variables.resolve(step.url), base);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  if (compression !== '') headers['accept-encoding'] = compression;
  for (const [name, template] of step.headers) headers[name] = variables.resolve(template);

  let body: string | undefined;
  switch (step.body.kind) {
    case 'text':
      body = variables.resolve(step.body.template);
      break;
    case 'json':
      body = JSON.stringify(resolveJson(step.body.value, variables));
      break;
    case 'form':
      body = new URLSearchParams(
        step.body.fields.map(([k, t]): [string, string] => [k, variables.resolve(t)]),
      ).toString();
      break;
  }
  if (step.body.kind === 'json' || step.body.kind === 'form')
    headers['content-type'] ??= CONTENT_TYPES[step.body.kind];

  return {
    url: url.href,
    prepared: {
      method: step.method,
      headers,
      authorization: userinfoAuthorization(url),
      secretHeaders: step.secretHeaders,
      body,
    },
  };
}
