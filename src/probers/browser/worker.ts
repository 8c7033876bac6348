/**
 * The browser-flow worker: a Node child process forked by vantage for ONE flow, then gone (the same
 * reasons as the Lighthouse worker: Lighthouse's analysis blocks an event loop for seconds and
 * grows a heap by hundreds of MB; a hung page can be SIGKILLed with its Chrome).
 *
 * vantage launched Chrome and sends its port and the resolved steps; this script connects with
 * puppeteer-core, runs the steps in one page (each a Lighthouse user-flow step when the module
 * measures with Lighthouse), reports each step as it starts and ends, keeps the evidence a failure
 * needs (screenshot, URL, console errors, last requests), then runs Lighthouse's analysis and
 * writes the flow report. A step's own duration is timed here, around its action and wait only:
 * Lighthouse's set-up before it and gathering after it are not what the user waited for.
 * If vantage dies mid-flow, workerGuard.ts kills the Chrome it launched.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { chromeGroupIs, guardChromeAgainstParentDeath, sendToParent } from '../lighthouse/workerGuard.js';
import { stepFailureOf } from './classify.js';
import { flowFigures, type FlowResultLike } from './flowFigures.js';
import { runStep } from './stepActions.js';
import type {
  FlowDone,
  FlowJob,
  FlowMessage,
  FlowStep,
  NetworkEntry,
  PageEvidence,
  StepFailure,
  StepMode,
} from './workerProtocol.js';

// Start loading while Chrome starts in the parent (~1 s for Lighthouse).
const modules = Promise.all([
  import('puppeteer-core'),
  import('lighthouse'),
  import('lighthouse/core/config/desktop-config.js'),
  import('lighthouse/core/config/constants.js'),
  import('lighthouse/core/gather/gatherers/trace.js'),
]);
modules.catch(() => undefined);

guardChromeAgainstParentDeath();

/**
 * Lighthouse's trace, recorded while the steps run, slows the page the user is timed on: by 24 %
 * over the demo flow with Lighthouse's full set (bench/browser.ts). vantage records less: the
 * categories Lighthouse keeps only so DevTools can open its trace (its own comments: "not used by
 * Lighthouse"), the stack traces of timeline events (they attribute diagnostics to scripts; no
 * metric reads them), and, in timespans, the screenshot of every frame (a timespan's filmstrip;
 * a navigation keeps them, Speed Index is computed from them). With that, 1.07 against a plain
 * Puppeteer script; INP, TBT, CLS, LCP, FCP and Speed Index are unchanged in kind.
 */
const UNUSED_TRACE_CATEGORIES = new Set([
  'disabled-by-default-devtools.timeline.frame',
  'latencyInfo',
  'disabled-by-default-devtools.target-rundown',
  'disabled-by-default-devtools.v8-source-rundown-sources',
  'disabled-by-default-devtools.v8-source-rundown',
  'disabled-by-default-devtools.timeline.stack',
]);
const SCREENSHOTS = 'disabled-by-default-devtools.screenshot';

/** Whether the trace about to start is a timespan's (Lighthouse asks for the categories at each start). */
let inTimespan = false;

/** Console errors and requests kept for the evidence: the last ones are the ones that matter. */
const MAX_CONSOLE_ERRORS = 20;
const MAX_REQUESTS = 30;
/** Bounds on the evidence and the Lighthouse bookkeeping after a failed step, so a stuck page cannot eat the flow. */
const EVIDENCE_MS = 5000;
const LIGHTHOUSE_STEP_END_MS = 15_000;
/** Resolves in the page after the next two frames (the paint that ends an interaction, and one more). */
const NEXT_PAINT =
  'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))';
const FRAME_WAIT_MS = 2000;
/** A wait cut by the flow's budget ends a few ms either side of it. */
const BUDGET_SLACK_MS = 50;

type Flow = Awaited<ReturnType<(typeof import('lighthouse'))['startFlow']>>;

const send = (message: FlowMessage): Promise<void> => sendToParent(message);

/** The Lighthouse mode of a step's action (DESIGN: navigate = navigation, assert = snapshot). */
function modeOf(step: FlowStep): StepMode | undefined {
  if (step.action === 'navigate') return 'navigation';
  if (step.action === 'assert') return 'snapshot';
  if (step.action === 'screenshot') return undefined;
  return 'timespan';
}

/** `promise`, or undefined after `ms`: for bookkeeping that must not hold the flow up. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  promise.catch(() => undefined);
  return Promise.race([promise, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.shift();
}

async function run(job: FlowJob): Promise<FlowDone> {
  const [puppeteer, lighthouse, { default: desktopConfig }, constants, { default: TraceGatherer }] =
    await modules;
  const categories = TraceGatherer.getDefaultTraceCategories();
  TraceGatherer.getDefaultTraceCategories = () =>
    categories.filter((c) => !UNUSED_TRACE_CATEGORIES.has(c) && !(inTimespan && c === SCREENSHOTS));
  const browser = await puppeteer.default.connect({
    browserURL: `http://127.0.0.1:${job.port}`,
    // Lighthouse (or the form factor below) sets the viewport; Puppeteer's 800x600 default would fight it.
    defaultViewport: null,
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  const evidence: PageEvidence = { url: 'about:blank', consoleErrors: [], requests: [], screenshots: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') push(evidence.consoleErrors, message.text(), MAX_CONSOLE_ERRORS);
  });
  page.on('pageerror', (error) => {
    const text = error instanceof Error ? error.message : String(error);
    push(evidence.consoleErrors, `uncaught: ${text}`, MAX_CONSOLE_ERRORS);
  });
  const request = (entry: NetworkEntry) => push(evidence.requests, entry, MAX_REQUESTS);
  page.on('requestfinished', (r) =>
    request({
      method: r.method(),
      url: r.url(),
      status: r.response()?.status() ?? 0,
      resourceType: r.resourceType(),
    }),
  );
  page.on('requestfailed', (r) =>
    request({
      method: r.method(),
      url: r.url(),
      status: 0,
      error: r.failure()?.errorText ?? 'failed',
      resourceType: r.resourceType(),
    }),
  );
  if (Object.keys(job.headers).length > 0) await page.setExtraHTTPHeaders(job.headers);

  const screen = constants.screenEmulationMetrics[job.formFactor];
  let flow: Flow | undefined;
  if (job.lighthouse) {
    flow = await lighthouse.startFlow(page, {
      config: job.formFactor === 'desktop' ? desktopConfig : undefined,
      flags: {
        formFactor: job.formFactor,
        screenEmulation: screen,
        onlyCategories: job.categories,
        // The user's transaction is measured as it happens: Lighthouse's simulated throttling
        // models the page load afterwards without slowing the steps down.
        throttlingMethod: 'simulate',
        ...(Object.keys(job.headers).length > 0 && { extraHeaders: job.headers }),
      },
    });
  } else {
    await page.setViewport({
      width: screen.width,
      height: screen.height,
      deviceScaleFactor: screen.deviceScaleFactor,
      isMobile: screen.mobile,
      hasTouch: screen.mobile,
    });
  }

  const budgetEnd = performance.now() + job.stepsBudgetMs;
  for (const [index, step] of job.steps.entries()) {
    await send({ type: 'step_started', index });
    const deadline = Math.min(performance.now() + step.timeoutMs, budgetEnd);
    const screenshotPath = join(job.outDir, `step-${index}.png`);
    const mode = flow ? modeOf(step) : undefined;
    let durationMs = 0;
    let failure: StepFailure | undefined;
    const timed = async () => {
      const start = performance.now();
      try {
        await runStep(page, step, deadline, screenshotPath);
      } catch (err) {
        failure = stepFailureOf(err);
        // The flow's time, not the step's, ran out: say so, whatever the step was waiting for.
        if (deadline === budgetEnd && performance.now() >= budgetEnd - BUDGET_SLACK_MS) {
          failure = {
            reason: 'timeout',
            message: `the flow's timeout ran out during this step (${failure.reason}: ${failure.message})`,
          };
        }
      } finally {
        durationMs = performance.now() - start;
      }
    };
    if (flow && mode === 'navigation') {
      // The step's action is the navigation Lighthouse records; Lighthouse's own wait for a quiet
      // page after the load is gathering, not the user's time. Lighthouse waits at most the step's
      // timeout for the load; after a failed step its bookkeeping gets a bounded grace.
      let ran: Promise<void> | undefined;
      const gathered = flow.navigate(() => (ran = timed()), {
        name: step.name,
        maxWaitForLoad: step.timeoutMs,
      });
      const gatherError = await gathered.then(
        () => undefined,
        (err: unknown) => err,
      );
      // Lighthouse awaits the requestor, so `ran` is settled here unless Lighthouse failed before it.
      if (ran === undefined) {
        failure = {
          reason: 'page_error',
          message: `Lighthouse could not start the navigation: ${String(gatherError)}`,
        };
      } else if (gatherError !== undefined && !failure) {
        // A navigation that worked for the user but that Lighthouse could not gather: the step stands.
        push(evidence.consoleErrors, `lighthouse: ${String(gatherError)}`, MAX_CONSOLE_ERRORS);
      }
    } else if (flow && mode === 'timespan') {
      inTimespan = true;
      await flow.startTimespan({ name: step.name });
      inTimespan = false;
      await timed();
      // A wait can end in the very task that changed the page, before Chrome painted it; the
      // interaction's timing (INP) is only recorded at that paint. Let two frames pass before
      // Lighthouse stops recording (not part of the step's time).
      await bounded(page.evaluate(NEXT_PAINT), FRAME_WAIT_MS);
      await bounded(flow.endTimespan(), LIGHTHOUSE_STEP_END_MS);
    } else {
      await timed();
      if (flow && mode === 'snapshot')
        await bounded(flow.snapshot({ name: step.name }), LIGHTHOUSE_STEP_END_MS);
    }
    evidence.url = page.url();
    if (step.action === 'screenshot' && !failure)
      evidence.screenshots.push({ step: step.name, path: screenshotPath });
    await send({ type: 'step_done', index, durationMs, url: evidence.url, ...(failure && { failure }) });
    if (failure) {
      const path = join(job.outDir, 'failure.png');
      const shot = await bounded(page.screenshot({ path }), EVIDENCE_MS);
      if (shot !== undefined) evidence.failureScreenshot = path;
      break;
    }
  }

  const done: FlowDone = { type: 'flow_done', evidence, figures: [] };
  if (flow) {
    const started = performance.now();
    try {
      const result = await flow.createFlowResult();
      const html = lighthouse.generateReport(result, 'html');
      done.reportPath = join(job.outDir, 'flow.html');
      await writeFile(done.reportPath, html);
      done.figures = flowFigures(result as unknown as FlowResultLike);
    } catch (err) {
      // Typically "Need at least one step": the first step failed before Lighthouse gathered it.
      done.analysisError = String((err as Error).message ?? err);
    }
    done.analysisMs = performance.now() - started;
  }
  await leavePage(page);
  await browser.disconnect();
  return done;
}

/** How long a page's leave-time requests (sendBeacon) get before Chrome is shut down. */
const LEAVE_MS = 500;

/**
 * Leave the last page as a visitor does, after Lighthouse is done with it: its pagehide and
 * visibilitychange handlers run, so a field-data snippet on it (vantage-rum, a site's analytics)
 * sends its beacon instead of dying with Chrome. Outside every step's time, bounded.
 */
async function leavePage(page: Page): Promise<void> {
  await bounded(page.goto('about:blank'), LEAVE_MS * 4);
  await new Promise((resolve) => setTimeout(resolve, LEAVE_MS));
}

process.once('message', (job: FlowJob) => {
  chromeGroupIs(job.chromePgid);
  run(job)
    .catch((err: unknown): FlowMessage => ({
      type: 'flow_error',
      message: String((err as Error).message ?? err),
    }))
    .then(send)
    // Lighthouse and Puppeteer leave sockets and timers behind; the flow is over, so exit rather than wait.
    .finally(() => process.exit(0));
});
