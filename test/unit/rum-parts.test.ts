/**
 * The pure parts of the field-data collector, table-tested: the vitals table (thresholds and
 * bucket edges), the beacon schema, who a visitor is, the client address behind proxies, the
 * per-client token bucket, and the collector's decision on one beacon with its counters.
 */
import { describe, expect, it } from 'vitest';
import { rumSchema } from '../../src/config/rumSchema.js';
import { parseBeacon } from '../../src/rum/beaconSchema.js';
import { clientAddress, ClientRateLimiter, TrustedProxies } from '../../src/rum/clientLimits.js';
import { RumCollector } from '../../src/rum/collector.js';
import { bucketPercentile } from '../../src/report/percentiles.js';
import { classifyVisitor } from '../../src/rum/visitor.js';
import { denseEdges, FIELD_VITALS, ratingOf } from '../../src/rum/vitals.js';

const CHROME_DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const ANDROID_PHONE =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
const IPAD =
  'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const HEADLESS =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36';

describe('FIELD_VITALS', () => {
  it.each(FIELD_VITALS.map((v) => [v.key, v] as const))(
    '%s: thresholds are edges, edges ascend',
    (_key, vital) => {
      expect(vital.buckets).toContain(vital.good);
      expect(vital.buckets).toContain(vital.poor);
      for (let i = 1; i < vital.buckets.length; i++)
        expect(vital.buckets[i]).toBeGreaterThan(vital.buckets[i - 1]!);
    },
  );

  it.each(FIELD_VITALS.map((v) => [v.key, v] as const))(
    '%s: edges at most 10 %% apart from a third of "good" to twice "poor"',
    (_key, vital) => {
      const dense = vital.buckets.filter((e) => e >= vital.good / 3 && e <= vital.poor * 2);
      for (let i = 1; i < dense.length; i++)
        expect(dense[i]! / dense[i - 1]!).toBeLessThanOrEqual(1.1 + 1e-9);
    },
  );

  it('denseEdges keeps the 10 % step across decades', () => {
    const edges = denseEdges(0.5, 20);
    expect(edges[0]).toBe(0.5);
    expect(edges.at(-1)).toBe(20);
    expect(edges).toContain(1);
    expect(edges).toContain(10);
    for (let i = 1; i < edges.length; i++) expect(edges[i]! / edges[i - 1]!).toBeLessThanOrEqual(1.1 + 1e-9);
  });

  it.each([
    ['lcp', 2.5, 'good'],
    ['lcp', 2.51, 'needs-improvement'],
    ['lcp', 4, 'needs-improvement'],
    ['lcp', 4.01, 'poor'],
    ['inp', 0.2, 'good'],
    ['inp', 0.5001, 'poor'],
    ['cls', 0.1, 'good'],
    ['cls', 0.25, 'needs-improvement'],
    ['cls', 0.26, 'poor'],
  ] as const)('ratingOf %s %f = %s', (key, value, rating) => {
    expect(
      ratingOf(
        FIELD_VITALS.find((v) => v.key === key)!,
        value,
      ),
    ).toBe(rating);
  });
});

const SESSION = { id: 'abcdefghijklmnop', landing: '/' };
const PAGE_VIEW = { v: 1, t: 'pv', site: 'shop', path: '/', session: SESSION };

describe('parseBeacon', () => {
  it('takes a full page view', () => {
    const beacon = parseBeacon({
      ...PAGE_VIEW,
      nav: 'navigate',
      vitals: { lcp: 1200, inp: 80, cls: 0.01, fcp: 600, ttfb: 90 },
      attr: { lcp_element: 'img', inp_target: 'button#buy', inp_type: 'pointer', cls_target: 'div.ad' },
      visible_ms: 5000,
      goals: ['checkout'],
    });
    expect(beacon).toMatchObject({ t: 'pv', vitals: { lcp: 1200 }, goals: ['checkout'] });
  });

  it.each([
    [[1, 2], 'body'],
    [{ ...PAGE_VIEW, v: 2 }, 'v'],
    [{ ...PAGE_VIEW, t: 'click' }, 't'],
    [{ ...PAGE_VIEW, vitals: { lcp: -1 } }, 'vitals.lcp'],
    [{ ...PAGE_VIEW, vitals: { inp: 'NaN' } }, 'vitals.inp'],
    [{ ...PAGE_VIEW, vitals: { ttfb: 1e12 } }, 'vitals.ttfb'],
    [{ ...PAGE_VIEW, vitals: { cls: 1000 } }, 'vitals.cls'],
    [{ ...PAGE_VIEW, path: 'https://shop.example.com/' }, 'path'],
    [{ ...PAGE_VIEW, path: `/${'a'.repeat(3000)}` }, 'path'],
    [{ ...PAGE_VIEW, session: { id: 'short' } }, 'session.id'],
    [{ ...PAGE_VIEW, attr: { lcp_element: 'marquee' } }, 'attr.lcp_element'],
    [{ ...PAGE_VIEW, attr: { inp_target: 'x'.repeat(201) } }, 'attr.inp_target'],
    [{ ...PAGE_VIEW, goals: Array(21).fill('g') }, 'goals'],
    [{ ...PAGE_VIEW, ip: '203.0.113.9' }, 'ip'],
    [{ ...PAGE_VIEW, vitals: { lcp: 1, fid: 3 } }, 'vitals.fid'],
  ])('refuses %j naming %s', (body, field) => {
    expect(() => parseBeacon(body)).toThrowError(expect.objectContaining({ field }));
  });
});

describe('classifyVisitor', () => {
  it.each([
    [CHROME_DESKTOP, { kind: 'browser', device: 'desktop' }],
    [ANDROID_PHONE, { kind: 'browser', device: 'mobile' }],
    [IPAD, { kind: 'browser', device: 'tablet' }],
    [HEADLESS, { kind: 'headless', device: 'desktop' }],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { kind: 'bot' }],
    ['curl/8.5.0', { kind: 'bot' }],
    ['python-requests/2.31', { kind: 'bot' }],
    [undefined, { kind: 'bot' }],
  ])('%s', (userAgent, visitor) => {
    expect(classifyVisitor(userAgent)).toEqual(visitor);
  });
});

describe('clientAddress', () => {
  const trusted = new TrustedProxies(['127.0.0.1/32', '10.0.0.0/8']);
  it.each([
    ['203.0.113.9', undefined, '203.0.113.9', 'no header: the peer'],
    ['203.0.113.9', '198.51.100.1', '203.0.113.9', 'an untrusted peer cannot choose its address'],
    ['127.0.0.1', '198.51.100.1', '198.51.100.1', 'a trusted proxy names the client'],
    ['::ffff:127.0.0.1', '198.51.100.1', '198.51.100.1', 'IPv4-mapped peer'],
    ['127.0.0.1', '1.1.1.1, 198.51.100.1, 10.0.0.5', '198.51.100.1', 'right-most untrusted hop'],
    ['127.0.0.1', '10.0.0.7, 10.0.0.5', '10.0.0.7', 'all trusted: the first'],
    ['127.0.0.1', 'not-an-address', '127.0.0.1', 'garbage: the peer'],
  ])('%s + %s -> %s (%s)', (peer, header, client, _why) => {
    expect(clientAddress(peer, header, trusted)).toBe(client);
  });
});

describe('ClientRateLimiter', () => {
  it('allows the burst, then the rate', () => {
    const limiter = new ClientRateLimiter(2, 3, 100);
    expect([1, 2, 3, 4].map(() => limiter.take('a', 0))).toEqual([true, true, true, false]);
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.take('a', 400)).toBe(false); // 0.8 token
    expect(limiter.take('a', 500)).toBe(true); // 1 token after 0.5 s at 2/s
  });

  it('forgets the least recently seen clients beyond its size', () => {
    const limiter = new ClientRateLimiter(1, 1, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(limiter.trackedClients).toBe(100);
  });
});

function collectorFor(extra: Record<string, unknown> = {}) {
  return new RumCollector(
    rumSchema.parse({
      sites: [
        {
          name: 'shop',
          origins: ['https://shop.example.com'],
          page_groups: [{ name: 'product', pattern: '^/p/' }],
          goals: ['checkout'],
        },
      ],
      ...extra,
    }),
  );
}
const FROM_SHOP = { origin: 'https://shop.example.com', userAgent: CHROME_DESKTOP };

describe('RumCollector.accept', () => {
  it('counts a page view by page group and device, sessions by landing group', () => {
    const rum = collectorFor();
    const outcome = rum.accept(
      {
        ...PAGE_VIEW,
        path: '/p/7',
        vitals: { lcp: 2500, inp: 260 },
        attr: { inp_target: 'button#buy', inp_type: 'pointer', lcp_element: 'img' },
        session: { id: 'abcdefghijklmnop', landing: '/', start: true, engaged: true },
        goals: ['checkout', 'checkout', 'nope'],
      },
      FROM_SHOP,
    );
    expect(outcome).toEqual({ status: 204, counted: true });
    const text = rum.render();
    expect(text).toContain('rum_page_views_total{site="shop",page_group="product",device="desktop"} 1\n');
    expect(text).toContain(
      'rum_largest_contentful_paint_seconds_bucket{site="shop",page_group="product",device="desktop",le="2.5"} 1\n',
    );
    expect(text).toContain(
      'rum_largest_contentful_paint_seconds_bucket{site="shop",page_group="product",device="desktop",le="2.4"} 0\n',
    );
    expect(text).toContain('rum_sessions_total{site="shop",page_group="other",device="desktop"} 1\n');
    expect(text).toContain('rum_engaged_sessions_total{site="shop",page_group="other",device="desktop"} 1\n');
    expect(text).toContain(
      'rum_conversions_total{site="shop",page_group="other",device="desktop",goal="checkout"} 1\n',
    );
    expect(text).toContain('vantage_rum_beacons_rejected_total{reason="unknown_goal"} 1\n');
    expect(text).toContain(
      'rum_inp_targets_total{site="shop",page_group="product",target="button#buy",interaction_type="pointer",rating="needs-improvement"} 1\n',
    );
    expect(text).toContain(
      'rum_lcp_elements_total{site="shop",page_group="product",element="img",rating="good"} 1\n',
    );
  });

  it.each([
    [{ ...PAGE_VIEW, site: 'blog' }, FROM_SHOP, 400, 'unknown_site'],
    [PAGE_VIEW, { ...FROM_SHOP, origin: 'https://other.example.com' }, 403, 'origin'],
    [PAGE_VIEW, { ...FROM_SHOP, userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' }, 204, 'bot'],
    [PAGE_VIEW, { ...FROM_SHOP, userAgent: HEADLESS }, 204, 'headless'],
    [{ ...PAGE_VIEW, synthetic: true }, FROM_SHOP, 204, 'headless'],
    [{ ...PAGE_VIEW, vitals: { lcp: -5 } }, FROM_SHOP, 400, 'invalid_beacon'],
    [{ v: 1, t: 'end', site: 'shop', path: '/', session: SESSION }, FROM_SHOP, 400, 'invalid_beacon'],
  ])('%j from %j: %i, %s', (body, context, status, reason) => {
    const rum = collectorFor();
    expect(rum.accept(body, context)).toMatchObject({ status });
    expect(rum.rejectedCount(reason as 'origin')).toBe(1);
    expect(rum.render()).not.toContain('rum_page_views_total{');
  });

  it('counts headless visits for a site that accepts synthetic ones', () => {
    const rum = new RumCollector(
      rumSchema.parse({
        sites: [{ name: 'demo', origins: ['http://127.0.0.1:9470'], accept_synthetic: true }],
      }),
    );
    const outcome = rum.accept(
      { ...PAGE_VIEW, site: 'demo' },
      { origin: 'http://127.0.0.1:9470', userAgent: HEADLESS },
    );
    expect(outcome).toEqual({ status: 204, counted: true });
  });

  it('observes an ended session on its landing page group', () => {
    const rum = collectorFor();
    rum.accept(
      {
        v: 1,
        t: 'end',
        site: 'shop',
        path: '/x',
        session: { ...SESSION, landing: '/p/1', duration_ms: 45_000 },
      },
      FROM_SHOP,
    );
    const text = rum.render();
    expect(text).toContain(
      'rum_session_duration_seconds_bucket{site="shop",page_group="product",device="desktop",le="60"} 1\n',
    );
    expect(text).toContain(
      'rum_session_duration_seconds_bucket{site="shop",page_group="product",device="desktop",le="30"} 0\n',
    );
    expect(text).not.toContain('rum_page_views_total{site="shop",page_group="product",device="desktop"} 1');
  });

  it('bounds INP targets per site and drops what would pass the series cap', () => {
    const rum = collectorFor({ limits: { max_targets_per_site: 2, max_series: 1000 } });
    for (const target of ['#a', '#b', '#c', '#d']) {
      rum.accept({ ...PAGE_VIEW, vitals: { inp: 100 }, attr: { inp_target: target } }, FROM_SHOP);
    }
    const targets = [...rum.render().matchAll(/^rum_inp_targets_total\{.*target="([^"]+)"/gm)].map(
      (m) => m[1],
    );
    expect(targets.sort()).toEqual(['#a', '#b', 'other']);
    // One page group and device costs some 340 series: the third combination passes 1000.
    rum.accept({ ...PAGE_VIEW, path: '/p/1' }, FROM_SHOP);
    rum.accept({ ...PAGE_VIEW, path: '/p/1' }, { ...FROM_SHOP, userAgent: ANDROID_PHONE });
    expect(rum.rejectedCount('series_limit')).toBe(1);
    expect(Number(/^vantage_rum_series (\d+)/m.exec(rum.render())![1])).toBeLessThanOrEqual(1000);
  });

  it('sums a site over page groups and devices for the index page, p75 as histogram_quantile', () => {
    const rum = collectorFor();
    for (const [i, lcp] of [1000, 2000, 3000, 4000].entries()) {
      rum.accept(
        {
          ...PAGE_VIEW,
          path: i % 2 ? '/p/1' : '/',
          vitals: { lcp },
          session: { ...SESSION, start: true, engaged: i < 3 },
        },
        { ...FROM_SHOP, userAgent: i < 2 ? CHROME_DESKTOP : ANDROID_PHONE },
      );
    }
    const shop = rum.series.siteSummaries().get('shop')!;
    expect(shop).toMatchObject({ pageViews: 4, sessions: 4, engagedSessions: 3 });
    // Rank 3 of 4 falls in the bucket (2.75, 3]: its upper edge, as histogram_quantile interpolates.
    expect(bucketPercentile(0.75, shop.buckets.lcp!)?.seconds).toBeCloseTo(3, 6);
    expect(bucketPercentile(0.75, shop.buckets.inp!)).toBeNull();
  });

  it('keeps what it counted across a reload', () => {
    const rum = collectorFor();
    rum.accept(PAGE_VIEW, FROM_SHOP);
    rum.configure(rumSchema.parse({ sites: [{ name: 'shop', origins: ['https://www.shop.example.com'] }] }));
    expect(rum.render()).toContain(
      'rum_page_views_total{site="shop",page_group="other",device="desktop"} 1\n',
    );
    expect(rum.allowsOrigin('https://shop.example.com')).toBe(false);
    expect(rum.allowsOrigin('https://www.shop.example.com')).toBe(true);
  });
});
