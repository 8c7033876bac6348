/**
 * A tiny client for Prometheus's HTTP API: instant queries at a given instant, nothing else.
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

export interface PrometheusClient {
  /** Base URL as given, without a trailing slash. */
  readonly url: string;
  /** An instant query evaluated at `timeMs` (ms since the epoch). */
  query(expr: string, timeMs: number): Promise<InstantSample[]>;
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

  async function query(expr: string, timeMs: number): Promise<InstantSample[]> {
    const body = new URLSearchParams({ query: expr, time: (timeMs / 1000).toFixed(3) });
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/query`, {
        method: 'POST',
        body,
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

  return { url: base, query };
}
