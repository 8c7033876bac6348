/**
 * What the demo shop sells and who may log in: fixed values, documented in the README, so a
 * newcomer can walk the shop by hand with curl and the embedded journey can log in with no
 * secret to set up. The password protects nothing: the shop holds no data worth a secret.
 */

/** The one demo account. */
export const DEMO_SHOP_USER = 'demo';
export const DEMO_SHOP_PASSWORD = 'vantage-demo';

export interface Product {
  /** The URL segment: /demo/shop/products/<id>. */
  id: string;
  name: string;
  /** In euro cents, so totals add up exactly. */
  priceCents: number;
}

export const PRODUCTS: readonly Product[] = [
  { id: 'mug', name: 'vantage mug', priceCents: 1250 },
  { id: 'tshirt', name: 'vantage t-shirt', priceCents: 2200 },
  { id: 'sticker', name: 'vantage sticker', priceCents: 150 },
];

export function productById(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}
