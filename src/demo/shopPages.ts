/**
 * The demo shop's HTML, for people: the shop front (/demo/shop: a search box, the products, the
 * demo account and the API a journey walks), the search results (/demo/shop/search?q=), a
 * product's page (/demo/shop/catalogue/<id>) and an order's confirmation. Pure functions of their
 * input; every value is escaped, though all of it comes from the shop itself.
 *
 * The front, the search and the product pages are what a browser flow clicks through, and so what
 * Lighthouse audits: each has a title, a description, lang, a viewport, a heading and labelled
 * controls, and loads nothing from anywhere (one inline stylesheet, inline scripts, no favicon
 * request). Their two scripts:
 *
 *   - the search form (`#q`, submitted with Enter) asks the search for JSON and lists the results
 *     in the page as `.results li a`; without JavaScript it opens the results page, whose list is
 *     the same;
 *   - the product page's `#add` button blocks the main thread for `blockMs` (a busy loop on
 *     performance.now()) and then says "Added to cart" with the cart's item count: the demo's slow
 *     interaction, which a browser flow sees as its Interaction to Next Paint.
 *
 * The order's confirmation reports the goal `checkout` to vantage's RUM snippet, when the page
 * carries it (src/demo/rumTag.ts).
 *
 * Links are relative, so the shop works under a proxy's path prefix. The front is also served
 * at /demo/shop, without the slash, where its links need the `shop/` segment: `root`.
 */
import { escapeHtml } from '../html/escape.js';
import { PAGE_STYLESHEET } from '../html/layout.js';
import {
  DEMO_SHOP_PASSWORD,
  DEMO_SHOP_USER,
  MAX_SEARCH_LENGTH,
  PRODUCTS,
  productById,
  type Product,
} from './shopCatalogue.js';
import type { Order } from './shopState.js';

export const euros = (cents: number): string => `€${(cents / 100).toFixed(2)}`;

/** The text the cart status starts with once the #add button was clicked. */
export const ADDED_TO_CART_TEXT = 'Added to cart';

/** A product page's path relative to the shop's root (/demo/shop/). */
export const productHref = (product: Product): string => `catalogue/${encodeURIComponent(product.id)}`;

/** The shop's own additions to vantage's stylesheet. No "<" in it: it sits in a <style> element. */
const SHOP_STYLESHEET = `
form.search{display:flex;flex-wrap:wrap;gap:.5em;align-items:center}
input,button{font:inherit;padding:.35em .6em}button{cursor:pointer}
#search-status,.results{min-height:1.5em}.price{font-size:1.3em;font-weight:600}
`;

interface ShopPageOptions {
  /** The <title>, as text. */
  title: string;
  /** The <h1>, as text. */
  heading: string;
  /** The meta description, as text. */
  description: string;
  /** The page content, HTML the caller has escaped. */
  body: string;
  /** Links above the heading, relative to the page: [href, text]. */
  nav?: readonly [string, string][];
  /** An inline script run at the end of the body; no "</script" in it. */
  script?: string;
}

/** A shop page: vantage's look, plus what a site audited by Lighthouse has (a description, an icon). */
function shopPage(options: ShopPageOptions): string {
  const nav = options.nav?.length
    ? `<nav>${options.nav.map(([href, text]) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`).join('')}</nav>\n`
    : '';
  const script = options.script ? `<script>${options.script}</script>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<meta name="description" content="${escapeHtml(options.description)}">
<link rel="icon" href="data:,">
<style>${PAGE_STYLESHEET}${SHOP_STYLESHEET}</style>
</head>
<body>
${nav}<main>
<h1>${escapeHtml(options.heading)}</h1>
${options.body}
</main>
${script}</body>
</html>
`;
}

/** What the search says about its results: shared by the results page and the in-page list. */
export function searchStatus(query: string, found: number): string {
  if (query.trim() === '') return '';
  const quoted = JSON.stringify(query.trim());
  if (found === 0) return `No product matches ${quoted}.`;
  return found === 1 ? `1 product matches ${quoted}.` : `${found} products match ${quoted}.`;
}

/**
 * Lists the search's results in the page: the form asks the search (its own action) for JSON,
 * `{status, results: [{name, price, href}]}`, hrefs relative to the search's URL.
 */
const SEARCH_SCRIPT = `
(() => {
  const form = document.querySelector('form.search');
  const list = document.querySelector('.results');
  const status = document.getElementById('search-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const url = new URL(form.action);
    url.searchParams.set('q', form.elements.q.value);
    status.textContent = 'Searching...';
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' } });
      const answer = await res.json();
      if (!res.ok) throw new Error(answer.error);
      list.replaceChildren(...answer.results.map((result) => {
        const link = document.createElement('a');
        link.href = new URL(result.href, url).href;
        link.textContent = result.name;
        const item = document.createElement('li');
        item.append(link, ', ' + result.price);
        return item;
      }));
      status.textContent = answer.status;
    } catch (err) {
      list.replaceChildren();
      status.textContent = 'The search failed: ' + err.message;
    }
  });
})();
`;

/** The search box, its status line and its results; `root` is the way to /demo/shop/. */
function searchSection(root: string, query: string, results: readonly Product[]): string {
  const items = results
    .map(
      (p) =>
        `<li><a href="${escapeHtml(root + productHref(p))}">${escapeHtml(p.name)}</a>, ${euros(p.priceCents)}</li>`,
    )
    .join('\n');
  return `<form class="search" role="search" action="${escapeHtml(root)}search" method="get">
<label for="q">Search the shop (for example mug, t-shirt or sticker)</label>
<input id="q" name="q" type="search" value="${escapeHtml(query)}" maxlength="${MAX_SEARCH_LENGTH}" autocomplete="off">
<button type="submit">Search</button>
</form>
<p id="search-status" role="status">${escapeHtml(searchStatus(query, results.length))}</p>
<ul class="results">
${items}
</ul>`;
}

/** The shop front; `root` is '' at /demo/shop/ and 'shop/' at /demo/shop. */
export function shopFrontHtml(root = ''): string {
  const products = PRODUCTS.map(
    (p) =>
      `<li><a href="${escapeHtml(root + productHref(p))}">${escapeHtml(p.name)}</a>, ${euros(p.priceCents)} (<code>${escapeHtml(p.id)}</code>)</li>`,
  ).join('\n');
  const api: [string, string, string][] = [
    ['POST', 'login', `JSON {"user", "password"}; answers {"token"} and sets the session cookie`],
    ['GET', 'products/&lt;id&gt;', 'with <code>Authorization: Bearer &lt;token&gt;</code>'],
    ['POST', 'cart', 'JSON {"product", "quantity"} with the bearer token; answers 201 {"items"}'],
    ['POST', 'checkout', 'with the session cookie; answers 201 {"order_id"} (one attempt in four fails)'],
    ['GET', 'orders/&lt;order_id&gt;', 'with the session cookie: the confirmation page'],
  ];
  const rows = api
    .map(
      ([method, path, what]) =>
        `<tr><td>${method}</td><td><code>/demo/shop/${path}</code></td><td>${what}</td></tr>`,
    )
    .join('\n');
  return shopPage({
    title: 'vantage demo shop',
    heading: 'vantage demo shop',
    description: 'The demo shop of vantage: search it, open a product and add it to the cart.',
    body: `<p>A small shop that the embedded demo's journey (module <code>shop_checkout</code>, target
<code>demo-shop</code>) walks through every 30 s: log in, look at a product, add it to the cart,
check out, read the confirmation. People and browser flows search it, open a product and add it
to the cart here; adding to the cart is slow on purpose.</p>
${searchSection(root, '', [])}
<h2>Products</h2>
<ul>
${products}
</ul>
<h2>API</h2>
<p>Demo account: user <code>${escapeHtml(DEMO_SHOP_USER)}</code>, password <code>${escapeHtml(DEMO_SHOP_PASSWORD)}</code>.</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
    script: SEARCH_SCRIPT,
  });
}

/** The results page of /demo/shop/search?q=, which the search form opens without JavaScript. */
export function searchResultsHtml(query: string, results: readonly Product[]): string {
  const quoted = JSON.stringify(query.trim());
  return shopPage({
    title: query.trim() ? `vantage demo shop: search ${quoted}` : 'vantage demo shop: search',
    heading: 'Search the shop',
    description: 'Search the products of the vantage demo shop.',
    nav: [['./', 'vantage demo shop']],
    body: searchSection('', query, results),
    script: SEARCH_SCRIPT,
  });
}

/** The click handler of #add: the busy loop (none for 0 ms), then the cart's new count. */
function addToCartScript(blockMs: number): string {
  const block =
    blockMs > 0
      ? `
    // Blocks the main thread on purpose: the demo's slow interaction.
    const end = performance.now() + ${blockMs};
    while (performance.now() < end);`
      : '';
  return `
(() => {
  const status = document.getElementById('cart-status');
  document.getElementById('add').addEventListener('click', () => {${block}
    const items = Number(sessionStorage.getItem('cart-items') || 0) + 1;
    sessionStorage.setItem('cart-items', String(items));
    status.textContent = '${ADDED_TO_CART_TEXT}: ' + items + (items === 1 ? ' item' : ' items') + ' in your cart.';
  });
})();
`;
}

/** A product's page, at /demo/shop/catalogue/<id>; its #add button blocks for `blockMs`. */
export function productPageHtml(product: Product, blockMs: number): string {
  return shopPage({
    title: `vantage demo shop: ${product.name}`,
    heading: product.name,
    description: `${product.name}, ${euros(product.priceCents)}: ${product.description}`,
    nav: [
      ['../', 'vantage demo shop'],
      ['../search', 'Search'],
    ],
    body: `<p class="price">${euros(product.priceCents)}</p>
<p>${escapeHtml(product.description)}</p>
<p><button id="add" type="button">Add to cart</button></p>
<p id="cart-status" role="status"></p>`,
    script: addToCartScript(blockMs),
  });
}

/** The page of /demo/shop/catalogue/<id> for an id the catalogue does not have (a 404). */
export function productMissingHtml(id: string): string {
  return shopPage({
    title: 'vantage demo shop: no such product',
    heading: 'No such product',
    description: 'The vantage demo shop has no such product.',
    nav: [['../', 'vantage demo shop']],
    body: `<p>The shop has no product ${escapeHtml(JSON.stringify(id))}. It sells ${PRODUCTS.map(
      (p) => `<a href="${escapeHtml(`../${productHref(p)}`)}">${escapeHtml(p.name)}</a>`,
    ).join(', ')}.</p>`,
  });
}

/** Reports the conversion to vantage's RUM snippet when the page carries it (after the deferred script ran). */
const CHECKOUT_GOAL_SCRIPT =
  "addEventListener('DOMContentLoaded', function () { window.vantageRum && window.vantageRum.goal('checkout'); });";

export function confirmationHtml(order: Order): string {
  const lines = [...order.lines]
    .map(([id, quantity]) => `<li>${quantity} x ${escapeHtml(productById(id)?.name ?? id)}</li>`)
    .join('\n');
  return shopPage({
    title: `vantage demo shop: order ${order.id}`,
    heading: `Order ${order.id} confirmed`,
    description: 'The confirmation of an order in the vantage demo shop.',
    body: `<p>Thank you. Order <strong>${escapeHtml(order.id)}</strong> (${order.items} items) is confirmed.</p>
<ul>
${lines}
</ul>
<p><a href="../">Back to the shop</a></p>`,
    script: CHECKOUT_GOAL_SCRIPT,
  });
}
