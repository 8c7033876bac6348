/**
 * Grafana's template interpolation for Prometheus queries, re-implemented for tests: the variable
 * syntaxes ($var, ${var}, ${var:format}, [[var]]), the Prometheus data source's default escaping,
 * All values, and the built-in $__interval, $__rate_interval, $__range and $__from / $__to with
 * the arithmetic Grafana (10 and 11) uses for them. Pure functions; dashboardQueries.ts applies
 * them to whole dashboards against a real Prometheus.
 */

/** A template variable as it is set for one run of a dashboard. */
export interface VariableValue {
  name: string;
  multi: boolean;
  includeAll: boolean;
  /** The custom All value (`.*`); unset: All means every option. */
  allValue?: string;
  /** Every option the variable offers (without All). */
  options: string[];
  /** The selected values, or 'all' for the All option. */
  selected: string[] | 'all';
}

/** The built-in variables of one query run: $__interval, $__range, ... */
export type Builtins = Record<string, string>;

// Grafana's variable pattern (public/app/features/variables/utils.ts).
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Anything that still looks like a variable reference after interpolation ($1 of label_replace is not). */
export const LEFTOVER_VARIABLE = /\$[A-Za-z_]\w*|\$\{[^}]*\}|\[\[\w+(?::\w+)?\]\]/g;

// The Prometheus data source's escaping (public/app/plugins/datasource/prometheus/datasource.ts).
const promRegularEscape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
const promSpecialRegexEscape = (value: string): string =>
  value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
// kbn.regexEscape, used by the `regex` format.
const regexEscape = (value: string): string => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

function formatValue(variable: VariableValue, format: string | undefined): string {
  const all = variable.selected === 'all';
  // Grafana inserts a custom All value as written, whatever the format (but `text` and `percentencode`).
  if (all && variable.allValue && format !== 'text' && format !== 'percentencode') return variable.allValue;
  const values = all ? variable.options : (variable.selected as string[]);
  const joinRegex = (escape: (v: string) => string): string =>
    values.length === 1 ? escape(values[0]!) : `(${values.map(escape).join('|')})`;
  switch (format) {
    case undefined:
      // Single-value variables without All are inserted as they are (only quotes escaped).
      if (!variable.multi && !variable.includeAll) return promRegularEscape(values.join(','));
      return joinRegex(promSpecialRegexEscape);
    case 'regex':
      return joinRegex(regexEscape);
    case 'pipe':
      return values.join('|');
    case 'csv':
    case 'raw':
      return values.join(',');
    case 'text':
      return all ? 'All' : values.join(' + ');
    case 'glob':
      return values.length === 1 ? values[0]! : `{${values.join(',')}}`;
    case 'json':
      return JSON.stringify(values.length === 1 ? values[0] : values);
    case 'singlequote':
      return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return values.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'sqlstring':
      return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    case 'percentencode':
      return encodeURIComponent(values.length === 1 ? values[0]! : `{${values.join(',')}}`);
    case 'queryparam':
      return all
        ? `var-${variable.name}=$__all`
        : values.map((v) => `var-${variable.name}=${encodeURIComponent(v)}`).join('&');
    default:
      throw new Error(`\${${variable.name}:${format}}: format not supported by this test`);
  }
}

function formatTime(name: string, ms: number, format: string | undefined): string {
  if (format === undefined) return String(ms);
  if (format === 'date' || format === 'date:iso') return new Date(ms).toISOString();
  if (format === 'date:seconds') return String(Math.floor(ms / 1000));
  throw new Error(`\${${name}:${format}}: format not supported by this test`);
}

/**
 * Replaces variables as Grafana's templateSrv.replace does for a Prometheus query; an unknown
 * variable is left as written (as Grafana leaves it), for the caller to report.
 */
export function interpolate(
  text: string,
  variables: ReadonlyMap<string, VariableValue>,
  builtins: Builtins,
  range: { fromMs: number; toMs: number },
): string {
  return text.replace(VARIABLE, (match, v1?: string, v2?: string, f2?: string, v3?: string, ...rest) => {
    const name = (v1 ?? v2 ?? v3)!;
    const format = (f2 ?? (rest[1] as string | undefined)) || undefined;
    if (name === '__from') return formatTime(name, range.fromMs, format);
    if (name === '__to') return formatTime(name, range.toMs, format);
    if (Object.hasOwn(builtins, name)) return builtins[name]!;
    const variable = variables.get(name);
    return variable === undefined ? match : formatValue(variable, format);
  });
}

/** The variable names a text refers to. */
export function referencedVariables(text: string): Set<string> {
  return new Set([...text.matchAll(VARIABLE)].map((m) => (m[1] ?? m[2] ?? m[4])!));
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, y: 31536e6 };

/** Grafana's rangeutil.intervalToMs: "15s", "1m", "500ms", or a bare number of seconds. */
export function intervalToMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)?$/.exec(text.trim());
  if (!m) throw new Error(`not an interval: ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
}

// rangeutil.roundInterval: the "nice" interval nearest to range / resolution.
const ROUNDING: [below: number, to: number][] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1_500, 1_000],
  [3_500, 2_000],
  [7_500, 5_000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [450_000, 300_000],
  [1_050_000, 600_000],
  [1_500_000, 900_000],
  [2_700_000, 1_200_000],
  [5_400_000, 3_600_000],
  [9_000_000, 7_200_000],
  [16_200_000, 10_800_000],
  [32_400_000, 21_600_000],
  [86_400_000, 43_200_000],
  [604_800_000, 86_400_000],
  [1_814_400_000, 604_800_000],
  [3_628_800_000, 2_592_000_000],
];
const roundInterval = (ms: number): number => ROUNDING.find(([below]) => ms < below)?.[1] ?? 31_536_000_000;

/** rangeutil.secondsToHms: the largest whole unit only, as Grafana writes $__interval. */
function secondsToHms(seconds: number): string {
  const units: [number, string][] = [
    [31_536_000, 'y'],
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let rest = seconds;
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) return `${n}${unit}`;
    rest %= size;
  }
  return `${Math.floor(seconds * 1000)}ms`;
}

export interface IntervalInputs {
  fromMs: number;
  toMs: number;
  /** The data source's scrape interval (jsonData.timeInterval; Grafana's default 15s). */
  scrapeInterval: string;
  /** Panel "Min interval" (panel.interval), if set. */
  panelInterval?: string;
  /** Query "Min step" (target.interval), if set. */
  queryInterval?: string;
  /** panel.maxDataPoints; Grafana uses the panel's width in pixels when unset. */
  maxDataPoints?: number;
  intervalFactor?: number;
}

/**
 * The step and the built-in variables of one Prometheus query, as the panel query runner
 * (calculateInterval) and the Prometheus data source (adjustInterval, $__rate_interval) compute them.
 */
export function queryTiming(input: IntervalInputs): { stepSeconds: number; builtins: Builtins } {
  const rangeMs = input.toMs - input.fromMs;
  const resolution = input.maxDataPoints ?? 1_000; // a full-width panel
  const lowLimitMs = intervalToMs(input.panelInterval ?? input.scrapeInterval);
  const intervalMs = Math.max(roundInterval(rangeMs / resolution), lowLimitMs);
  let intervalText = secondsToHms(intervalMs / 1000);
  const minIntervalS =
    intervalToMs(input.queryInterval ?? input.panelInterval ?? input.scrapeInterval) / 1000;
  const scrapeS = intervalToMs(input.queryInterval ?? input.scrapeInterval) / 1000;
  const adjusted = Math.max(
    (intervalMs / 1000) * (input.intervalFactor ?? 1),
    minIntervalS,
    rangeMs / 1000 / 11_000,
  );
  if (adjusted !== intervalMs / 1000) intervalText = `${adjusted}s`;
  const rate = Math.max(adjusted + scrapeS, 4 * scrapeS);
  const rangeS = Math.round(rangeMs / 1000);
  return {
    stepSeconds: adjusted,
    builtins: {
      __interval: intervalText,
      __interval_ms: String(Math.round(adjusted * 1000)),
      __rate_interval: `${rate}s`,
      __rate_interval_ms: String(rate * 1000),
      __range: `${rangeS}s`,
      __range_s: String(rangeS),
      __range_ms: String(rangeMs),
    },
  };
}

/** Grafana's stringToJsRegex: "/re/flags", or a plain string matched whole. */
export function variableRegex(text: string): RegExp {
  if (!text.startsWith('/')) return new RegExp(`^${text}$`);
  const end = text.lastIndexOf('/');
  return new RegExp(text.slice(1, end), text.slice(end + 1));
}

/** A variable's `regex` applied to its values, as metricNamesToVariableValues does. */
export function applyVariableRegex(values: string[], regex: string | undefined): string[] {
  if (!regex) return [...new Set(values)];
  const re = variableRegex(regex);
  const out: string[] = [];
  for (const value of values) {
    re.lastIndex = 0;
    const m = re.exec(value);
    if (!m) continue;
    out.push(m.groups?.value ?? m.groups?.text ?? (m.length > 1 ? (m[1] ?? '') : value));
  }
  return [...new Set(out)];
}

/** A custom variable's query: "a, b, c" or "text : value" pairs; `\,` escapes a comma. */
export function customOptions(query: string): string[] {
  return (query.match(/(?:\\,|[^,])+/g) ?? []).map((part) => {
    const text = part.replace(/\\,/g, ',').trim();
    const pair = /^\s*(.+)\s:\s(.+)$/.exec(text);
    return pair ? pair[2]!.trim() : text;
  });
}
