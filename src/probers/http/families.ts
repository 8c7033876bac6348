/**
 * The metric families the HTTP prober emits. Names and HELP follow blackbox_exporter's `prober/http.go`
 * and `prober/utils.go` so its dashboards and alerts keep working (DESIGN.md "Metrics"). probe_success,
 * probe_duration_seconds and probe_failure_info are NOT here: metrics/ derives them from the ProbeResult.
 */
import type { MetricFamily } from '../types.js';
import type { HttpPhase } from '../types.js';

export const httpFamilies = {
  durationSeconds: {
    name: 'probe_http_duration_seconds',
    help: 'Duration of http request by phase, summed over all redirects',
    type: 'gauge',
  },
  statusCode: { name: 'probe_http_status_code', help: 'Response HTTP status code', type: 'gauge' },
  contentLength: {
    name: 'probe_http_content_length',
    help: 'Length of http content response',
    type: 'gauge',
  },
  uncompressedBodyLength: {
    name: 'probe_http_uncompressed_body_length',
    help: 'Length of uncompressed response body',
    type: 'gauge',
  },
  redirects: { name: 'probe_http_redirects', help: 'The number of redirects', type: 'gauge' },
  ssl: { name: 'probe_http_ssl', help: 'Indicates if SSL was used for the final redirect', type: 'gauge' },
  httpVersion: {
    name: 'probe_http_version',
    help: 'Returns the version of HTTP of the probe response',
    type: 'gauge',
  },
  dnsLookupTimeSeconds: {
    name: 'probe_dns_lookup_time_seconds',
    help: 'Returns the time taken for probe dns lookup in seconds',
    type: 'gauge',
  },
  ipProtocol: {
    name: 'probe_ip_protocol',
    help: 'Specifies whether probe ip protocol is IP4 or IP6',
    type: 'gauge',
  },
  failedDueToRegex: {
    name: 'probe_failed_due_to_regex',
    help: 'Indicates if probe failed due to regex',
    type: 'gauge',
  },
  sslEarliestCertExpiry: {
    name: 'probe_ssl_earliest_cert_expiry',
    help: 'Returns earliest SSL cert expiry in unixtime',
    type: 'gauge',
  },
  sslLastChainExpiryTimestampSeconds: {
    name: 'probe_ssl_last_chain_expiry_timestamp_seconds',
    help: 'Returns last SSL chain expiry in timestamp seconds',
    type: 'gauge',
  },
  tlsVersionInfo: { name: 'probe_tls_version_info', help: 'Contains the TLS version used', type: 'gauge' },
} as const satisfies Record<string, MetricFamily>;

/** Shared, frozen label objects: one allocation per process instead of one per probe and phase. */
export const PHASE_LABELS = Object.freeze({
  resolve: Object.freeze({ phase: 'resolve' }),
  connect: Object.freeze({ phase: 'connect' }),
  tls: Object.freeze({ phase: 'tls' }),
  processing: Object.freeze({ phase: 'processing' }),
  transfer: Object.freeze({ phase: 'transfer' }),
}) satisfies Record<HttpPhase, Readonly<Record<string, string>>>;
