/**
 * Realistic field-data beacons for bench/rum.ts, deterministic by index: beacon `i` is always the
 * same request, so a run can be cut into pieces (separate load-generator processes, each starting
 * at an offset) and still send one continuous stream of sessions.
 *
 * The stream: SESSIONS sessions in rotation; beacon i belongs to session i mod SESSIONS and is that
 * session's (i div SESSIONS)-th beacon, so 1,000,000 beacons carry 100,000 distinct session ids, ten
 * beacons each. Of a session's beacons the first has `session.start`, the second
 * `session.engaged`, every tenth is a `t: "end"` with the session's length; the rest are page views
 * over a few page groups (home, category, product, checkout, and paths no group matches), each with
 * all five vitals spread around the Core Web Vitals thresholds, attribution, visible time, and a
 * `checkout` goal on the confirmation page. A session keeps one device (User-Agent of a phone,
 * a tablet or a desktop browser). Every beacon comes from its own client address (X-Forwarded-For,
 * believed because the bench lists 127.0.0.1 in rum.trusted_proxies), so the per-client rate limit
 * never refuses one and its LRU of client addresses is filled and churned as a busy site would.
 *
 * Wire format: docs/field-data.md "The beacon" (v1). The body is built by string concatenation,
 * not JSON.stringify: the load generator shares the machine's two cores with the server under
 * test, and every microsecond it spends is taken from that server.
 */

export const SITE = 'shop';
export const ORIGIN = 'https://shop.example.com';
/** Distinct session ids in the stream. */
export const SESSIONS = 100_000;

/** The `rum:` config the stream is written for: every path of PATHS falls in a group, or "other". */
export const RUM_SITE_CONFIG = {
  name: SITE,
  origins: [ORIGIN],
  page_groups: [
    { name: 'home', pattern: '^/$' },
    { name: 'category', pattern: '^/c/[^/]+$' },
    { name: 'product', pattern: '^/p/[^/]+$' },
    { name: 'checkout', pattern: '^/checkout(/.*)?$' },
  ],
  goals: ['checkout', 'signup'],
} as const;

/** Real browsers' User-Agents: ua-parser-js reads the first three as mobile, two as tablet, the rest desktop. */
export const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.165 Mobile Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
] as const;

/** Page paths, weighted by repetition as a shop's traffic is: mostly products and categories. */
const PATHS = [
  '/',
  '/',
  '/c/mugs',
  '/c/tea',
  '/c/kettles',
  ...Array.from({ length: 12 }, (_, n) => `/p/${100 + n * 7}`),
  '/checkout',
  '/checkout/done',
  '/about',
  '/help/shipping',
];
const LANDINGS = ['/', '/', '/c/mugs', '/p/100', '/p/114', '/c/tea', '/about'];
const LCP_ELEMENTS = ['img', 'img', 'img', 'text', 'text', 'background-image', 'video', 'image'];
const INP_TARGETS = [
  'button#add-to-cart',
  'input#q',
  'a.nav-link',
  'button.qty-plus',
  'div.product-card>a',
  'select#size',
  'button#checkout',
  'label.filter',
];
const CLS_TARGETS = ['div.banner', 'img.hero', 'div.reviews', 'footer', 'div.promo'];

/** A 32-bit hash of an integer (splitmix-like): cheap, deterministic, well spread. */
function hash(n: number, salt: number): number {
  let x = (n ^ (salt * 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Uniform in [0, 1). */
const unit = (n: number, salt: number) => hash(n, salt) / 4294967296;

/**
 * A value spread log-normally around `median` (sigma 0.6): most near it, a long tail past the
 * "poor" threshold, as field distributions of paint times are.
 */
function spread(median: number, n: number, salt: number): number {
  // Sum of three uniforms, centred: a cheap near-normal deviate.
  const z = (unit(n, salt) + unit(n, salt + 1) + unit(n, salt + 2) - 1.5) * 2;
  return median * Math.exp(0.6 * z);
}

const pick = <T>(list: readonly T[], n: number, salt: number): T => list[hash(n, salt) % list.length]!;

/** Session ids: 22 characters of [A-Za-z0-9_-], like the snippet's random ones. */
function sessionId(session: number): string {
  return `s${hash(session, 1).toString(36).padStart(7, '0')}${hash(session, 2).toString(36).padStart(7, '0')}x${String(session).padStart(6, '0')}`;
}

/** An address of its own for beacon i (10.0.0.0/8: 16.7 million of them). */
export function clientAddressOf(i: number): string {
  const n = i % 16_777_216;
  return `10.${n >>> 16}.${(n >>> 8) & 255}.${n & 255}`;
}

export interface BeaconRequest {
  body: string;
  userAgent: string;
  forwardedFor: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Beacon `i` of the stream: its body and the headers that vary. */
export function beaconRequest(i: number): BeaconRequest {
  const session = i % SESSIONS;
  const nth = Math.floor(i / SESSIONS) % 10;
  const id = sessionId(session);
  const landing = pick(LANDINGS, session, 3);
  const userAgent = pick(USER_AGENTS, session, 4);
  const forwardedFor = clientAddressOf(i);
  if (nth === 9) {
    const durationMs = Math.round(spread(180_000, i, 5));
    return {
      body: `{"v":1,"t":"end","site":"${SITE}","path":"${pick(PATHS, i, 6)}","session":{"id":"${id}","landing":"${landing}","duration_ms":${durationMs}}}`,
      userAgent,
      forwardedFor,
    };
  }
  const path = nth === 0 ? landing : pick(PATHS, i, 7);
  const lcp = round1(spread(2000, i, 10));
  const fcp = round1(Math.min(lcp, spread(1300, i, 13)));
  const ttfb = round1(Math.min(fcp, spread(500, i, 16)));
  const inp = Math.round(spread(140, i, 19));
  const cls = Math.round(spread(0.05, i, 22) * 1000) / 1000;
  const visibleMs = Math.round(spread(25_000, i, 25));
  const sessionFields = `"id":"${id}"${nth === 0 ? ',"start":true' : ''},"landing":"${landing}"${nth === 1 ? ',"engaged":true' : ''}`;
  const goals = path === '/checkout/done' ? ',"goals":["checkout"]' : '';
  const body =
    `{"v":1,"t":"pv","site":"${SITE}","path":"${path}","nav":"${nth === 0 ? 'navigate' : pick(['navigate', 'navigate', 'navigate', 'reload', 'back-forward'], i, 28)}",` +
    `"vitals":{"lcp":${lcp},"inp":${inp},"fcp":${fcp},"ttfb":${ttfb},"cls":${cls}},` +
    `"attr":{"lcp_element":"${pick(LCP_ELEMENTS, i, 29)}","inp_target":"${pick(INP_TARGETS, i, 30)}","inp_type":"${unit(i, 31) < 0.85 ? 'pointer' : 'keyboard'}","cls_target":"${pick(CLS_TARGETS, i, 32)}"},` +
    `"visible_ms":${visibleMs},"session":{${sessionFields}}${goals}}`;
  return { body, userAgent, forwardedFor };
}

/** Whether beacon i is a page view (the others are session ends): to check the counters afterwards. */
export function isPageView(i: number): boolean {
  return Math.floor(i / SESSIONS) % 10 !== 9;
}
