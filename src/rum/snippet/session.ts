/**
 * The snippet's session bookkeeping, as pure functions of a stored state and the time, so the
 * rules are table-tested in Node (test/unit/rum-snippet-session.test.ts) and the browser part only
 * loads, saves and sends. The rules are the contract's (docs/field-data.md, "The snippet"):
 *
 * - A session is a random id kept in sessionStorage (per tab, no cookie); it ends after
 *   SESSION_IDLE_MS without activity (a page view, or the page becoming visible or hidden).
 * - Engaged (GA4's definition): cumulative visible time >= ENGAGED_VISIBLE_MS, or >= 2 page views,
 *   or a goal reached. `engaged: true` rides on the first beacon after the condition holds, once.
 * - `start: true` rides on the first beacon of the session that was handed to sendBeacon, once.
 * - A goal counts once per session; it rides on the next "pv" beacon.
 */

export const SESSION_IDLE_MS = 30 * 60_000;
export const ENGAGED_VISIBLE_MS = 10_000;
export const ENGAGED_PAGE_VIEWS = 2;
/** The contract's goal names. */
export const GOAL_NAME = /^[a-z0-9_-]{1,64}$/;

export interface SessionState {
  id: string;
  /** Epoch ms: the start of the session's first page view. */
  startedAt: number;
  /** Epoch ms: the last activity (page view start, page shown or hidden). */
  lastActive: number;
  /** Path of the session's first page view. */
  landing: string;
  /** Path of the latest page view (for an "end" sent by a later page view). */
  lastPath: string;
  pages: number;
  /** Visible time of the session's page views, summed at each hide. */
  visibleMs: number;
  startSent: boolean;
  engagedSent: boolean;
  /** Every goal reached in this session (deduplication). */
  goals: string[];
  /** Goals reached but not yet sent. */
  unsentGoals: string[];
}

/** The `session` object of a beacon. */
export interface BeaconSession {
  id: string;
  start?: true;
  landing: string;
  engaged?: true;
  duration_ms?: number;
}

export function newSession(id: string, path: string, now: number): SessionState {
  return {
    id,
    startedAt: now,
    lastActive: now,
    landing: path,
    lastPath: path,
    pages: 0,
    visibleMs: 0,
    startSent: false,
    engagedSent: false,
    goals: [],
    unsentGoals: [],
  };
}

export function isExpired(state: SessionState, now: number): boolean {
  return now - state.lastActive > SESSION_IDLE_MS;
}

export function isEngaged(state: SessionState, visibleNowMs = 0): boolean {
  return (
    state.visibleMs + visibleNowMs >= ENGAGED_VISIBLE_MS ||
    state.pages >= ENGAGED_PAGE_VIEWS ||
    state.goals.length > 0
  );
}

/** A new page view at `path`: counted, and the session touched. */
export function pageView(state: SessionState, path: string, now: number): SessionState {
  return { ...state, pages: state.pages + 1, lastPath: path, lastActive: now };
}

/** Records a goal; false when the session already reached it. */
export function reachGoal(state: SessionState, name: string): boolean {
  if (state.goals.includes(name)) return false;
  state.goals.push(name);
  state.unsentGoals.push(name);
  return true;
}

/**
 * The beacon's session object for the state as it is now (`visibleNowMs`: the current page's
 * visible time not yet summed into the state), and the flags it claims: the caller passes them
 * to `markSent` once sendBeacon took the beacon.
 */
export function beaconSession(state: SessionState, visibleNowMs: number, durationMs?: number): BeaconSession {
  const session: BeaconSession = { id: state.id, landing: state.landing };
  if (!state.startSent) session.start = true;
  if (!state.engagedSent && isEngaged(state, visibleNowMs)) session.engaged = true;
  if (durationMs !== undefined) session.duration_ms = Math.max(0, Math.round(durationMs));
  return session;
}

/** After sendBeacon accepted a beacon carrying `session` (and `goals`). */
export function markSent(state: SessionState, session: BeaconSession, goals: readonly string[]): void {
  if (session.start) state.startSent = true;
  if (session.engaged) state.engagedSent = true;
  state.unsentGoals = state.unsentGoals.filter((g) => !goals.includes(g));
}

/** A stored state, or undefined when the stored text is not one (another script's, or damaged). */
export function parseSession(text: string | null): SessionState | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Partial<SessionState>;
    const ok =
      typeof s.id === 'string' &&
      /^[A-Za-z0-9_-]{16,32}$/.test(s.id) &&
      typeof s.startedAt === 'number' &&
      typeof s.lastActive === 'number' &&
      typeof s.landing === 'string' &&
      typeof s.lastPath === 'string' &&
      typeof s.pages === 'number' &&
      typeof s.visibleMs === 'number' &&
      Array.isArray(s.goals) &&
      Array.isArray(s.unsentGoals);
    return ok ? (s as SessionState) : undefined;
  } catch {
    return undefined;
  }
}
