/**
 * The vantage.yml schema (DESIGN.md "Configuration"). Field names follow blackbox_exporter where
 * a concept exists there, so an http module pastes in unchanged. Parsed values are normalised:
 * durations become milliseconds, sizes bytes, defaults filled in.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseByteSize, parseDuration } from './duration.js';

const duration = (what = 'a duration') =>
  z
    .string()
    .describe(`${what}, Prometheus syntax: 500ms, 30s, 1m30s, 1h`)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (use e.g. 500ms, 30s, 1m30s)` });
        return z.NEVER;
      }
      return ms;
    });

const positiveDuration = (what?: string) =>
  duration(what).refine((ms) => ms > 0, { message: 'must be greater than 0' });

const byteSize = z
  .union([z.string(), z.number()])
  .describe('a size in bytes: 1048576, 512KB, 10MiB (KB = KiB = 1024, as in blackbox_exporter)')
  .transform((value, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a byte size: "${value}" (use e.g. 1048576, 512KB, 10MB)` });
      return z.NEVER;
    }
    return bytes;
  });

const regexString = z.string().superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

const headerMatch = z.strictObject({
  header: z.string().min(1),
  regexp: regexString,
  allow_missing: z.boolean().default(false),
});

const tlsConfig = z.strictObject({
  insecure_skip_verify: z.boolean().default(false),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  server_name: z.string().optional(),
  min_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
  max_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
});

const basicAuth = z.strictObject({
  username: z.string(),
  password: z.string().optional(),
  password_file: z.string().optional(),
});

const authorization = z.strictObject({
  type: z.string().default('Bearer'),
  credentials: z.string().optional(),
  credentials_file: z.string().optional(),
});

export const HTTP_VERSIONS = ['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'] as const;

export const httpModuleSchema = z
  .strictObject({
    valid_status_codes: z.array(z.number().int().min(100).max(599)).default([]),
    valid_http_versions: z.array(z.enum(HTTP_VERSIONS)).default([]),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'must be an upper-case HTTP method such as GET or POST')
      .default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    body_file: z.string().optional(),
    follow_redirects: z.boolean().default(true),
    // Not a blackbox_exporter key (Go's client stops at 10); exposed because loops must end.
    max_redirects: z.number().int().min(0).max(100).default(10),
    enable_http2: z.boolean().default(true),
    fail_if_ssl: z.boolean().default(false),
    fail_if_not_ssl: z.boolean().default(false),
    fail_if_body_matches_regexp: z.array(regexString).default([]),
    fail_if_body_not_matches_regexp: z.array(regexString).default([]),
    fail_if_header_matches: z.array(headerMatch).default([]),
    fail_if_header_not_matches: z.array(headerMatch).default([]),
    preferred_ip_protocol: z.enum(['ip4', 'ip6']).default('ip6'),
    ip_protocol_fallback: z.boolean().default(true),
    tls_config: tlsConfig.default({ insecure_skip_verify: false }),
    basic_auth: basicAuth.optional(),
    bearer_token: z.string().optional(),
    bearer_token_file: z.string().optional(),
    authorization: authorization.optional(),
    body_size_limit: byteSize.default(0),
    compression: z.enum(['', 'gzip', 'br', 'deflate', 'identity']).default(''),
  })
  .superRefine((http, ctx) => {
    if (http.body !== undefined && http.body_file !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['body_file'], message: 'body and body_file are mutually exclusive' });
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

const httpModule = z.strictObject({
  prober: z.literal('http'),
  timeout: positiveDuration('the probe timeout').default(10_000),
  http: httpModuleSchema.default(httpModuleDefaults),
});

const moduleSchema = z
  .looseObject({ prober: z.string() })
  .pipe(
    z.discriminatedUnion('prober', [httpModule], {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `unsupported prober (supported: http)`
          : undefined,
    }),
  );
export type ModuleConfig = z.infer<typeof httpModule>;

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a valid Prometheus label name')
  .refine((n) => !n.startsWith('__'), { message: 'label names starting with __ are reserved' })
  .refine((n) => !RESERVED_LABELS.has(n), {
    message: 'reserved: vantage sets target, module, url, instance, job, phase and reason itself',
  });
export const RESERVED_LABELS = new Set(['target', 'module', 'url', 'instance', 'job', 'phase', 'reason', 'result', 'le']);

const targetSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'must match [a-z0-9_-]+ (it becomes the `target` label)'),
  url: z.string().superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a URL: "${text}"` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `not a URL: "${text}" (the scheme must be http or https)` });
    } else if (url.hostname === '') {
      ctx.addIssue({ code: 'custom', message: `not a URL: "${text}" (no host)` });
    }
  }),
  modules: z.array(z.string().min(1)).min(1, 'list at least one module').default(['http_2xx']),
  interval: positiveDuration('the probe interval').optional(),
  labels: z.record(labelName, z.string()).default({}),
  slo: z
    .strictObject({
      availability: z
        .number()
        .gt(0, 'must be a ratio between 0 and 1, e.g. 0.999')
        .lt(1, 'must be a ratio below 1 (an objective of 100% leaves no error budget)')
        .default(0.999),
      latency: positiveDuration('the latency threshold').default(2000),
    })
    .default({ availability: 0.999, latency: 2000 }),
});
export type TargetConfig = z.infer<typeof targetSchema>;

const cidr = z.string().superRefine((text, ctx) => {
  const [addr, bits, extra] = text.split('/');
  const family = isIP(addr ?? '');
  const max = family === 6 ? 128 : 32;
  const n = bits === undefined ? max : Number(bits);
  if (family === 0 || extra !== undefined || !Number.isInteger(n) || n < 0 || n > max) {
    ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR range: "${text}"` });
  }
});

const securitySchema = z.strictObject({
  admin_token: z.string().min(16, 'must be at least 16 characters').optional(),
  admin_token_file: z.string().optional(),
  probe_url_allowlist: z.array(regexString).default([]),
  allowed_networks: z.array(cidr).default([]),
});
export type SecurityConfig = z.infer<typeof securitySchema>;

const globalSchema = z.strictObject({
  interval: positiveDuration('the default probe interval').default(30_000),
  scrape_timeout: positiveDuration('the scrape timeout').optional(),
  max_concurrent_probes: z.number().int().min(1).max(10_000).default(256),
  jitter: z.number().min(0).max(1).default(1),
  dns_servers: z.array(z.string()).optional(),
});

export const configSchema = z
  .strictObject({
    global: globalSchema.default({ interval: 30_000, max_concurrent_probes: 256, jitter: 1 }),
    modules: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'module names must match [A-Za-z0-9_-]+'), moduleSchema).default({}),
    targets: z.array(targetSchema).default([]),
    security: securitySchema.default({ probe_url_allowlist: [], allowed_networks: [] }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.targets.forEach((target, i) => {
      const first = seen.get(target.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `duplicate target name "${target.name}" (first used by targets[${first}])`,
        });
      } else {
        seen.set(target.name, i);
      }
      target.modules.forEach((mod, j) => {
        if (!(mod in config.modules)) {
          const known = Object.keys(config.modules);
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'modules', j],
            message: `unknown module "${mod}" (defined: ${known.length ? known.join(', ') : 'none'})`,
          });
        }
      });
    });
  });

/** The raw (input) shape, as a user writes it. */
export type VantageConfigInput = z.input<typeof configSchema>;
/** The validated, normalised configuration. Durations in milliseconds, sizes in bytes. */
export type VantageConfig = z.output<typeof configSchema>;
