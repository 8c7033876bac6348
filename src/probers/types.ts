/**
 * The contract every prober keeps (blackbox_exporter's `prober/` shape, typed): one function
 * `(target, module, context) -> ProbeResult`. A prober never touches the metrics registry or the
 * scheduler; it returns plain samples that metrics/ renders. Adding a prober is one folder plus
 * one line in the table of probers (table.ts), which the rest of vantage asks.
 */

/** The fixed list of failure reasons (DESIGN.md). Dashboards and alerts group by these. */
export const FAILURE_REASONS = [
  'dns_error',
  'connection_refused',
  'connection_reset',
  'timeout',
  'tls_error',
  'tls_cert_expired',
  'tls_cert_untrusted',
  'tls_hostname_mismatch',
  'status_code',
  'http_version',
  'body_regex',
  'header_regex',
  'body_too_large',
  'too_many_redirects',
  'ssl_required',
  'protocol_error',
  'forbidden_address',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What a journey step adds to the HTTP reasons (DESIGN.md): its extraction or JSON checks failed. */
export const JOURNEY_FAILURE_REASONS = ['extraction_failed', 'json_mismatch'] as const;
export type JourneyFailureReason = (typeof JOURNEY_FAILURE_REASONS)[number];

/** What a browser flow adds (DESIGN.md): its page, its elements and its Chrome. */
export const BROWSER_FAILURE_REASONS = [
  'selector_not_found',
  'navigation_timeout',
  'assertion_failed',
  'chrome_crashed',
  'page_error',
] as const;
export type BrowserFailureReason = (typeof BROWSER_FAILURE_REASONS)[number];

/**
 * Why a Lighthouse audit batch produced no valid run (exported as
 * `lighthouse_failure_info{reason}`; the HTTP list above stays fixed).
 */
export const LIGHTHOUSE_FAILURE_REASONS = [
  'timeout',
  'chrome_launch_failed',
  'chrome_crashed',
  'page_load_error',
  'lighthouse_error',
] as const;
export type LighthouseFailureReason = (typeof LIGHTHOUSE_FAILURE_REASONS)[number];

/** Phases of an HTTP probe, in order. A failure is attributed to the phase it happened in. */
export const HTTP_PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
export type HttpPhase = (typeof HTTP_PHASES)[number];

export type MetricType = 'gauge' | 'counter' | 'histogram';

/** A metric family a prober may emit: declared once so HELP/TYPE are written once per scrape. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
}

/** One sample of a family. `labels` are the prober's own (e.g. `phase`), never target/module. */
export interface Sample {
  family: MetricFamily;
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/**
 * One observation of a histogram family: metrics/ adds it to the check's cumulative buckets
 * (`_bucket{le}`, `_sum`, `_count`), so every run counts, as with the probe duration histogram.
 */
export interface Observation {
  family: MetricFamily & { type: 'histogram' };
  labels?: Readonly<Record<string, string>>;
  value: number;
  /**
   * A bound the buckets must have exactly (the latency objective the observation is judged by),
   * besides metrics/' default duration buckets; default: the target's latency threshold.
   */
  boundary?: number;
}

export interface ProbeFailure {
  phase: string;
  reason: FailureReason | LighthouseFailureReason | JourneyFailureReason | BrowserFailureReason;
  /** The journey or flow step that failed (the `step` label of probe_failure_info); other probers: none. */
  step?: string;
  /** Human-readable detail for logs, the index page and debug output. Never contains secrets. */
  message: string;
}

/** One line of the debug trace that `/probe?debug=true` and `vantage probe` print. */
export interface TraceEvent {
  /** Milliseconds since the probe started. */
  atMs: number;
  message: string;
}

export interface ProbeResult {
  success: boolean;
  /** Wall-clock duration of the whole probe in seconds (probe_duration_seconds). */
  durationSeconds: number;
  /** Epoch milliseconds when the probe started. */
  startedAtMs: number;
  failure?: ProbeFailure;
  samples: Sample[];
  /**
   * Increments to cumulative counters (e.g. `lighthouse_runs_total{result}`): metrics/ adds
   * them to the check's running totals, so no run is lost between scrapes.
   */
  counters?: Sample[];
  /** Observations for histogram families, accumulated like `counters`. */
  observations?: Observation[];
  trace: TraceEvent[];
}

/** What the caller hands a prober: the deadline and cancellation travel in `signal`. */
export interface ProbeContext {
  /** Aborted when the module timeout expires or the service shuts down. */
  signal: AbortSignal;
  /** Absolute deadline (performance.now() clock) by which the probe must have returned. */
  deadline: number;
}
