/**
 * Failed admin-token attempts per client: a token bucket of `burst` attempts that refills one
 * every `refillMs`. With the defaults a client may get the token wrong 10 times at once, then
 * once every 6 s; guessing even a weak 16-character token stays out of reach.
 *
 * Memory is bounded: at most `maxClients` addresses are tracked (the least recently failed is
 * dropped first), and a client whose bucket has refilled is forgotten. IPv6 clients count per
 * /64, the block one host usually has to itself; counting per address would give it 2^64 buckets.
 *
 * Hand-written rather than express-rate-limit or rate-limiter-flexible: those count requests (a
 * failure is only known after the route answered), and their memory stores are not capped by the
 * number of clients. This is one Map and two numbers per client.
 */
import { isIP } from 'node:net';

export interface FailedAttemptOptions {
  burst?: number;
  refillMs?: number;
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The address a bucket belongs to: IPv4 as is, IPv6 as its /64 prefix. */
export function clientKey(address: string): string {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) !== 6) return a;
  const [head = '', tail = ''] = a.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class FailedAttemptLimiter {
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: FailedAttemptOptions = {}) {
    this.burst = options.burst ?? 10;
    this.refillMs = options.refillMs ?? 6000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Clients tracked right now (for tests and the bound). */
  get size(): number {
    return this.buckets.size;
  }

  /** The bucket refilled to now; forgotten once full again. */
  private current(key: string): Bucket | undefined {
    const bucket = this.buckets.get(key);
    if (!bucket) return undefined;
    const now = this.now();
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
    bucket.at = now;
    if (bucket.tokens >= this.burst) {
      this.buckets.delete(key);
      return undefined;
    }
    return bucket;
  }

  /** Milliseconds until `address` may try a token again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const bucket = this.current(clientKey(address));
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.ceil((1 - bucket.tokens) * this.refillMs);
  }

  /** Counts one wrong token from `address`. */
  fail(address: string): void {
    const key = clientKey(address);
    const bucket = this.current(key) ?? { tokens: this.burst, at: this.now() };
    bucket.tokens -= 1;
    // Re-inserted last: Map order is then least recently failed first, the eviction order.
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, bucket);
  }
}
