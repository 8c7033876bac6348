/**
 * The demo shop's pure parts: the default checkout failure pattern (the second attempt since start
 * fails, then one in four), the bounds that keep a long-running demo's memory flat, and the
 * search box's matching and wording.
 */
import { describe, expect, it } from 'vitest';
import { CHECKOUT_FAILURE_PERIOD, demoCheckoutFails } from '../../src/demo/shop.js';
import { searchProducts } from '../../src/demo/shopCatalogue.js';
import { searchStatus } from '../../src/demo/shopPages.js';
import { MAX_ORDERS_PER_SESSION, ShopState } from '../../src/demo/shopState.js';

describe('demoCheckoutFails', () => {
  it.each([
    [1, false],
    [2, true],
    [3, false],
    [4, false],
    [5, false],
    [6, true],
    [10, true],
    [11, false],
  ])('attempt %i fails: %s', (attempt, fails) => {
    expect(demoCheckoutFails(attempt)).toBe(fails);
  });

  it(`fails one attempt in ${CHECKOUT_FAILURE_PERIOD}`, () => {
    const attempts = Array.from({ length: 400 }, (_, i) => i + 1);
    expect(attempts.filter(demoCheckoutFails)).toHaveLength(400 / CHECKOUT_FAILURE_PERIOD);
  });
});

describe('ShopState bounds', () => {
  it('holds at most maxSessions sessions and tokens however many log in', () => {
    const state = new ShopState({ maxSessions: 10 });
    const sessions = Array.from({ length: 1000 }, () => state.login('demo'));
    expect(state.sessionCount).toBe(10);
    expect(state.tokenCount).toBe(10);
    expect(state.byToken(sessions[0]!.token)).toBeUndefined();
    expect(state.byToken(sessions[999]!.token)).toBe(sessions[999]);
    expect(state.byCookie(sessions[999]!.id)).toBe(sessions[999]);
  });

  it('drops an expired session from both indexes when it is looked up', () => {
    let now = 1_000_000; // lru-cache reads a start time of 0 as "no ttl"
    const state = new ShopState({ sessionTtlMs: 1000, now: () => now });
    const session = state.login('demo');
    now += 1001;
    expect(state.byCookie(session.id)).toBeUndefined();
    expect(state.tokenCount).toBe(0);
    expect(state.byToken(session.token)).toBeUndefined();
  });

  it(`keeps the last ${MAX_ORDERS_PER_SESSION} orders of a session, numbered from order-1001`, () => {
    const state = new ShopState();
    const session = state.login('demo');
    const ids = Array.from({ length: MAX_ORDERS_PER_SESSION + 5 }, () => {
      state.addToCart(session, 'mug', 1);
      return state.placeOrder(session).id;
    });
    expect(ids[0]).toBe('order-1001');
    expect(session.orders.map((o) => o.id)).toEqual(ids.slice(5));
    expect(state.order(session, ids[0]!)).toBeUndefined();
  });
});

describe('searchProducts', () => {
  it.each([
    ['mug', ['mug']],
    ['MUG', ['mug']],
    ['  mug  ', ['mug']],
    ['shirt', ['tshirt']],
    ['tshirt', ['tshirt']],
    ['vantage', ['mug', 'tshirt', 'sticker']],
    ['vantage sticker', ['sticker']],
    ['sticker mug', []],
    ['lamp', []],
    ['coffee', []], // descriptions are not searched
    ['', []],
    ['   ', []],
  ])('%j finds %j', (query, ids) => {
    expect(searchProducts(query).map((p) => p.id)).toEqual(ids);
  });
});

describe('searchStatus', () => {
  it.each([
    ['', 0, ''],
    [' ', 0, ''],
    ['lamp', 0, 'No product matches "lamp".'],
    [' mug ', 1, '1 product matches "mug".'],
    ['vantage', 3, '3 products match "vantage".'],
    ['a"b', 0, 'No product matches "a\\"b".'],
  ])('%j with %i results: %j', (query, found, status) => {
    expect(searchStatus(query, found)).toBe(status);
  });
});
