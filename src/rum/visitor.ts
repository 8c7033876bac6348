/**
 * Who sent a beacon, from its User-Agent header: a bot (dropped), a headless or automated browser
 * (dropped unless the site accepts synthetic visits), or a browser on a mobile, tablet or desktop
 * device. The User-Agent string itself is never stored or exported: only these few values are.
 *
 * Bots are recognised by `isbot` (the maintained list of crawler and tool signatures), devices by
 * `ua-parser-js`. Both cost tens of microseconds per string, and a site's traffic carries a few
 * hundred distinct strings, so answers are cached by string (bounded).
 */
import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import { UAParser } from 'ua-parser-js';

export const DEVICES = ['mobile', 'tablet', 'desktop'] as const;
export type Device = (typeof DEVICES)[number];

export type Visitor =
  { kind: 'bot' } | { kind: 'headless'; device: Device } | { kind: 'browser'; device: Device };

/**
 * Headless Chrome names itself in its User-Agent; Lighthouse adds Chrome-Lighthouse when it keeps
 * the host's UA. `isbot` also matches these, but they are not crawlers: the demo counts them.
 */
const HEADLESS = /HeadlessChrome|Chrome-Lighthouse|PhantomJS|Electron\//;

/** ua-parser-js's device types, as the three the metrics know. No type means a desktop browser. */
function deviceOf(userAgent: string): Device {
  const type = new UAParser(userAgent).getDevice().type;
  if (type === 'tablet') return 'tablet';
  if (type === 'mobile' || type === 'wearable') return 'mobile';
  return 'desktop';
}

/** Classify without the cache (pure; table-tested). */
export function classifyVisitor(userAgent: string | undefined): Visitor {
  if (!userAgent) return { kind: 'bot' };
  if (HEADLESS.test(userAgent)) return { kind: 'headless', device: deviceOf(userAgent) };
  if (isbot(userAgent)) return { kind: 'bot' };
  return { kind: 'browser', device: deviceOf(userAgent) };
}

/** User-Agent strings longer than this are not cached (nor believed): real ones are under 512. */
const MAX_CACHED_LENGTH = 1024;

export class VisitorClassifier {
  private readonly cache = new LRUCache<string, Visitor>({ max: 2000 });

  classify(userAgent: string | undefined): Visitor {
    if (!userAgent || userAgent.length > MAX_CACHED_LENGTH) return classifyVisitor(userAgent);
    let visitor = this.cache.get(userAgent);
    if (!visitor) {
      visitor = classifyVisitor(userAgent);
      this.cache.set(userAgent, visitor);
    }
    return visitor;
  }
}
