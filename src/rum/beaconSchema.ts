/**
 * The beacon the snippet sends (wire format v1, docs/field-data.md "The beacon"), validated as
 * hostile input: a strict schema (unknown fields refused), every number finite, non-negative and
 * bounded, every string short. A beacon that fails is refused whole with 400 and the first bad
 * field named; nothing of it is counted.
 *
 * What is validated here is the shape. What the values mean for the metrics (which site, which
 * page group, which goals) is the collector's business (collector.ts).
 */
import { z } from 'zod';
import { InputError, inputErrorOf } from '../input/inputError.js';

/** An hour: no real page takes longer to paint or answer; anything above is a broken clock or a lie. */
const MAX_VITAL_MS = 3_600_000;
/** A day of a page being visible. */
const MAX_VISIBLE_MS = 86_400_000;
/** A session lasting longer than a week is not one. */
const MAX_SESSION_MS = 7 * 86_400_000;

const milliseconds = (max: number) =>
  z
    .number('must be a number of milliseconds')
    .finite()
    .min(0, 'must not be negative')
    .max(max, `must be at most ${max} (milliseconds)`);
/** Selectors and paths as the snippet trims them, with room for multi-byte characters. */
const shortText = (max: number) => z.string().max(max);

export const LCP_ELEMENTS = ['img', 'image', 'video', 'text', 'background-image', 'other'] as const;
export const INTERACTION_TYPES = ['pointer', 'keyboard'] as const;
export const NAVIGATION_TYPES = [
  'navigate',
  'reload',
  'back-forward',
  'back-forward-cache',
  'prerender',
  'restore',
] as const;

const vitals = z.strictObject({
  lcp: milliseconds(MAX_VITAL_MS).optional(),
  inp: milliseconds(MAX_VITAL_MS).optional(),
  fcp: milliseconds(MAX_VITAL_MS).optional(),
  ttfb: milliseconds(MAX_VITAL_MS).optional(),
  cls: z
    .number('must be a number')
    .finite()
    .min(0, 'must not be negative')
    .max(100, 'must be at most 100')
    .optional(),
});

const attribution = z.strictObject({
  lcp_element: z.enum(LCP_ELEMENTS).optional(),
  inp_target: shortText(200).optional(),
  inp_type: z.enum(INTERACTION_TYPES).optional(),
  cls_target: shortText(200).optional(),
});

const path = z.string().min(1).max(2048).startsWith('/', 'must be a path starting with /');

const session = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{16,32}$/, 'must be 16 to 32 characters of [A-Za-z0-9_-]'),
  start: z.boolean().optional(),
  landing: path.optional(),
  engaged: z.boolean().optional(),
  duration_ms: milliseconds(MAX_SESSION_MS).optional(),
});

const common = {
  v: z.literal(1),
  site: z.string().min(1).max(64),
  path,
  session,
  synthetic: z.boolean().optional(),
};

const pageView = z.strictObject({
  ...common,
  t: z.literal('pv'),
  nav: z.enum(NAVIGATION_TYPES).optional(),
  vitals: vitals.prefault({}),
  attr: attribution.prefault({}),
  visible_ms: milliseconds(MAX_VISIBLE_MS).optional(),
  goals: z.array(z.string().max(64)).max(20).default([]),
});

/**
 * A session's end. It may carry the session's start or engagement when no page view beacon got
 * them out (the collector counts them, once, as the snippet sends them once); its `nav` and
 * `visible_ms` describe the page it was sent from and are not counted again.
 */
const sessionEnd = z.strictObject({
  ...common,
  t: z.literal('end'),
  nav: z.enum(NAVIGATION_TYPES).optional(),
  visible_ms: milliseconds(MAX_VISIBLE_MS).optional(),
});

export const beaconSchema = z.discriminatedUnion('t', [pageView, sessionEnd]);
export type Beacon = z.output<typeof beaconSchema>;
export type PageViewBeacon = z.output<typeof pageView>;

const FIELDS = [
  'v',
  't',
  'site',
  'path',
  'nav',
  'vitals',
  'attr',
  'visible_ms',
  'session',
  'goals',
  'synthetic',
];

/** The beacon, or an InputError naming the first bad field (`vitals.lcp`, `session.id`, `body`). */
export function parseBeacon(value: unknown): Beacon {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('body', 'expected a JSON object (a vantage-rum beacon)');
  }
  const result = beaconSchema.safeParse(value);
  if (!result.success) throw inputErrorOf(result.error, { noun: 'field', known: FIELDS, whole: 'body' });
  return result.data;
}
