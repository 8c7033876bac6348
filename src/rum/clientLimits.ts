/**
 * The per-client rate limit of the beacon endpoint: a token bucket per client address, the
 * address taken from X-Forwarded-For only when the peer is a trusted proxy (the right-most
 * address in the header that is not itself a trusted proxy, as nginx's real_ip_recursive and
 * Express's `trust proxy` read it). Anyone can write any X-Forwarded-For; only a proxy vantage
 * was told to trust gets believed.
 *
 * Memory is bounded: buckets live in an LRU of `maxClients` addresses; a forgotten client comes
 * back with a full bucket, which is what an idle client would have anyway. Addresses are held in
 * memory only, for the rate limit, and never stored or exported.
 */
import { type BlockList, isIP, isIPv4 } from 'node:net';
import { trustedProxyList } from '../config/rumSchema.js';
import { LRUCache } from 'lru-cache';

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms (performance.now()). */
  at: number;
}

/**
 * The trusted proxies, asked per address. BlockList.check builds a SocketAddress per call (a
 * tenth of what a beacon cost); the answers for the addresses seen last are remembered.
 */
export class TrustedProxies {
  private readonly list: BlockList;
  private readonly empty: boolean;
  private readonly known = new LRUCache<string, boolean>({ max: 10_000 });

  constructor(cidrs: readonly string[]) {
    this.list = trustedProxyList(cidrs);
    this.empty = cidrs.length === 0;
  }

  has(address: string): boolean {
    if (this.empty) return false;
    let trusted = this.known.get(address);
    if (trusted === undefined) {
      // BlockList.check needs the family; IPv4-mapped IPv6 (::ffff:1.2.3.4) is checked as IPv4.
      const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
      trusted = this.list.check(v4, isIPv4(v4) ? 'ipv4' : 'ipv6');
      this.known.set(address, trusted);
    }
    return trusted;
  }
}

/** The client's address: the peer, or what a trusted proxy chain says in X-Forwarded-For. */
export function clientAddress(
  peer: string,
  forwardedFor: string | undefined,
  trusted: TrustedProxies,
): string {
  if (!forwardedFor || !trusted.has(peer)) return peer;
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // Not an address: the proxy in front wrote something else; the peer is all that is known.
    if (isIP(hop) === 0) return peer;
    if (i === 0 || !trusted.has(hop)) return hop;
  }
  return peer;
}

export class ClientRateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    maxClients: number,
  ) {
    this.buckets = new LRUCache({ max: maxClients });
  }

  /** Take a token for `client` at `now` (ms); false when its bucket is empty. */
  take(client: string, now: number): boolean {
    const bucket = this.buckets.get(client);
    if (!bucket) {
      this.buckets.set(client, { tokens: this.burst - 1, at: now });
      return true;
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether this limiter already enforces these limits (a reload keeps its buckets then). */
  sameLimits(perSecond: number, burst: number, maxClients: number): boolean {
    return this.perSecond === perSecond && this.burst === burst && this.buckets.max === maxClients;
  }

  /** Seconds until `client` has a token again (for Retry-After), at least 1. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(1 / this.perSecond));
  }

  get trackedClients(): number {
    return this.buckets.size;
  }
}
