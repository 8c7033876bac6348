/**
 * The demo shop (src/demo/shop.ts) over real HTTP, walked the way the embedded journey walks it:
 * a tough-cookie jar carries the session cookie, the token goes in the Authorization header.
 * Most cases run the shop router on its own server with an injected failure pattern and clock;
 * the last ones run it inside a real vantage (createApp with the demo pages), behind the write
 * guard, with the default pattern a newcomer sees.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { HtmlValidate } from 'html-validate';
import { CookieJar } from 'tough-cookie';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOP_PASSWORD, DEMO_SHOP_USER } from '../../src/demo/shopCatalogue.js';
import { shopRouter, type ShopOptions } from '../../src/demo/shop.js';
import { MAX_CART_ITEMS } from '../../src/demo/shopState.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

interface CallOptions {
  method?: string;
  /** Sent as the JSON body. */
  json?: unknown;
  /** A raw body with its content type. */
  body?: string;
  contentType?: string;
  token?: string;
  accept?: string;
}

/** A shop customer: fetch plus a cookie jar, as the journey prober is. */
class Customer {
  readonly jar = new CookieJar();
  token = '';

  constructor(private readonly origin: string) {}

  async call(path: string, options: CallOptions = {}): Promise<Answer> {
    const url = this.origin + path;
    const headers: Record<string, string> = {};
    const cookies = await this.jar.getCookieString(url);
    if (cookies) headers.cookie = cookies;
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.accept) headers.accept = options.accept;
    let body: string | undefined = options.body;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(url, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
    });
    for (const setCookie of res.headers.getSetCookie()) await this.jar.setCookie(setCookie, url);
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async login(): Promise<Answer> {
    const answer = await this.call('/demo/shop/login', {
      json: { user: DEMO_SHOP_USER, password: DEMO_SHOP_PASSWORD },
    });
    this.token = String(answer.json?.token ?? '');
    return answer;
  }

  addToCart(product = 'mug', quantity = 1): Promise<Answer> {
    return this.call('/demo/shop/cart', { json: { product, quantity }, token: this.token });
  }

  checkout(): Promise<Answer> {
    return this.call('/demo/shop/checkout', { method: 'POST' });
  }

  /** The five steps of the embedded journey; the status of each, and the order id. */
  async journey(): Promise<{ statuses: number[]; orderId?: string }> {
    const login = await this.login();
    const product = await this.call('/demo/shop/products/mug', { token: this.token });
    const cart = await this.addToCart();
    const checkout = await this.checkout();
    const orderId = checkout.json?.order_id as string | undefined;
    const statuses = [login.status, product.status, cart.status, checkout.status];
    if (orderId === undefined) return { statuses };
    const confirmation = await this.call(`/demo/shop/orders/${orderId}`);
    return { statuses: [...statuses, confirmation.status], orderId };
  }
}

/** The shop router alone on 127.0.0.1, with the given options. */
async function startShop(options: ShopOptions = {}): Promise<{ origin: string; close(): Promise<void> }> {
  const app = express();
  app.use(shopRouter(options));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'doctype-style': 'off', 'void-style': ['error', { style: 'omit' }] },
});

async function htmlProblems(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`));
}

let shop: Awaited<ReturnType<typeof startShop>>;

beforeAll(async () => {
  // No checkout fails here: the pattern has its own shop below.
  shop = await startShop({ checkoutFails: () => false });
});
afterAll(async () => {
  await shop.close();
});

describe('the demo shop, walked as the journey walks it', () => {
  it('logs in, shows a product, fills the cart, checks out and confirms the order', async () => {
    const customer = new Customer(shop.origin);

    const login = await customer.login();
    expect(login.status).toBe(200);
    expect(customer.token).toMatch(/^[\w-]{20,}$/);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('shop_session='));
    expect(cookie).toMatch(/; Path=\/demo\/shop(;|$)/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Max-Age=900(;|$)/);

    const product = await customer.call('/demo/shop/products/mug', { token: customer.token });
    expect(product.status).toBe(200);
    expect(product.json).toEqual({ id: 'mug', name: 'vantage mug', price_cents: 1250 });

    expect(await customer.addToCart('mug', 2)).toMatchObject({ status: 201, json: { items: 2 } });
    expect(await customer.addToCart('sticker', 1)).toMatchObject({ status: 201, json: { items: 3 } });

    const checkout = await customer.checkout();
    expect(checkout.status).toBe(201);
    expect(checkout.json).toEqual({ order_id: expect.stringMatching(/^order-\d+$/), items: 3 });
    const orderId = checkout.json!.order_id as string;
    expect(checkout.headers.get('location')).toBe(`/demo/shop/orders/${orderId}`);

    const confirmation = await customer.call(`/demo/shop/orders/${orderId}`);
    expect(confirmation.status).toBe(200);
    expect(confirmation.headers.get('content-type')).toMatch(/^text\/html/);
    expect(confirmation.text).toContain(`Order ${orderId} confirmed`);
    expect(confirmation.text).toContain('2 x vantage mug');
    expect(await htmlProblems(confirmation.text)).toEqual([]);

    const asJson = await customer.call(`/demo/shop/orders/${orderId}`, { accept: 'application/json' });
    expect(asJson.json).toEqual({ order_id: orderId, items: 3, status: 'confirmed' });

    // The cart was emptied by the order.
    expect(await customer.checkout()).toMatchObject({
      status: 409,
      json: { error: expect.stringContaining('empty') },
    });
  });

  it('serves a shop front naming the products, the demo account and the API', async () => {
    const front = await new Customer(shop.origin).call('/demo/shop');
    expect(front.status).toBe(200);
    expect(front.text).toContain('vantage mug');
    expect(front.text).toContain(`password <code>${DEMO_SHOP_PASSWORD}</code>`);
    expect(front.text).toContain('/demo/shop/checkout');
    expect(await htmlProblems(front.text)).toEqual([]);
  });
});

describe('the demo shop refuses what a broken journey would send', () => {
  it('refuses wrong credentials with 401 and sets no cookie', async () => {
    const customer = new Customer(shop.origin);
    for (const json of [
      { user: DEMO_SHOP_USER, password: 'wrong' },
      { user: 'someone', password: DEMO_SHOP_PASSWORD },
    ]) {
      const answer = await customer.call('/demo/shop/login', { json });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: 'wrong user or password' });
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
  });

  it('asks for the bearer token on product and cart (401, RFC 6750), even with the cookie', async () => {
    const customer = new Customer(shop.origin);
    await customer.login();
    for (const [path, options] of [
      ['/demo/shop/products/mug', {}],
      ['/demo/shop/cart', { json: { product: 'mug', quantity: 1 } }],
    ] as const) {
      const missing = await customer.call(path, options);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="demo shop"');
      expect(missing.json?.error).toMatch(/^no bearer token/);

      const unknown = await customer.call(path, { ...options, token: 'not-a-token' });
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="demo shop", error="invalid_token"');
      expect(unknown.json?.error).toMatch(/unknown or expired/);
    }
  });

  it('asks for the session cookie on checkout and confirmation (403), even with the token', async () => {
    const withCookie = new Customer(shop.origin);
    const { orderId } = await withCookie.journey();
    expect(orderId).toBeDefined();

    // The same token, without the jar: what a journey gets if the cookie is not carried over.
    const noCookie = new Customer(shop.origin);
    const checkout = await noCookie.call('/demo/shop/checkout', { method: 'POST', token: withCookie.token });
    expect(checkout.status).toBe(403);
    expect(checkout.json?.error).toMatch(/^no shop_session cookie/);
    const confirmation = await noCookie.call(`/demo/shop/orders/${orderId}`, { token: withCookie.token });
    expect(confirmation.status).toBe(403);

    await noCookie.jar.setCookie('shop_session=forged', `${shop.origin}/demo/shop`);
    const forged = await noCookie.call('/demo/shop/checkout', { method: 'POST' });
    expect(forged.status).toBe(403);
    expect(forged.json?.error).toMatch(/unknown or expired/);
  });

  it('shows an order only to the session that placed it', async () => {
    const alice = new Customer(shop.origin);
    const { orderId } = await alice.journey();
    const bob = new Customer(shop.origin);
    await bob.login();
    const answer = await bob.call(`/demo/shop/orders/${orderId}`);
    expect(answer.status).toBe(404);
    expect(answer.json?.error).toBe(`no order "${orderId}" in this session`);
  });

  it.each([
    ['login', '/demo/shop/login', { user: 'demo' }, 'password', 'password: must be a string'],
    ['login', '/demo/shop/login', { user: 1, password: 'x' }, 'user', 'user: must be a string'],
    [
      'login',
      '/demo/shop/login',
      { user: 'demo', password: 'x', role: 'admin' },
      'role',
      'role: unknown field (expected user, password)',
    ],
    [
      'login',
      '/demo/shop/login',
      ['demo'],
      'body',
      'body: expected a JSON object such as {"user": "demo", "password": "..."}',
    ],
    [
      'cart',
      '/demo/shop/cart',
      { product: 'piano', quantity: 1 },
      'product',
      'product: no product "piano" (products: mug, tshirt, sticker)',
    ],
    ['cart', '/demo/shop/cart', { product: 'mug' }, 'quantity', 'quantity: must be a number'],
    ['cart', '/demo/shop/cart', { product: 'mug', quantity: '2' }, 'quantity', 'quantity: must be a number'],
    [
      'cart',
      '/demo/shop/cart',
      { product: 'mug', quantity: 1.5 },
      'quantity',
      'quantity: must be a whole number',
    ],
    ['cart', '/demo/shop/cart', { product: 'mug', quantity: 0 }, 'quantity', 'quantity: must be at least 1'],
    ['cart', '/demo/shop/cart', { product: 'mug', quantity: 11 }, 'quantity', 'quantity: must be at most 10'],
  ])('%s refuses %j with 400 naming %s', async (_step, path, json, field, error) => {
    const customer = new Customer(shop.origin);
    await customer.login();
    const answer = await customer.call(path, { json, token: customer.token });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error, field });
  });

  it('refuses a body that is not JSON (400) or over 1 kB (413), naming the body', async () => {
    const customer = new Customer(shop.origin);
    const notJson = await customer.call('/demo/shop/login', {
      body: 'user=demo&password=x',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({
      field: 'body',
      error: expect.stringMatching(/^body: not valid JSON/),
    });
    const huge = await customer.call('/demo/shop/login', { json: { user: 'x'.repeat(2000), password: 'y' } });
    expect(huge.status).toBe(413);
    expect(huge.json).toEqual({ field: 'body', error: 'body: larger than 1 kB' });
  });

  it('answers unknown products and endpoints with a JSON 404, other methods with 405', async () => {
    const customer = new Customer(shop.origin);
    await customer.login();
    const product = await customer.call('/demo/shop/products/piano', { token: customer.token });
    expect(product.status).toBe(404);
    expect(product.json?.error).toBe('no product "piano" (products: mug, tshirt, sticker)');
    const endpoint = await customer.call('/demo/shop/basket');
    expect(endpoint.status).toBe(404);
    expect(endpoint.json?.error).toBe('no shop endpoint GET /demo/shop/basket (see GET /demo/shop)');
    const get = await customer.call('/demo/shop/checkout');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it(`caps a cart at ${MAX_CART_ITEMS} items (409) and keeps what it has`, async () => {
    const customer = new Customer(shop.origin);
    await customer.login();
    expect((await customer.addToCart('mug', 10)).json).toEqual({ items: 10 });
    expect((await customer.addToCart('tshirt', 10)).json).toEqual({ items: 20 });
    const full = await customer.addToCart('sticker', 1);
    expect(full.status).toBe(409);
    expect(full.json?.error).toBe(`a cart holds at most ${MAX_CART_ITEMS} items (it has 20)`);
  });
});

describe('the checkout failure pattern', () => {
  let own: Awaited<ReturnType<typeof startShop>>;
  afterEach(async () => {
    await own.close();
  });

  it('fails the attempts the pattern names with a JSON 500, keeps the cart, and counts only real attempts', async () => {
    own = await startShop({ checkoutFails: (attempt) => attempt === 2 });
    const customer = new Customer(own.origin);
    await customer.login();
    // Refused attempts (no cookie, empty cart) are not counted.
    expect((await new Customer(own.origin).checkout()).status).toBe(403);
    expect((await customer.checkout()).status).toBe(409);

    await customer.addToCart('mug', 2);
    expect((await customer.checkout()).status).toBe(201); // attempt 1
    await customer.addToCart('mug', 2);
    const failed = await customer.checkout(); // attempt 2
    expect(failed.status).toBe(500);
    expect(failed.json?.error).toMatch(/^payment service unavailable/);
    const retried = await customer.checkout(); // attempt 3: the kept cart
    expect(retried.status).toBe(201);
    expect(retried.json?.items).toBe(2);
  });
});

describe('the bounds on the shop state', () => {
  let own: Awaited<ReturnType<typeof startShop>>;
  afterEach(async () => {
    await own.close();
  });

  it('forgets the least recently used session beyond maxSessions: its token and cookie stop working', async () => {
    own = await startShop({ maxSessions: 2 });
    const [first, second, third] = [0, 1, 2].map(() => new Customer(own.origin));
    await first!.login();
    await second!.login();
    await third!.login();
    expect((await first!.addToCart()).status).toBe(401);
    expect((await first!.checkout()).status).toBe(403);
    expect((await second!.addToCart()).status).toBe(201);
    expect((await third!.addToCart()).status).toBe(201);
  });

  it('forgets a session sessionTtlMs after its last use', async () => {
    let now = 1_000_000;
    own = await startShop({ sessionTtlMs: 60_000, now: () => now });
    const customer = new Customer(own.origin);
    const login = await customer.login();
    expect(login.headers.getSetCookie()[0]).toMatch(/; Max-Age=60(;|$)/);
    now += 50_000;
    expect((await customer.addToCart()).status).toBe(201); // a use renews the session
    now += 50_000;
    expect((await customer.addToCart()).status).toBe(201);
    now += 60_001;
    expect((await customer.addToCart()).status).toBe(401);
    expect((await customer.checkout()).status).toBe(403);
  });
});

describe('the demo shop inside vantage', () => {
  let h: Harness;
  beforeAll(async () => {
    // A quiet service: one check of a closed port, nothing that calls the shop.
    h = await startVantage(
      `
modules:
  http_2xx: {prober: http, timeout: 1s}
targets:
  - name: closed
    url: http://127.0.0.1:9/
    modules: [http_2xx]
`,
      { serveDemoPages: true },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('passes the write guard and fails the 2nd and 6th checkout since start, as a newcomer sees', async () => {
    const results = [];
    for (let run = 1; run <= 6; run++) results.push((await new Customer(h.baseUrl).journey()).statuses);
    const ok = [200, 200, 201, 201, 200];
    const failedCheckout = [200, 200, 201, 500];
    expect(results).toEqual([ok, failedCheckout, ok, ok, ok, failedCheckout]);
  });

  it('leaves the demo pages and vantage own 404 alone', async () => {
    expect((await fetch(`${h.baseUrl}/demo/fast`)).status).toBe(200);
    const missing = await fetch(`${h.baseUrl}/no/such/page`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).not.toMatch(/json/);
  });
});
