/**
 * Just enough of the Prometheus text format to read figures back out of a /metrics scrape:
 * sample lines split into name, labels and value. Not a validator (promtool is the validator).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const m of text.matchAll(LABEL_PAIR)) labels[m[1]!] = m[2]!;
  return labels;
}

/** Sample lines whose metric name is in `names` (parsing 100k lines is cheap, but only what is asked). */
export function samplesOf(exposition: string, names: ReadonlySet<string>): Sample[] {
  const out: Sample[] = [];
  for (const line of exposition.split('\n')) {
    const m = SAMPLE_LINE.exec(line);
    if (!m || !names.has(m[1]!)) continue;
    out.push({ name: m[1]!, labels: parseLabels(m[2]), value: Number(m[3]) });
  }
  return out;
}

/** Number of samples (series) in a scrape: every non-empty line that is not a comment. */
export function seriesCount(exposition: string): number {
  let n = 0;
  for (const line of exposition.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}

/** The value of an unlabelled gauge such as vantage_scheduler_lag_seconds, or NaN if absent. */
export function singleValue(exposition: string, name: string): number {
  return samplesOf(exposition, new Set([name]))[0]?.value ?? NaN;
}
