/**
 * The `journey:` settings of a `prober: journey` module: a list of HTTP steps run in order, each
 * with its request, blackbox_exporter's checks, JSON assertions and extractions. Settings that
 * are not about one request (TLS, redirects, body limit, compression, shared headers) are the
 * http module's own keys, given once for the whole journey.
 *
 * Values are kept as written (templates unresolved), so /config shows `${env:SHOP_PASSWORD}`,
 * never its value, and pastes back. What can be known when the config loads is checked here,
 * each error at its own path: duplicate step names, references to a variable no earlier step
 * extracts, unset environment variables, malformed templates, JSON paths and regexps.
 */
import { jsonpath } from 'json-p3';
import { z } from 'zod';
import { DURATION_LIMITS } from './duration.js';
import { positiveDuration } from './durationSchema.js';
import { httpModuleSchema, regexString } from './httpSchema.js';
import { parseTemplate, TemplateError, VARIABLE_NAME, type Template } from './template.js';

/** Steps in one journey: enough for a checkout, few enough that one check stays one transaction. */
export const MAX_JOURNEY_STEPS = 50;

const http = httpModuleSchema.shape;

/** A JSONPath (RFC 9535), compiled once here to refuse a malformed one with the field named. */
export const jsonPathString = z
  .string()
  .describe('a JSONPath (RFC 9535), e.g. $.token or $.items[0].id')
  .superRefine((text, ctx) => {
    try {
      jsonpath.compile(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid JSON path: ${(err as Error).message}` });
    }
  });

/** A string that may hold `${...}` references: its syntax is checked when the config loads. */
export const templateString = (what: string) =>
  z
    .string()
    .describe(`${what}; may use \${name}, \${env:NAME} and \${file:/path}`)
    .superRefine((text, ctx) => {
      try {
        parseTemplate(text);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    });

const requestSchema = z
  .strictObject({
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'must be an upper-case HTTP method such as GET or POST')
      .default('GET')
      .describe('request method'),
    url: templateString("the URL, relative to the target's url or absolute"),
    headers: z
      .record(z.string(), templateString('a header value'))
      .default({})
      .describe("request headers, over the journey's shared headers"),
    body: templateString('the request body').optional(),
    json: z
      .json()
      .optional()
      .describe('a JSON body (sent with Content-Type: application/json); strings may use variables'),
    form: z
      .record(z.string(), templateString('a form value'))
      .optional()
      .describe('a form body (application/x-www-form-urlencoded); values may use variables'),
  })
  .superRefine((request, ctx) => {
    const bodies = (['body', 'json', 'form'] as const).filter((k) => request[k] !== undefined);
    if (bodies.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [bodies[1]!],
        message: `${bodies.join(' and ')} are mutually exclusive: a request has one body`,
      });
    }
  });

const jsonAssertion = z
  .strictObject({
    path: jsonPathString,
    equals: z.json().optional().describe('the value the path must select (compared as JSON)'),
    matches: regexString.optional().describe('a regexp (RE2) the selected value, as text, must match'),
  })
  .describe('the path must select a value; with equals or matches, that value must be it')
  .superRefine((rule, ctx) => {
    if (rule.equals !== undefined && rule.matches !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['matches'],
        message: 'equals and matches are mutually exclusive',
      });
    }
  });

const checksSchema = z.strictObject({
  valid_status_codes: http.valid_status_codes,
  valid_http_versions: http.valid_http_versions,
  fail_if_ssl: http.fail_if_ssl,
  fail_if_not_ssl: http.fail_if_not_ssl,
  fail_if_body_matches_regexp: http.fail_if_body_matches_regexp,
  fail_if_body_not_matches_regexp: http.fail_if_body_not_matches_regexp,
  fail_if_header_matches: http.fail_if_header_matches,
  fail_if_header_not_matches: http.fail_if_header_not_matches,
  json: z
    .array(jsonAssertion)
    .default([])
    .describe('vantage only: JSON body assertions; a failure is reason json_mismatch'),
});

export const EXTRACT_SOURCES = ['json', 'header', 'regex', 'cookie'] as const;

const extraction = z
  .strictObject({
    json: jsonPathString.optional().describe('the first value a JSONPath selects in the body'),
    header: z.string().min(1).optional().describe('a response header (case-insensitive)'),
    regex: regexString
      .optional()
      .describe('the first capture group of an RE2 regexp over the body (the whole match without one)'),
    cookie: z.string().min(1).optional().describe('a cookie in the jar after this step'),
    secret: z
      .boolean()
      .default(false)
      .describe('redact the value wherever vantage shows it (traces, logs, errors)'),
  })
  .superRefine((rule, ctx) => {
    const sources = EXTRACT_SOURCES.filter((k) => rule[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          sources.length === 0
            ? `say where the value comes from: one of ${EXTRACT_SOURCES.join(', ')}`
            : `${sources.join(' and ')} are mutually exclusive: a variable has one source`,
      });
    }
  });

const stepSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'must match [a-z0-9_]+ (it becomes the `step` label)')
    .describe('unique in the journey; the `step` label of its series'),
  request: requestSchema,
  checks: checksSchema.prefault({}).describe('assertions on the response (blackbox_exporter http checks)'),
  extract: z
    .record(z.string().regex(VARIABLE_NAME, 'must be a variable name: letters, digits, _'), extraction)
    .default({})
    .describe('variables later steps use as ${name}'),
  timeout: positiveDuration(
    'the step timeout (within the journey timeout)',
    DURATION_LIMITS.timeout,
  ).optional(),
  slo: z
    .strictObject({
      latency: positiveDuration("the step's latency objective", DURATION_LIMITS.latency).optional(),
    })
    .prefault({})
    .describe("the step's objective (VantageJourneyStepSlow); default: the target's slo.latency"),
});
export type JourneyStepConfig = z.infer<typeof stepSchema>;

export const journeyModuleSchema = z
  .strictObject({
    headers: z
      .record(z.string(), templateString('a header value'))
      .default({})
      .describe('headers sent with every step'),
    secret_headers: http.secret_headers,
    tls_config: http.tls_config,
    follow_redirects: http.follow_redirects,
    max_redirects: http.max_redirects,
    enable_http2: http.enable_http2,
    preferred_ip_protocol: http.preferred_ip_protocol,
    ip_protocol_fallback: http.ip_protocol_fallback,
    body_size_limit: http.body_size_limit,
    compression: http.compression,
    steps: z
      .array(stepSchema)
      .min(1, 'list at least one step')
      .max(MAX_JOURNEY_STEPS, `at most ${MAX_JOURNEY_STEPS} steps`)
      .describe('the requests of the transaction, run in order; the first failure ends it'),
  })
  .superRefine((journey, ctx) => {
    const defined = new Set<string>();
    addDuplicateStepNames(journey.steps, ctx);
    journey.steps.forEach((step, i) => {
      for (const [path, template] of stepTemplates(step)) {
        for (const problem of referenceProblems(template, defined)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'request', ...path], message: problem });
        }
      }
      for (const name of Object.keys(step.extract)) defined.add(name);
    });
    for (const [name, value] of Object.entries(journey.headers)) {
      for (const problem of referenceProblems(safeParse(value), new Set())) {
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: problem });
      }
    }
  });
export type JourneyModuleConfig = z.infer<typeof journeyModuleSchema>;

/** Step names are `step` labels: each must be unique in its journey or flow. */
export function addDuplicateStepNames(steps: readonly { name: string }[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  steps.forEach((step, i) => {
    const earlier = first.get(step.name);
    if (earlier === undefined) first.set(step.name, i);
    else {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', i, 'name'],
        message: `duplicate step name "${step.name}" (first used by steps[${earlier}])`,
      });
    }
  });
}

export function safeParse(text: string): Template {
  try {
    return parseTemplate(text);
  } catch {
    return []; // reported by templateString at its own path
  }
}

/** Every template of a step's request, with its path under `request`. */
export function stepTemplates(step: Pick<JourneyStepConfig, 'request'>): [PropertyKey[], Template][] {
  const out: [PropertyKey[], Template][] = [[['url'], safeParse(step.request.url)]];
  for (const [name, value] of Object.entries(step.request.headers)) {
    out.push([['headers', name], safeParse(value)]);
  }
  if (step.request.body !== undefined) out.push([['body'], safeParse(step.request.body)]);
  for (const [name, value] of Object.entries(step.request.form ?? {})) {
    out.push([['form', name], safeParse(value)]);
  }
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') out.push([path, safeParse(value)]);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(step.request.json, ['json']);
  return out;
}

/** What is wrong with a template's references, given the variables defined so far. */
export function referenceProblems(template: Template, defined: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const part of template) {
    if (part.kind === 'var' && !defined.has(part.name)) {
      problems.push(
        `unknown variable "\${${part.name}}": no earlier step extracts it` +
          (defined.size > 0 ? ` (defined so far: ${[...defined].join(', ')})` : ''),
      );
    }
    if (part.kind === 'env' && process.env[part.name] === undefined) {
      problems.push(`environment variable ${part.name} is not set (\${env:${part.name}})`);
    }
  }
  return problems;
}
