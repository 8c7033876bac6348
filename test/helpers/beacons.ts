/**
 * Field-data beacons as the vantage-rum snippet sends them (docs/field-data.md "The beacon"), and
 * a way to post them as a browser on a given origin would: the tests of the collector, the
 * Prometheus fixture and the dashboards' queries share these.
 */
import { send, type Answer } from './rawHttp.js';

export const USER_AGENTS = {
  desktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  mobile:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  tablet:
    'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
  bot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
} as const;

export interface PageViewFields {
  site: string;
  path: string;
  sessionId?: string;
  landing?: string;
  start?: boolean;
  engaged?: boolean;
  vitals?: Partial<Record<'lcp' | 'inp' | 'cls' | 'fcp' | 'ttfb', number>>;
  attr?: Record<string, string>;
  visibleMs?: number;
  goals?: string[];
}

/** A session id as the snippet makes them: 16 characters of [A-Za-z0-9_-]. */
export function sessionId(n: number): string {
  return `s${String(n).padStart(15, '0')}`;
}

export function pageView(fields: PageViewFields): Record<string, unknown> {
  return {
    v: 1,
    t: 'pv',
    site: fields.site,
    path: fields.path,
    vitals: fields.vitals ?? {},
    attr: fields.attr ?? {},
    ...(fields.visibleMs !== undefined && { visible_ms: fields.visibleMs }),
    session: {
      id: fields.sessionId ?? sessionId(0),
      landing: fields.landing ?? fields.path,
      ...(fields.start && { start: true }),
      ...(fields.engaged && { engaged: true }),
    },
    goals: fields.goals ?? [],
  };
}

export interface PostOptions {
  origin?: string;
  userAgent?: string;
  contentType?: string;
  forwardedFor?: string;
  localAddress?: string;
}

/** POST a beacon (an object is sent as JSON text, a string as is) the way sendBeacon does. */
export function postBeacon(baseUrl: string, body: unknown, options: PostOptions = {}): Promise<Answer> {
  return send(baseUrl, '/rum/v1/beacon', {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {
      'content-type': options.contentType ?? 'text/plain;charset=UTF-8',
      ...(options.origin !== undefined && { origin: options.origin }),
      'user-agent': options.userAgent ?? USER_AGENTS.desktop,
      ...(options.forwardedFor !== undefined && { 'x-forwarded-for': options.forwardedFor }),
    },
    ...(options.localAddress && { localAddress: options.localAddress }),
  });
}

/** Post many beacons, `concurrency` at a time; the statuses in order. */
export async function postAll(
  baseUrl: string | ((i: number) => string),
  bodies: readonly unknown[],
  options: PostOptions | ((i: number) => PostOptions),
  concurrency = 16,
): Promise<number[]> {
  const statuses: number[] = new Array(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      const url = typeof baseUrl === 'function' ? baseUrl(i) : baseUrl;
      statuses[i] = (
        await postBeacon(url, bodies[i], typeof options === 'function' ? options(i) : options)
      ).status;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** The value of one exposition line (`name{labels}`), or undefined when absent. */
export function sampleValue(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * A few minutes' worth of a site's field traffic with something for every panel of the Field
 * dashboard: sessions of one to three page views on three devices, engaged and bounced ones,
 * a conversion, ended sessions, INP/CLS/LCP attribution, and a bot (refused, counted). `round`
 * varies the session ids, so batches posted later are new sessions.
 */
export function fieldTraffic(site: string, round: number): Array<{ body: unknown; userAgent: string }> {
  const out: Array<{ body: unknown; userAgent: string }> = [];
  const devices = ['desktop', 'mobile', 'tablet'] as const;
  for (let s = 0; s < 30; s++) {
    const userAgent = USER_AGENTS[devices[s % 3]!];
    const id = sessionId(round * 1000 + s);
    const landing = s % 2 === 0 ? '/heavy' : '/';
    const pages = 1 + (s % 3);
    for (let p = 0; p < pages; p++) {
      const last = p === pages - 1;
      out.push({
        userAgent,
        body: pageView({
          site,
          path: p === 0 ? landing : '/heavy',
          landing,
          sessionId: id,
          start: p === 0,
          engaged: p === 1,
          visibleMs: 2000 + 1000 * s,
          vitals: {
            lcp: 1200 + 150 * s,
            inp: 80 + 15 * s,
            cls: 0.01 * (s % 12),
            fcp: 600 + 40 * s,
            ttfb: 90 + 10 * s,
          },
          attr: {
            lcp_element: s % 4 === 0 ? 'text' : 'img',
            inp_target: s % 2 === 0 ? 'button#add' : 'a.next',
            inp_type: 'pointer',
            cls_target: 'div.banner',
          },
          goals: last && s % 5 === 0 ? ['checkout'] : [],
        }),
      });
    }
    out.push({
      userAgent,
      body: {
        v: 1,
        t: 'end',
        site,
        path: '/heavy',
        session: { id, landing, duration_ms: 20_000 + 5000 * s },
      },
    });
  }
  out.push({ userAgent: USER_AGENTS.bot, body: pageView({ site, path: '/' }) });
  return out;
}
