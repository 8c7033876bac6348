/**
 * The snippet's pure parts (src/rum/snippet/session.ts and beacon.ts), table-tested: session
 * expiry after 30 idle minutes, GA4's engagement (10 s visible, 2 page views or a goal), the
 * once-only `start` and `engaged` flags, goals counted once per session, and the beacon's value
 * ranges, attribution texts, LCP element kinds and navigation types.
 */
import { describe, expect, it } from 'vitest';
import {
  attrText,
  lcpElementKind,
  navigationType,
  visibleMs,
  vitalValue,
  type VitalName,
} from '../../src/rum/snippet/beacon.js';
import {
  beaconSession,
  GOAL_NAME,
  isEngaged,
  isExpired,
  markSent,
  newSession,
  pageView,
  parseSession,
  reachGoal,
  SESSION_IDLE_MS,
  type SessionState,
} from '../../src/rum/snippet/session.js';

const ID = 'abcdefghijklmnop_-12';
const T0 = 1_700_000_000_000;

function session(overrides: Partial<SessionState> = {}): SessionState {
  return { ...pageView(newSession(ID, '/landing', T0), '/landing', T0), ...overrides };
}

describe('session expiry', () => {
  it.each([
    [0, false],
    [SESSION_IDLE_MS, false],
    [SESSION_IDLE_MS + 1, true],
    [2 * SESSION_IDLE_MS, true],
  ])('idle %i ms: expired %s', (idle, expired) => {
    expect(isExpired(session(), T0 + idle)).toBe(expired);
  });

  it('a page view touches the session and counts', () => {
    const s = pageView(session(), '/next', T0 + 60_000);
    expect(s).toMatchObject({ pages: 2, lastPath: '/next', lastActive: T0 + 60_000, landing: '/landing' });
    expect(isExpired(s, T0 + 60_000 + SESSION_IDLE_MS)).toBe(false);
  });
});

describe('engagement (GA4)', () => {
  it.each<[string, Partial<SessionState>, number, boolean]>([
    ['one short page view', {}, 0, false],
    ['9.999 s visible', { visibleMs: 9_999 }, 0, false],
    ['10 s visible in earlier periods', { visibleMs: 10_000 }, 0, true],
    ['10 s with the current period', { visibleMs: 6_000 }, 4_000, true],
    ['2 page views', { pages: 2 }, 0, true],
    ['a goal', { goals: ['checkout'] }, 0, true],
  ])('%s: engaged %s', (_name, overrides, visibleNow, engaged) => {
    expect(isEngaged(session(overrides), visibleNow)).toBe(engaged);
  });
});

describe('the beacon session object', () => {
  it('claims start and engaged once each, after sendBeacon took them', () => {
    const s = session({ pages: 2 });
    const first = beaconSession(s, 0);
    expect(first).toEqual({ id: ID, landing: '/landing', start: true, engaged: true });
    // Not taken (sendBeacon returned false): claimed again on the next beacon.
    expect(beaconSession(s, 0)).toEqual(first);
    markSent(s, first, []);
    expect(beaconSession(s, 0)).toEqual({ id: ID, landing: '/landing' });
  });

  it('carries the duration only when given (the "end" beacon), never negative', () => {
    expect(beaconSession(session(), 0, 1234.4).duration_ms).toBe(1234);
    expect(beaconSession(session(), 0, -5).duration_ms).toBe(0);
    expect(beaconSession(session(), 0)).not.toHaveProperty('duration_ms');
  });

  it('counts a goal once per session and sends it once', () => {
    const s = session();
    expect(reachGoal(s, 'checkout')).toBe(true);
    expect(reachGoal(s, 'checkout')).toBe(false);
    expect(s.unsentGoals).toEqual(['checkout']);
    markSent(s, beaconSession(s, 0), ['checkout']);
    expect(s.unsentGoals).toEqual([]);
    expect(reachGoal(s, 'checkout')).toBe(false);
  });

  it.each([
    ['checkout', true],
    ['sign_up-2', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['Checkout', false],
    ['check out', false],
  ])('goal name %j valid: %s', (name, valid) => {
    expect(GOAL_NAME.test(name)).toBe(valid);
  });

  it.each<[string, string | null, boolean]>([
    ['a stored state', JSON.stringify(session()), true],
    ['nothing', null, false],
    ['not JSON', '{', false],
    ['a short id', JSON.stringify(session({ id: 'short' })), false],
    ['no goals list', JSON.stringify({ ...session(), goals: undefined }), false],
  ])('parseSession: %s → usable %s', (_name, text, usable) => {
    expect(parseSession(text) !== undefined).toBe(usable);
  });
});

describe('beacon values', () => {
  it.each<[VitalName, number, number | undefined]>([
    ['lcp', 1234.56, 1234.6],
    ['inp', 0, 0],
    ['ttfb', 3_600_000, 3_600_000],
    ['fcp', 3_600_001, undefined],
    ['lcp', -1, undefined],
    ['inp', Number.NaN, undefined],
    ['ttfb', Number.POSITIVE_INFINITY, undefined],
    ['cls', 0.123456, 0.1235],
    ['cls', 100, 100],
    ['cls', 100.1, undefined],
  ])('%s %d → %s', (name, value, sent) => {
    expect(vitalValue(name, value)).toBe(sent);
  });

  it.each([
    [-3, 0],
    [1500.4, 1500],
    [90_000_000, 86_400_000],
  ])('visible_ms %d → %d', (ms, sent) => {
    expect(visibleMs(ms)).toBe(sent);
  });

  it.each<[string | undefined, string | undefined]>([
    ['button#add', 'button#add'],
    ['  div.banner ', 'div.banner'],
    ['', undefined],
    [undefined, undefined],
    ['x'.repeat(150), 'x'.repeat(100)],
  ])('attribution text %j → %j', (text, sent) => {
    expect(attrText(text)).toBe(sent);
  });

  it.each<[string | undefined, string | undefined, string]>([
    ['IMG', 'https://x/a.png', 'img'],
    ['image', 'https://x/a.svg', 'image'],
    ['VIDEO', 'https://x/poster.jpg', 'video'],
    ['DIV', 'https://x/bg.jpg', 'background-image'],
    ['H1', '', 'text'],
    ['P', undefined, 'text'],
    [undefined, undefined, 'other'],
  ])('LCP element %s with url %j → %s', (tag, url, kind) => {
    expect(lcpElementKind(tag, url)).toBe(kind);
  });

  it.each([
    ['navigate', 'navigate'],
    ['reload', 'reload'],
    ['back_forward', 'back-forward'],
    ['prerender', 'prerender'],
    [undefined, 'navigate'],
  ])('navigation type %s → %s', (type, nav) => {
    expect(navigationType(type)).toBe(nav);
  });
});
