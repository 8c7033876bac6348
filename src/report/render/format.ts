/**
 * What the report renderers (Markdown, HTML, chat summary) share beyond single figures: the
 * Monitoring rows, the incident columns, times in the report's zone, a change's effect and
 * verdict. Figures themselves (durations, percentages, bytes, p-values, counts) are
 * src/format/'s, as everywhere else, so the three formats never disagree. Pure; time zones
 * through src/time/. Absent figures read "—", never "0": a missing number and a zero
 * mean different things to whoever acts on the report.
 */
import {
  NO_DATA,
  SP,
  formatBytes,
  formatCount,
  formatDuration,
  formatNumber,
  formatPercentagePoints,
  formatPercentChange,
  formatRatio,
  formatScore,
  formatSeconds,
  formatSigned,
  formatUnitless,
  formatValue,
  usable,
} from '../../format/index.js';
import { localFields } from '../../time/zone.js';
import { GOOD_CLS, GOOD_INP_SECONDS, type StepVital } from '../flowVitals.js';
import type { JourneyFigures } from '../journeys.js';
import type { OpenProblem, ReportIncident, TrendWarning } from '../model.js';
import type { ComparedFigure, ComparedMonitoring } from '../monitoring.js';
import type { PercentileSource } from '../percentiles.js';
import type { BeforeAfterComparison } from '../../stats/compare.js';

/** The change column of a compared figure, in the unit monitoring.ts computed it in. */
export function formatFigureChange(change: number | null, unit: ComparedFigure['unit']): string {
  return unit === 'percent' ? formatPercentChange(change) : formatPercentagePoints(change);
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

/**
 * Whether an open problem's tag names its target: a filesystem filling on a host concerns no
 * target in particular, and "all targets" would say the opposite of what is meant.
 */
export function problemNamesTarget(p: OpenProblem): boolean {
  return !(p.target === null && p.kind === 'capacity');
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

/** A percentile for a table cell: the figure, with the bucket bounds when it is a bucket estimate. */
function percentileCell(seconds: number | null, source: PercentileSource | null): string {
  if (!usable(seconds)) return NO_DATA;
  return source?.kind === 'buckets'
    ? `${formatSeconds(seconds)} (${percentileSourceText(source)})`
    : formatSeconds(seconds);
}

/** Whether the journey tables get the browser-only columns (Lighthouse INP and CLS). */
export function hasBrowserJourneys(journeys: readonly JourneyFigures[]): boolean {
  return journeys.some((j) => j.kind === 'browser');
}

/** The journey table's columns, in every format; INP and CLS only with browser journeys. */
export function journeyColumns(withVitals: boolean): string[] {
  return [
    'Journey',
    'Target',
    'Runs',
    'Completed',
    'Mean transaction time',
    'p95 transaction time',
    'Most failing step',
    'Slowest step (p95)',
    ...(withVitals ? ['Worst INP step (p75)', 'Worst CLS step (p75)'] : []),
    'Kind',
  ];
}

/** The step table's columns, in every format; INP and CLS only with browser journeys. */
export function journeyStepColumns(withVitals: boolean): string[] {
  return [
    'Journey',
    'Step',
    'Responses',
    'p95 step time',
    'Latency objective',
    'Failed journeys',
    ...(withVitals ? ['INP (p75)', 'CLS (p75)'] : []),
  ];
}

/** How each kind reads in the Kind column. */
const JOURNEY_KIND_LABEL: Record<JourneyFigures['kind'], string> = { http: 'HTTP', browser: 'browser' };

/** Said under the journey tables: what the figures count. */
export function journeyNote(withVitals: boolean): string {
  const base =
    'A run completes when every step passes; transaction time is the whole run. Steps are listed ' +
    'most reached first; a step counts the responses it completed and the journeys that failed at it. ' +
    "✗: the step's p95 is over its latency objective.";
  if (!withVitals) return `${base} Kind: HTTP journeys (prober: journey).`;
  return (
    `${base} Kind: HTTP journeys (prober: journey) or browser journeys (prober: browser, a user ` +
    "flow in Chromium; its transaction time is the sum of its steps, without Lighthouse's analysis). " +
    "INP and CLS: 75th percentile of a step's Lighthouse lab value over the period's runs " +
    '(browser journeys with Lighthouse only); ✗ after them: above the Core Web Vitals ' +
    `"good" limit (${formatSeconds(GOOD_INP_SECONDS)}, ${formatNumber(GOOD_CLS, 1)}).`
  );
}

/** "add_to_cart: 312 ms", and whether it is above its "good" limit. */
function vitalCell(v: StepVital | null, format: (x: number) => string, good: number) {
  return v ? { text: `${v.step}: ${format(v.p75)}`, above: v.p75 > good } : { text: NO_DATA, above: false };
}

/**
 * One journey's row of the journey table, already formatted (cells in journeyColumns order),
 * with the columns whose figure is above its Core Web Vitals "good" limit (to be marked ✗).
 */
export function journeyRow(j: JourneyFigures, withVitals: boolean): { cells: string[]; aboveGood: number[] } {
  const worst = j.mostFailingStep;
  const reason = worst?.reason ? `, ${worst.reason} ${formatCount(worst.reasonFailures)}` : '';
  const cells = [
    j.module,
    j.target,
    formatCount(j.runs),
    `${formatRatio(j.completionRate)} (${formatCount(j.completed)})`,
    formatSeconds(j.meanSeconds),
    percentileCell(j.p95Seconds, j.p95Source),
    worst ? `${worst.step}: ${formatCount(worst.failures)} failed${reason}` : 'none failed',
    j.slowestStep ? `${j.slowestStep.step}: ${formatSeconds(j.slowestStep.p95Seconds)}` : NO_DATA,
  ];
  const aboveGood: number[] = [];
  if (withVitals) {
    for (const v of [
      vitalCell(j.worstInp, formatSeconds, GOOD_INP_SECONDS),
      vitalCell(j.worstCls, formatUnitless, GOOD_CLS),
    ]) {
      if (v.above) aboveGood.push(cells.length);
      cells.push(v.text);
    }
  }
  cells.push(JOURNEY_KIND_LABEL[j.kind]);
  return { cells, aboveGood };
}

/**
 * A journey's step rows (cells in journeyStepColumns order), with whether the p95 is over its
 * objective and the columns above their Core Web Vitals "good" limit.
 */
export function journeyStepRows(
  j: JourneyFigures,
  withVitals: boolean,
): { cells: string[]; overObjective: boolean; aboveGood: number[] }[] {
  return j.steps.map((s) => {
    const cells = [
      `${j.module} (${j.target})`,
      s.step,
      formatCount(s.responses),
      percentileCell(s.p95Seconds, s.p95Source),
      formatSeconds(s.latencyObjectiveSeconds),
      s.failures > 0
        ? `${formatCount(s.failures)}${s.topReason ? ` (mostly ${s.topReason})` : ''}`
        : formatCount(0),
    ];
    const aboveGood: number[] = [];
    if (withVitals) {
      if (usable(s.inpP75Seconds) && s.inpP75Seconds > GOOD_INP_SECONDS) aboveGood.push(cells.length);
      cells.push(formatSeconds(s.inpP75Seconds));
      if (usable(s.clsP75) && s.clsP75 > GOOD_CLS) aboveGood.push(cells.length);
      cells.push(formatUnitless(s.clsP75));
    }
    return {
      cells,
      overObjective:
        usable(s.p95Seconds) && usable(s.latencyObjectiveSeconds) && s.p95Seconds > s.latencyObjectiveSeconds,
      aboveGood,
    };
  });
}
