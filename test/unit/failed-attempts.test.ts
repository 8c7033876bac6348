import { describe, expect, it } from 'vitest';
import { clientKey, FailedAttemptLimiter } from '../../src/service/failedAttempts.js';

describe('clientKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('FailedAttemptLimiter', () => {
  const at = (start = 0) => {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('allows the burst, then one attempt per refill interval, with the wait in between', () => {
    const clock = at();
    const limiter = new FailedAttemptLimiter({ burst: 3, refillMs: 1000, now: clock.now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
      limiter.fail('10.0.0.1');
    }
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(1000);
    clock.advance(400);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(600);
    clock.advance(600);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
    limiter.fail('10.0.0.1');
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(1000);
    // Another client is not affected.
    expect(limiter.retryAfterMs('10.0.0.2')).toBe(0);
  });

  it('forgets a client whose bucket has refilled', () => {
    const clock = at();
    const limiter = new FailedAttemptLimiter({ burst: 2, refillMs: 1000, now: clock.now });
    limiter.fail('10.0.0.1');
    expect(limiter.size).toBe(1);
    clock.advance(1000);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it('tracks at most maxClients, dropping the least recently failed', () => {
    const limiter = new FailedAttemptLimiter({ burst: 1, refillMs: 60_000, maxClients: 3, now: () => 0 });
    for (const a of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) limiter.fail(a);
    expect(limiter.size).toBe(3);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0); // dropped
    expect(limiter.retryAfterMs('10.0.0.4')).toBe(60_000);
    for (let i = 0; i < 100_000; i++) limiter.fail(`10.1.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(3);
  });

  it('counts an IPv6 /64 as one client', () => {
    const limiter = new FailedAttemptLimiter({ burst: 2, refillMs: 60_000, now: () => 0 });
    limiter.fail('2001:db8:1:2::1');
    limiter.fail('2001:db8:1:2::2');
    expect(limiter.retryAfterMs('2001:db8:1:2::3')).toBe(60_000);
    expect(limiter.retryAfterMs('2001:db8:1:3::1')).toBe(0);
  });
});
