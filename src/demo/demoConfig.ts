/**
 * The embedded demo configuration: with no --config.file, vantage probes demo pages it serves
 * itself (see demoPages.ts), so `npx vantage` shows live, varied metrics at once, and walks its
 * demo shop (shop.ts) with a five-step journey every 30 s, whose checkout fails now and then,
 * and with a four-step browser flow every 5 minutes whose add-to-cart click is slow (INP).
 * The shop's demo password is written here as a plain value: the embedded demo has no
 * environment to take a secret from, and the password guards nothing.
 */
import { DEMO_SHOP_PASSWORD, DEMO_SHOP_USER } from './shopCatalogue.js';

/** The address the probes use to reach this process's own listener. */
export function demoBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}`;
}

/**
 * The origins a browser may show the demo pages under: the probes' own address, and localhost for
 * a newcomer who opens http://localhost:PORT/demo/shop/ (a different origin for CORS).
 */
function demoOrigins(baseUrl: string): string[] {
  const url = new URL(baseUrl);
  const origins = [url.origin];
  if (url.hostname === '127.0.0.1')
    origins.push(`${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`);
  return origins;
}

/**
 * The demo configuration. With `prometheusUrl` (VANTAGE_PROMETHEUS_URL, which docker compose
 * and `vantage stack` set) it also makes the daily, weekly and monthly performance reports
 * from that Prometheus, so the stack shows /reports/ without a config file of its own. With
 * `hosts` (VANTAGE_DEMO_HOSTS, set by both too) the demo targets name the stack's node_exporter.
 */
export function demoConfigYaml(
  baseUrl: string,
  prometheusUrl?: string,
  hosts: readonly string[] = [],
): string {
  // Every demo page is served by this process, so every demo target has the same hosts.
  const hostsLine = hosts.length > 0 ? `\n    hosts: ${JSON.stringify(hosts)}` : '';
  const report = prometheusUrl
    ? `report:
  prometheus_url: ${JSON.stringify(prometheusUrl)}
  schedule:
    time: "00:15"
    time_zone: UTC
    periods: [day, week, month]
`
    : '';
  return `# vantage embedded demo configuration (used when --config.file is not given).
global:
  interval: 15s
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200]
      fail_if_body_not_matches_regexp: ["status: ok"]
  mobile:
    prober: lighthouse
    timeout: 60s
    lighthouse:
      form_factor: mobile
      runs: 3
      interval: 15m
      categories: [performance, accessibility, best-practices, seo]
  shop_flow:
    prober: browser
    timeout: 120s
    browser:
      form_factor: desktop
      interval: 5m
      lighthouse: true
      steps:
        # The full path: the target's url has no trailing slash, so "/" would be vantage's index.
        - { name: home, navigate: /demo/shop/ }
        - { name: search, type: { selector: '#q', text: mug }, then: { press: Enter }, wait_for: { selector: '.results li' } }
        - { name: product, click: '.results li:first-child a', wait_for: { navigation: true } }
        # The product page's add-to-cart handler blocks the main thread for about 300 ms: a real INP problem.
        - { name: add_to_cart, click: '#add', wait_for: { text: 'Added to cart' } }
  shop_checkout:
    prober: journey
    timeout: 10s
    journey:
      steps:
        - name: login
          request:
            method: POST
            url: /demo/shop/login
            json: {user: ${JSON.stringify(DEMO_SHOP_USER)}, password: ${JSON.stringify(DEMO_SHOP_PASSWORD)}}
          checks:
            valid_status_codes: [200]
          extract:
            token: {json: '$.token', secret: true}
        - name: product
          request:
            url: /demo/shop/products/mug
            headers: {Authorization: 'Bearer \${token}'}
          checks:
            valid_status_codes: [200]
        - name: add_to_cart
          request:
            method: POST
            url: /demo/shop/cart
            headers: {Authorization: 'Bearer \${token}'}
            json: {product: mug, quantity: 1}
          checks:
            valid_status_codes: [201]
            json: [{path: '$.items', equals: 1}]
        - name: checkout
          request:
            method: POST
            url: /demo/shop/checkout
          checks:
            valid_status_codes: [201]
          extract:
            order_id: {json: '$.order_id'}
          slo: {latency: 250ms}
        - name: confirmation
          request:
            url: /demo/shop/orders/\${order_id}
            headers: {Accept: text/html}
          checks:
            valid_status_codes: [200]
            fail_if_body_not_matches_regexp: ['Order order-[0-9]+ confirmed']
targets:
  - name: demo-fast
    url: ${baseUrl}/demo/fast
    modules: [http_2xx]
    labels: {team: demo}${hostsLine}
    slo: {availability: 0.999, latency: 500ms}
  - name: demo-slow
    url: ${baseUrl}/demo/slow
    modules: [http_2xx]
    labels: {team: demo}${hostsLine}
    slo: {availability: 0.99, latency: 1s}
  - name: demo-flaky
    url: ${baseUrl}/demo/flaky
    modules: [http_2xx]
    labels: {team: demo}${hostsLine}
    slo: {availability: 0.95, latency: 1s}
  - name: demo-shop
    url: ${baseUrl}/demo/shop
    modules: [shop_checkout, shop_flow]
    interval: 30s
    labels: {team: demo}${hostsLine}
    slo: {availability: 0.95, latency: 1s}
  - name: demo-light
    url: ${baseUrl}/demo/light
    modules: [mobile]
    labels: {team: demo}${hostsLine}
  - name: demo-heavy
    url: ${baseUrl}/demo/heavy
    modules: [mobile]
    labels: {team: demo}${hostsLine}
rum:
  sites:
    # The demo pages carry the vantage-rum snippet, and the visitors they get are vantage's own
    # Lighthouse audits and browser flows (headless Chrome), plus you: so the Field dashboard has
    # data within minutes. A real site keeps accept_synthetic false (the default): headless
    # browsers and bots are dropped and counted in vantage_rum_beacons_rejected_total.
    - name: demo-synthetic
      origins: ${JSON.stringify(demoOrigins(baseUrl))}
      page_groups:
        - {name: shop-home, pattern: '^/demo/shop/?$'}
        - {name: shop-search, pattern: '^/demo/shop/search'}
        - {name: shop-product, pattern: '^/demo/shop/catalogue/'}
        - {name: shop-order, pattern: '^/demo/shop/orders/'}
        - {name: demo-pages, pattern: '^/demo/(fast|slow|flaky|light|heavy)$'}
      goals: [checkout]
      accept_synthetic: true
${report}`;
}
