/**
 * The embedded demo configuration: with no --config.file, vantage probes demo pages it serves
 * itself (see demoPages.ts), so `npx vantage` shows live, varied metrics at once.
 */

/** The address the probes use to reach this process's own listener. */
export function demoBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}`;
}

/**
 * The demo configuration. With `prometheusUrl` (VANTAGE_PROMETHEUS_URL, which docker compose
 * and `vantage stack` set) it also makes the daily, weekly and monthly performance reports
 * from that Prometheus, so the stack shows /reports/ without a config file of its own.
 */
export function demoConfigYaml(baseUrl: string, prometheusUrl?: string): string {
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
targets:
  - name: demo-fast
    url: ${baseUrl}/demo/fast
    modules: [http_2xx]
    labels: {team: demo}
    slo: {availability: 0.999, latency: 500ms}
  - name: demo-slow
    url: ${baseUrl}/demo/slow
    modules: [http_2xx]
    labels: {team: demo}
    slo: {availability: 0.99, latency: 1s}
  - name: demo-flaky
    url: ${baseUrl}/demo/flaky
    modules: [http_2xx]
    labels: {team: demo}
    slo: {availability: 0.95, latency: 1s}
  - name: demo-light
    url: ${baseUrl}/demo/light
    modules: [mobile]
    labels: {team: demo}
  - name: demo-heavy
    url: ${baseUrl}/demo/heavy
    modules: [mobile]
    labels: {team: demo}
${report}`;
}
