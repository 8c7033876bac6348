/**
 * Synthetic series of any name, each a function of time, as OpenMetrics for backfill.ts: what a
 * Prometheus would hold after scraping (counters, gauges) and evaluating recording rules, without
 * running them. Used for the capacity series (the recording rules' names of issue 18's contract),
 * field page views and a web server's request counter with known rates.
 *
 *   const history = syntheticSeries({
 *     startMs, endMs, scrapeIntervalSeconds: 120,
 *     series: [{ name: 'instance:node_cpu_utilisation:rate5m', type: 'gauge',
 *                labels: { instance: 'web-1:9100', job: 'node' }, value: (t) => 0.4 }],
 *   });
 *   await startBackfilledPrometheus(history);
 *
 * A value function returning NaN leaves the series out of that scrape (absent, not NaN);
 * Infinity is written as +Inf. Series of one name share one family (`# TYPE` once).
 */
import type { SyntheticHistory } from './syntheticHistory.js';

export interface SeriesSpec {
  name: string;
  type: 'gauge' | 'counter';
  labels: Record<string, string>;
  /** The value at scrape instant t (ms); NaN: absent at that scrape. */
  value: (t: number) => number;
}

export interface SeriesOptions {
  startMs: number;
  endMs: number;
  scrapeIntervalSeconds: number;
  series: SeriesSpec[];
}

const labelText = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',')}}`;

/** The family name OpenMetrics wants: a counter's without `_total`. */
const familyOf = (s: SeriesSpec): string => (s.type === 'counter' ? s.name.replace(/_total$/, '') : s.name);

function valueText(v: number): string {
  return v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

/** A SyntheticHistory (the part backfill.ts reads: scrapes and openMetrics) of `options.series`. */
export function syntheticSeries(options: SeriesOptions): SyntheticHistory {
  const stepMs = options.scrapeIntervalSeconds * 1000;
  if (options.startMs % stepMs !== 0) throw new Error('startMs must be a multiple of the scrape interval');
  const scrapes: number[] = [];
  for (let t = options.startMs; t <= options.endMs; t += stepMs) scrapes.push(t);
  const families = new Map<string, SeriesSpec[]>();
  for (const s of options.series) {
    const name = familyOf(s);
    families.set(name, [...(families.get(name) ?? []), s]);
  }
  return {
    // backfill.ts reads only scrapes and openMetrics; the rest of the probe history's shape is empty.
    options: {} as SyntheticHistory['options'],
    scrapes,
    truth: () => {
      throw new Error('synthetic series have no probe truth');
    },
    seriesCount: options.series.length,
    openMetrics(fromMs = -Infinity, toMs = Infinity) {
      const out: string[] = [];
      const inside = scrapes.filter((t) => t >= fromMs && t < toMs);
      for (const [name, series] of families) {
        out.push(`# HELP ${name} Synthetic.\n# TYPE ${name} ${series[0]!.type}\n`);
        for (const s of series) {
          const prefix = `${s.name}${labelText(s.labels)} `;
          for (const t of inside) {
            const v = s.value(t);
            if (!Number.isNaN(v)) out.push(`${prefix}${valueText(v)} ${t / 1000}\n`);
          }
        }
      }
      out.push('# EOF\n');
      return out.join('');
    },
  };
}
