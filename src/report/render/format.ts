/**
 * Formatting shared by the report renderers (Markdown, HTML, chat summary): one place decides
 * how a duration, a ratio or a change reads, so the three formats never disagree. Pure; time
 * zones through Intl (zonedTime.ts). Absent figures read "—", never "0": a missing number
 * and a zero mean different things to whoever acts on the report.
 */
import { localFields } from '../../time/zone.js';
import type { ReportIncident, TrendWarning } from '../model.js';
import type { ComparedFigure, ComparedMonitoring } from '../monitoring.js';
import type { PercentileSource } from '../percentiles.js';
import type { BeforeAfterComparison } from '../stats/compare.js';

/** U+2212: a hyphen-minus reads as a dash in prose and is narrower than "+" in tables. */
export const MINUS = '\u2212';
/** What an absent figure reads as. */
export const NO_DATA = '—';
/** Narrow no-break space would be typographically nicer, but plain spaces survive every chat client. */
const SP = ' ';

/** Null, undefined, NaN and ±Infinity all mean "no figure". */
function usable(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/**
 * `value` with `digits` decimals and a real minus sign. A value that rounds to zero loses its
 * sign, so no "−0.0" appears.
 */
export function formatNumber(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  const isZero = Number(text) === 0;
  return value < 0 && !isZero ? `${MINUS}${text}` : text;
}

/** Like formatNumber, with "+" on positive values: for changes, where the sign is the news. */
export function formatSigned(value: number, digits: number): string {
  const text = formatNumber(value, digits);
  return value > 0 && Number(Math.abs(value).toFixed(digits)) !== 0 ? `+${text}` : text;
}

/**
 * Seconds the way people read latencies: "812 ms" below a second, "1.24 s" up to ten, then
 * "12.3 s". Below 10 ms one decimal ("4.2 ms"), since fast local checks live there.
 */
export function formatSeconds(seconds: number | null | undefined): string {
  if (!usable(seconds)) return NO_DATA;
  const sign = seconds < 0 ? MINUS : '';
  const s = Math.abs(seconds);
  const ms = s * 1000;
  // 0.9996 s would round to "1000 ms": switch units on the rounded value, not the raw one.
  if (Math.round(ms) < 1000) {
    if (ms < 9.95) return `${sign}${formatNumber(ms, 1)}${SP}ms`;
    return `${sign}${Math.round(ms)}${SP}ms`;
  }
  if (s < 9.995) return `${sign}${s.toFixed(2)}${SP}s`;
  if (s < 99.95) return `${sign}${s.toFixed(1)}${SP}s`;
  return `${sign}${Math.round(s)}${SP}s`;
}

/**
 * A 0..1 ratio as a percentage with two decimals: 0.9995 → "99.95 %". An uptime with any
 * failure must not read "100.00 %", nor an error rate with failures "0.00 %", so values that
 * round onto the bounds read ">99.99 %" / "<0.01 %".
 */
export function formatRatio(ratio: number | null | undefined, digits = 2): string {
  if (!usable(ratio)) return NO_DATA;
  const percent = ratio * 100;
  const smallest = 10 ** -digits;
  const text = percent.toFixed(digits);
  if (ratio < 1 && ratio > 0 && Number(text) >= 100) return `>${(100 - smallest).toFixed(digits)}${SP}%`;
  if (ratio > 0 && ratio < 1 && Number(text) <= 0) return `<${smallest.toFixed(digits)}${SP}%`;
  return `${formatNumber(percent, digits)}${SP}%`;
}

/** A change given as a percentage (ComparedFigure.vsPrevious for amounts): −12.34 → "−12.3 %". */
export function formatPercentChange(percent: number | null | undefined): string {
  if (!usable(percent)) return NO_DATA;
  return `${formatSigned(percent, 1)}${SP}%`;
}

/** A change given as a ratio (BeforeAfterComparison.changeRatio): −0.1234 → "−12.3 %". */
export function formatChangeRatio(ratio: number | null | undefined): string {
  return usable(ratio) ? formatPercentChange(ratio * 100) : NO_DATA;
}

/** A difference of two ratios in percentage points: 0.05 → "+0.05 pp". */
export function formatPercentagePoints(points: number | null | undefined): string {
  if (!usable(points)) return NO_DATA;
  return `${formatSigned(points, 2)}${SP}pp`;
}

/** The change column of a compared figure, in the unit monitoring.ts computed it in. */
export function formatFigureChange(change: number | null, unit: ComparedFigure['unit']): string {
  return unit === 'percent' ? formatPercentChange(change) : formatPercentagePoints(change);
}

/** Bytes in binary units, as Lighthouse and browsers count transfer sizes: "340 KiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (!usable(bytes)) return NO_DATA;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal only while it carries information ("1.5 KiB"); "340.2 KiB" is false precision.
  const digits = unit === 0 || value >= 9.95 ? 0 : 1;
  return `${bytes < 0 ? MINUS : ''}${value.toFixed(digits)}${SP}${units[unit]}`;
}

/**
 * A duration for people: "45 s", "12 min", "1 h 32 min", "2 d 3 h". Two units at most: the
 * third is noise when an incident lasted hours.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!usable(seconds)) return NO_DATA;
  const total = Math.round(Math.abs(seconds));
  const sign = seconds < 0 && total > 0 ? MINUS : '';
  if (total < 60) return `${sign}${total}${SP}s`;
  const minutes = Math.round(total / 60);
  if (minutes < 60) return `${sign}${minutes}${SP}min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest === 0 ? `${sign}${hours}${SP}h` : `${sign}${hours}${SP}h ${rest}${SP}min`;
  }
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours === 0 ? `${sign}${days}${SP}d` : `${sign}${days}${SP}d ${restHours}${SP}h`;
}

/** "UTC" for the UTC aliases, the IANA name otherwise: readers know "UTC", not "Etc/GMT". */
export function zoneLabel(zone: string): string {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' ? 'UTC' : zone;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** "2025-01-14" in `zone`. */
export function formatDate(ms: number, zone: string): string {
  const f = localFields(zone, ms);
  return `${f.year}-${two(f.month)}-${two(f.day)}`;
}

/** "2025-01-14 02:00" in `zone`, without the zone (for lists that name it once). */
export function formatLocalTime(ms: number, zone: string): string {
  if (!Number.isFinite(ms)) return NO_DATA;
  const f = localFields(zone, ms);
  return `${f.year}-${two(f.month)}-${two(f.day)} ${two(f.hour)}:${two(f.minute)}`;
}

/** "2025-01-14 02:00 Europe/Berlin": an instant people in the report's zone can place. */
export function formatTimestamp(ms: number | null | undefined, zone: string): string {
  if (!usable(ms)) return NO_DATA;
  return `${formatLocalTime(ms, zone)} ${zoneLabel(zone)}`;
}

/** "2025-01-14 00:00 – 2025-01-15 00:00 Europe/Berlin" (the end is exclusive, as in the model). */
export function formatInterval(start: number, end: number, zone: string): string {
  return `${formatLocalTime(start, zone)} – ${formatLocalTime(end, zone)} ${zoneLabel(zone)}`;
}

/**
 * What every format says for a period without probes, in one wording: "No data: Prometheus
 * holds no vantage probes between 2025-01-14 00:00 and 2025-01-15 00:00 Europe/Berlin."
 */
export function noDataSentence(r: { period: { start: number; end: number; timeZone: string } }): string {
  const { start, end, timeZone } = r.period;
  return (
    `No data: Prometheus holds no vantage probes between ${formatLocalTime(start, timeZone)} ` +
    `and ${formatTimestamp(end, timeZone)}.`
  );
}

/** "p < 0.001" below what three decimals can show, "p = 0.023" otherwise. */
export function formatPValue(p: number | null | undefined): string {
  if (!usable(p)) return NO_DATA;
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p.toFixed(3)}`;
}

/** A count and its noun: "1 module", "3 modules", "0 checks". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A Lighthouse score (0..1) on the 0..100 scale Lighthouse itself shows. */
export function formatScore(score: number | null | undefined): string {
  return usable(score) ? String(Math.round(score * 100)) : NO_DATA;
}

/** Cumulative layout shift: unitless, three decimals as Lighthouse prints it. */
export function formatUnitless(value: number | null | undefined): string {
  return usable(value) ? formatNumber(value, 3) : NO_DATA;
}

/**
 * A count with thousands separators. When the counts were extrapolated (counter reset, see
 * monitoring.ts) they are not integers: they read "≈ 8,640" rather than pretending exactness.
 */
export function formatCount(count: number | null | undefined): string {
  if (!usable(count)) return NO_DATA;
  const rounded = Math.round(count);
  const text = new Intl.NumberFormat('en-US').format(Math.abs(rounded));
  const signed = rounded < 0 ? `${MINUS}${text}` : text;
  return rounded === count ? signed : `≈${SP}${signed}`;
}

export type ValueUnit = 'seconds' | 'ratio' | 'score' | 'unitless';

/** A value in one of the model's units. */
export function formatValue(value: number | null | undefined, unit: ValueUnit): string {
  switch (unit) {
    case 'seconds':
      return formatSeconds(value);
    case 'ratio':
      return formatRatio(value);
    case 'score':
      return formatScore(value);
    case 'unitless':
      return formatUnitless(value);
  }
}

/** Cliff's delta with its magnitude: "δ = −0.93 (large)". */
export function formatEffect(
  c: Pick<BeforeAfterComparison, 'effectSize' | 'effectMagnitude' | 'n1' | 'n2'>,
): string {
  if (c.n1 === 0 || c.n2 === 0 || !Number.isFinite(c.effectSize)) return NO_DATA;
  return `δ = ${formatSigned(c.effectSize, 2)} (${c.effectMagnitude})`;
}

/**
 * The verdict of one metric. "Significant but negligible" is said outright: with thousands
 * of probes a tiny shift passes the test, and the reader should see why it is not news.
 */
export function formatMetricVerdict(c: Pick<BeforeAfterComparison, 'verdict' | 'significant'>): string {
  if (c.verdict === 'no significant change' && c.significant)
    return 'no significant change (significant but negligible)';
  return c.verdict;
}

/** "≈ 1.20 s, 340 KiB": a Lighthouse opportunity's estimated saving, or "—" without one. */
export function formatSavings(seconds: number | null, bytes: number | null): string {
  const parts: string[] = [];
  if (usable(seconds) && seconds > 0) parts.push(formatSeconds(seconds));
  if (usable(bytes) && bytes > 0) parts.push(formatBytes(bytes));
  return parts.length === 0 ? NO_DATA : `≈${SP}${parts.join(', ')}`;
}

/** Whether the figure going up is good news, bad news, or neither (probe counts). */
export type Direction = 'higher' | 'lower' | null;
/** How a change reads for the renderers' colouring: never by colour alone, the sign is printed too. */
export type Tone = 'good' | 'bad' | 'neutral';

export function changeTone(change: number | null, better: Direction): Tone {
  if (!usable(change) || better === null || change === 0) return 'neutral';
  return change > 0 === (better === 'higher') ? 'good' : 'bad';
}

/** One row of a Monitoring table, already formatted, so Markdown and HTML print the same text. */
export interface FigureRow {
  label: string;
  current: string;
  previous: string;
  vsPrevious: string;
  vsPreviousTone: Tone;
  weekEarlier: string;
  vsWeekEarlier: string;
  vsWeekEarlierTone: Tone;
  /** For the uptime row: whether it meets the objective (✓/✗), else null. */
  meetsObjective: boolean | null;
}

/**
 * Where a percentile came from, for its row label: "1,440 raw samples", "buckets, within
 * ±2.1 %", "buckets: between 25 ms and 50 ms". Raw samples are the probes' own durations;
 * buckets can be far off, so their bounds are given (the true value lies between them).
 */
export function percentileSourceText(source: PercentileSource): string {
  if (source.kind === 'raw-samples') return `${formatCount(source.samples)} raw samples`;
  const ratio = source.maxErrorRatio;
  if (ratio !== null && ratio <= 0.05) return `buckets, within ±${formatNumber(ratio * 100, 1)}${SP}%`;
  const lower = source.bucketLowerSeconds ?? 0;
  const upper = source.bucketUpperSeconds;
  if (upper === null) return `buckets: above ${formatSeconds(lower)}`;
  return `buckets: between ${lower === 0 ? '0' : formatSeconds(lower)} and ${formatSeconds(upper)}`;
}

/**
 * The p95 row's note: the current period's source, and the compared periods' where they differ
 * in kind (a previous period too large for raw samples, say).
 */
function percentileNote(m: ComparedMonitoring): string | null {
  const { current, previous, weekEarlier } = m.p95Source;
  const parts: string[] = [];
  if (current) parts.push(`from ${percentileSourceText(current)}`);
  for (const [name, other] of [
    ['previous', previous],
    ['week earlier', weekEarlier],
  ] as const) {
    if (other && other.kind !== current?.kind) parts.push(`${name} from ${percentileSourceText(other)}`);
  }
  return parts.length === 0 ? null : parts.join('; ');
}

interface FigureSpec {
  label: string;
  /** Said after the label in parentheses, where there is something to say (a percentile's source). */
  note?: (m: ComparedMonitoring) => string | null;
  pick: (m: ComparedMonitoring) => ComparedFigure;
  format: (value: number | null) => string;
  better: Direction;
  lighthouse: boolean;
  /** Hidden, even for an audited target, when no period has a value. */
  onlyWithData?: boolean;
}

const FIGURES: readonly FigureSpec[] = [
  { label: 'Uptime', pick: (m) => m.uptime, format: formatRatio, better: 'higher', lighthouse: false },
  { label: 'Probes', pick: (m) => m.probes, format: formatCount, better: null, lighthouse: false },
  { label: 'Failures', pick: (m) => m.failures, format: formatCount, better: 'lower', lighthouse: false },
  { label: 'Error rate', pick: (m) => m.errorRate, format: formatRatio, better: 'lower', lighthouse: false },
  {
    label: 'Mean response time',
    pick: (m) => m.meanResponseSeconds,
    format: formatSeconds,
    better: 'lower',
    lighthouse: false,
  },
  {
    label: 'p95 response time',
    note: percentileNote,
    pick: (m) => m.p95ResponseSeconds,
    format: formatSeconds,
    better: 'lower',
    lighthouse: false,
  },
  {
    label: 'Time to first byte',
    pick: (m) => m.ttfbSeconds,
    format: formatSeconds,
    better: 'lower',
    lighthouse: false,
  },
  {
    label: 'Lighthouse performance',
    pick: (m) => m.lighthousePerformance,
    format: formatScore,
    better: 'higher',
    lighthouse: true,
  },
  // Categories an audit may leave out (lighthouse.categories): shown only where audited.
  ...(
    [
      ['Lighthouse accessibility', (m) => m.lighthouseAccessibility],
      ['Lighthouse best practices', (m) => m.lighthouseBestPractices],
      ['Lighthouse SEO', (m) => m.lighthouseSeo],
    ] satisfies [string, FigureSpec['pick']][]
  ).map(([label, pick]): FigureSpec => ({
    label,
    pick,
    format: formatScore,
    better: 'higher',
    lighthouse: true,
    onlyWithData: true,
  })),
  {
    label: 'Largest contentful paint',
    pick: (m) => m.lcpSeconds,
    format: formatSeconds,
    better: 'lower',
    lighthouse: true,
  },
  {
    label: 'Cumulative layout shift',
    pick: (m) => m.cls,
    format: formatUnitless,
    better: 'lower',
    lighthouse: true,
  },
  {
    label: 'Total blocking time',
    pick: (m) => m.tbtSeconds,
    format: formatSeconds,
    better: 'lower',
    lighthouse: true,
  },
];

function hasAnyValue(f: ComparedFigure): boolean {
  return usable(f.current) || usable(f.previous) || usable(f.weekEarlier);
}

/** Whether a target has Lighthouse figures in any of the three periods. */
export function hasLighthouse(m: ComparedMonitoring): boolean {
  return FIGURES.some((spec) => spec.lighthouse && hasAnyValue(spec.pick(m)));
}

/**
 * The Monitoring rows of one target (or the overall figures). Lighthouse rows only where some
 * period has Lighthouse data: a target without audits would otherwise show four rows of "—"
 * that say nothing.
 */
export function figureRows(m: ComparedMonitoring): FigureRow[] {
  const lighthouse = hasLighthouse(m);
  const shown = (spec: FigureSpec) =>
    !spec.lighthouse || (lighthouse && (!spec.onlyWithData || hasAnyValue(spec.pick(m))));
  return FIGURES.filter(shown).map((spec) => {
    const f = spec.pick(m);
    const isUptime = spec.label === 'Uptime';
    const note = spec.note?.(m);
    return {
      label:
        isUptime && usable(m.objective)
          ? `Uptime (objective ${formatRatio(m.objective)})`
          : note
            ? `${spec.label} (${note})`
            : spec.label,
      current: spec.format(f.current),
      previous: spec.format(f.previous),
      vsPrevious: formatFigureChange(f.vsPrevious, f.unit),
      vsPreviousTone: changeTone(f.vsPrevious, spec.better),
      weekEarlier: spec.format(f.weekEarlier),
      vsWeekEarlier: formatFigureChange(f.vsWeekEarlier, f.unit),
      vsWeekEarlierTone: changeTone(f.vsWeekEarlier, spec.better),
      meetsObjective: isUptime && usable(f.current) ? m.meetsObjective : null,
    };
  });
}

/** "✓" / "✗" after an uptime, "" when the objective or the uptime is unknown. */
export function objectiveMark(meets: boolean | null): string {
  if (meets === null) return '';
  return meets ? '✓' : '✗';
}

/** "2025-01-14 23:00:11 Europe/Berlin": an incident's times, to the second a probe saw them. */
export function formatIncidentTime(ms: number | null, zone: string): string {
  if (!usable(ms)) return NO_DATA;
  // Zone offsets are whole minutes since 1970, so the second is the UTC one.
  return `${formatLocalTime(ms, zone)}:${two(new Date(ms).getUTCSeconds())} ${zoneLabel(zone)}`;
}

/** The incident table's columns, in every format. */
export const INCIDENT_COLUMNS = [
  'Alert',
  'Target',
  'Severity',
  'Started',
  'Ended',
  'Duration',
  'Times from',
  'Alert fired – resolved',
  'Status',
  'Summary',
] as const;

/** Said under the incident table: which times the Started, Ended and Duration columns are. */
export const INCIDENT_TIMES_NOTE =
  "Started, Ended and Duration are the outage as vantage's probes saw it (first failed probe to " +
  'first successful probe) where "Times from" says probes, and the alert\'s own times where no ' +
  "probe outage is known; the alert's times are beside them.";

/** The outage's end for the table: its time, or how long it has lasted while still open. */
export function incidentEnd(i: ReportIncident, zone: string): string {
  return i.endsAt === null
    ? i.timesFrom === 'probes'
      ? 'still failing'
      : 'firing'
    : formatIncidentTime(i.endsAt, zone);
}

/** "1 h 32 min", or "1 h 32 min so far" while still open. */
export function incidentDuration(i: ReportIncident): string {
  return i.endsAt === null
    ? `${formatDuration(i.durationSeconds)} so far`
    : formatDuration(i.durationSeconds);
}

/** The alert's times beside the outage's: "2025-01-14 23:01:30 Europe/Berlin – 23:02:00 ...". */
export function incidentAlertTimes(i: ReportIncident, zone: string): string {
  const end = i.alertEndsAt === null ? 'firing' : formatIncidentTime(i.alertEndsAt, zone);
  return `${formatIncidentTime(i.alertStartsAt, zone)} – ${end}`;
}

/** What happened to an incident within the period, in words. */
export function incidentStatus(i: ReportIncident): string {
  if (i.openedInPeriod && i.resolvedInPeriod) return 'opened and resolved';
  if (i.openedInPeriod) return i.openAtEnd ? 'opened, still firing' : 'opened';
  if (i.resolvedInPeriod) return 'resolved';
  return i.openAtEnd ? 'still firing' : 'open in the period';
}

/**
 * What a trend's sentence leaves out (the sentence already gives the value and the rate):
 * where the threshold comes from and when it is crossed, to the hour.
 */
export function trendDetail(t: TrendWarning, zone: string): string {
  const when =
    t.status === 'already-crossed'
      ? 'already past it'
      : t.crossesAt !== null
        ? `crossing around ${formatTimestamp(t.crossesAt, zone)}`
        : 'crossing soon';
  return `threshold ${formatValue(t.threshold, t.unit)} from ${t.thresholdSource}; ${when}`;
}
