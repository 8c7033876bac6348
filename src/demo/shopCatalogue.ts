/**
 * What the demo shop sells and who may log in: fixed values, documented in the README, so a
 * newcomer can walk the shop by hand with curl and the embedded journey can log in with no
 * secret to set up. The password protects nothing: the shop holds no data worth a secret.
 * searchProducts is the shop's search box (the browser pages' search, see shopPages.ts).
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
  /** A sentence for the product's page (not in the JSON API's answer). */
  description: string;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 'mug',
    name: 'vantage mug',
    priceCents: 1250,
    description:
      'A 330 ml stoneware mug with the vantage logo, for the coffee you drink while the dashboards load.',
  },
  {
    id: 'tshirt',
    name: 'vantage t-shirt',
    priceCents: 2200,
    description: 'Organic cotton, sizes S to XL, with a latency histogram across the chest.',
  },
  {
    id: 'sticker',
    name: 'vantage sticker',
    priceCents: 150,
    description: 'A weatherproof vinyl sticker, 7 cm across, for a laptop that has seen an outage or two.',
  },
];

export function productById(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

/** The longest search the shop takes, in characters. */
export const MAX_SEARCH_LENGTH = 100;

/**
 * The products whose id or name contains every word of `query`, ignoring case, in catalogue
 * order; none for a query with no word (an empty search box).
 */
export function searchProducts(query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return PRODUCTS.filter((p) => {
    const haystack = `${p.id} ${p.name}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
