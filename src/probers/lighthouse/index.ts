/**
 * The Lighthouse prober: one batch of `runs` sequential Lighthouse runs against a URL, each in a fresh
 * Chrome with a fresh profile and a forked Lighthouse worker; the median run (Lighthouse's own choice) is
 * published as metrics and its reports are kept. Same contract as every prober (../types.ts): it never
 * throws, and it resolves promptly when `ctx.signal` aborts (service shutdown), leaving nothing behind.
 *
 * Roles: runner.ts (one run: dirs, Chrome, worker, deadline, teardown), chrome.ts (launch and kill the
 * process tree), worker.ts (the child that runs Lighthouse), extract.ts (LHR -> figures), batchStats.ts
 * (median run, spread, CWV ratings), result.ts (ProbeResult), reportStore.ts (kept reports),
 * profiles.ts (run dirs and stale-profile cleanup).
 *
 * Timeouts: module `timeout` bounds EACH run (enforced by runner.ts); a batch may take runs x timeout.
 * The caller must not abort the signal at module.timeout (it is not a batch deadline).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { redactUrlSecretsIn } from '../../config/redact.js';
import { formatElapsed } from '../../format/index.js';
import type { LighthouseModule } from '../../config/schema.js';
import { TraceRecorder } from '../trace.js';
import type { ProbeContext, ProbeFailure, ProbeResult } from '../types.js';
import { findChromePath } from './chrome.js';
import { invalidRunReason, type Lhr } from './extract.js';
import { releaseRunDir, type RunDir } from './profiles.js';
import type { AuditProgressListener } from './progress.js';
import type { ReportStore } from './reportStore.js';
import { buildBatchResult, type RunRecord } from './result.js';
export { summaryFromResult } from './auditSummary.js';
import { runOnce } from './runner.js';
import { lighthouseFlags } from './workerProtocol.js';

export { lighthouseFamilies } from './families.js';
export { ReportStore, reportTimestamp, type ReportFormat, type StoredReport } from './reportStore.js';
export { cleanupStaleProfiles, PROFILE_PREFIX } from './profiles.js';
export { chromeProcesses, listProcesses, type ProcessInfo } from './processTree.js';
export { findChromePath } from './chrome.js';
export type { Lhr } from './extract.js';
export { formatAuditProgress, type AuditProgress, type AuditProgressListener } from './progress.js';

export interface LighthouseProbeOptions {
  /** Default: $CHROME_PATH, else /usr/bin/chromium, else chromium / chromium-browser / google-chrome on PATH. */
  chromePath?: string;
  /** Where the median run's reports go; when undefined, reports are not kept. */
  reportStore?: ReportStore;
  /** Target and module names, for the report store. */
  target: string;
  module: string;
  /** Told as each run starts, passes a step and ends; must not throw. */
  onProgress?: AuditProgressListener;
}

let lighthouseVersionCache: string | undefined;

/** The installed Lighthouse's version, for lighthouse_target_info when no run completed. */
function installedLighthouseVersion(): string {
  if (lighthouseVersionCache) return lighthouseVersionCache;
  try {
    const require = createRequire(import.meta.url);
    lighthouseVersionCache = (require('lighthouse/package.json') as { version: string }).version;
  } catch {
    lighthouseVersionCache = 'unknown';
  }
  return lighthouseVersionCache;
}

function abortFailure(signal: AbortSignal): ProbeFailure {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  const timedOut = reason?.name === 'TimeoutError';
  return {
    phase: 'audit',
    reason: timedOut ? 'timeout' : 'lighthouse_error',
    message: `audit aborted${reason?.message ? `: ${reason.message}` : ''}`,
  };
}

/** A run's or a step's wall time as a stopwatch reads it: "14.2 s". */
const seconds = (ms: number) => formatElapsed(ms / 1000);

export async function lighthouseProber(
  url: string,
  module: LighthouseModule,
  ctx: Pick<ProbeContext, 'signal'>,
  options: LighthouseProbeOptions,
): Promise<ProbeResult> {
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const trace = new TraceRecorder(t0, 0); // whole milliseconds: an audit's steps take seconds
  const lh = module.lighthouse;
  const total = lh.runs;
  const records: RunRecord[] = [];
  const dirs: RunDir[] = [];
  const htmlPaths: (string | undefined)[] = [];
  const lhrTexts: (string | undefined)[] = [];
  const chromePath = findChromePath(options.chromePath);
  trace.add(
    `batch of ${total} run(s): ${lh.form_factor}, ${lh.throttling_method} throttling, ` +
      `timeout ${seconds(module.timeout)} per run, Chrome ${chromePath}`,
  );

  const progress = options.onProgress ?? (() => {});
  try {
    for (let i = 1; i <= total && !ctx.signal.aborted; i += 1) {
      progress({ type: 'run_started', run: i, runs: total });
      const outcome = await runOnce({
        url,
        chromePath,
        chromeFlags: lh.chrome_flags,
        preset: lh.form_factor,
        flags: lighthouseFlags(module),
        timeoutMs: module.timeout,
        signal: ctx.signal,
        log: (message) => {
          trace.add(`run ${i}/${total}: ${message}`);
          progress({ type: 'run_stage', run: i, runs: total, message });
        },
      });
      if (outcome.dir) dirs.push(outcome.dir);
      if (outcome.reason === 'aborted') {
        trace.add(`run ${i}/${total}: aborted after ${seconds(outcome.wallMs)}; Chrome killed`);
        break;
      }
      const record: RunRecord = {
        valid: false,
        wallMs: outcome.wallMs,
        chromeVersion: outcome.chromeVersion,
      };
      if (outcome.ok && outcome.lhr) {
        record.lhr = outcome.lhr;
        const invalid = invalidRunReason(outcome.lhr);
        if (invalid) {
          record.reason = outcome.lhr.runtimeError ? 'page_load_error' : 'lighthouse_error';
          record.message = invalid;
        } else {
          record.valid = true;
        }
      } else {
        record.reason = outcome.reason;
        record.message = outcome.message;
      }
      records.push(record);
      htmlPaths.push(outcome.htmlPath);
      lhrTexts.push(outcome.lhrText);
      trace.add(describeRun(i, total, record, outcome.lhr));
      const score = outcome.lhr?.categories.performance?.score;
      progress({
        type: 'run_finished',
        run: i,
        runs: total,
        wallMs: record.wallMs,
        ...(record.valid
          ? typeof score === 'number' && { score }
          : { failure: `${record.reason}: ${record.message}` }),
      });
    }

    const finishedAtMs = Date.now();
    const { result, medianIndex } = buildBatchResult({
      url,
      module,
      startedAtMs,
      finishedAtMs,
      durationSeconds: (performance.now() - t0) / 1000,
      runs: records,
      lighthouseVersion: installedLighthouseVersion(),
      trace: trace.events,
      aborted: ctx.signal.aborted && records.length === 0 ? abortFailure(ctx.signal) : undefined,
    });
    if (medianIndex !== undefined) {
      trace.add(`median run: ${medianIndex + 1}/${total} (closest to the median FCP and TTI)`);
    } else if (result.failure) {
      trace.add(`no valid run: ${result.failure.reason}: ${result.failure.message}`);
    }

    const htmlPath = medianIndex !== undefined ? htmlPaths[medianIndex] : undefined;
    const lhrText = medianIndex !== undefined ? lhrTexts[medianIndex] : undefined;
    if (options.reportStore && htmlPath && lhrText && !ctx.signal.aborted) {
      try {
        const html = await readFile(htmlPath, 'utf8');
        await options.reportStore.save(
          options.target,
          options.module,
          startedAtMs,
          // Lighthouse records the URL it was given (requestedUrl, network records), password included.
          redactUrlSecretsIn(html, url),
          redactUrlSecretsIn(lhrText, url),
          lh.report_history,
        );
        trace.add('median run reports saved');
      } catch (err) {
        // A full disk must not turn a good audit into a failed probe: the metrics are still right.
        trace.add(`warning: could not save the reports: ${String(err)}`);
      }
    }
    result.durationSeconds = (performance.now() - t0) / 1000;
    return result;
  } catch (err) {
    // Unreachable unless there is a bug above; the prober contract is to never throw.
    return {
      success: false,
      durationSeconds: (performance.now() - t0) / 1000,
      startedAtMs,
      failure: { phase: 'audit', reason: 'lighthouse_error', message: String(err) },
      samples: [],
      trace: trace.events,
    };
  } finally {
    await Promise.all(dirs.map((dir) => releaseRunDir(dir)));
  }
}

function describeRun(i: number, total: number, record: RunRecord, lhr: Lhr | undefined): string {
  const took = `took ${seconds(record.wallMs)}`;
  if (!record.valid) return `run ${i}/${total} ${took}: failed: ${record.reason}: ${record.message}`;
  const perf = lhr?.categories.performance?.score;
  const fcp = lhr?.audits['first-contentful-paint']?.numericValue;
  const tti = lhr?.audits.interactive?.numericValue;
  return (
    `run ${i}/${total} ${took}: ${perf !== undefined && perf !== null ? `performance ${perf}, ` : ''}` +
    `FCP ${fcp !== undefined ? seconds(fcp) : '?'}, TTI ${tti !== undefined ? seconds(tti) : '?'}`
  );
}
