/**
 * A tiny client for Prometheus's HTTP API: instant queries, raw samples of a range selector and
 * range queries.
 * Uses Node's global fetch. Errors say what went wrong in words a report's reader can act on:
 * an unreachable server is "cannot reach Prometheus at URL: <cause>", an HTTP or API error
 * names the query that failed.
 *
 * The answer is not trusted: a Prometheus (or whatever answers at its URL) may send an endless
 * body or JSON of the wrong shape. The body is read as a stream and cut off past
 * MAX_RESPONSE_BYTES, and the shape is checked before use, so the report fails with a sentence
 * naming the URL and what was wrong rather than running out of memory or into a TypeError.
 */
import { redactUrl } from '../config/redact.js';
import { formatBytes } from '../format/index.js';

/**
 * Prometheus could not be reached or answered something other than a usable API answer: the
 * fault is upstream, so the HTTP API answers 502 for it (server/reportRoutes.ts). Every error
 * this client throws is one; callers decide by the class, never by the message.
 */
export class PrometheusError extends Error {}

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

/**
 * The largest answer read from Prometheus. The report's biggest queries (raw samples of two
 * evaluation windows per change and target, range queries of 31 days across every target) are
 * about a megabyte for the 20 targets of bench/report-build.ts; this leaves room for fleets a
 * hundred times larger and still stops a runaway body long before memory does.
 */
export const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

export interface PrometheusClientOptions {
  /** Per-request timeout in ms (default 30 000); it covers reading the body too. */
  timeoutMs?: number;
  /** Cap on one answer's body (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

interface ApiData {
  resultType: string;
  result: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a JSON value is, in words, for error messages: `null`, `a list`, `the string "x"`. */
function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${String(v)}`;
}

/** The body as text, or an error once more than `cap` bytes have arrived (the rest is not read). */
async function readCappedText(res: Response, cap: number, tooLarge: () => Error): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream: the connection is dropped, nothing more is buffered.
    if (size > cap) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
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
  // Messages quote the URL: never with its password (report.prometheus_url may carry one).
  const shown = redactUrl(base);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;

  /** POST to an API path; the `data` of a successful answer, or an error naming the query. */
  async function request(path: string, params: Record<string, string>): Promise<ApiData> {
    const expr = params.query ?? '';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PrometheusError(`cannot reach Prometheus at ${shown}: ${describeCause(err)}`, { cause: err });
    }
    const text = await readCappedText(
      res,
      maxBytes,
      () =>
        new PrometheusError(
          `Prometheus at ${shown} answered more than ${formatBytes(maxBytes)}, the most vantage reads for one query; query: ${expr}`,
        ),
    ).catch((err: unknown) => {
      if (err instanceof PrometheusError) throw err;
      throw new PrometheusError(`cannot read the answer of Prometheus at ${shown}: ${describeCause(err)}`, {
        cause: err,
      });
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const answer = isRecord(json) ? json : undefined;
    if (!res.ok || answer?.status === 'error') {
      const detail =
        typeof answer?.error === 'string'
          ? `${typeof answer.errorType === 'string' ? answer.errorType : 'error'}: ${answer.error}`
          : text.slice(0, 200).trim() || res.statusText;
      throw new PrometheusError(
        `Prometheus at ${shown} rejected the query (HTTP ${res.status}, ${detail}); query: ${expr}`,
      );
    }
    // HTTP 200 but not Prometheus' answer: a proxy's page, `null`, or another API.
    if (!answer) {
      const what = json === undefined ? 'a body that is not JSON' : `JSON ${describeJson(json)}`;
      throw new PrometheusError(
        `Prometheus at ${shown} answered ${what}, not an API answer object; query: ${expr}`,
      );
    }
    if (answer.status !== 'success') {
      throw new PrometheusError(
        `Prometheus at ${shown} answered status ${describeJson(answer.status)}, not "success"; query: ${expr}`,
      );
    }
    const data = answer.data;
    if (!isRecord(data))
      throw new PrometheusError(`Prometheus at ${shown} answered without data; query: ${expr}`);
    if (typeof data.resultType !== 'string')
      throw new PrometheusError(`Prometheus at ${shown} answered without a resultType; query: ${expr}`);
    return data as unknown as ApiData;
  }

  /** A malformed element of `result`: the same sentence wherever the shape is wrong. */
  const malformed = (what: string, expr: string) =>
    new PrometheusError(`Prometheus at ${shown} answered a malformed ${what}; query: ${expr}`);

  const isSample = (v: unknown): v is [number, string] =>
    Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

  function labelsOf(series: unknown, what: string, expr: string): Record<string, string> {
    if (!isRecord(series) || !isRecord(series.metric)) throw malformed(what, expr);
    return series.metric as Record<string, string>;
  }

  const seconds = (ms: number): string => (ms / 1000).toFixed(3);

  async function query(expr: string, timeMs: number): Promise<InstantSample[]> {
    const data = await request('/api/v1/query', { query: expr, time: seconds(timeMs) });
    if (data.resultType === 'scalar') {
      if (!isSample(data.result)) throw malformed('scalar', expr);
      const [t, v] = data.result;
      return [{ metric: {}, value: Number(v), timestampMs: t * 1000 }];
    }
    if (data.resultType !== 'vector') {
      throw new PrometheusError(
        `Prometheus at ${shown} returned a ${data.resultType}, not an instant vector; query: ${expr}`,
      );
    }
    if (!Array.isArray(data.result)) throw malformed('vector (result is not a list)', expr);
    return data.result.map((s: unknown) => {
      const metric = labelsOf(s, 'vector element', expr);
      const value = (s as { value?: unknown }).value;
      if (!isSample(value)) throw malformed('vector element', expr);
      return { metric, value: Number(value[1]), timestampMs: value[0] * 1000 };
    });
  }

  function matrix(data: ApiData, expr: string): RangeSeries[] {
    if (data.resultType !== 'matrix') {
      throw new PrometheusError(
        `Prometheus at ${shown} returned a ${data.resultType}, not a range vector; query: ${expr}`,
      );
    }
    if (!Array.isArray(data.result)) throw malformed('range vector (result is not a list)', expr);
    return data.result.map((s: unknown) => {
      const metric = labelsOf(s, 'series', expr);
      const values = (s as { values?: unknown }).values;
      if (!Array.isArray(values) || !values.every(isSample)) throw malformed('series', expr);
      // Whole milliseconds: Prometheus timestamps are ms, sent as float seconds.
      return {
        metric,
        samples: values.map(([t, v]) => ({ timestampMs: Math.round(t * 1000), value: Number(v) })),
      };
    });
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
