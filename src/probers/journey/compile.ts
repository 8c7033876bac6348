/**
 * What a journey step is once, per config load, rather than per run: its templates parsed, the
 * http module its exchange runs with (the journey's shared settings plus the step's checks, so the
 * http prober's per-module caches of compiled regexps hold across runs), its extractions and JSON
 * assertions compiled, the files it reads, the headers that carry secrets, and its label object.
 */
import { jsonpath, type JSONPathQuery } from 'json-p3';
import {
  httpModuleDefaults,
  type HttpModuleConfig,
  type JourneyModuleConfig,
  type JourneyStepConfig,
} from '../../config/schema.js';
import { compileRegex, type UserRegex } from '../../config/regex.js';
import { isSecretHeader } from '../../config/secretHeaders.js';
import { parseTemplate, type Template } from '../../config/template.js';

export type CompiledExtraction =
  | { name: string; secret: boolean; source: 'json'; path: string; query: JSONPathQuery }
  | { name: string; secret: boolean; source: 'header'; header: string }
  | { name: string; secret: boolean; source: 'regex'; pattern: string; regexp: UserRegex }
  | { name: string; secret: boolean; source: 'cookie'; cookie: string };

export interface CompiledJsonAssertion {
  path: string;
  query: JSONPathQuery;
  equals?: unknown;
  matches?: { pattern: string; regexp: UserRegex };
}

export type CompiledBody =
  | { kind: 'none' }
  | { kind: 'text'; template: Template }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: [string, Template][] };

export interface CompiledStep {
  name: string;
  labels: Readonly<{ step: string }>;
  method: string;
  url: Template;
  /** Lower-cased names, shared headers first, the step's over them. */
  headers: [string, Template][];
  /** Lower-cased names of headers that carry a secret: by name, by marking, or by their value. */
  secretHeaders: string[];
  body: CompiledBody;
  /** Every `${file:...}` path of the step, read once per run before it is resolved. */
  files: string[];
  module: HttpModuleConfig;
  extractions: CompiledExtraction[];
  jsonAssertions: CompiledJsonAssertion[];
  /** Whether the response body must be kept (extraction or JSON assertions read it). */
  needsBody: boolean;
  /** Whether the body is parsed as JSON. */
  needsJson: boolean;
}

const cache = new WeakMap<JourneyStepConfig, CompiledStep>();

export function compileStep(journey: JourneyModuleConfig, step: JourneyStepConfig): CompiledStep {
  let compiled = cache.get(step);
  if (compiled === undefined) {
    compiled = build(journey, step);
    cache.set(step, compiled);
  }
  return compiled;
}

/** A string leaf of a JSON body, parsed (a class, so no user object can be taken for one). */
export class JsonTemplateLeaf {
  constructor(readonly template: Template) {}
}

/** Templates of a JSON body: every string leaf becomes a JsonTemplateLeaf. */
function jsonTemplates(value: unknown): unknown {
  if (typeof value === 'string') return new JsonTemplateLeaf(parseTemplate(value));
  if (Array.isArray(value)) return value.map(jsonTemplates);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonTemplates(v)]));
  }
  return value;
}

function referencesSecret(template: Template, secretVariables: ReadonlySet<string>): boolean {
  return template.some(
    (part) =>
      part.kind === 'env' || part.kind === 'file' || (part.kind === 'var' && secretVariables.has(part.name)),
  );
}

function build(journey: JourneyModuleConfig, step: JourneyStepConfig): CompiledStep {
  // Variables marked secret anywhere in the journey: a header carrying one is a secret header.
  const secretVariables = new Set<string>();
  for (const s of journey.steps) {
    for (const [name, rule] of Object.entries(s.extract)) if (rule.secret) secretVariables.add(name);
  }
  const headerMap = new Map<string, Template>();
  for (const [name, value] of Object.entries(journey.headers))
    headerMap.set(name.toLowerCase(), parseTemplate(value));
  for (const [name, value] of Object.entries(step.request.headers)) {
    headerMap.set(name.toLowerCase(), parseTemplate(value));
  }
  const headers = [...headerMap];
  const secretHeaders = headers
    .filter(
      ([name, t]) => isSecretHeader(name, journey.secret_headers) || referencesSecret(t, secretVariables),
    )
    .map(([name]) => name);

  const { request } = step;
  let body: CompiledBody = { kind: 'none' };
  if (request.body !== undefined) body = { kind: 'text', template: parseTemplate(request.body) };
  else if (request.json !== undefined) body = { kind: 'json', value: jsonTemplates(request.json) };
  else if (request.form !== undefined) {
    body = { kind: 'form', fields: Object.entries(request.form).map(([k, v]) => [k, parseTemplate(v)]) };
  }
  const url = parseTemplate(request.url);
  const templates: Template[] = [url, ...headers.map(([, t]) => t)];
  if (body.kind === 'text') templates.push(body.template);
  if (body.kind === 'form') templates.push(...body.fields.map(([, t]) => t));
  if (body.kind === 'json') collectJsonTemplates(body.value, templates);
  const files = [
    ...new Set(templates.flatMap((t) => t.flatMap((part) => (part.kind === 'file' ? [part.path] : [])))),
  ];

  const extractions: CompiledExtraction[] = Object.entries(step.extract).map(([name, rule]) => {
    const secret = rule.secret;
    if (rule.json !== undefined)
      return { name, secret, source: 'json', path: rule.json, query: jsonpath.compile(rule.json) };
    if (rule.header !== undefined)
      return { name, secret, source: 'header', header: rule.header.toLowerCase() };
    if (rule.regex !== undefined) {
      return { name, secret, source: 'regex', pattern: rule.regex, regexp: compileRegex(rule.regex) };
    }
    return { name, secret, source: 'cookie', cookie: rule.cookie ?? '' };
  });
  const jsonAssertions: CompiledJsonAssertion[] = step.checks.json.map((rule) => ({
    path: rule.path,
    query: jsonpath.compile(rule.path),
    ...(rule.equals !== undefined && { equals: rule.equals }),
    ...(rule.matches !== undefined && {
      matches: { pattern: rule.matches, regexp: compileRegex(rule.matches) },
    }),
  }));
  const needsJson = jsonAssertions.length > 0 || extractions.some((e) => e.source === 'json');
  const { json: _json, ...httpChecks } = step.checks;
  const module: HttpModuleConfig = {
    ...httpModuleDefaults(),
    ...httpChecks,
    method: request.method,
    secret_headers: journey.secret_headers,
    tls_config: journey.tls_config,
    follow_redirects: journey.follow_redirects,
    max_redirects: journey.max_redirects,
    enable_http2: journey.enable_http2,
    preferred_ip_protocol: journey.preferred_ip_protocol,
    ip_protocol_fallback: journey.ip_protocol_fallback,
    body_size_limit: journey.body_size_limit,
    compression: journey.compression,
  };
  return {
    name: step.name,
    labels: Object.freeze({ step: step.name }),
    method: request.method,
    url,
    headers,
    secretHeaders,
    body,
    files,
    module,
    extractions,
    jsonAssertions,
    needsBody: needsJson || extractions.some((e) => e.source === 'regex'),
    needsJson,
  };
}

function collectJsonTemplates(value: unknown, out: Template[]): void {
  if (value instanceof JsonTemplateLeaf) out.push(value.template);
  else if (Array.isArray(value)) for (const v of value) collectJsonTemplates(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectJsonTemplates(v, out);
  }
}
