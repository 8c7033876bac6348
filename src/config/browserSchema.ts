/**
 * The `browser:` settings of a `prober: browser` module: a scripted user flow run in a real
 * Chromium, step by step, through Lighthouse's user-flow API. Each step has a name (its `step`
 * label) and exactly one action: navigate, click, type (then press or click), select, assert,
 * screenshot, or a wait_for alone; any action may end with a wait_for.
 *
 * What can be known when the config loads is checked here, each error at its own path: an
 * unknown action, a step with none or two, duplicate names, a selector that is not valid CSS
 * (css-what's parser, the one cheerio uses), templates, regexps. Values are kept as written, so
 * /config shows `${env:SHOP_PASSWORD}`, never its value; browser steps have no variables of
 * their own (no extraction), so only `${env:...}` and `${file:...}` may appear.
 */
import { parse as parseSelector } from 'css-what';
import { z } from 'zod';
import {
  categoriesSchema,
  chromeFlagsSchema,
  formFactorSchema,
  reportHistorySchema,
} from './chromeSchema.js';
import { DURATION_LIMITS } from './duration.js';
import { positiveDuration } from './durationSchema.js';
import { regexString } from './httpSchema.js';
import { addDuplicateStepNames, referenceProblems, safeParse, templateString } from './journeySchema.js';
import type { Template } from './template.js';

/** Steps in one flow: a checkout is a dozen; each step is a Lighthouse step with its own analysis. */
export const MAX_BROWSER_STEPS = 30;

/** A CSS selector, parsed once here so a malformed one is refused with its field named. */
export const cssSelector = z
  .string()
  .min(1, 'must not be empty')
  .describe('a CSS selector, as document.querySelector takes it')
  .superRefine((text, ctx) => {
    try {
      parseSelector(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid CSS selector: ${(err as Error).message}` });
    }
  });

const waitForSchema = z
  .strictObject({
    selector: cssSelector.optional().describe('until an element matching it is visible'),
    text: z.string().min(1).optional().describe("until the page's visible text contains it"),
    navigation: z.literal(true).optional().describe('until a navigation the action started has loaded'),
    network_idle: z.literal(true).optional().describe('until no request has been in flight for 500 ms'),
    duration: positiveDuration('a fixed pause', DURATION_LIMITS.timeout).optional(),
  })
  .superRefine((wait, ctx) => {
    const conditions = WAIT_CONDITIONS.filter((k) => wait[k] !== undefined);
    if (conditions.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          conditions.length === 0
            ? `say what to wait for: one of ${WAIT_CONDITIONS.join(', ')}`
            : `${conditions.join(' and ')} are mutually exclusive: a wait has one condition`,
      });
    }
  });
export const WAIT_CONDITIONS = ['selector', 'text', 'navigation', 'network_idle', 'duration'] as const;
export type WaitFor = z.infer<typeof waitForSchema>;

const thenSchema = z
  .strictObject({
    press: z
      .string()
      .regex(/^[A-Za-z0-9]+$/, 'must be a key name such as Enter, Tab or ArrowDown')
      .optional()
      .describe('a key pressed after typing'),
    click: cssSelector.optional().describe('an element clicked after typing'),
  })
  .superRefine((then, ctx) => {
    if ((then.press === undefined) === (then.click === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'say one of press or click' });
    }
  });

const assertSchema = z
  .strictObject({
    selector: cssSelector.describe('the element asserted on; it must exist'),
    text: z.string().optional().describe('its text must contain this'),
    matches: regexString.optional().describe('its text must match this regexp (RE2)'),
  })
  .superRefine((rule, ctx) => {
    if (rule.text !== undefined && rule.matches !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['matches'], message: 'text and matches are mutually exclusive' });
    }
  });

/** The actions a step may take; exactly one per step, or a wait_for alone. */
export const BROWSER_ACTIONS = ['navigate', 'click', 'type', 'select', 'assert', 'screenshot'] as const;
export type BrowserAction = (typeof BROWSER_ACTIONS)[number] | 'wait_for';

const stepSchema = z
  .strictObject(
    {
      name: z
        .string({ error: (issue) => (issue.input === undefined ? 'every step needs a name' : undefined) })
        .regex(/^[a-z0-9_]+$/, 'must match [a-z0-9_]+ (it becomes the `step` label)')
        .describe('unique in the flow; the `step` label of its series'),
      navigate: templateString("a URL, relative to the target's url or absolute").optional(),
      click: cssSelector.optional(),
      type: z
        .strictObject({ selector: cssSelector, text: templateString('the text typed') })
        .optional()
        .describe('type text into a field (a secret from ${env:...} or ${file:...} is never recorded)'),
      then: thenSchema.optional().describe('after type: press a key or click an element'),
      select: z
        .strictObject({ selector: cssSelector, value: templateString('the option value selected') })
        .optional()
        .describe('choose an option of a <select>'),
      assert: assertSchema.optional().describe('the page must hold an element (with this text)'),
      screenshot: z.literal(true).optional().describe('keep a screenshot of the page at this point'),
      wait_for: waitForSchema.optional().describe('after the action (or as the action): wait until'),
      timeout: positiveDuration(
        'the step timeout (within the flow timeout)',
        DURATION_LIMITS.timeout,
      ).prefault('30s'),
      slo: z
        .strictObject({
          latency: positiveDuration("the step's latency objective", DURATION_LIMITS.latency).optional(),
        })
        .prefault({})
        .describe("the step's objective (VantageJourneyStepSlow); default: the target's slo.latency"),
    },
    {
      // load.ts words an unknown key with this message ({key}: the key): a typo of an action.
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown action "{key}" (actions: ${BROWSER_ACTIONS.join(', ')}, wait_for; ` +
            'other step fields: name, then, timeout, slo)'
          : undefined,
    },
  )
  .superRefine((step, ctx) => {
    const actions = BROWSER_ACTIONS.filter((k) => step[k] !== undefined);
    if (actions.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [actions[1]!],
        message: `${actions.join(' and ')} are separate actions: one action per step`,
      });
    } else if (actions.length === 0 && step.wait_for === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `a step needs an action: one of ${BROWSER_ACTIONS.join(', ')}, or wait_for`,
      });
    }
    if (step.then !== undefined && step.type === undefined) {
      ctx.addIssue({ code: 'custom', path: ['then'], message: 'then follows a type action only' });
    }
  });
export type BrowserStepConfig = z.infer<typeof stepSchema>;

/** The action a step takes (a wait_for alone is its own action). */
export function stepAction(step: BrowserStepConfig): BrowserAction {
  return BROWSER_ACTIONS.find((k) => step[k] !== undefined) ?? 'wait_for';
}

export const browserModuleSchema = z
  .strictObject({
    form_factor: formFactorSchema,
    interval: positiveDuration('how often the flow runs', DURATION_LIMITS.interval).prefault('5m'),
    lighthouse: z
      .boolean()
      .default(true)
      .describe('measure each step with Lighthouse (user-flow API); false: time the steps only'),
    categories: categoriesSchema('Lighthouse categories scored on the navigation steps'),
    headers: z
      .record(z.string(), templateString('a header value'))
      .default({})
      .describe('extra request headers for every request of the page'),
    chrome_flags: chromeFlagsSchema,
    report_history: reportHistorySchema('runs (flow report, run record, screenshots)'),
    steps: z
      .array(stepSchema)
      .min(1, 'list at least one step')
      .max(MAX_BROWSER_STEPS, `at most ${MAX_BROWSER_STEPS} steps`)
      .describe('the user flow, run in order in one page; the first failure ends it'),
  })
  .superRefine((flow, ctx) => {
    addDuplicateStepNames(flow.steps, ctx);
    flow.steps.forEach((step, i) => {
      for (const [path, template] of browserStepTemplates(step)) {
        for (const problem of referenceProblems(template, new Set())) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, ...path], message: problem });
        }
      }
    });
    for (const [name, value] of Object.entries(flow.headers)) {
      for (const problem of referenceProblems(safeParse(value), new Set())) {
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: problem });
      }
    }
  });
export type BrowserModuleConfig = z.infer<typeof browserModuleSchema>;

/** Every template of a step, with its path under the step. */
export function browserStepTemplates(step: BrowserStepConfig): [PropertyKey[], Template][] {
  const out: [PropertyKey[], Template][] = [];
  if (step.navigate !== undefined) out.push([['navigate'], safeParse(step.navigate)]);
  if (step.type !== undefined) out.push([['type', 'text'], safeParse(step.type.text)]);
  if (step.select !== undefined) out.push([['select', 'value'], safeParse(step.select.value)]);
  return out;
}
