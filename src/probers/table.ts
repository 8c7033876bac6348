/**
 * The table of probers, keyed by a module's `prober:` name: everything the rest of vantage
 * needs to know about a prober, so the service, the CLI, /probe, the index page, /metrics and
 * the probe workers ask here instead of branching on prober names. Adding a prober is a folder
 * under src/probers/ (its run function, families, trace text, summary) plus one entry below
 * (and its module schema in config/schema.ts).
 *
 * An entry says:
 * - how it runs: `probe` (fast and bounded by the module timeout; runs on the probe workers,
 *   through runProbe, and fresh on every /probe and `vantage probe`) or `audit` (minutes and a
 *   Chrome of its own; one at a time in the main thread's AuditQueue; /probe serves the latest
 *   result, never starts one);
 * - its metrics: whether results feed the generic probe series (probe_success,
 *   vantage_probes_total, ...) and which sample families of the latest result are kept for the
 *   index page once rendered (an audit's result is kept whole);
 * - its debug trace as text and its one-line summary for the index page;
 * - its on-disk artefacts (kept reports) and the route of the latest one.
 *
 * A module's prober resolves to exactly one entry: proberFor() refuses an unknown name with the
 * field named, so a config built in code that skipped the schema fails loudly, not silently.
 */
import type { ModuleConfig } from '../config/schema.js';
import { plural } from '../format/index.js';
import { httpProber } from './http/index.js';
import { httpFamilies } from './http/families.js';
import { phaseSummary } from './http/summary.js';
import { formatTrace } from './http/trace.js';
import { journeyFamilies, journeyProber, type JourneyProbeOptions } from './journey/index.js';
import { formatJourneyTrace, journeySummary } from './journey/trace.js';
import type { BrowserProbeOptions } from './browser/index.js';
import { browserFamilies } from './browser/families.js';
import { flowSummary } from './browser/summary.js';
import { formatStepsTrace } from './journey/trace.js';
import { summaryFromResult } from './lighthouse/auditSummary.js';
import { auditHeadline, formatAuditTrace } from './lighthouse/text.js';
import type { ProbeContext, ProbeResult } from './types.js';

export type ProberName = ModuleConfig['prober'];
type ModuleOf<N extends ProberName> = Extract<ModuleConfig, { prober: N }>;

/** What every probe gets besides its target and module (JourneyProbeOptions: the http ones and the target's objective). */
export type ProbeOptions = JourneyProbeOptions;

/** A fast, bounded probe: the probe workers, /probe and `vantage probe` run it. */
export interface ProbeRun<M extends ModuleConfig> {
  kind: 'probe';
  probe: (url: string, module: M, ctx: ProbeContext, options: ProbeOptions) => Promise<ProbeResult>;
  /** Requests one run makes (the scheduler's quick start counts them); default 1. */
  requestsPerRun?: (module: M) => number;
}

/** What every audit gets besides its target and module: where reports go, progress, the objective. */
export type AuditOptions = BrowserProbeOptions;

/** A log line: structured fields and a message. */
export interface LogLine {
  fields: Record<string, unknown>;
  message: string;
}

/** A queued audit with its own browser: the AuditQueue runs it; `vantage probe` runs one now. */
export interface AuditRun<M extends ModuleConfig> {
  kind: 'audit';
  /** Never throws; resolves promptly when ctx.signal aborts. The module timeout bounds each run. */
  audit: (
    url: string,
    module: M,
    ctx: Pick<ProbeContext, 'signal'>,
    options: AuditOptions,
  ) => Promise<ProbeResult>;
  /** The log lines as an audit starts and ends (it takes a minute or more, silently otherwise). */
  started: (module: M) => LogLine;
  finished: (result: ProbeResult, duration: string) => LogLine;
}

export interface ProberEntry<M extends ModuleConfig = ModuleConfig> {
  /** For messages: "a Lighthouse module", "no Lighthouse audit ... has finished yet". */
  title: string;
  runs: ProbeRun<M> | AuditRun<M>;
  /**
   * Whether results feed the generic probe series (probe_success, vantage_probes_total, the
   * duration histogram, probe_failure_info). Lighthouse audits publish their own families instead,
   * so SLO rules over vantage_probes_total never mix a page audit with a check; a browser flow is a
   * check (the transaction worked or not) and feeds them.
   */
  probeSeries: boolean;
  /** For probeSeries probers: the sample families kept of the latest result (the index page's). */
  keptSampleFamilies: readonly string[];
  /** The debug trace as text, for /probe?debug=true and `vantage probe`. */
  formatTrace: (result: ProbeResult) => string;
  /** One line for the index page's "Phases / scores" column. */
  summary: (result: ProbeResult) => string;
  /** Reports kept on disk, served under /lighthouse/<target>/<module>/; undefined: none. */
  reports?: {
    /** The latest report's path relative to the index page. */
    latestHref: (target: string, module: string) => string;
    /**
     * What a kept run is: a Lighthouse audit's median-run report (scores and Web Vitals), or a
     * browser flow's run (flow report, run record, screenshots). The listings show each its way.
     */
    kind: 'audit' | 'flow';
  };
}

/** Lighthouse reports and browser-flow runs share one store, served under /lighthouse/. */
const latestUnderLighthouse = (target: string, module: string): string =>
  `lighthouse/${encodeURIComponent(target)}/${encodeURIComponent(module)}/latest.html`;

const http: ProberEntry<ModuleOf<'http'>> = {
  title: 'HTTP',
  runs: { kind: 'probe', probe: (url, module, ctx, options) => httpProber(url, module.http, ctx, options) },
  probeSeries: true,
  keptSampleFamilies: [httpFamilies.durationSeconds.name],
  formatTrace,
  summary: phaseSummary,
};

const lighthouse: ProberEntry<ModuleOf<'lighthouse'>> = {
  title: 'Lighthouse',
  runs: {
    kind: 'audit',
    // Loaded at the first audit: Chrome's launcher and the runner (36 modules, 2 MB of RSS per probe worker) have
    // no business in the probe workers and the CLI commands that ask this table for names.
    audit: async (url, module, ctx, options) =>
      (await import('./lighthouse/index.js')).lighthouseProber(url, module, ctx, options),
    started: (module) => ({
      fields: { runs: module.lighthouse.runs },
      message: `Lighthouse audit started: ${plural(module.lighthouse.runs, 'run')}`,
    }),
    finished: (result, duration) => {
      const score = summaryFromResult(result).scores.performance;
      return {
        fields: {
          success: result.success,
          duration_seconds: Number(result.durationSeconds.toFixed(3)),
          ...(score !== undefined && { performance_score: score }),
        },
        message: result.success
          ? `Lighthouse audit finished in ${duration}${score !== undefined ? `: performance ${score}` : ''}`
          : `Lighthouse audit failed after ${duration}`,
      };
    },
  },
  probeSeries: false,
  keptSampleFamilies: [],
  formatTrace: formatAuditTrace,
  summary: auditHeadline,
  reports: { latestHref: latestUnderLighthouse, kind: 'audit' },
};

const journey: ProberEntry<ModuleOf<'journey'>> = {
  title: 'journey',
  runs: {
    kind: 'probe',
    probe: (url, module, ctx, options) => journeyProber(url, module.journey, ctx, options),
    requestsPerRun: (module) => module.journey.steps.length,
  },
  probeSeries: true,
  keptSampleFamilies: [journeyFamilies.stepDurationSeconds.name, journeyFamilies.stepSuccess.name],
  formatTrace: formatJourneyTrace,
  summary: journeySummary,
};

const browser: ProberEntry<ModuleOf<'browser'>> = {
  title: 'browser flow',
  runs: {
    kind: 'audit',
    // Loaded at the first flow, as the Lighthouse runner is: nothing of it belongs in the probe workers.
    audit: async (url, module, ctx, options) =>
      (await import('./browser/index.js')).browserProber(url, module, ctx, options),
    started: (module) => ({
      fields: { steps: module.browser.steps.length, lighthouse: module.browser.lighthouse },
      message: `browser flow started: ${plural(module.browser.steps.length, 'step')}`,
    }),
    finished: (result, duration) => ({
      fields: {
        success: result.success,
        duration_seconds: Number(result.durationSeconds.toFixed(3)),
        ...(result.failure && { step: result.failure.step, reason: result.failure.reason }),
      },
      message: result.success
        ? `browser flow passed: transaction time ${duration}`
        : `browser flow failed${result.failure?.step ? ` at step ${result.failure.step}` : ''}: ${result.failure?.reason ?? 'unknown'}`,
    }),
  },
  probeSeries: true,
  keptSampleFamilies: [browserFamilies.stepDurationSeconds.name, browserFamilies.stepSuccess.name],
  formatTrace: (result) => formatStepsTrace(result, 'Browser flow', browserFamilies),
  summary: flowSummary,
  reports: { latestHref: latestUnderLighthouse, kind: 'flow' },
};

/** Every prober, by its `prober:` name. One line per prober. */
export const PROBERS: { readonly [N in ProberName]: ProberEntry<ModuleOf<N>> } = {
  http,
  lighthouse,
  journey,
  browser,
};

/** The entry of a `prober:` name; an unknown name is refused with the field named. */
export function proberEntry(name: string): ProberEntry {
  if (!Object.hasOwn(PROBERS, name)) {
    throw new Error(`prober: unsupported prober "${name}" (supported: ${Object.keys(PROBERS).join(', ')})`);
  }
  // Each entry takes its own module type; callers hand it the module whose `prober` named it.
  return PROBERS[name as ProberName] as unknown as ProberEntry;
}

/** The entry of a module's prober. */
export const proberFor = (module: Pick<ModuleConfig, 'prober'>): ProberEntry => proberEntry(module.prober);

/**
 * Whether a module's checks wait in the audit queue (one at a time, on the main thread, a fresh
 * Chrome each) rather than run on the probe workers (fast, many, concurrent).
 */
export const runsInAuditQueue = (module: Pick<ModuleConfig, 'prober'>): boolean =>
  proberFor(module).runs.kind === 'audit';
