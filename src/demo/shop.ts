/**
 * The demo shop under /demo/shop: a small JSON API that the embedded demo's journey
 * (shop_checkout, see demoConfig.ts) walks through, so `npx vantage` shows a multi-step
 * transaction, its steps, and now and then a failing one.
 *
 *   POST /demo/shop/login          {"user", "password"} -> 200 {"token"} and the session cookie
 *   GET  /demo/shop/products/:id   bearer token -> 200 {"id", "name", "price_cents"}
 *   POST /demo/shop/cart           bearer token, {"product", "quantity"} -> 201 {"items": N}
 *   POST /demo/shop/checkout       session cookie -> 201 {"order_id", "items"}
 *   GET  /demo/shop/orders/:id     session cookie -> the confirmation (HTML, or JSON on Accept)
 *
 * And pages for a browser, which a browser flow clicks through (see shopPages.ts), no login:
 *
 *   GET  /demo/shop/                the shop front: a search box (#q), the products, the API
 *   GET  /demo/shop/search?q=       the results (HTML, or on Accept JSON {query, status, results})
 *   GET  /demo/shop/catalogue/:id   a product's page, whose #add button blocks the main thread
 *                                   for `addToCartBlockMs` (300 ms by default) on every click
 *
 * With `rumSnippet` (vantage's app) every page carries the RUM snippet's tag, and the order's
 * confirmation reports the goal `checkout` (src/demo/rumTag.ts).
 *
 * Rules a journey must follow, each refused with a JSON error: wrong credentials 401; no or an
 * unknown bearer token 401 (with WWW-Authenticate, RFC 6750); no or an unknown session cookie
 * 403; bad input 400 naming the field (the shape of input/inputError.ts); an empty cart 409.
 *
 * Checkout fails with 500 on a fixed share of attempts: by default every fourth, starting with
 * the second since start, so with a journey every 30 s a newcomer sees a failed checkout step
 * within the first minute. Only attempts that get past the cookie and cart checks count, so a
 * person trying the API by hand shifts the pattern only when they really check out.
 * `checkoutFails` replaces the pattern (tests); the state's bounds are in shopState.ts.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { parse as parseCookieHeader } from 'cookie';
import { z } from 'zod';
import {
  InputError,
  jsonBodyErrors,
  jsonObjectBody,
  parseInput,
  parseQuery,
  sendInputError,
  singleValuedQuery,
} from '../input/inputError.js';
import {
  DEMO_SHOP_PASSWORD,
  DEMO_SHOP_USER,
  MAX_SEARCH_LENGTH,
  PRODUCTS,
  productById,
  searchProducts,
} from './shopCatalogue.js';
import {
  confirmationHtml,
  euros,
  productHref,
  productMissingHtml,
  productPageHtml,
  searchResultsHtml,
  searchStatus,
  shopFrontHtml,
} from './shopPages.js';
import { withRumTag } from './rumTag.js';
import {
  CartFullError,
  DEFAULT_SESSION_TTL_MS,
  ShopState,
  type ShopSession,
  type ShopStateOptions,
} from './shopState.js';

export const SHOP_PATH = '/demo/shop';
export const SESSION_COOKIE = 'shop_session';
/** One checkout attempt in CHECKOUT_FAILURE_PERIOD fails by default. */
export const CHECKOUT_FAILURE_PERIOD = 4;
/**
 * How long the product page's add-to-cart click blocks the browser's main thread by default:
 * well over INP's 200 ms "good" bound, so the embedded browser flow shows a slow interaction.
 */
export const DEFAULT_ADD_TO_CART_BLOCK_MS = 300;
const BODY_LIMIT = '1kb';

/**
 * The default failure pattern: attempt 2, 6, 10, ... (1-based) fails. The second, not the first,
 * so the first journey shows the shop working and the second (30 s later) shows a failed step.
 */
export function demoCheckoutFails(attempt: number): boolean {
  return attempt % CHECKOUT_FAILURE_PERIOD === 2 % CHECKOUT_FAILURE_PERIOD;
}

export interface ShopOptions extends ShopStateOptions {
  /** Whether the n-th counted checkout attempt (1-based) fails with 500. */
  checkoutFails?: (attempt: number) => boolean;
  /**
   * Milliseconds the product page's #add click handler blocks the main thread (a whole number,
   * 0 for none); DEFAULT_ADD_TO_CART_BLOCK_MS by default.
   */
  addToCartBlockMs?: number;
  /** Every page carries the RUM snippet's tag (src/demo/rumTag.ts): vantage's app sets it. */
  rumSnippet?: boolean;
}

const PRODUCT_IDS = PRODUCTS.map((p) => p.id);

const loginBody = z.strictObject({
  user: z.string({ error: 'must be a string' }),
  password: z.string({ error: 'must be a string' }),
});

const searchQuery = z.strictObject({
  q: z
    .string()
    .max(MAX_SEARCH_LENGTH, { error: `must be at most ${MAX_SEARCH_LENGTH} characters` })
    .optional(),
});

const cartBody = z.strictObject({
  product: z.string({ error: 'must be a string' }).refine((id) => productById(id) !== undefined, {
    error: (issue) => `no product ${JSON.stringify(issue.input)} (products: ${PRODUCT_IDS.join(', ')})`,
  }),
  quantity: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(10, { error: 'must be at most 10' }),
});

/** A JSON error that is not about one input field. */
function sendShopError(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

/** The POST endpoints' body parser: whatever the Content-Type (vantage's write guard requires JSON). */
const jsonBody = express.json({ limit: BODY_LIMIT, strict: true, type: () => true });

/** The option's value, or an error naming it: the value is written into the page's script. */
function addToCartBlockMs(options: ShopOptions): number {
  const ms = options.addToCartBlockMs ?? DEFAULT_ADD_TO_CART_BLOCK_MS;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`addToCartBlockMs: must be a whole number of milliseconds, 0 or more (got ${ms})`);
  }
  return ms;
}

export function shopRouter(options: ShopOptions = {}): Router {
  const blockMs = addToCartBlockMs(options);
  const state = new ShopState(options);
  const checkoutFails = options.checkoutFails ?? demoCheckoutFails;
  let checkoutAttempts = 0;
  const shop = Router();
  const html = (doc: string) => withRumTag(doc, options.rumSnippet);

  /** The session of the request's bearer token, or undefined after answering 401. */
  function tokenSession(req: Request, res: Response): ShopSession | undefined {
    const match = /^Bearer +(\S+)$/i.exec(req.get('authorization') ?? '');
    const session = match ? state.byToken(match[1]!) : undefined;
    if (session) return session;
    const why = match ? 'the bearer token is unknown or expired: log in again' : 'no bearer token';
    res.set('WWW-Authenticate', `Bearer realm="demo shop"${match ? ', error="invalid_token"' : ''}`);
    sendShopError(
      res,
      401,
      `${why} (send "Authorization: Bearer <token>" with the token from POST ${SHOP_PATH}/login)`,
    );
    return undefined;
  }

  /** The session of the request's cookie, or undefined after answering 403. */
  function cookieSession(req: Request, res: Response): ShopSession | undefined {
    const id = parseCookieHeader(req.get('cookie') ?? '')[SESSION_COOKIE];
    const session = id ? state.byCookie(id) : undefined;
    if (session) return session;
    const why = id ? `the ${SESSION_COOKIE} cookie is unknown or expired` : `no ${SESSION_COOKIE} cookie`;
    sendShopError(res, 403, `${why}: log in with POST ${SHOP_PATH}/login, which sets it`);
    return undefined;
  }

  shop.get('/', (req, res) => {
    // At /demo/shop (no slash) the page's relative links need the shop's own segment.
    const atSlash = req.originalUrl.split('?')[0]!.endsWith('/');
    res.type('html').send(html(shopFrontHtml(atSlash ? '' : 'shop/')));
  });

  shop.get('/search', (req, res) => {
    const { q = '' } = parseQuery(searchQuery, singleValuedQuery(req), ['q']);
    const results = searchProducts(q);
    res.vary('Accept');
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({
        query: q,
        status: searchStatus(q, results.length),
        results: results.map((p) => ({
          id: p.id,
          name: p.name,
          price: euros(p.priceCents),
          href: productHref(p),
        })),
      });
    } else {
      res.type('html').send(html(searchResultsHtml(q, results)));
    }
  });

  shop.get('/catalogue/:id', (req, res) => {
    const product = productById(req.params.id);
    if (product) res.type('html').send(html(productPageHtml(product, blockMs)));
    else
      res
        .status(404)
        .type('html')
        .send(html(productMissingHtml(req.params.id)));
  });

  shop.post('/login', jsonBody, (req, res) => {
    const body = jsonObjectBody(req.body, `{"user": "${DEMO_SHOP_USER}", "password": "..."}`);
    const { user, password } = parseInput(loginBody, body, {
      noun: 'field',
      known: ['user', 'password'],
      whole: 'body',
    });
    if (user !== DEMO_SHOP_USER || password !== DEMO_SHOP_PASSWORD) {
      sendShopError(res, 401, 'wrong user or password');
      return;
    }
    const session = state.login(user);
    res.cookie(SESSION_COOKIE, session.id, {
      path: SHOP_PATH,
      httpOnly: true,
      sameSite: 'strict',
      maxAge: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    });
    res.set('Cache-Control', 'no-store').json({ token: session.token });
  });

  shop.get('/products/:id', (req, res) => {
    if (!tokenSession(req, res)) return;
    const product = productById(req.params.id);
    if (!product) {
      sendShopError(
        res,
        404,
        `no product ${JSON.stringify(req.params.id)} (products: ${PRODUCT_IDS.join(', ')})`,
      );
      return;
    }
    res.json({ id: product.id, name: product.name, price_cents: product.priceCents });
  });

  shop.post('/cart', jsonBody, (req, res) => {
    const session = tokenSession(req, res);
    if (!session) return;
    const body = jsonObjectBody(req.body, '{"product": "mug", "quantity": 1}');
    const { product, quantity } = parseInput(cartBody, body, {
      noun: 'field',
      known: ['product', 'quantity'],
      whole: 'body',
    });
    try {
      res.status(201).json({ items: state.addToCart(session, product, quantity) });
    } catch (err) {
      if (!(err instanceof CartFullError)) throw err;
      sendShopError(res, 409, err.message);
    }
  });

  shop.post('/checkout', jsonBody, (req, res) => {
    const session = cookieSession(req, res);
    if (!session) return;
    if (session.cart.size === 0) {
      sendShopError(res, 409, `the cart is empty: add a product with POST ${SHOP_PATH}/cart first`);
      return;
    }
    checkoutAttempts += 1;
    if (checkoutFails(checkoutAttempts)) {
      sendShopError(
        res,
        500,
        `payment service unavailable (the demo fails one checkout in ${CHECKOUT_FAILURE_PERIOD}); the cart is kept`,
      );
      return;
    }
    const order = state.placeOrder(session);
    res
      .status(201)
      .location(`${SHOP_PATH}/orders/${order.id}`)
      .json({ order_id: order.id, items: order.items });
  });

  shop.get('/orders/:id', (req, res) => {
    const session = cookieSession(req, res);
    if (!session) return;
    const order = state.order(session, req.params.id);
    if (!order) {
      sendShopError(res, 404, `no order ${JSON.stringify(req.params.id)} in this session`);
      return;
    }
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ order_id: order.id, items: order.items, status: 'confirmed' });
    } else {
      res.type('html').send(html(confirmationHtml(order)));
    }
  });

  for (const path of ['/login', '/cart', '/checkout']) {
    shop.all(path, (req, res) => {
      res.set('Allow', 'POST');
      sendShopError(res, 405, `use POST ${SHOP_PATH}${path}, not ${req.method}`);
    });
  }
  shop.use(jsonBodyErrors('1 kB'));
  shop.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof InputError) sendInputError(res, err);
    else next(err);
  });
  shop.use((req, res) => {
    sendShopError(res, 404, `no shop endpoint ${req.method} ${SHOP_PATH}${req.path} (see GET ${SHOP_PATH})`);
  });

  const router = Router();
  router.use(SHOP_PATH, shop);
  return router;
}
