/**
 * One browser step's action and wait on a Puppeteer page, bounded by the step's deadline (runs in
 * the worker). It does what a user does and waits for what a user waits for; it never times itself
 * (the worker times it, around Lighthouse's own set-up) and never logs a typed text.
 *
 * A wait that runs out is named by what it waited for: an element (selector_not_found), a page
 * load (navigation_timeout), a text, network quiet or a fixed pause (timeout); a text assertion
 * that never held is assertion_failed, with the text the element had. Anything else Chrome or
 * Puppeteer throws is classified by classify.ts.
 */
import type { ElementHandle, HTTPResponse, Page } from 'puppeteer-core';
import RE2 from 're2';
import { formatElapsed } from '../../format/index.js';
import { StepError } from './classify.js';
import type { FlowStep } from './workerProtocol.js';

/** Quiet time that counts as "network idle" (Puppeteer's and Playwright's networkidle figure). */
const NETWORK_IDLE_MS = 500;
/** How often a text assertion re-reads the element until it holds or the step times out. */
const ASSERT_POLL_MS = 100;

const isTimeout = (err: unknown): boolean => err instanceof Error && err.name === 'TimeoutError';
const seconds = (ms: number): string => formatElapsed(ms / 1000);
const quoted = (text: string): string => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** The step's remaining time, at least 1 ms (Puppeteer reads 0 as "no timeout"). */
const remaining = (deadline: number): number => Math.max(1, Math.round(deadline - performance.now()));

async function element(
  page: Page,
  selector: string,
  deadline: number,
  visible = true,
): Promise<ElementHandle> {
  try {
    const handle = await page.waitForSelector(selector, { visible, timeout: remaining(deadline) });
    if (handle) return handle;
  } catch (err) {
    if (!isTimeout(err)) throw err;
  }
  throw new StepError(
    'selector_not_found',
    `no ${visible ? 'visible ' : ''}element matches ${quoted(selector)} after ${seconds(stepSpanMs)}`,
  );
}

/** The step's whole time span, for messages written once it has run out: set by runStep. */
let stepSpanMs = 0;

/** Runs `trigger` and, when asked, waits for the page load it starts (set up first, so none is missed). */
async function withNavigation(
  page: Page,
  deadline: number,
  expect: boolean,
  trigger: () => Promise<unknown>,
) {
  if (!expect) return void (await trigger());
  try {
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load', timeout: remaining(deadline) }),
      trigger(),
    ]);
    checkResponse(response);
  } catch (err) {
    if (!isTimeout(err)) throw err;
    throw new StepError('navigation_timeout', `no page load within ${seconds(stepSpanMs)} of the action`);
  }
}

/** A document answered with an error status fails the step as the HTTP prober would: status_code. */
function checkResponse(response: HTTPResponse | null): void {
  if (response && response.status() >= 400) {
    throw new StepError(
      'status_code',
      `${response.url()} answered ${response.status()} ${response.statusText()}`.trim(),
    );
  }
}

async function navigate(page: Page, url: string, deadline: number): Promise<void> {
  let response: HTTPResponse | null;
  try {
    response = await page.goto(url, { waitUntil: 'load', timeout: remaining(deadline) });
  } catch (err) {
    if (!isTimeout(err)) throw err;
    throw new StepError('navigation_timeout', `the page did not load within ${seconds(stepSpanMs)}`);
  }
  checkResponse(response);
}

async function waitFor(page: Page, step: FlowStep, deadline: number): Promise<void> {
  const wait = step.waitFor;
  if (!wait) return;
  if (wait.selector !== undefined) {
    await element(page, wait.selector, deadline);
    return;
  }
  try {
    if (wait.text !== undefined) {
      // A string, evaluated in the page: vantage's own code has no DOM types.
      await page.waitForFunction(
        `document.body !== null && document.body.innerText.includes(${JSON.stringify(wait.text)})`,
        { timeout: remaining(deadline), polling: 'mutation' },
      );
    } else if (wait.navigation) {
      checkResponse(await page.waitForNavigation({ waitUntil: 'load', timeout: remaining(deadline) }));
    } else if (wait.network_idle) {
      await page.waitForNetworkIdle({ idleTime: NETWORK_IDLE_MS, timeout: remaining(deadline) });
    } else if (wait.duration !== undefined) {
      if (wait.duration > remaining(deadline)) {
        await new Promise((r) => setTimeout(r, remaining(deadline)));
        throw new StepError(
          'timeout',
          `the pause of ${seconds(wait.duration)} is longer than the step timeout`,
        );
      }
      await new Promise((r) => setTimeout(r, wait.duration));
    }
  } catch (err) {
    if (!isTimeout(err)) throw err;
    const what =
      wait.text !== undefined
        ? `the text ${quoted(wait.text)} did not appear`
        : wait.navigation
          ? 'no page load'
          : 'the network did not go quiet';
    throw new StepError(
      wait.navigation ? 'navigation_timeout' : 'timeout',
      `${what} within ${seconds(stepSpanMs)}`,
    );
  }
}

/** The element's text until it holds the expectation, or assertion_failed with what it held. */
async function assertText(page: Page, step: FlowStep, deadline: number): Promise<void> {
  const rule = step.assert!;
  const el = await element(page, rule.selector, deadline, false);
  if (rule.text === undefined && rule.matches === undefined) return;
  const pattern = rule.matches !== undefined ? new RE2(rule.matches, 'u') : undefined;
  const holds = (text: string) => (pattern ? pattern.test(text) : text.includes(rule.text!));
  for (;;) {
    const text = await el.evaluate((node) => node.textContent ?? '');
    if (holds(text.trim()) || holds(text)) return;
    if (performance.now() + ASSERT_POLL_MS >= deadline) {
      const expected = pattern ? `to match ${quoted(rule.matches!)}` : `to contain ${quoted(rule.text!)}`;
      throw new StepError(
        'assertion_failed',
        `${quoted(rule.selector)} has text ${quoted(text.trim())}, expected ${expected}`,
      );
    }
    await new Promise((r) => setTimeout(r, ASSERT_POLL_MS));
  }
}

/**
 * Runs the step's action and its wait_for; throws a StepError (or what Chrome threw) on failure.
 * `screenshotPath` is where a screenshot step writes its image.
 */
export async function runStep(
  page: Page,
  step: FlowStep,
  deadline: number,
  screenshotPath: string,
): Promise<void> {
  stepSpanMs = Math.max(0, deadline - performance.now());
  const expectNavigation = step.waitFor?.navigation === true;
  const afterAction = expectNavigation ? { ...step, waitFor: undefined } : step;
  switch (step.action) {
    case 'navigate':
      await navigate(page, step.navigate!, deadline);
      break;
    case 'click': {
      const el = await element(page, step.click!, deadline);
      await withNavigation(page, deadline, expectNavigation, () => el.click());
      break;
    }
    case 'type': {
      const field = await element(page, step.type!.selector, deadline);
      await field.type(step.type!.text);
      const then = step.then;
      if (then?.press !== undefined) {
        const key = then.press;
        await withNavigation(page, deadline, expectNavigation, () => page.keyboard.press(key as never));
      } else if (then?.click !== undefined) {
        const target = await element(page, then.click, deadline);
        await withNavigation(page, deadline, expectNavigation, () => target.click());
      } else if (expectNavigation) {
        await waitFor(page, step, deadline);
      }
      break;
    }
    case 'select': {
      const el = await element(page, step.select!.selector, deadline);
      const chosen = await withNavigationResult(page, deadline, expectNavigation, () =>
        el.select(step.select!.value),
      );
      if (chosen !== undefined && chosen.length === 0) {
        throw new StepError(
          'page_error',
          `${quoted(step.select!.selector)} has no option with the value given (or is not a <select>)`,
        );
      }
      break;
    }
    case 'assert':
      await assertText(page, step, deadline);
      break;
    case 'screenshot':
      await page.screenshot({ path: screenshotPath as `${string}.png` });
      break;
    case 'wait_for':
      await waitFor(page, step, deadline);
      return;
  }
  await waitFor(page, afterAction, deadline);
}

/** withNavigation for an action whose result matters (select's chosen values). */
async function withNavigationResult<T>(
  page: Page,
  deadline: number,
  expect: boolean,
  trigger: () => Promise<T>,
): Promise<T | undefined> {
  let result: T | undefined;
  await withNavigation(page, deadline, expect, async () => {
    result = await trigger();
  });
  return result;
}
