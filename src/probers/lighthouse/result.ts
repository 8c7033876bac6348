/**
 * A finished batch -> ProbeResult: gauges from the median run, counters per run, the failure otherwise.
 * Pure (no Chrome, no files), so the whole mapping is unit-tested against a saved LHR.
 */
import { redactUrl } from '../../config/redact.js';
import type { LighthouseModule } from '../../config/schema.js';
import type { LighthouseFailureReason, ProbeFailure, ProbeResult, Sample, TraceEvent } from '../types.js';
import { CWV_RATINGS, cwvCounts, medianRunIndex, timingSpreads, type CwvMetric } from './batchStats.js';
import {
  benchmarkIndex,
  categoryScores,
  chromeVersionFromLhr,
  cumulativeLayoutShift,
  opportunitySavings,
  resourceSummary,
  timingsSeconds,
  type Lhr,
} from './extract.js';
import { lighthouseFamilies as F } from './families.js';

/** One run as the batch saw it. */
export interface RunRecord {
  /** Valid = completed, no runtimeError, numeric FCP and TTI. */
  valid: boolean;
  lhr?: Lhr;
  wallMs: number;
  reason?: LighthouseFailureReason;
  message?: string;
  /** Full Chrome version from DevTools, when the run got that far. */
  chromeVersion?: string;
}

export interface BatchInput {
  url: string;
  module: LighthouseModule;
  startedAtMs: number;
  finishedAtMs: number;
  durationSeconds: number;
  runs: readonly RunRecord[];
  /** Version of the installed Lighthouse package: known even when no run completed. */
  lighthouseVersion: string;
  trace: TraceEvent[];
  /** Set when the batch was aborted before any run could finish (service shutdown). */
  aborted?: ProbeFailure;
}

export interface BatchOutcome {
  result: ProbeResult;
  /** Index into `runs` of the published median run; undefined when no run was valid. */
  medianIndex?: number;
}

function sample(family: Sample['family'], value: number, labels?: Record<string, string>): Sample {
  return labels ? { family, labels, value } : { family, value };
}

/** The reason for a batch without a valid run: the most frequent run failure, the earliest on a tie. */
function batchFailure(runs: readonly RunRecord[]): ProbeFailure {
  const counts = new Map<LighthouseFailureReason, number>();
  for (const run of runs) if (run.reason) counts.set(run.reason, (counts.get(run.reason) ?? 0) + 1);
  let best: RunRecord | undefined;
  for (const run of runs) {
    if (!run.reason) continue;
    if (!best || (counts.get(run.reason) ?? 0) > (counts.get(best.reason!) ?? 0)) best = run;
  }
  if (!best) return { phase: 'audit', reason: 'lighthouse_error', message: 'no run completed' };
  const prefix = runs.length > 1 ? `${counts.get(best.reason!)}/${runs.length} runs failed: ` : '';
  return { phase: 'audit', reason: best.reason!, message: `${prefix}${best.message ?? best.reason}` };
}

function counterSamples(runs: readonly RunRecord[], valid: readonly Lhr[]): Sample[] {
  const counters: Sample[] = [];
  const succeeded = runs.filter((r) => r.valid).length;
  counters.push(sample(F.runsTotal, succeeded, { result: 'success' }));
  counters.push(sample(F.runsTotal, runs.length - succeeded, { result: 'failure' }));
  // Every metric x rating, zeros included, so rate() and ratio queries work from the first batch.
  const cwv = cwvCounts(valid);
  for (const metric of Object.keys(cwv) as CwvMetric[]) {
    for (const rating of CWV_RATINGS) {
      counters.push(sample(F.cwvRunsTotal, cwv[metric][rating], { metric, rating }));
    }
  }
  return counters;
}

export function buildBatchResult(input: BatchInput): BatchOutcome {
  const { module, runs } = input;
  const validRuns = runs.filter((r): r is RunRecord & { lhr: Lhr } => r.valid && r.lhr !== undefined);
  const validLhrs = validRuns.map((r) => r.lhr);
  const medianValid = validLhrs.length > 0 ? medianRunIndex(validLhrs) : -1;
  const medianRun = medianValid >= 0 ? validRuns[medianValid] : undefined;
  const samples: Sample[] = [];

  // Versions: from the published run, else from any run that got far enough to know them.
  const anyLhr = medianRun?.lhr ?? runs.find((r) => r.lhr)?.lhr;
  const chromeVersion =
    medianRun?.chromeVersion ??
    (medianRun ? chromeVersionFromLhr(medianRun.lhr) : undefined) ??
    runs.find((r) => r.chromeVersion)?.chromeVersion ??
    (anyLhr ? chromeVersionFromLhr(anyLhr) : undefined) ??
    'unknown';
  const targetInfo = sample(F.targetInfo, 1, {
    url: redactUrl(input.url), // stored in Prometheus: no password from the URL's userinfo
    form_factor: module.lighthouse.form_factor,
    throttling_method: module.lighthouse.throttling_method,
    lighthouse_version: anyLhr?.lighthouseVersion ?? input.lighthouseVersion,
    chrome_version: chromeVersion,
  });
  const lastRun = sample(F.lastRunTimestampSeconds, input.finishedAtMs / 1000);

  if (!medianRun) {
    const failure = input.aborted ?? batchFailure(runs);
    samples.push(sample(F.up, 0), sample(F.runs, 0));
    samples.push(sample(F.failureInfo, 1, { reason: failure.reason }));
    samples.push(lastRun, targetInfo);
    return {
      result: {
        success: false,
        durationSeconds: input.durationSeconds,
        startedAtMs: input.startedAtMs,
        failure,
        samples,
        counters: counterSamples(runs, []),
        trace: input.trace,
      },
    };
  }

  const lhr = medianRun.lhr;
  samples.push(sample(F.up, 1));
  for (const [category, score] of Object.entries(categoryScores(lhr))) {
    samples.push(sample(F.categoryScore, score, { category }));
  }
  for (const [metric, seconds] of Object.entries(timingsSeconds(lhr))) {
    samples.push(sample(F.timingSeconds, seconds, { metric }));
  }
  const cls = cumulativeLayoutShift(lhr);
  if (cls !== undefined) samples.push(sample(F.cumulativeLayoutShift, cls));
  for (const r of resourceSummary(lhr)) {
    samples.push(sample(F.transferBytes, r.transferBytes, { resource_type: r.resourceType }));
    samples.push(sample(F.requests, r.requests, { resource_type: r.resourceType }));
  }
  for (const o of opportunitySavings(lhr)) {
    if (o.seconds !== undefined)
      samples.push(sample(F.opportunitySavingsSeconds, o.seconds, { audit: o.audit }));
    if (o.bytes !== undefined) samples.push(sample(F.opportunitySavingsBytes, o.bytes, { audit: o.audit }));
  }
  samples.push(sample(F.runs, validRuns.length));
  for (const [metric, ratio] of Object.entries(timingSpreads(validLhrs))) {
    samples.push(sample(F.timingSpreadRatio, ratio, { metric }));
  }
  const bench = benchmarkIndex(lhr);
  if (bench !== undefined) samples.push(sample(F.benchmarkIndex, bench));
  samples.push(sample(F.runDurationSeconds, medianRun.wallMs / 1000));
  samples.push(lastRun, targetInfo);

  return {
    result: {
      success: true,
      durationSeconds: input.durationSeconds,
      startedAtMs: input.startedAtMs,
      samples,
      counters: counterSamples(runs, validLhrs),
      trace: input.trace,
    },
    medianIndex: runs.indexOf(medianRun),
  };
}
