/**
 * The browser-flow prober: one scripted user flow in a fresh Chrome with a fresh profile, driven by
 * a forked worker (worker.ts) through Puppeteer and, when the module measures with Lighthouse,
 * Lighthouse's user-flow API; its steps become metrics and its run is kept (flow report, run record,
 * screenshots) in the report store. Same contract as every prober (../types.ts): it never throws,
 * and it resolves promptly when `ctx.signal` aborts (service shutdown), leaving nothing behind.
 *
 * Roles: this file (secrets resolved, the worker run, the steps it reports, the run kept),
 * ../lighthouse/workerRun.ts (Chrome, worker, deadline, teardown: shared with Lighthouse audits),
 * stepActions.ts (what a step does in the page), classify.ts (why it failed), flowFigures.ts
 * (Lighthouse's figures per step), result.ts (ProbeResult), runRecord.ts (what is kept).
 *
 * Timeouts: the module `timeout` bounds the whole run (Chrome start to the flow report); each step
 * also has its own (default 30 s). A few seconds of the flow's timeout are kept back from the steps
 * for the failure's screenshot.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserModule, BrowserStepConfig } from '../../config/schema.js';
import { browserStepTemplates, stepAction } from '../../config/browserSchema.js';
import { parseTemplate, type Template } from '../../config/template.js';
import { formatElapsed } from '../../format/index.js';
import { redactUrl } from '../../config/redact.js';
import { compiledScript } from '../../runtime/compiledScript.js';
import { JourneyVariables } from '../journey/variables.js';
import { findChromePath } from '../lighthouse/chrome.js';
import type { LighthouseProbeOptions } from '../lighthouse/index.js';
import { releaseRunDir } from '../lighthouse/profiles.js';
import { reportTimestamp, type StoredImage } from '../lighthouse/reportStore.js';
import { runWorkerInChrome, type WorkerRunEnd } from '../lighthouse/workerRun.js';
import { TraceRecorder } from '../trace.js';
import type { ProbeContext, ProbeResult } from '../types.js';
import { buildFlowResult, type RunCutOff, type StepRecord } from './result.js';
import { flowRunPage, flowRunRecord } from './runRecord.js';
import {
  isFinalFlowMessage,
  type FlowDone,
  type FlowJob,
  type FlowMessage,
  type FlowStep,
} from './workerProtocol.js';

export { browserFamilies } from './families.js';

export interface BrowserProbeOptions extends LighthouseProbeOptions {
  /** The target's latency objective (seconds): a step's objective unless its slo.latency says. */
  latencyObjectiveSeconds?: number;
}

/** Kept back from the steps for the failing page's screenshot and the worker's answer. */
const EVIDENCE_RESERVE_MS = 5000;

/** The browser worker's script, compiled (see compiledScript). */
const workerScriptPath = (): string => compiledScript('probers/browser/worker');

const seconds = (ms: number): string => formatElapsed(ms / 1000);

/** Resolves every template of the flow (reading files once), recording the secrets to redact. */
async function resolveSteps(
  module: BrowserModule,
  base: URL,
  variables: JourneyVariables,
): Promise<{ steps: FlowStep[]; headers: Record<string, string> }> {
  const templates: Template[] = [];
  const parsed = (text: string): Template => {
    const t = parseTemplate(text);
    templates.push(t);
    return t;
  };
  const headerTemplates = Object.entries(module.browser.headers).map(([k, v]) => [k, parsed(v)] as const);
  for (const step of module.browser.steps) for (const [, t] of browserStepTemplates(step)) templates.push(t);
  await variables.loadFiles(templates.flat().flatMap((p) => (p.kind === 'file' ? [p.path] : [])));
  const text = (value: string) => variables.resolve(parseTemplate(value));
  const headers = Object.fromEntries(headerTemplates.map(([k, t]) => [k, variables.resolve(t)]));
  const steps = module.browser.steps.map((step: BrowserStepConfig): FlowStep => ({
    name: step.name,
    action: stepAction(step),
    ...(step.navigate !== undefined && { navigate: new URL(text(step.navigate), base).href }),
    ...(step.click !== undefined && { click: step.click }),
    ...(step.type !== undefined && { type: { selector: step.type.selector, text: text(step.type.text) } }),
    ...(step.then !== undefined && { then: step.then }),
    ...(step.select !== undefined && {
      select: { selector: step.select.selector, value: text(step.select.value) },
    }),
    ...(step.assert !== undefined && { assert: step.assert }),
    ...(step.wait_for !== undefined && { waitFor: step.wait_for }),
    timeoutMs: step.timeout,
  }));
  return { steps, headers };
}

/** How a run that gave no answer ended, in the flow's words. */
function cutOffOf(
  end: Exclude<WorkerRunEnd<FlowMessage>, { kind: 'message' }>,
  timeoutMs: number,
): RunCutOff {
  switch (end.kind) {
    case 'timeout':
      return {
        reason: 'timeout',
        message: `the flow did not finish within its timeout of ${seconds(timeoutMs)}`,
      };
    case 'chrome_crashed':
      return { reason: 'chrome_crashed', message: end.message };
    case 'launch_failed':
      return { reason: 'chrome_crashed', message: `Chrome did not start: ${end.message}` };
    case 'worker_failed':
      return { reason: 'page_error', message: end.message };
    case 'aborted':
      return { reason: 'timeout', message: 'aborted (service shutdown)' };
  }
}

export async function browserProber(
  url: string,
  module: BrowserModule,
  ctx: Pick<ProbeContext, 'signal'>,
  options: BrowserProbeOptions,
): Promise<ProbeResult> {
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const trace = new TraceRecorder(t0, 0);
  const variables = new JourneyVariables();
  const redact = (text: string) => redactUrl(variables.redact(text));
  const flow = module.browser;
  const names = module.browser.steps.map((s) => s.name);
  const records: (StepRecord | undefined)[] = [];
  let running: { index: number; at: number } | undefined;
  let dir: Awaited<ReturnType<typeof runWorkerInChrome>>['dir'];
  try {
    let resolved: Awaited<ReturnType<typeof resolveSteps>>;
    try {
      resolved = await resolveSteps(module, new URL(url), variables);
    } catch (err) {
      const message = redact(String((err as Error).message ?? err));
      trace.add(`could not resolve the flow's values: ${message}`);
      return buildFlowResult({
        steps: flow.steps,
        latencyObjectiveSeconds: options.latencyObjectiveSeconds,
        records: [],
        cutOff: { reason: 'page_error', message },
        figures: [],
        startedAtMs,
        trace: trace.events,
      });
    }
    const chromePath = findChromePath(options.chromePath);
    trace.add(
      `flow of ${flow.steps.length} step(s): ${flow.form_factor}, ` +
        `${flow.lighthouse ? 'with Lighthouse user-flow metrics' : 'steps timed only (lighthouse: false)'}, ` +
        `timeout ${seconds(module.timeout)}, Chrome ${chromePath}`,
    );
    const run = await runWorkerInChrome<FlowJob, FlowMessage>({
      workerScript: workerScriptPath(),
      title: 'browser flow',
      chromePath,
      chromeFlags: flow.chrome_flags,
      timeoutMs: module.timeout,
      signal: ctx.signal,
      log: (message) => trace.add(message),
      job: (base) => ({
        type: 'flow',
        ...base,
        steps: resolved.steps,
        formFactor: flow.form_factor,
        lighthouse: flow.lighthouse,
        categories: [...flow.categories],
        headers: resolved.headers,
        stepsBudgetMs: Math.max(1000, module.timeout - EVIDENCE_RESERVE_MS),
      }),
      isFinal: isFinalFlowMessage,
      onMessage: (message) => {
        if (message.type === 'step_started') {
          running = { index: message.index, at: performance.now() };
          trace.add(`step ${message.index + 1}/${names.length} ${names[message.index]}`);
        } else if (message.type === 'step_done') {
          running = undefined;
          records[message.index] = {
            durationMs: message.durationMs,
            ...(message.failure && { failure: message.failure }),
            url: message.url,
          };
          trace.add(
            `step ${names[message.index]} ${message.failure ? `FAILED: ${message.failure.reason}: ${message.failure.message}` : 'ok'}` +
              ` in ${seconds(message.durationMs)}; page ${message.url}`,
          );
        }
      },
    });
    dir = run.dir;
    let done: FlowDone | undefined;
    let cutOff: RunCutOff | undefined;
    if (run.end.kind === 'message') {
      const message = run.end.message;
      if (message.type === 'flow_done') done = message;
      else if (message.type === 'flow_error') {
        cutOff = run.chromeExited
          ? { reason: 'chrome_crashed', message: run.chromeExit ?? message.message }
          : { reason: 'page_error', message: `the browser worker failed: ${message.message}` };
      }
    } else {
      cutOff = cutOffOf(run.end, module.timeout);
    }
    if (cutOff && running) {
      cutOff.step = running.index;
      cutOff.stepElapsedMs = performance.now() - running.at;
    }
    if (cutOff) {
      const at =
        cutOff.step !== undefined
          ? ` during step ${names[cutOff.step]}`
          : records.length
            ? ' after the steps'
            : '';
      trace.add(`run ended${at}: ${cutOff.reason}: ${cutOff.message}; Chrome killed`);
    }
    if (done?.analysisError) trace.add(`no Lighthouse figures: ${done.analysisError}`);
    else if (done?.analysisMs !== undefined) {
      trace.add(`Lighthouse analysis: ${seconds(done.analysisMs)} (not part of the transaction time)`);
    }
    for (const f of done?.figures ?? []) {
      const timings = Object.entries(f.timings).map(([k, v]) => `${k} ${seconds(v * 1000)}`);
      if (f.cls !== undefined) timings.push(`cls ${f.cls.toFixed(3)}`);
      trace.add(`lighthouse ${f.mode} step ${f.step}: ${timings.join(', ') || 'no timings'}`);
    }

    const stamp = reportTimestamp(startedAtMs);
    const keep = options.reportStore !== undefined && !ctx.signal.aborted && dir !== undefined;
    const failed = cutOff !== undefined || records.some((r) => r?.failure);
    const kept = `/lighthouse/${options.target}/${options.module}/${stamp}`;
    const evidenceLink =
      keep && failed
        ? (done?.evidence.failureScreenshot ? `screenshot ${kept}.png, ` : '') +
          `page, console errors and requests ${kept}.json`
        : undefined;
    const result = buildFlowResult({
      steps: flow.steps,
      latencyObjectiveSeconds: options.latencyObjectiveSeconds,
      records,
      ...(cutOff && { cutOff }),
      figures: done?.figures ?? [],
      startedAtMs,
      trace: trace.events,
      ...(evidenceLink && { evidence: evidenceLink }),
    });
    if (result.failure) result.failure.message = redact(result.failure.message);
    if (keep) await keepRun(result, done, stamp, module, options, redact, trace);
    result.trace = trace.events.map((e) => ({ atMs: e.atMs, message: redact(e.message) }));
    return result;
  } catch (err) {
    // Unreachable unless there is a bug above; the prober contract is to never throw.
    return {
      success: false,
      durationSeconds: 0,
      startedAtMs,
      failure: { phase: 'browser', reason: 'page_error', message: redact(String(err)) },
      samples: [],
      trace: trace.events,
    };
  } finally {
    if (dir) await releaseRunDir(dir);
  }
}

/** Saves the run: the flow report (or the run's own page), the run record and the screenshots. */
async function keepRun(
  result: ProbeResult,
  done: FlowDone | undefined,
  stamp: string,
  module: BrowserModule,
  options: BrowserProbeOptions,
  redact: (text: string) => string,
  trace: TraceRecorder,
): Promise<void> {
  try {
    const images: StoredImage[] = [];
    const screenshots: { step?: string; file: string }[] = [];
    const evidence = done?.evidence;
    if (evidence?.failureScreenshot) {
      images.push({ content: await readFile(evidence.failureScreenshot) });
      screenshots.push({ file: `${stamp}.png` });
    }
    for (const shot of evidence?.screenshots ?? []) {
      images.push({ part: shot.step, content: await readFile(shot.path) });
      screenshots.push({ step: shot.step, file: `${stamp}.${shot.step}.png` });
    }
    const html = done?.reportPath ? await readFile(done.reportPath, 'utf8') : undefined;
    const record = flowRunRecord(
      result,
      { target: options.target, module: options.module },
      evidence,
      done?.figures ?? [],
      screenshots,
      html !== undefined,
    );
    const json = redact(JSON.stringify(record, null, 2));
    await options.reportStore!.save(
      options.target,
      options.module,
      result.startedAtMs,
      redact(html ?? flowRunPage(record, stamp)),
      json,
      module.browser.report_history,
      images,
    );
    trace.add(
      `run kept: ${html ? 'flow report' : 'run page'}, run record${images.length ? `, ${images.length} screenshot(s)` : ''}`,
    );
  } catch (err) {
    // A full disk must not turn a good flow into a failed probe: the metrics are still right.
    trace.add(`warning: could not keep the run: ${String(err)}`);
  }
}
