/**
 * The field-data collector: one beacon in, counters and histograms out, or a refusal with its
 * reason. It holds no session state: a session's start, engagement, end and conversions arrive
 * as facts the snippet worked out in the browser (docs/field-data.md "Sessions"), so any number
 * of collectors behind one site count the same as one.
 *
 * `accept` is the whole decision for a beacon that reached it as parsed JSON; the HTTP side
 * (beaconRoute.ts) does what comes before (origin, size, content type, rate limit, JSON) and
 * counts its own refusals through `refuse`. Every refusal is counted in
 * vantage_rum_beacons_rejected_total{reason}; every reason is exported from the start at 0.
 */
import type { RumConfig, RumSiteConfig } from '../config/rumSchema.js';
import { OTHER_PAGE_GROUP } from '../config/rumSchema.js';
import { compileRegex, type UserRegex } from '../config/regex.js';
import type { VantageConfig } from '../config/schema.js';
import { InputError } from '../input/inputError.js';
import { escapeLabelValue } from '../metrics/exposition.js';
import { parseBeacon, type PageViewBeacon } from './beaconSchema.js';
import { ClientRateLimiter, TrustedProxies } from './clientLimits.js';
import { attributionLabels, FieldSeries, type AttributionFamily, type PageKey } from './fieldSeries.js';
import { VisitorClassifier, type Device } from './visitor.js';
import { FIELD_VITALS, ratingOf, type VitalKey } from './vitals.js';
import { LRUCache } from 'lru-cache';

export const REJECTION_REASONS = [
  'origin',
  'body_too_large',
  'content_type',
  'invalid_json',
  'invalid_beacon',
  'unknown_site',
  'rate_limited',
  'bot',
  'headless',
  'series_limit',
  'unknown_goal',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** A site's config, compiled once per load. */
interface CompiledSite {
  config: RumSiteConfig;
  origins: ReadonlySet<string>;
  pageGroups: PageGroups;
  goals: ReadonlySet<string>;
  /** INP/CLS target selectors given a label of their own so far (bounded). */
  targets: Set<string>;
  /**
   * Page group by path: a site's traffic repeats a few thousand paths, and each RE2 match is a
   * call into native code (the largest part of counting a beacon before this cache).
   */
  groupOfPath: LRUCache<string, string>;
}

export type BeaconOutcome =
  | { status: 204; counted: boolean; reason?: RejectionReason }
  | { status: 400; reason: 'invalid_beacon' | 'unknown_site'; error: InputError };

/** What the collector knows of a request besides its body. */
export interface BeaconContext {
  origin: string | undefined;
  userAgent: string | undefined;
}

/** A site's page groups, their patterns compiled (RE2), in config order. */
type PageGroups = ReadonlyArray<{ name: string; regex: UserRegex }>;

function compilePageGroups(site: RumSiteConfig): PageGroups {
  return site.page_groups.map((g) => ({ name: g.name, regex: compileRegex(g.pattern) }));
}

/** The page group of a path: the first pattern that matches, else "other". Beacons and targets alike. */
function pageGroupOfPath(groups: PageGroups, path: string): string {
  return groups.find((group) => group.regex.test(path))?.name ?? OTHER_PAGE_GROUP;
}

/** Paths whose page group is remembered per site (about 100 bytes each). */
const PATHS_CACHED_PER_SITE = 10_000;

const HELP_REJECTED =
  'Beacons (or parts of them: unknown goals) POST /rum/v1/beacon refused, by reason; none of them is counted in rum_*.';

export class RumCollector {
  private sites = new Map<string, CompiledSite>();
  private allOrigins = new Set<string>();
  private maxTargets = 50;
  private readonly rejected = new Map<RejectionReason, number>(REJECTION_REASONS.map((r) => [r, 0]));
  private readonly visitors = new VisitorClassifier();
  private readonly renderedLabels = new Map<string, string>();
  readonly series: FieldSeries;
  rateLimiter: ClientRateLimiter;
  trustedProxies: TrustedProxies;
  maxBodyBytes = 16 * 1024;

  constructor(config: RumConfig) {
    this.series = new FieldSeries(config.limits.max_series);
    this.rateLimiter = this.limiterOf(config);
    this.trustedProxies = new TrustedProxies(config.trusted_proxies);
    this.configure(config);
  }

  private limiterOf(config: RumConfig): ClientRateLimiter {
    const rate = config.limits.rate_per_client;
    return new ClientRateLimiter(rate.per_second, rate.burst, config.limits.max_clients_tracked);
  }

  /**
   * A new config (a reload): new sites, origins, patterns and limits take effect; what was
   * counted stays (counters never go back), including the series of a site no longer configured.
   */
  configure(config: RumConfig): void {
    const previous = this.sites;
    this.sites = new Map(
      config.sites.map((site) => [
        site.name,
        {
          config: site,
          origins: new Set(site.origins),
          pageGroups: compilePageGroups(site),
          goals: new Set(site.goals),
          targets: previous.get(site.name)?.targets ?? new Set(),
          groupOfPath: new LRUCache<string, string>({ max: PATHS_CACHED_PER_SITE }),
        },
      ]),
    );
    this.allOrigins = new Set(config.sites.flatMap((s) => s.origins));
    this.maxTargets = config.limits.max_targets_per_site;
    this.series.maxSeries = config.limits.max_series;
    this.maxBodyBytes = config.limits.max_body_bytes;
    this.trustedProxies = new TrustedProxies(config.trusted_proxies);
    const rate = config.limits.rate_per_client;
    if (!this.rateLimiter.sameLimits(rate.per_second, rate.burst, config.limits.max_clients_tracked)) {
      this.rateLimiter = this.limiterOf(config);
    }
  }

  get configured(): boolean {
    return this.sites.size > 0;
  }

  /** Whether any site lists this origin (the CORS preflight's answer). */
  allowsOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.allOrigins.has(origin);
  }

  refuse(reason: RejectionReason, count = 1): void {
    this.rejected.set(reason, this.rejected.get(reason)! + count);
  }

  rejectedCount(reason: RejectionReason): number {
    return this.rejected.get(reason)!;
  }

  /** Beacons refused since start, every reason together. */
  get rejectedTotal(): number {
    let total = 0;
    for (const n of this.rejected.values()) total += n;
    return total;
  }

  /** The configured sites, in config order. */
  get siteNames(): string[] {
    return [...this.sites.keys()];
  }

  /** The page group of a path on a site: the first pattern that matches, else "other". */
  private pageGroupOf(site: CompiledSite, path: string): string {
    let name = site.groupOfPath.get(path);
    if (name === undefined) {
      name = pageGroupOfPath(site.pageGroups, path);
      site.groupOfPath.set(path, name);
    }
    return name;
  }

  /** A selector as a label value: its own while the site has room, "other" after. */
  private targetLabel(site: CompiledSite, selector: string): string {
    if (site.targets.has(selector)) return selector;
    if (site.targets.size >= this.maxTargets) return OTHER_PAGE_GROUP;
    site.targets.add(selector);
    return selector;
  }

  /**
   * Count one beacon (already JSON-parsed). The origin must be one of the beacon's site's
   * origins (403 is decided here because the site is named in the body); the caller has
   * checked that the origin belongs to some site.
   */
  accept(body: unknown, context: BeaconContext): BeaconOutcome | { status: 403; reason: 'origin' } {
    let beacon;
    try {
      beacon = parseBeacon(body);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      this.refuse('invalid_beacon');
      return { status: 400, reason: 'invalid_beacon', error: err };
    }
    const site = this.sites.get(beacon.site);
    if (!site) {
      this.refuse('unknown_site');
      return {
        status: 400,
        reason: 'unknown_site',
        error: new InputError('site', `unknown site "${beacon.site}" (data-site must name one of rum.sites)`),
      };
    }
    if (context.origin === undefined || !site.origins.has(context.origin)) {
      this.refuse('origin');
      return { status: 403, reason: 'origin' };
    }
    const visitor = this.visitors.classify(context.userAgent);
    if (visitor.kind === 'bot') return this.dropped('bot');
    if ((visitor.kind === 'headless' || beacon.synthetic === true) && !site.config.accept_synthetic) {
      return this.dropped('headless');
    }
    const device: Device = visitor.device;
    const landing: PageKey = {
      site: site.config.name,
      pageGroup: this.pageGroupOf(site, beacon.session.landing ?? beacon.path),
      device,
    };

    if (beacon.t === 'end') {
      if (beacon.session.duration_ms === undefined) {
        this.refuse('invalid_beacon');
        return {
          status: 400,
          reason: 'invalid_beacon',
          error: new InputError('session.duration_ms', 'required when t is "end"'),
        };
      }
      if (!this.series.canAdd(this.series.cost([landing], [], []))) return this.dropped('series_limit');
      this.series.sessionEnded(landing, beacon.session.duration_ms / 1000);
      if (beacon.session.start) this.series.sessionStart(landing);
      if (beacon.session.engaged) this.series.sessionEngaged(landing);
      return { status: 204, counted: true };
    }
    return this.acceptPageView(beacon, site, landing);
  }

  private acceptPageView(beacon: PageViewBeacon, site: CompiledSite, landing: PageKey): BeaconOutcome {
    const page: PageKey = { ...landing, pageGroup: this.pageGroupOf(site, beacon.path) };
    const goals = [...new Set(beacon.goals)].filter((goal) => site.goals.has(goal));
    const unknownGoals = new Set(beacon.goals).size - goals.length;
    const attribution = this.attributionOf(beacon, site, page);
    const cost = this.series.cost(
      [page, landing],
      goals.map((goal) => ({ page: landing, goal })),
      attribution,
    );
    if (!this.series.canAdd(cost)) return this.dropped('series_limit');
    if (unknownGoals > 0) this.refuse('unknown_goal', unknownGoals);

    const vitals: Partial<Record<VitalKey, number>> = {};
    for (const vital of FIELD_VITALS) {
      const value = beacon.vitals[vital.key];
      if (value !== undefined) vitals[vital.key] = vital.unit === 'seconds' ? value / 1000 : value;
    }
    this.series.pageView(
      page,
      vitals,
      beacon.visible_ms === undefined ? undefined : beacon.visible_ms / 1000,
    );
    if (beacon.session.start) this.series.sessionStart(landing);
    if (beacon.session.engaged) this.series.sessionEngaged(landing);
    for (const goal of goals) this.series.conversion(landing, goal);
    for (const { family, labels } of attribution) this.series.attributed(family, labels);
    return { status: 204, counted: true };
  }

  /** The attribution counters a page view adds to, with bounded labels. */
  private attributionOf(
    beacon: PageViewBeacon,
    site: CompiledSite,
    page: PageKey,
  ): Array<{ family: AttributionFamily; labels: string }> {
    const out: Array<{ family: AttributionFamily; labels: string }> = [];
    const rating = (key: VitalKey, ms: number) => {
      const vital = FIELD_VITALS.find((v) => v.key === key)!;
      return ratingOf(vital, vital.unit === 'seconds' ? ms / 1000 : ms);
    };
    const { vitals, attr } = beacon;
    if (vitals.inp !== undefined && attr.inp_target !== undefined && attr.inp_target !== '') {
      out.push(
        this.attributionSeries('rum_inp_targets_total', [
          ['site', page.site],
          ['page_group', page.pageGroup],
          ['target', this.targetLabel(site, attr.inp_target)],
          ['interaction_type', attr.inp_type ?? 'pointer'],
          ['rating', rating('inp', vitals.inp)],
        ]),
      );
    }
    if (vitals.lcp !== undefined && attr.lcp_element !== undefined) {
      out.push(
        this.attributionSeries('rum_lcp_elements_total', [
          ['site', page.site],
          ['page_group', page.pageGroup],
          ['element', attr.lcp_element],
          ['rating', rating('lcp', vitals.lcp)],
        ]),
      );
    }
    if (vitals.cls !== undefined && attr.cls_target !== undefined && attr.cls_target !== '') {
      out.push(
        this.attributionSeries('rum_cls_targets_total', [
          ['site', page.site],
          ['page_group', page.pageGroup],
          ['target', this.targetLabel(site, attr.cls_target)],
          ['rating', rating('cls', vitals.cls)],
        ]),
      );
    }
    return out;
  }

  /**
   * An attribution counter's rendered labels, rendered once per label set: escaping and joining
   * them was a tenth of a beacon's cost. The label values are bounded (configured names, at most
   * max_targets_per_site selectors per site, enums), and so is this map.
   */
  private attributionSeries(
    family: AttributionFamily,
    pairs: ReadonlyArray<readonly [string, string]>,
  ): { family: AttributionFamily; labels: string } {
    let key: string = family;
    for (const [, value] of pairs) key += `\u0000${value}`;
    let labels = this.renderedLabels.get(key);
    if (labels === undefined) {
      labels = attributionLabels(pairs);
      this.renderedLabels.set(key, labels);
    }
    return { family, labels };
  }

  /** Dropped without a complaint to the sender (204: a bot must not retry), but counted. */
  private dropped(reason: RejectionReason): BeaconOutcome {
    this.refuse(reason);
    return { status: 204, counted: false, reason };
  }

  /** Every rum_* family and the collector's own health series. */
  render(): string {
    let out = `# HELP vantage_rum_beacons_rejected_total ${HELP_REJECTED}\n# TYPE vantage_rum_beacons_rejected_total counter\n`;
    for (const [reason, n] of this.rejected) {
      out += `vantage_rum_beacons_rejected_total{reason="${escapeLabelValue(reason)}"} ${n}\n`;
    }
    out +=
      '# HELP vantage_rum_series rum_* series exported now (each page group and device seen costs a fixed number).\n# TYPE vantage_rum_series gauge\n' +
      `vantage_rum_series ${this.series.seriesCount}\n` +
      '# HELP vantage_rum_series_limit The cap on rum_* series (rum.limits.max_series); beacons beyond it are dropped.\n# TYPE vantage_rum_series_limit gauge\n' +
      `vantage_rum_series_limit ${this.series.maxSeries}\n`;
    return out + this.series.render();
  }
}

/**
 * vantage_rum_target_page_group_info: each configured target whose URL is a page of a RUM site
 * (its origin listed, its path in a page group), so a dashboard can put the lab figures of the
 * target beside the field figures of its page group.
 */
export function renderTargetPageGroups(config: VantageConfig): string {
  let out =
    '# HELP vantage_rum_target_page_group_info A probed target and the field-data site and page group its URL belongs to (join lab to field on target).\n# TYPE vantage_rum_target_page_group_info gauge\n';
  const sites = config.rum.sites.map((site) => ({
    site,
    groups: compilePageGroups(site),
  }));
  for (const target of config.targets) {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      continue;
    }
    for (const { site, groups } of sites) {
      if (!site.origins.includes(url.origin)) continue;
      const group = pageGroupOfPath(groups, url.pathname);
      out += `vantage_rum_target_page_group_info{target="${escapeLabelValue(target.name)}",site="${escapeLabelValue(site.name)}",page_group="${escapeLabelValue(group)}"} 1\n`;
    }
  }
  return out;
}
