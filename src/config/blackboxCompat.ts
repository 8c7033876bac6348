/**
 * blackbox_exporter compatibility: a module pasted from blackbox.yml either means the same thing
 * here or is rejected with the reason, never silently half-honoured. Keys vantage knows but cannot
 * honour are listed below so the error says `not supported by vantage: <why>` instead of the
 * `unknown field` a typo gets.
 */

const PROXY =
  'vantage does not probe through an HTTP proxy: vantage connects to the target itself to time its DNS, connect and TLS phases';

/** Unsupported keys of a module's `http:` section (blackbox `http_probe` + prometheus/common HTTP client). */
const HTTP_KEYS: Record<string, string> = {
  proxy_url: PROXY,
  no_proxy: PROXY,
  proxy_from_environment: PROXY,
  proxy_connect_header: PROXY,
  skip_resolve_phase_with_proxy: PROXY,
  oauth2:
    'vantage does not fetch OAuth 2.0 tokens; obtain the token elsewhere and use authorization.credentials_file',
  enable_http3: "HTTP/3 (QUIC) is not available in Node.js's HTTP client",
  http_headers: 'use `headers:` (values read from files or marked secret per header are not available)',
  fail_if_body_json_matches_cel: 'vantage has no CEL engine; use fail_if_body_matches_regexp',
  fail_if_body_json_not_matches_cel: 'vantage has no CEL engine; use fail_if_body_not_matches_regexp',
};

const TLS_KEYS: Record<string, string> = {
  ca: 'inline PEM is not accepted; write the certificate to a file and use ca_file',
  cert: 'inline PEM is not accepted; write the certificate to a file and use cert_file',
  key: 'inline PEM is not accepted; write the key to a file and use key_file',
};

const BASIC_AUTH_KEYS: Record<string, string> = {
  username_file: 'write the username inline (only the password can come from a file: password_file)',
};

const OTHER_PROBER = 'vantage implements only the http prober';

const MODULE_KEYS: Record<string, string> = {
  tcp: OTHER_PROBER,
  dns: OTHER_PROBER,
  icmp: OTHER_PROBER,
  grpc: OTHER_PROBER,
};

/**
 * Why `key`, found unknown in the object at `parent`, is a blackbox_exporter key vantage cannot
 * honour; undefined for a plain unknown key (a typo, most likely).
 */
export function unsupportedBlackboxKey(parent: readonly PropertyKey[], key: string): string | undefined {
  if (parent[0] !== 'modules') return undefined;
  const rest = parent.slice(2).map(String).join('.');
  const table =
    rest === ''
      ? MODULE_KEYS
      : rest === 'http'
        ? HTTP_KEYS
        : rest === 'http.tls_config'
          ? TLS_KEYS
          : rest === 'http.basic_auth'
            ? BASIC_AUTH_KEYS
            : undefined;
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The keys of the table above, for the docs and the tests. */
export const UNSUPPORTED_BLACKBOX_KEYS = {
  module: Object.keys(MODULE_KEYS),
  http: Object.keys(HTTP_KEYS),
  tls_config: Object.keys(TLS_KEYS),
  basic_auth: Object.keys(BASIC_AUTH_KEYS),
};

export interface Rewrite {
  /** YAML path of the rewritten key. */
  path: (string | number)[];
  warning?: string;
  error?: string;
}

/**
 * Deprecated blackbox keys that vantage still reads, rewritten in place on the raw (unvalidated)
 * object before validation: `no_follow_redirects: true` is `follow_redirects: false`.
 */
export function rewriteDeprecatedKeys(raw: unknown): Rewrite[] {
  const rewrites: Rewrite[] = [];
  if (!isRecord(raw) || !isRecord(raw.modules)) return rewrites;
  for (const [name, module] of Object.entries(raw.modules)) {
    if (!isRecord(module) || !isRecord(module.http) || !Object.hasOwn(module.http, 'no_follow_redirects'))
      continue;
    const http = module.http;
    const path = ['modules', name, 'http', 'no_follow_redirects'];
    const value = http.no_follow_redirects;
    if (typeof value !== 'boolean') {
      rewrites.push({ path, error: 'expected true or false' });
    } else if (Object.hasOwn(http, 'follow_redirects')) {
      rewrites.push({
        path,
        error: 'set only follow_redirects (no_follow_redirects is its deprecated inverse)',
      });
    } else {
      http.follow_redirects = !value;
      rewrites.push({
        path,
        warning: `no_follow_redirects is deprecated (as in blackbox_exporter): write follow_redirects: ${String(!value)}`,
      });
    }
    delete http.no_follow_redirects;
  }
  return rewrites;
}

/**
 * Fields where Go's YAML decoder (blackbox_exporter) takes any scalar as a string: `DNT: 1` in
 * headers, `password: 12345`, a label `tier: 1`. `*` matches any key or index.
 */
const STRING_FIELDS: readonly (readonly string[])[] = [
  ['modules', '*', 'http', 'headers', '*'],
  ['modules', '*', 'http', 'body'],
  ['modules', '*', 'http', 'basic_auth', 'username'],
  ['modules', '*', 'http', 'basic_auth', 'password'],
  ['modules', '*', 'http', 'bearer_token'],
  ['modules', '*', 'http', 'authorization', 'credentials'],
  ['targets', '*', 'labels', '*'],
];

/**
 * Numbers and booleans written where a string is meant become that string, exactly as written
 * (`sourceOf` gives the scalar's text, so `1.10` stays "1.10"), in place on the raw object.
 */
export function coerceStringScalars(
  raw: unknown,
  sourceOf: (path: PropertyKey[]) => string | undefined,
): void {
  for (const pattern of STRING_FIELDS) coerceAt(raw, pattern, [], sourceOf);
}

function coerceAt(
  node: unknown,
  pattern: readonly string[],
  path: PropertyKey[],
  sourceOf: (path: PropertyKey[]) => string | undefined,
): void {
  const [head, ...rest] = pattern;
  if (head === undefined || node === null || typeof node !== 'object') return;
  const container = node as Record<PropertyKey, unknown>;
  const keys: PropertyKey[] =
    head !== '*' ? [head] : Array.isArray(node) ? node.map((_, i) => i) : Object.keys(container);
  for (const key of keys) {
    if (!Object.hasOwn(container, key)) continue;
    const value = container[key];
    if (rest.length > 0) coerceAt(value, rest, [...path, key], sourceOf);
    else if (typeof value === 'number' || typeof value === 'boolean') {
      container[key] = sourceOf([...path, key]) ?? String(value);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
