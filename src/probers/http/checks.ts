/**
 * The response assertions of a module, in blackbox_exporter's semantics: status code (2xx when none
 * listed), header regexps (every value of a repeated header; allow_missing), HTTP version, TLS or not,
 * body regexps. Regexps are compiled once per module object, not per probe. Messages name the rule
 * that failed, never a header value (it may be a session cookie).
 *
 * Patterns are RE2 (../../config/regex.ts): linear in the text, so a body crafted against a pattern
 * costs what any body of its size costs. The body is matched as UTF-8 bytes, without a string copy.
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { compileRegex, type UserRegex } from '../../config/regex.js';
import type { HttpModuleConfig } from '../../config/schema.js';
import { ProbeError } from './errors.js';
import type { HopResponse } from './exchange.js';

interface BodyRule {
  pattern: string;
  regexp: UserRegex;
}

interface HeaderRule {
  /** Lower-cased, as undici reports header names. */
  name: string;
  display: string;
  /** The pattern as configured, for messages. */
  pattern: string;
  regexp: UserRegex;
  allowMissing: boolean;
}

export interface CompiledChecks {
  validStatus: ReadonlySet<number> | undefined;
  validVersions: ReadonlySet<string> | undefined;
  headerMatches: HeaderRule[];
  headerNotMatches: HeaderRule[];
  bodyMatches: BodyRule[];
  bodyNotMatches: BodyRule[];
  /** Whether probe_failed_due_to_regex is emitted. */
  hasRegex: boolean;
  /** Whether the body must be kept in memory. */
  hasBodyRegex: boolean;
}

const cache = new WeakMap<HttpModuleConfig, CompiledChecks>();

/** Stands in when a module's checks cannot even be compiled (the probe then fails on that). */
export const NO_CHECKS: CompiledChecks = {
  validStatus: undefined,
  validVersions: undefined,
  headerMatches: [],
  headerNotMatches: [],
  bodyMatches: [],
  bodyNotMatches: [],
  hasRegex: false,
  hasBodyRegex: false,
};

function bodyRule(pattern: string): BodyRule {
  return { pattern, regexp: compileRegex(pattern) };
}

function headerRules(specs: HttpModuleConfig['fail_if_header_matches']): HeaderRule[] {
  return specs.map((s) => ({
    name: s.header.toLowerCase(),
    display: s.header,
    pattern: s.regexp,
    regexp: compileRegex(s.regexp),
    allowMissing: s.allow_missing,
  }));
}

export function compileChecks(module: HttpModuleConfig): CompiledChecks {
  let compiled = cache.get(module);
  if (compiled === undefined) {
    const bodyMatches = module.fail_if_body_matches_regexp.map(bodyRule);
    const bodyNotMatches = module.fail_if_body_not_matches_regexp.map(bodyRule);
    const headerMatches = headerRules(module.fail_if_header_matches);
    const headerNotMatches = headerRules(module.fail_if_header_not_matches);
    const hasBodyRegex = bodyMatches.length + bodyNotMatches.length > 0;
    compiled = {
      validStatus: module.valid_status_codes.length ? new Set(module.valid_status_codes) : undefined,
      validVersions: module.valid_http_versions.length ? new Set(module.valid_http_versions) : undefined,
      headerMatches,
      headerNotMatches,
      bodyMatches,
      bodyNotMatches,
      hasBodyRegex,
      hasRegex: hasBodyRegex || headerMatches.length + headerNotMatches.length > 0,
    };
    cache.set(module, compiled);
  }
  return compiled;
}

function headerValues(response: HopResponse, name: string): string[] {
  const value = response.headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function checkHeaderRegexps(checks: CompiledChecks, response: HopResponse): ProbeError | undefined {
  for (const rule of checks.headerMatches) {
    const values = headerValues(response, rule.name);
    if (values.length === 0) {
      if (rule.allowMissing) continue;
      return new ProbeError(
        'header_regex',
        `header "${rule.display}" is missing (fail_if_header_matches)`,
        'processing',
      );
    }
    if (values.some((v) => rule.regexp.test(v))) {
      return new ProbeError(
        'header_regex',
        `header "${rule.display}" matched fail_if_header_matches regexp "${rule.pattern}"`,
        'processing',
      );
    }
  }
  for (const rule of checks.headerNotMatches) {
    const values = headerValues(response, rule.name);
    if (values.length === 0) {
      if (rule.allowMissing) continue;
      return new ProbeError(
        'header_regex',
        `header "${rule.display}" is missing (fail_if_header_not_matches; allow_missing accepts that)`,
        'processing',
      );
    }
    if (!values.some((v) => rule.regexp.test(v))) {
      return new ProbeError(
        'header_regex',
        `header "${rule.display}" did not match fail_if_header_not_matches regexp "${rule.pattern}"`,
        'processing',
      );
    }
  }
  return undefined;
}

/** Checks decided by the headers of the final response, in blackbox's order. */
export function checkResponseHead(
  module: HttpModuleConfig,
  checks: CompiledChecks,
  response: HopResponse,
  overTls: boolean,
): ProbeError | undefined {
  const status = response.statusCode;
  const statusOk = checks.validStatus ? checks.validStatus.has(status) : status >= 200 && status < 300;
  if (!statusOk) {
    const valid = checks.validStatus ? [...checks.validStatus].join(', ') : '2xx';
    return new ProbeError(
      'status_code',
      `status code ${status} is not valid (valid: ${valid})`,
      'processing',
    );
  }
  const headerFailure = checkHeaderRegexps(checks, response);
  if (headerFailure !== undefined) return headerFailure;
  const version = `HTTP/${response.httpVersion}`;
  if (checks.validVersions !== undefined && !checks.validVersions.has(version)) {
    return new ProbeError(
      'http_version',
      `${version} is not in valid_http_versions (${[...checks.validVersions].join(', ')})`,
      'processing',
    );
  }
  if (module.fail_if_ssl && overTls) {
    return new ProbeError(
      'ssl_required',
      'the final response came over TLS and fail_if_ssl is set',
      'processing',
    );
  }
  if (module.fail_if_not_ssl && !overTls) {
    return new ProbeError(
      'ssl_required',
      'the final response did not come over TLS and fail_if_not_ssl is set',
      'processing',
    );
  }
  return undefined;
}

const DECODE_SLICE = 1024 * 1024;

/**
 * The body as well-formed UTF-8. Go's regexp, and so blackbox_exporter, reads an invalid byte as
 * U+FFFD, which `.` matches; RE2 in C++ matches nothing there. A body that is not valid UTF-8 (a
 * Latin-1 page) is therefore re-encoded with U+FFFD in place of each invalid sequence, in slices,
 * so that even a body over V8's string length limit never becomes one string.
 */
function wellFormedUtf8(body: Buffer): Buffer {
  if (isUtf8(body)) return body;
  const decoder = new StringDecoder('utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += DECODE_SLICE) {
    parts.push(Buffer.from(decoder.write(body.subarray(at, at + DECODE_SLICE)), 'utf8'));
  }
  parts.push(Buffer.from(decoder.end(), 'utf8'));
  return Buffer.concat(parts);
}

/** Body regexps, on the decompressed body. */
export function checkBody(checks: CompiledChecks, body: Buffer): ProbeError | undefined {
  const text = wellFormedUtf8(body);
  for (const rule of checks.bodyMatches) {
    if (rule.regexp.test(text)) {
      return new ProbeError(
        'body_regex',
        `body matched fail_if_body_matches_regexp "${rule.pattern}"`,
        'transfer',
      );
    }
  }
  for (const rule of checks.bodyNotMatches) {
    if (!rule.regexp.test(text)) {
      return new ProbeError(
        'body_regex',
        `body did not match fail_if_body_not_matches_regexp "${rule.pattern}"`,
        'transfer',
      );
    }
  }
  return undefined;
}
