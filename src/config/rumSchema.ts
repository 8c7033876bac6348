/**
 * The `rum:` section: the sites allowed to send field data (real users' Web Vitals and
 * engagement) to POST /rum/v1/beacon, and the limits that keep that public endpoint safe.
 * Each site's name becomes the `site` label, each page group's name the `page_group` label and
 * each goal the `goal` label: every label value comes from here, never from a beacon, so the
 * number of series is bounded by the config.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { byteSize, regexString } from './httpSchema.js';
import { inputForms } from './inputForm.js';

/** Names that become label values: short, lowercase, the same alphabet as target names. */
const labelValueName = (what: string) =>
  z.string().regex(/^[a-z0-9_-]{1,64}$/, `must match [a-z0-9_-]{1,64} (it becomes the \`${what}\` label)`);

/** The page group of every path that matches no pattern; reserved. */
export const OTHER_PAGE_GROUP = 'other';

const origin = z
  .string()
  .describe(
    'an origin a page with the snippet is served from: scheme, host and port, e.g. https://shop.example.com',
  )
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `not an origin: "${text}" (use e.g. https://shop.example.com)`,
      });
      return z.NEVER;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== text.replace(/\/$/, '')) {
      ctx.addIssue({
        code: 'custom',
        message: `not an origin: "${text}" (scheme and host only, no path, e.g. ${url.origin === 'null' ? 'https://shop.example.com' : url.origin})`,
      });
      return z.NEVER;
    }
    return url.origin;
  })
  // The parsed origin is written back as it is (a trailing slash dropped): it parses the same.
  .register(inputForms, { render: (text: string) => text });

const pageGroup = z.strictObject({
  name: labelValueName('page_group')
    .refine((name) => name !== OTHER_PAGE_GROUP, {
      message: `"${OTHER_PAGE_GROUP}" is reserved for the paths no page group matches`,
    })
    .describe('the `page_group` label'),
  pattern: regexString.describe(
    "RE2 pattern matched against the page's path (no query); the first group that matches wins",
  ),
});

const siteSchema = z
  .strictObject({
    name: labelValueName('site').describe('the `site` label; the snippet names it in data-site'),
    origins: z
      .array(origin)
      .min(1, 'list at least one origin the site is served from')
      .describe('origins allowed to send beacons for this site (CORS); others get 403'),
    page_groups: z
      .array(pageGroup)
      .default([])
      .describe(
        `path patterns grouping pages (product, search, …); unmatched paths count as "${OTHER_PAGE_GROUP}"`,
      ),
    goals: z
      .array(labelValueName('goal'))
      .default([])
      .describe('conversions the page reports with vantageRum.goal(name); others are dropped'),
    accept_synthetic: z
      .boolean()
      .default(false)
      .describe(
        'count visits by headless browsers and automation (vantage’s own audits and flows): the demo does',
      ),
  })
  .superRefine((site, ctx) => {
    const seen = new Map<string, number>();
    site.page_groups.forEach((group, i) => {
      const first = seen.get(group.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['page_groups', i, 'name'],
          message: `duplicate page group "${group.name}" (first used by page_groups[${first}])`,
        });
      } else seen.set(group.name, i);
    });
    const goals = new Set<string>();
    site.goals.forEach((goal, i) => {
      if (goals.has(goal))
        ctx.addIssue({ code: 'custom', path: ['goals', i], message: `duplicate goal "${goal}"` });
      goals.add(goal);
    });
  });
export type RumSiteConfig = z.output<typeof siteSchema>;

/** An address or CIDR block, checked with node's own parser. */
const cidr = z
  .string()
  .describe('an address or CIDR block, e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8')
  .superRefine((text, ctx) => {
    if (!parseCidr(text))
      ctx.addIssue({ code: 'custom', message: `not an address or CIDR block: "${text}"` });
  });

/** [address, prefix length, family] of "a.b.c.d/n" or a bare address; undefined when invalid. */
export function parseCidr(
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The trusted proxies as a node BlockList (matches IPv4-mapped IPv6 addresses too). */
export function trustedProxyList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const parsed = parseCidr(text);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

const limitsSchema = z.strictObject({
  max_body_bytes: byteSize
    .default(16 * 1024)
    .refine((bytes) => bytes >= 1024 && bytes <= 1024 * 1024, { message: 'must be between 1KiB and 1MiB' })
    .describe('largest beacon body accepted; larger ones get 413'),
  rate_per_client: z
    .strictObject({
      per_second: z
        .number()
        .positive()
        .max(100_000)
        .default(20)
        .describe('beacons per second one client address may send'),
      burst: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(60)
        .describe('beacons one client may send at once'),
    })
    .prefault({})
    .describe('token bucket per client address; beyond it 429'),
  max_clients_tracked: z
    .number()
    .int()
    .min(100)
    .max(10_000_000)
    .default(100_000)
    .describe('client addresses the rate limiter remembers (least recently seen forgotten first)'),
  max_series: z
    .number()
    .int()
    .min(1000)
    .max(10_000_000)
    .default(50_000)
    .describe('cap on the rum_* series exported; a beacon that would add series beyond it is dropped'),
  max_targets_per_site: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(50)
    .describe('distinct INP and CLS target selectors kept per site; later ones count as "other"'),
});

export const rumSchema = z
  .strictObject({
    sites: z.array(siteSchema).default([]).describe('the sites whose pages carry the snippet'),
    trusted_proxies: z
      .array(cidr)
      .default([])
      .describe('proxies whose X-Forwarded-For names the client (for the per-client rate limit)'),
    limits: limitsSchema.prefault({}).describe('limits of the public beacon endpoint'),
  })
  .superRefine((rum, ctx) => {
    const seen = new Map<string, number>();
    rum.sites.forEach((site, i) => {
      const first = seen.get(site.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sites', i, 'name'],
          message: `duplicate site "${site.name}" (first used by sites[${first}])`,
        });
      } else seen.set(site.name, i);
    });
  });
export type RumConfig = z.output<typeof rumSchema>;
