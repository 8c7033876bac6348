/**
 * The demo shop's HTML, for people: the shop front (/demo/shop: the products, the demo account
 * and the API a journey walks) and an order's confirmation. Pure functions of their input;
 * every value is escaped, though all of it comes from the shop itself.
 */
import { escapeHtml } from '../html/escape.js';
import { page } from '../html/layout.js';
import { DEMO_SHOP_PASSWORD, DEMO_SHOP_USER, PRODUCTS, productById } from './shopCatalogue.js';
import type { Order } from './shopState.js';

export const euros = (cents: number): string => `€${(cents / 100).toFixed(2)}`;

export function shopFrontHtml(): string {
  const products = PRODUCTS.map(
    (p) => `<li><code>${escapeHtml(p.id)}</code>: ${escapeHtml(p.name)}, ${euros(p.priceCents)}</li>`,
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
  return page({
    title: 'vantage demo shop',
    body: `<p>A small shop that the embedded demo's journey (module <code>shop_checkout</code>, target
<code>demo-shop</code>) walks through every 30 s: log in, look at a product, add it to the cart,
check out, read the confirmation.</p>
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
  });
}

export function confirmationHtml(order: Order): string {
  const lines = [...order.lines]
    .map(([id, quantity]) => `<li>${quantity} x ${escapeHtml(productById(id)?.name ?? id)}</li>`)
    .join('\n');
  return page({
    title: `vantage demo shop: order ${order.id}`,
    heading: `Order ${order.id} confirmed`,
    body: `<p>Thank you. Order <strong>${escapeHtml(order.id)}</strong> (${order.items} items) is confirmed.</p>
<ul>
${lines}
</ul>
<p><a href="../">Back to the shop</a></p>`,
  });
}
