/**
 * A tiny client for Prometheus's HTTP API: instant queries, raw samples of a range selector and
 * range queries.
 * Uses Node's global fetch. Errors say what went wrong in words a report's reader can act on:
 * an unreachable server is "cannot reach Prometheus at URL: <cause>", an HTTP or API error
 * names the query that failed.
 */

/** One element of an instant vector (or a scalar, as one sample with no labels). */
export interface InstantSample {
  metric: Record<string, string>;
  value: number;
  /** ms since the epoch. */
  timestampMs: number;
}

/** A series of (time, value) samples: a range selector's raw samples or a range query's steps. */
export interface RangeSeries {
  metric: Record<string, string>;
  /** Oldest first. */
  samples: { timestampMs: number; value: number }[];
}

export interface PrometheusClient {
  /** Base URL as given, without a trailing slash. */
  readonly url: string;
  /** An instant query evaluated at `timeMs` (ms since the epoch). */
  query(expr: string, timeMs: number): Promise<InstantSample[]>;
  /**
   * The raw samples of a range-vector expression (`metric{...}[1d]`) evaluated at `timeMs`:
   * exactly the scraped values, nothing interpolated.
   */
  rawSamples(expr: string, timeMs: number): Promise<RangeSeries[]>;
  /** A range query: `expr` evaluated at start, start + step, ... up to end (ms). */
  queryRange(expr: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]>;
}

export interface PrometheusClientOptions {
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
}

interface ApiResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

function describeCause(err: unknown): string {
  let e: unknown = err;
  // fetch wraps the socket error: "fetch failed" with the real cause (ECONNREFUSED ...) inside.
  while (e instanceof Error && e.cause !== undefined && e.message === 'fetch failed') e = e.cause;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
  }
  return String(e);
}

export function createPrometheusClient(url: string, options: PrometheusClientOptions = {}): PrometheusClient {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  /** POST to an API path; the `data` of a successful answer, or an error naming the query. */
  async function request(
    path: string,
    params: Record<string, string>,
  ): Promise<{ resultType: string; result: unknown }> {
    const expr = params.query ?? '';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`cannot reach Prometheus at ${base}: ${describeCause(err)}`, { cause: err });
    }
    const text = await res.text();
    let json: ApiResponse | undefined;
    try {
      json = JSON.parse(text) as ApiResponse;
    } catch {
      json = undefined;
    }
    if (!res.ok || json?.status !== 'success') {
      const detail = json?.error
        ? `${json.errorType ?? 'error'}: ${json.error}`
        : text.slice(0, 200).trim() || res.statusText;
      throw new Error(
        `Prometheus at ${base} rejected the query (HTTP ${res.status}, ${detail}); query: ${expr}`,
      );
    }
    const data = json.data;
    if (!data) throw new Error(`Prometheus at ${base} answered without data; query: ${expr}`);
    return data;
  }

  const seconds = (ms: number): string => (ms / 1000).toFixed(3);

  async function query(expr: string, timeMs: number): Promise<InstantSample[]> {
    const data = await request('/api/v1/query', { query: expr, time: seconds(timeMs) });
    if (data.resultType === 'scalar') {
      const [t, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v), timestampMs: t * 1000 }];
    }
    if (data.resultType !== 'vector') {
      throw new Error(
        `Prometheus at ${base} returned a ${data.resultType}, not an instant vector; query: ${expr}`,
      );
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
      metric: s.metric,
      value: Number(s.value[1]),
      timestampMs: s.value[0] * 1000,
    }));
  }

  function matrix(data: { resultType: string; result: unknown }, expr: string): RangeSeries[] {
    if (data.resultType !== 'matrix') {
      throw new Error(
        `Prometheus at ${base} returned a ${data.resultType}, not a range vector; query: ${expr}`,
      );
    }
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((s) => ({
      metric: s.metric,
      // Whole milliseconds: Prometheus timestamps are ms, sent as float seconds.
      samples: s.values.map(([t, v]) => ({ timestampMs: Math.round(t * 1000), value: Number(v) })),
    }));
  }

  async function rawSamples(expr: string, timeMs: number): Promise<RangeSeries[]> {
    return matrix(await request('/api/v1/query', { query: expr, time: seconds(timeMs) }), expr);
  }

  async function queryRange(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<RangeSeries[]> {
    const params = { query: expr, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) };
    return matrix(await request('/api/v1/query_range', params), expr);
  }

  return { url: base, query, rawSamples, queryRange };
}
