/**
 * The performance report as data: what report.ts builds from Prometheus and the store, and
 * what the renderers (render/markdown.ts, render/html.ts, render/json.ts) turn into text.
 * The JSON format is this structure as is, so every field here is part of the JSON contract:
 * times are Unix milliseconds, durations seconds, ratios 0..1, scores 0..1.
 */
import type { CapacityMonitoring } from './capacityFigures.js';
import type { FieldChangeEvaluation } from './fieldEvaluation.js';
import type { FieldMonitoring } from './fieldMonitoring.js';
import type { JourneyFigures } from './journeys.js';
import type { ComparedMonitoring } from './monitoring.js';
import type { BeforeAfterComparison } from '../stats/compare.js';
import type { FailurePattern } from '../stats/patterns.js';
import type { TrendStatus } from '../stats/index.js';
import type { PeriodKind } from '../time/period.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportInterval {
  /** Inclusive, Unix ms. */
  start: number;
  /** Exclusive, Unix ms. */
  end: number;
  /** "2025-01-14", "2025-W03", "2025-01". */
  label: string;
}

export interface ReportPeriodInfo extends ReportInterval {
  kind: PeriodKind;
  /** IANA zone the period's days are cut in. */
  timeZone: string;
}

/** A change from the change log, as the report shows it. */
export interface ReportChange {
  id: number;
  at: number;
  title: string;
  kind: string;
  /** Null: applies to every target. */
  target: string | null;
  description: string | null;
}

/** One point of a chart series. value null: no data in that bucket (a gap, not a zero). */
export interface SeriesPoint {
  t: number;
  value: number | null;
}

/** The 7 days up to the period's end, hourly, for the Monitoring charts. */
export interface TargetTrend {
  target: string;
  /** Mean probe duration per hour, seconds. */
  responseSeconds: SeriesPoint[];
  /** Successful probes / probes per hour, 0..1. */
  uptime: SeriesPoint[];
  /** vantage_target_latency_threshold_seconds, if set: drawn as a line on the response chart. */
  latencyThresholdSeconds: number | null;
  /** vantage_target_slo_objective, if set: drawn on the uptime chart. */
  objective: number | null;
}

export type EvaluatedMetric =
  'response_time' | 'availability' | 'lighthouse_performance' | 'lcp' | 'transaction_time';

/** One figure of one change's before/after evaluation. */
export interface MetricEvaluation {
  metric: EvaluatedMetric;
  /**
   * "response time", "availability", "Lighthouse performance score", "largest contentful paint",
   * "transaction time" (a journey's whole run; "transaction time (journey checkout)" when the
   * target has several journeys).
   */
  label: string;
  unit: 'seconds' | 'ratio' | 'score';
  higherIsBetter: boolean;
  comparison: BeforeAfterComparison;
  /**
   * The samples compared, for the distribution charts: every value when there are at most
   * 2000 per side, else an evenly spaced subset of the sorted values (the quantiles survive).
   */
  before: number[];
  after: number[];
  /** "response time improved: median 0.812 s → 0.487 s (−40.0 %), p < 0.001, large effect (δ = −0.93)." */
  sentence: string;
}

export interface ChangeEvaluation {
  change: ReportChange;
  /** The target evaluated (the change's target, or each target for a change without one). */
  target: string;
  /** Equal windows: before = [change − windowMs, change), after = [change, change + windowMs). */
  windowMs: number;
  before: { start: number; end: number };
  after: { start: number; end: number };
  /** Time inside the two windows that maintenance covered and was left out, ms. */
  excludedMaintenanceMs: number;
  /** Why the windows are shorter than configured (the report was made soon after the change), or null. */
  note: string | null;
  metrics: MetricEvaluation[];
  /** improved / regressed / no significant change / insufficient data, over the metrics: see report.ts. */
  verdict: 'improved' | 'regressed' | 'mixed' | 'no significant change' | 'insufficient data';
}

/** An incident from the incident log that was open at some point in the period. */
export interface ReportIncident {
  id: number;
  alertname: string;
  target: string | null;
  severity: string;
  summary: string;
  /** The outage's start: the first failed probe, or the alert's startsAt (see timesFrom). */
  startsAt: number;
  /** The outage's end: the first successful probe, or the alert's endsAt; null while still open. */
  endsAt: number | null;
  /** endsAt − startsAt (or up to the period's end while open), seconds. */
  durationSeconds: number;
  /** Where startsAt and endsAt come from: vantage's probes, or the alert (no probe outage known). */
  timesFrom: 'probes' | 'alert';
  /** The alert's own times, beside the outage's. */
  alertStartsAt: number;
  alertEndsAt: number | null;
  openedInPeriod: boolean;
  resolvedInPeriod: boolean;
  /** Still firing at the period's end. */
  openAtEnd: boolean;
}

export interface RecurringIncidentEntry {
  alertname: string;
  target: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
  sentence: string;
}

/** Failures in the probe history clustering at an hour of day or a weekday. */
export interface FailurePatternEntry {
  target: string;
  /** The history searched, [from, to). */
  from: number;
  to: number;
  pattern: FailurePattern;
  /** "shop fails every day around 02:00 Europe/Berlin (on 14 of 14 days)". */
  sentence: string;
}

export type TrendFigure = 'response_time' | 'lighthouse_performance' | 'lcp' | 'cls' | 'tbt';

/** A figure heading for its threshold: predictCrossing over the last 7 days of daily values. */
export interface TrendWarning {
  target: string;
  figure: TrendFigure;
  label: string;
  unit: 'seconds' | 'score' | 'unitless';
  threshold: number;
  /** Where the threshold comes from: "latency threshold in vantage.yml", "Core Web Vitals 'good' limit". */
  thresholdSource: string;
  status: Extract<TrendStatus, 'will-cross' | 'already-crossed'>;
  valueNow: number;
  slopePerDay: number;
  crossesAt: number | null;
  daysUntil: number | null;
  sentence: string;
}

export interface Recommendation {
  target: string;
  /** Lighthouse audit id, e.g. "render-blocking-resources". */
  audit: string;
  /** "Eliminate render-blocking resources". */
  title: string;
  /** What to do, one or two sentences. */
  advice: string;
  /** Estimated load-time saving (lighthouse_opportunity_savings_seconds), or null. */
  savingsSeconds: number | null;
  /** Estimated transfer saving (lighthouse_opportunity_savings_bytes), or null. */
  savingsBytes: number | null;
}

export interface OpenProblem {
  target: string | null;
  kind:
    | 'incident-open'
    | 'objective-missed'
    | 'recurring'
    | 'trend'
    | 'certificate'
    | 'regression'
    /** a filesystem filling within 30 days, or a load-tested target with less than 1.5× headroom */
    | 'capacity';
  sentence: string;
}

export interface ReportSummary {
  /** One-line verdict of the period: "3 targets, uptime 99.95 % (objective met on 2 of 3) ...". */
  headline: string;
  /** The few sentences a chat message carries: objective misses, changes' verdicts, open problems. */
  highlights: string[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** "vantage daily report 2025-01-14 (UTC)". */
  title: string;
  period: ReportPeriodInfo;
  previous: ReportInterval;
  weekEarlier: ReportInterval;
  generatedAt: number;
  prometheusUrl: string;
  /** False when Prometheus holds no probes in the period: the renderers say so, no figures. */
  hasData: boolean;
  /** False when a counter reset (vantage restarted) made some counts extrapolated. */
  exact: boolean;
  summary: ReportSummary;
  monitoring: {
    overall: ComparedMonitoring;
    targets: ComparedMonitoring[];
    /**
     * The changes made in the period, oldest first, load tests (kind load_test) included; those
     * are not evaluated as changes to the site (capacity.loadTests lists them).
     */
    changes: ReportChange[];
    trends: TargetTrend[];
    /**
     * Journeys run in the period, HTTP journeys and browser flows (`kind`), by target and module
     * (journeys.ts); empty without journeys.
     */
    journeys: JourneyFigures[];
    /**
     * Field (real-user) figures per site from the rum_* series (fieldMonitoring.ts); no sites
     * when Prometheus holds none.
     */
    field: FieldMonitoring;
    /**
     * Hosts' saturation and forecasts, filesystems filling, load-tested targets' headroom
     * (capacity.ts); empty lists when there are no hosts and no load tests.
     */
    capacity: CapacityMonitoring;
  };
  evaluation: {
    /** Every change of the period but load tests, per target it concerns. */
    changes: ChangeEvaluation[];
    /** Each change against the field p75s of the sites it concerns (fieldEvaluation.ts), oldest change first. */
    field: FieldChangeEvaluation[];
    incidents: ReportIncident[];
  };
  learning: {
    recurringIncidents: RecurringIncidentEntry[];
    failurePatterns: FailurePatternEntry[];
    trends: TrendWarning[];
    recommendations: Recommendation[];
    openProblems: OpenProblem[];
  };
}

export type ReportFormat = 'md' | 'html' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];
