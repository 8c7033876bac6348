/**
 * The beacon (v1 wire format of docs/field-data.md) built from web-vitals' reports: pure
 * functions, table-tested in Node (test/unit/rum-snippet-session.test.ts). Values outside the
 * contract's ranges are left out rather than sent (the collector would reject the whole beacon).
 */
import type { BeaconSession } from './session.js';

export type VitalName = 'lcp' | 'inp' | 'fcp' | 'ttfb' | 'cls';
export type LcpElement = 'img' | 'image' | 'video' | 'text' | 'background-image' | 'other';

export interface Attribution {
  lcp_element?: LcpElement;
  inp_target?: string;
  inp_type?: 'pointer' | 'keyboard';
  cls_target?: string;
}

export interface Beacon {
  v: 1;
  t: 'pv' | 'end';
  site: string;
  path: string;
  nav: string;
  vitals?: Partial<Record<VitalName, number>>;
  attr?: Attribution;
  visible_ms: number;
  session: BeaconSession;
  goals?: string[];
  /** Set when the browser says it is driven by automation (navigator.webdriver): not a real visit. */
  synthetic?: true;
}

const MAX_MS = 3_600_000;
const MAX_CLS = 100;
const MAX_VISIBLE_MS = 86_400_000;
export const MAX_ATTR_CHARS = 100;

/** A vital's value as the beacon carries it, or undefined when it is not a sendable number. */
export function vitalValue(name: VitalName, value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  if (name === 'cls') return value <= MAX_CLS ? Math.round(value * 10_000) / 10_000 : undefined;
  return value <= MAX_MS ? Math.round(value * 10) / 10 : undefined;
}

export function visibleMs(ms: number): number {
  return Math.min(MAX_VISIBLE_MS, Math.max(0, Math.round(ms)));
}

/** A selector or name trimmed to the contract's length; undefined for an empty one. */
export function attrText(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t.slice(0, MAX_ATTR_CHARS) : undefined;
}

/**
 * What the LCP element is: `tagName` of the LCP entry's element (any case; undefined when it
 * left the DOM) and the entry's `url` (set for images, videos and CSS background images).
 */
export function lcpElementKind(tagName: string | undefined, url: string | undefined): LcpElement {
  const tag = tagName?.toLowerCase();
  if (tag === 'img' || tag === 'image' || tag === 'video') return tag;
  if (!tag) return 'other';
  return url ? 'background-image' : 'text';
}

/** The navigation's type as web-vitals names it (Navigation Timing says back_forward). */
export function navigationType(entryType: string | undefined): string {
  return entryType ? entryType.replace(/_/g, '-') : 'navigate';
}
