/**
 * The http module's settings (blackbox_exporter's http_probe, same keys), apart from the rest of
 * the schema because journeys reuse them: a journey's shared settings and each step's checks are
 * these fields. Parsed values are normalised: sizes become bytes, defaults are filled in.
 */
import { z } from 'zod';
import { formatConfigByteSize, parseByteSize } from './duration.js';
import { inputForms } from './inputForm.js';
import { compileRegex } from './regex.js';

export const byteSize = z
  .union([z.string(), z.number()])
  .describe('a size in bytes: 1048576, 512KB, 10MiB (KB = KiB = 1024, as in blackbox_exporter)')
  .transform((value, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `not a byte size: "${value}" (use e.g. 1048576, 512KB, 10MB)`,
      });
      return z.NEVER;
    }
    return bytes;
  })
  .register(inputForms, { render: (bytes: number) => formatConfigByteSize(bytes) });

export const regexString = z.string().superRefine((text, ctx) => {
  try {
    compileRegex(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

export const headerMatch = z.strictObject({
  header: z.string().min(1).describe('response header name (case-insensitive)'),
  regexp: regexString.describe('regular expression (RE2 syntax, as in blackbox_exporter; unanchored)'),
  allow_missing: z.boolean().default(false).describe('whether a missing header passes the check'),
});

const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;

const tlsConfig = z.strictObject({
  insecure_skip_verify: z.boolean().default(false).describe('disable certificate verification'),
  ca_file: z.string().optional().describe('PEM file of CA certificates to trust instead of the system ones'),
  cert_file: z.string().optional().describe('PEM client certificate (with key_file)'),
  key_file: z.string().optional().describe('PEM client key (with cert_file)'),
  server_name: z.string().optional().describe('SNI server name and the name the certificate must match'),
  min_version: z.enum(TLS_VERSIONS).optional().describe('lowest TLS version accepted'),
  max_version: z.enum(TLS_VERSIONS).optional().describe('highest TLS version offered'),
});

const basicAuth = z.strictObject({
  username: z.string(),
  password: z.string().optional().describe('secret; prefer password_file'),
  password_file: z
    .string()
    .optional()
    .describe('file whose content (trailing newline trimmed) is the password'),
});

const authorization = z.strictObject({
  type: z.string().default('Bearer').describe('authorization scheme'),
  credentials: z.string().optional().describe('secret; prefer credentials_file'),
  credentials_file: z.string().optional().describe('file whose content is the credentials'),
});

export const HTTP_VERSIONS = ['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'] as const;

export const httpModuleSchema = z
  .strictObject({
    valid_status_codes: z
      .array(z.number().int().min(100).max(599))
      .default([])
      .describe('accepted status codes; empty means any 2xx'),
    valid_http_versions: z
      .array(z.enum(HTTP_VERSIONS))
      .default([])
      .describe('accepted HTTP versions; empty means any'),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'must be an upper-case HTTP method such as GET or POST')
      .default('GET')
      .describe('request method'),
    headers: z.record(z.string(), z.string()).default({}).describe('request headers'),
    // Not a blackbox_exporter key (its http_headers.secrets is not supported): marks custom
    // credential headers so they are redacted, kept from other sites on redirects, and make the
    // module credential-carrying for /probe.
    secret_headers: z
      .array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'))
      .optional()
      .describe(
        'vantage only: names of request headers that carry secrets, besides the well-known ones ' +
          '(Authorization, Cookie, and names containing auth, token, secret, passw, api-key, session, credential)',
      ),
    body: z.string().optional().describe('request body'),
    body_file: z.string().optional().describe('file holding the request body (exclusive with body)'),
    follow_redirects: z.boolean().default(true).describe('follow 3xx redirects'),
    // Not a blackbox_exporter key (Go's client stops at 10); exposed because loops must end.
    max_redirects: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(10)
      .describe('vantage only: redirects followed before the probe fails with too_many_redirects'),
    enable_http2: z.boolean().default(true).describe('offer HTTP/2 via ALPN on TLS connections'),
    fail_if_ssl: z.boolean().default(false).describe('fail when the final response came over TLS'),
    fail_if_not_ssl: z
      .boolean()
      .default(false)
      .describe('fail when the final response did not come over TLS'),
    fail_if_body_matches_regexp: z
      .array(regexString)
      .default([])
      .describe('fail when the body matches any of these (RE2 syntax, as in blackbox_exporter)'),
    fail_if_body_not_matches_regexp: z
      .array(regexString)
      .default([])
      .describe('fail when the body does not match all of these (RE2 syntax)'),
    fail_if_header_matches: z
      .array(headerMatch)
      .default([])
      .describe('fail when a header value matches (any value of a repeated header)'),
    fail_if_header_not_matches: z
      .array(headerMatch)
      .default([])
      .describe('fail when no value of the header matches'),
    preferred_ip_protocol: z.enum(['ip4', 'ip6']).default('ip6').describe('address family tried first'),
    ip_protocol_fallback: z.boolean().default(true).describe('fall back to the other family'),
    tls_config: tlsConfig.prefault({}).describe('TLS settings'),
    basic_auth: basicAuth.optional().describe('HTTP basic authentication'),
    bearer_token: z.string().optional().describe('secret; sent as Authorization: Bearer'),
    bearer_token_file: z.string().optional().describe('file holding the bearer token'),
    authorization: authorization.optional().describe('Authorization header with any scheme'),
    body_size_limit: byteSize
      .prefault(0)
      .describe(
        'largest body read, uncompressed; 0 means no limit, except that a body kept for the body regexps is capped at 10 MiB',
      ),
    compression: z
      .enum(['', 'gzip', 'br', 'deflate', 'identity'])
      .default('')
      .describe('expected Content-Encoding, sent as Accept-Encoding; empty means no decompression'),
  })
  .superRefine((http, ctx) => {
    if (http.body !== undefined && http.body_file !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['body_file'],
        message: 'body and body_file are mutually exclusive',
      });
    }
    const auths = [http.basic_auth, http.bearer_token ?? http.bearer_token_file, http.authorization].filter(
      (a) => a !== undefined,
    );
    if (auths.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['bearer_token'],
        message: 'at most one of basic_auth, bearer_token/bearer_token_file and authorization may be set',
      });
    }
    if (http.fail_if_ssl && http.fail_if_not_ssl) {
      ctx.addIssue({
        code: 'custom',
        path: ['fail_if_not_ssl'],
        message: 'fail_if_ssl and fail_if_not_ssl cannot both be true',
      });
    }
    const tls = http.tls_config;
    if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls_config', tls.cert_file === undefined ? 'cert_file' : 'key_file'],
        message: 'cert_file and key_file must be set together',
      });
    }
  });
export type HttpModuleConfig = z.infer<typeof httpModuleSchema>;

export const httpModuleDefaults = (): HttpModuleConfig => httpModuleSchema.parse({});
