/**
 * The demo shop's state: sessions, each with its cart and its latest orders, in memory and
 * bounded, so a demo left running for months holds no more than it did after a quarter of an
 * hour:
 *
 *   - at most `maxSessions` sessions (the least recently used goes first when one more logs in),
 *   - each forgotten `sessionTtlMs` after its last use (lru-cache's ttl, renewed on use),
 *   - at most MAX_CART_ITEMS items in a cart and the last MAX_ORDERS_PER_SESSION orders a session
 *     placed.
 *
 * The embedded journey logs in every 30 s, so it keeps about 30 sessions (15 min / 30 s) alive.
 *
 * A session is found by either of two secrets, handed out together at login: its bearer token
 * (product, cart) and its cookie (checkout, confirmation). A journey must carry both: the token
 * by extraction from the login answer, the cookie in its jar.
 */
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_SESSION_TTL_MS = 15 * 60_000;
export const MAX_CART_ITEMS = 20;
export const MAX_ORDERS_PER_SESSION = 10;

export interface Order {
  /** `order-<n>`, n counting up from 1001 in this process. */
  id: string;
  /** Product id -> quantity, as the cart was at checkout. */
  lines: ReadonlyMap<string, number>;
  items: number;
}

export interface ShopSession {
  /** The session cookie's value. */
  id: string;
  /** The bearer token. */
  token: string;
  user: string;
  /** Product id -> quantity. */
  cart: Map<string, number>;
  /** The latest orders, oldest first. */
  orders: Order[];
}

export interface ShopStateOptions {
  maxSessions?: number;
  sessionTtlMs?: number;
  /** Milliseconds on any monotonic clock above 0 (tests pass their own; default performance.now). */
  now?: () => number;
}

/** A cart that would hold more than MAX_CART_ITEMS. */
export class CartFullError extends Error {}

const secret = () => randomBytes(24).toString('base64url');

export const itemsIn = (cart: ReadonlyMap<string, number>): number =>
  [...cart.values()].reduce((sum, quantity) => sum + quantity, 0);

export class ShopState {
  private readonly sessions: LRUCache<string, ShopSession>;
  /** Token -> session id; bounded like the sessions, and cleared when a session goes. */
  private readonly sessionIdByToken: LRUCache<string, string>;
  private nextOrderNumber = 1001;

  constructor(options: ShopStateOptions = {}) {
    const bounds = {
      max: options.maxSessions ?? DEFAULT_MAX_SESSIONS,
      ttl: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
      updateAgeOnGet: true,
      ...(options.now ? { perf: { now: options.now } } : {}),
    };
    this.sessionIdByToken = new LRUCache<string, string>(bounds);
    this.sessions = new LRUCache<string, ShopSession>({
      ...bounds,
      dispose: (session) => this.sessionIdByToken.delete(session.token),
    });
  }

  /** A new session for `user`, who has been authenticated. */
  login(user: string): ShopSession {
    const session: ShopSession = { id: secret(), token: secret(), user, cart: new Map(), orders: [] };
    this.sessions.set(session.id, session);
    this.sessionIdByToken.set(session.token, session.id);
    return session;
  }

  byToken(token: string): ShopSession | undefined {
    const id = this.sessionIdByToken.get(token);
    return id === undefined ? undefined : this.sessions.get(id);
  }

  byCookie(id: string): ShopSession | undefined {
    return this.sessions.get(id);
  }

  /** Adds to the session's cart; the items now in it. */
  addToCart(session: ShopSession, productId: string, quantity: number): number {
    const items = itemsIn(session.cart) + quantity;
    if (items > MAX_CART_ITEMS) {
      throw new CartFullError(
        `a cart holds at most ${MAX_CART_ITEMS} items (it has ${itemsIn(session.cart)})`,
      );
    }
    session.cart.set(productId, (session.cart.get(productId) ?? 0) + quantity);
    return items;
  }

  /** Turns the session's (non-empty) cart into an order and empties the cart. */
  placeOrder(session: ShopSession): Order {
    const order: Order = {
      id: `order-${this.nextOrderNumber++}`,
      lines: new Map(session.cart),
      items: itemsIn(session.cart),
    };
    session.cart.clear();
    session.orders.push(order);
    if (session.orders.length > MAX_ORDERS_PER_SESSION) session.orders.shift();
    return order;
  }

  order(session: ShopSession, orderId: string): Order | undefined {
    return session.orders.find((o) => o.id === orderId);
  }

  /** Sessions held, expired ones not yet purged included (what memory holds). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Token entries held (what memory holds). */
  get tokenCount(): number {
    return this.sessionIdByToken.size;
  }
}
