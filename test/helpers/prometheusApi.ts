/**
 * The few Prometheus HTTP API calls Grafana makes for dashboards (instant and range queries,
 * label values for template variables, series), the Prometheus data source's variable query
 * functions (label_values, label_names, metrics, query_result), and which metric names anything
 * produces: for dashboardQueries.ts.
 */

/** An instant query (at the end of the range) or a range query. */
export type QueryMode = 'instant' | 'range';

/** The outcome of one Prometheus API call. */
export type ApiOutcome = { ok: true; series: number; allNaN: boolean } | { ok: false; error: string };

/** The few Prometheus API calls Grafana makes for dashboards. */
export class PromApi {
  constructor(readonly url: string) {}

  private async call(path: string, params: Record<string, string | string[]>): Promise<unknown> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) body.append(k, x);
    // Queries go as POST forms (long expressions); /label/.../values and /rules answer GET only.
    const res = ['query', 'query_range', 'series'].includes(path)
      ? await fetch(`${this.url}/api/v1/${path}`, { method: 'POST', body })
      : await fetch(`${this.url}/api/v1/${path}?${body}`);
    const json = (await res.json().catch(() => ({ status: 'error', error: `HTTP ${res.status}` }))) as {
      status: string;
      data?: unknown;
      error?: string;
    };
    if (json.status !== 'success') throw new Error(json.error ?? `HTTP ${res.status}`);
    return json.data;
  }

  /** An instant query at `time` or a range query over [start, end] (seconds), summarised. */
  async run(
    expr: string,
    mode: QueryMode,
    time: { start: number; end: number; step: number },
  ): Promise<ApiOutcome> {
    try {
      const params: Record<string, string> =
        mode === 'instant'
          ? { query: expr, time: String(time.end) }
          : { query: expr, start: String(time.start), end: String(time.end), step: String(time.step) };
      const data = (await this.call(mode === 'instant' ? 'query' : 'query_range', params)) as {
        resultType: string;
        result: { value?: [number, string]; values?: [number, string][] }[] | [number, string];
      };
      if (data.resultType === 'scalar' || data.resultType === 'string')
        return { ok: true, series: 1, allNaN: false };
      const series = data.result as { value?: [number, string]; values?: [number, string][] }[];
      const values = series.flatMap((s) => (s.value ? [s.value] : (s.values ?? [])));
      return {
        ok: true,
        series: series.length,
        allNaN: values.length > 0 && values.every((v) => v[1] === 'NaN'),
      };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  labelValues(label: string, match: string | undefined, start: number, end: number): Promise<string[]> {
    const params = { start: String(start), end: String(end), ...(match ? { 'match[]': match } : {}) };
    return this.call(`label/${encodeURIComponent(label)}/values`, params) as Promise<string[]>;
  }

  labelNames(match: string | undefined, start: number, end: number): Promise<string[]> {
    return this.call('labels', {
      start: String(start),
      end: String(end),
      ...(match ? { 'match[]': match } : {}),
    }) as Promise<string[]>;
  }

  async recordingRuleNames(): Promise<string[]> {
    const data = (await this.call('rules', { type: 'record' })) as {
      groups: { rules: { name: string }[] }[];
    };
    return data.groups.flatMap((g) => g.rules.map((r) => r.name));
  }

  async instantSeries(expr: string, time: number): Promise<string[]> {
    const data = (await this.call('query', { query: expr, time: String(time) })) as {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[] | [number, string];
    };
    if (data.resultType !== 'vector') return [String((data.result as [number, string])[1])];
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => {
      const { __name__: name = '', ...labels } = s.metric;
      const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      return `${name}{${text.join(',')}} ${s.value[1]} ${s.value[0] * 1000}`;
    });
  }

  async series(match: string, start: number, end: number): Promise<string[]> {
    const data = (await this.call('series', {
      'match[]': match,
      start: String(start),
      end: String(end),
    })) as Record<string, string>[];
    return data.map(
      ({ __name__: name = '', ...labels }) =>
        `${name}{${Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',')}}`,
    );
  }
}

/** Values of a Prometheus query variable, as the data source's metricFindQuery gets them. */
export async function metricFindQuery(
  api: PromApi,
  query: string,
  start: number,
  end: number,
): Promise<string[]> {
  const q = query.trim();
  let m: RegExpExecArray | null;
  if (/^label_names\(\)$/.test(q)) return api.labelNames(undefined, start, end);
  if ((m = /^label_names\((.+)\)$/s.exec(q))) return api.labelNames(m[1], start, end);
  if ((m = /^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)$/s.exec(q))) {
    return api.labelValues(m[2]!, m[1], start, end);
  }
  if ((m = /^metrics\((.+)\)$/s.exec(q))) {
    const re = new RegExp(m[1]!);
    return (await api.labelValues('__name__', undefined, start, end)).filter((n) => re.test(n));
  }
  if ((m = /^query_result\((.+)\)$/s.exec(q))) return api.instantSeries(m[1]!, end);
  return api.series(q, start, end);
}

const PROMQL_WORDS = new Set([
  ...['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool'],
  ...['and', 'or', 'unless', 'atan2', 'inf', 'nan', 'start', 'end'],
]);

/**
 * The metric names an (interpolated) PromQL expression selects: not a parser, enough to ask
 * "does anything produce this name?". Strings, matchers, ranges and label lists are dropped
 * first; what is left and is not a function call, keyword or number names a metric.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/@\s*[\d.]+/g, ' ');
  const names = [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !PROMQL_WORDS.has(n.toLowerCase())))];
}

/**
 * Every metric name something produces: series Prometheus has stored, the names its recording
 * rules write, ALERTS, and every family vantage exposes on `metricsText` (with its
 * _total/_bucket/_sum/_count series), even one that has no series yet.
 */
export async function knownMetricNames(api: PromApi, metricsText: string, start: number, end: number) {
  const known = new Set(['ALERTS', 'ALERTS_FOR_STATE']);
  for (const name of await api.labelValues('__name__', undefined, start, end)) known.add(name);
  for (const name of await api.recordingRuleNames()) known.add(name);
  for (const m of metricsText.matchAll(/^# TYPE (\S+) (\w+)/gm)) {
    const suffixes: Record<string, string[]> = {
      counter: ['', '_total'],
      histogram: ['_bucket', '_sum', '_count'],
      summary: ['', '_sum', '_count'],
    };
    for (const suffix of suffixes[m[2]!] ?? ['']) known.add(m[1]! + suffix);
  }
  return known;
}
