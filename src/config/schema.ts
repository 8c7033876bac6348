/**
 * The vantage.yml schema (DESIGN.md "Configuration"). Field names follow blackbox_exporter where
 * a concept exists there, so an http module pastes in unchanged. Parsed values are normalised:
 * durations become milliseconds, sizes bytes, defaults filled in.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DURATION_LIMITS } from './duration.js';
import { positiveDuration } from './durationSchema.js';
import { maintenanceReferenceIssues, maintenanceWindowSchema } from './maintenanceSchema.js';
import { httpModuleSchema, regexString } from './httpSchema.js';
import { browserModuleSchema } from './browserSchema.js';
import {
  categoriesSchema,
  chromeFlagsSchema,
  formFactorSchema,
  reportHistorySchema,
} from './chromeSchema.js';
import { journeyModuleSchema } from './journeySchema.js';
import { reportSchema } from './reportSchema.js';
import { rumSchema } from './rumSchema.js';
import { hostsSchema, loadTestSchema, trafficQuerySchema } from './capacitySchema.js';
import { availabilityTooHigh } from './messages.js';
import { checkHttpUrl } from './urlCheck.js';

const httpModule = z.strictObject({
  prober: z.literal('http'),
  timeout: positiveDuration('the probe timeout', DURATION_LIMITS.timeout).prefault('10s'),
  http: httpModuleSchema.prefault({}).describe('HTTP probe settings (blackbox_exporter http_probe)'),
});

export { LIGHTHOUSE_CATEGORIES } from './chromeSchema.js';

export const lighthouseModuleSchema = z.strictObject({
  form_factor: formFactorSchema,
  runs: z
    .number()
    .int()
    .min(1)
    .max(9)
    .refine((n) => n % 2 === 1, { message: 'must be odd, so the batch has one median run' })
    .default(3)
    .describe('runs per audit batch; the median run (by FCP and TTI, as Lighthouse picks it) is published'),
  interval: positiveDuration('how often the audit batch runs', DURATION_LIMITS.interval).prefault('15m'),
  categories: categoriesSchema('Lighthouse categories to audit'),
  throttling_method: z
    .enum(['simulate', 'devtools', 'provided'])
    .default('simulate')
    .describe('simulate (Lantern, least variance), devtools (applied throttling) or provided (none)'),
  cpu_slowdown_multiplier: z
    .number()
    .min(1)
    .max(20)
    .optional()
    .describe("CPU slowdown; defaults to the form factor's preset (4 for mobile, 1 for desktop)"),
  headers: z.record(z.string(), z.string()).default({}).describe('extra request headers for the page load'),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en-US')
    .default('en-US')
    .describe('report locale'),
  blocked_url_patterns: z
    .array(z.string().min(1))
    .default([])
    .describe('URL patterns (with * wildcards) Chrome blocks during the audit, e.g. third-party tags'),
  chrome_flags: chromeFlagsSchema,
  report_history: reportHistorySchema('median-run reports'),
});
export type LighthouseModuleConfig = z.infer<typeof lighthouseModuleSchema>;

const lighthouseModule = z.strictObject({
  prober: z.literal('lighthouse'),
  timeout: positiveDuration('the timeout of each Lighthouse run', DURATION_LIMITS.timeout).prefault('120s'),
  lighthouse: lighthouseModuleSchema.prefault({}).describe('Lighthouse audit settings'),
});

const journeyModule = z.strictObject({
  prober: z.literal('journey'),
  timeout: positiveDuration('the timeout of the whole journey', DURATION_LIMITS.timeout).prefault('30s'),
  journey: journeyModuleSchema.describe('the steps of a multi-step HTTP transaction'),
});

const browserModule = z.strictObject({
  prober: z.literal('browser'),
  timeout: positiveDuration('the timeout of the whole flow', DURATION_LIMITS.timeout).prefault('120s'),
  browser: browserModuleSchema.describe('the steps of a user flow in a real browser'),
});

export const SUPPORTED_PROBERS = ['http', 'lighthouse', 'journey', 'browser'] as const;

// A plain discriminated union (not a pipe) so the JSON Schema shows each prober's fields.
export const moduleSchema = z
  .discriminatedUnion('prober', [httpModule, lighthouseModule, journeyModule, browserModule], {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const prober = (issue.input as { prober?: unknown } | undefined)?.prober;
      if (prober === undefined) return 'required field is missing';
      if (typeof prober !== 'string') return `expected one of: ${SUPPORTED_PROBERS.join(', ')}`;
      return `unsupported prober "${prober}" (supported: ${SUPPORTED_PROBERS.join(', ')})`;
    },
  })
  .describe('a probe module; an http module of blackbox_exporter pastes in unchanged');
export { HTTP_VERSIONS, httpModuleDefaults, httpModuleSchema, type HttpModuleConfig } from './httpSchema.js';
export type HttpModule = z.infer<typeof httpModule>;
export type LighthouseModule = z.infer<typeof lighthouseModule>;
export type JourneyModule = z.infer<typeof journeyModule>;
export type BrowserModule = z.infer<typeof browserModule>;
export type ModuleConfig = HttpModule | LighthouseModule | JourneyModule | BrowserModule;
export type { BrowserModuleConfig, BrowserStepConfig } from './browserSchema.js';
export type { JourneyModuleConfig, JourneyStepConfig } from './journeySchema.js';

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a valid Prometheus label name')
  .refine((n) => !n.startsWith('__'), { message: 'label names starting with __ are reserved' })
  .refine((n) => !RESERVED_LABELS.has(n), {
    error: (issue) =>
      `label name "${String(issue.input)}" is reserved: vantage sets ${[...RESERVED_LABELS].join(', ')} itself`,
  });
export const RESERVED_LABELS = new Set([
  'target',
  'module',
  'url',
  'instance',
  'job',
  'phase',
  'reason',
  'result',
  'le',
]);

const targetSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'must match [a-z0-9_-]+ (it becomes the `target` label)')
    .describe('unique name; the `target` label of every series'),
  url: z.string().superRefine(checkHttpUrl).describe('the http(s) URL probed'),
  modules: z
    .array(z.string().min(1))
    .min(1, 'list at least one module')
    .default(['http_2xx'])
    .describe('names of modules (keys of `modules`) run against this target'),
  interval: positiveDuration(
    'the probe interval; defaults to global.interval',
    DURATION_LIMITS.interval,
  ).optional(),
  labels: z.record(labelName, z.string()).default({}).describe("static labels added to this target's series"),
  slo: z
    .strictObject({
      availability: z
        .number()
        .gt(0, 'must be a ratio between 0 and 1, e.g. 0.999')
        .lt(1, { error: (issue) => availabilityTooHigh(issue.input) })
        .default(0.999)
        .describe('availability objective, a ratio: 0.999 is 99.9%'),
      latency: positiveDuration('the latency threshold', DURATION_LIMITS.latency).prefault('2s'),
    })
    .prefault({})
    .describe('service level objectives, exported as vantage_target_* series'),
  hosts: hostsSchema,
  load_test: loadTestSchema.prefault({}),
  traffic_query: trafficQuerySchema.optional(),
});
export type TargetConfig = z.infer<typeof targetSchema>;
export type { MaintenanceWindowConfig } from './maintenanceSchema.js';

const cidr = z.string().superRefine((text, ctx) => {
  const [addr, bits, extra] = text.split('/');
  const family = isIP(addr ?? '');
  const max = family === 6 ? 128 : 32;
  const n = bits === undefined ? max : Number(bits);
  if (family === 0 || extra !== undefined || !Number.isInteger(n) || n < 0 || n > max) {
    ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR range: "${text}"` });
  }
});

/** A host name or IP as a Host header carries it, without scheme or port: `vantage.example.com`. */
const hostName = z.string().superRefine((text, ctx) => {
  const ok =
    isIP(text) !== 0 ||
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
      text,
    );
  if (!ok) ctx.addIssue({ code: 'custom', message: `not a host name (no scheme, port or path): "${text}"` });
});

const securitySchema = z.strictObject({
  admin_token: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('secret bearer token for admin endpoints such as POST /-/reload; prefer admin_token_file'),
  admin_token_file: z.string().optional().describe('file holding the admin token'),
  probe_url_allowlist: z
    .array(regexString)
    .default([])
    .describe(
      'regular expressions (RE2 syntax), matched against the whole URL, of URLs /probe may probe besides configured targets',
    ),
  allowed_networks: z
    .array(cidr)
    .default([])
    .describe('IPs/CIDR ranges exempt from the built-in block of link-local and cloud-metadata addresses'),
  probe_credentials_any_target: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'names of modules carrying credentials (basic_auth, bearer_token, authorization, a client ' +
        'certificate, secret headers) that /probe may use with any target it may probe; other such ' +
        'modules only go with the targets that list them',
    ),
  allowed_hosts: z
    .array(hostName)
    .optional()
    .describe(
      'names clients reach vantage by (the Host header), besides localhost, loopback IPs, the listen address and the machine name; with no admin token, write requests under any other name are refused (DNS rebinding)',
    ),
});
export type SecurityConfig = z.infer<typeof securitySchema>;

const globalSchema = z.strictObject({
  interval: positiveDuration('the default probe interval', DURATION_LIMITS.interval).prefault('30s'),
  scrape_timeout: positiveDuration('the scrape timeout', DURATION_LIMITS.timeout).optional(),
  max_concurrent_probes: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(256)
    .describe('probes running at once, across all targets'),
  jitter: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('fraction of the interval used to spread the start times of targets (0 = all at once)'),
  dns_servers: z
    .array(z.string())
    .optional()
    .describe('DNS servers (IP, IP:port or [IPv6]:port) queried instead of the system resolver'),
});

export const configSchema = z
  .strictObject({
    global: globalSchema.prefault({}).describe('defaults and limits for the whole service'),
    modules: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'module names must match [A-Za-z0-9_-]+'), moduleSchema)
      .default({})
      .describe('named probe modules, as in blackbox_exporter'),
    targets: z.array(targetSchema).default([]).describe('the pages probed'),
    security: securitySchema.prefault({}).describe('access to the admin and on-demand /probe endpoints'),
    maintenance_windows: z
      .array(maintenanceWindowSchema)
      .default([])
      .describe('periods in which alerts for the covered targets are suppressed; probing goes on'),
    rum: rumSchema
      .prefault({})
      .describe('field data: the sites whose real visitors send Web Vitals and engagement to /rum/v1/beacon'),
    report: reportSchema
      .optional()
      .describe('performance reports: the Prometheus they read, their schedule, archive and webhook'),
  })
  // `when`: run even when unrelated fields are invalid, so a bad URL in one target does not hide
  // an unknown module in another. The value is then only partly parsed, hence the defensive reads.
  .superRefine(
    (config, ctx) => {
      crossReferenceIssues(config).forEach((issue) => ctx.addIssue(issue));
      if (isObject(config)) maintenanceReferenceIssues(config).forEach((issue) => ctx.addIssue(issue));
    },
    { when: () => true },
  );

/** A custom issue as crossReferenceIssues makes it; `params` carries facts a reader needs as data. */
// Type aliases, not interfaces: zod's addIssue wants the implicit index signature of a type.
type CrossReferenceIssue = {
  code: 'custom';
  path: PropertyKey[];
  message: string;
  params?: UnknownModuleParams;
};

/**
 * What an unknown-module issue is about, as data: config/load.ts rewords it for a target that
 * lists no modules (the default one is missing) without re-reading the message text.
 */
export type UnknownModuleParams = {
  unknownModule: string;
  definedModules: readonly string[];
};

function unknownModuleIssue(path: PropertyKey[], mod: string, known: readonly string[]): CrossReferenceIssue {
  return {
    code: 'custom',
    path,
    message: `unknown module "${mod}" (${definedModulesText(known)})`,
    params: { unknownModule: mod, definedModules: known },
  };
}

/** "defined: a, b" or "defined: none", the tail of every unknown-module message. */
export function definedModulesText(known: readonly string[]): string {
  return `defined: ${known.length ? known.join(', ') : 'none'}`;
}

/** The unknown-module facts of a zod issue, or undefined for any other issue. */
export function unknownModuleOf(issue: { code: string; params?: unknown }): UnknownModuleParams | undefined {
  if (issue.code !== 'custom' || typeof issue.params !== 'object' || issue.params === null) return undefined;
  const params = issue.params as Partial<UnknownModuleParams>;
  return typeof params.unknownModule === 'string' && Array.isArray(params.definedModules)
    ? { unknownModule: params.unknownModule, definedModules: params.definedModules }
    : undefined;
}

/** Duplicate target names and references to undefined modules, on a possibly half-parsed config. */
function crossReferenceIssues(config: unknown): CrossReferenceIssue[] {
  const issues: CrossReferenceIssue[] = [];
  if (!isObject(config) || !Array.isArray(config.targets)) return issues;
  // Modules whose own fields are invalid are still defined: only a missing name is reported here.
  const modules = isObject(config.modules) ? config.modules : {};
  const known = Object.keys(modules);
  const seen = new Map<string, number>();
  config.targets.forEach((target: unknown, i) => {
    if (!isObject(target)) return;
    if (typeof target.name === 'string') {
      const first = seen.get(target.name);
      if (first !== undefined) {
        issues.push({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `duplicate target name "${target.name}" (first used by targets[${first}])`,
        });
      } else {
        seen.set(target.name, i);
      }
    }
    if (!Array.isArray(target.modules)) return;
    target.modules.forEach((mod: unknown, j) => {
      if (typeof mod === 'string' && mod !== '' && !Object.hasOwn(modules, mod)) {
        issues.push(unknownModuleIssue(['targets', i, 'modules', j], mod, known));
      }
    });
  });
  const anyTarget = isObject(config.security) ? config.security.probe_credentials_any_target : undefined;
  if (Array.isArray(anyTarget)) {
    anyTarget.forEach((mod: unknown, j) => {
      if (typeof mod === 'string' && mod !== '' && !Object.hasOwn(modules, mod)) {
        issues.push(unknownModuleIssue(['security', 'probe_credentials_any_target', j], mod, known));
      }
    });
  }
  return issues;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw (input) shape, as a user writes it. */
export type VantageConfigInput = z.input<typeof configSchema>;
/** The validated, normalised configuration. Durations in milliseconds, sizes in bytes. */
export type VantageConfig = z.output<typeof configSchema>;
