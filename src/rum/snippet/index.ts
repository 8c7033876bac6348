/// <reference lib="dom" />
/**
 * vantage's real-user monitoring snippet, the browser side of docs/field-data.md ("The snippet"),
 * bundled by scripts/build-rum-snippet.mjs into dist/rum/vantage-rum.js and served at
 * /rum/v1/vantage-rum.js. A site adds
 *   <script src="https://vantage.example.com/rum/v1/vantage-rum.js" data-site="shop" defer></script>
 *
 * Contract:
 * - Google's web-vitals (attribution build) measures LCP, INP, CLS, FCP and TTFB; every change is
 *   kept (reportAllChanges), and ONE "pv" beacon per page view goes out with
 *   navigator.sendBeacon(string) when the page is first hidden. Our visibilitychange listener sits
 *   on `document`, so it runs after web-vitals' window capture listeners have flushed their
 *   pending entries (INP's last interaction, the final CLS). A bfcache restore is a new page view.
 * - Sessions, engagement and goals as in ./session.ts; the session lives in sessionStorage (per
 *   tab, no cookie; in memory when storage is unavailable). Leaving the site (pagehide with no
 *   same-origin navigation pending) sends an "end" beacon with the session's duration and forgets
 *   the session.
 * - Only location.pathname is sent: never the query, the hash, the referrer or anything personal.
 * - Off the page's critical path: when the script runs it only records the page view's start and
 *   listens; the web-vitals observers (buffered: nothing is lost) and the session's storage work
 *   wait until the page is idle after load, in separate small tasks, so the snippet never adds a
 *   long task to the page's load (Lighthouse's TBT) nor delays its paints.
 * - Nothing escapes into the page: every entry point catches its errors. Without data-site it
 *   warns on the console and sends nothing.
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import {
  attrText,
  lcpElementKind,
  navigationType,
  visibleMs,
  vitalValue,
  type Attribution,
  type Beacon,
  type VitalName,
} from './beacon.js';
import {
  beaconSession,
  GOAL_NAME,
  isExpired,
  markSent,
  newSession,
  pageView,
  parseSession,
  reachGoal,
  type SessionState,
} from './session.js';

const STORAGE_KEY = 'vantage_rum';
const BEACON_PATH = '/rum/v1/beacon';
/** A click on a same-origin link or a form submit this recent means the unload is not a leave. */
const CLICK_PENDING_MS = 1000;
/** A Navigation API navigate event to the same origin counts this long (slow servers). */
const NAVIGATE_PENDING_MS = 10_000;

interface PageViewState {
  sent: boolean;
  nav: string;
  vitals: Partial<Record<VitalName, number>>;
  attr: Attribution;
  /** Visible time of this page view's finished visible periods. */
  visibleMs: number;
  /** performance.now() when the current visible period began; undefined while hidden. */
  visibleSince: number | undefined;
}

/** The Navigation API, where the browser has it (not in TypeScript's DOM lib yet). */
interface NavigationLike {
  addEventListener(type: 'navigate', listener: (event: { destination: { url: string } }) => void): void;
}

function warn(message: string): void {
  try {
    console.warn('vantage-rum: ' + message);
  } catch {
    // no console: nothing to say it on
  }
}

/** Runs `fn`, swallowing whatever it throws: the page must never see the snippet fail. */
function safe<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch {
      // a measurement lost is better than a page broken
    }
  };
}

function randomId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const bytes = new Uint8Array(22);
  if (typeof crypto !== 'undefined' && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let id = '';
  for (const b of bytes) id += alphabet[b & 63];
  return id;
}

/** sessionStorage, or undefined where it is disabled or sandboxed (a failed write falls back later). */
function sessionStore(): Storage | undefined {
  try {
    const store = window.sessionStorage;
    store.getItem(STORAGE_KEY);
    return store;
  } catch {
    return undefined;
  }
}

/**
 * Run `work` when the page is idle after its load: the snippet's own work (storage, observers)
 * must not be a long task in the page's critical path, or it would cost the page's own
 * Lighthouse score (docs/field-data.md). web-vitals' observers are `buffered`, so observing from
 * then on loses nothing of what happened before.
 */
function whenIdle(work: () => void): void {
  const idle = (): void => {
    const ric = (window as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number })
      .requestIdleCallback;
    if (ric) ric(work, { timeout: 2000 });
    else setTimeout(work, 1);
  };
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}

function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const site = script?.getAttribute('data-site');
  if (!script || !site) {
    warn('data-site is missing on the script tag: nothing is measured or sent');
    return;
  }
  const endpointAttr = script.getAttribute('data-endpoint');
  const endpoint = new URL(endpointAttr || BEACON_PATH, endpointAttr ? location.href : script.src).href;
  let storeChecked = false;
  let storeValue: Storage | undefined;
  /** Looked up on first use, off the page's load (its first access can be a round trip to the browser). */
  const store = (): Storage | undefined => {
    if (!storeChecked) {
      storeChecked = true;
      storeValue = sessionStore();
    }
    return storeValue;
  };
  let memory: SessionState | undefined;
  const newView = (nav: string): PageViewState => ({
    sent: false,
    nav,
    vitals: {},
    attr: {},
    visibleMs: 0,
    visibleSince: document.visibilityState === 'visible' ? performance.now() : undefined,
  });
  let view = newView('navigate');
  /** Begins the first page view's session if not yet done (set below, once the page view exists). */
  let ensureBegun = (): void => undefined;
  /** The pagehide of an unload came while still visible: the visibilitychange that follows sends. */
  let unloading = false;
  let leaving = false;
  let sameOriginUntil = 0;

  const load = (): SessionState | undefined => {
    const storage = store();
    return storage ? parseSession(storage.getItem(STORAGE_KEY)) : memory;
  };
  const save = (state: SessionState | undefined): void => {
    memory = state;
    try {
      const storage = store();
      if (storage && state) storage.setItem(STORAGE_KEY, JSON.stringify(state));
      else if (storage) storage.removeItem(STORAGE_KEY);
    } catch {
      // storage full: the in-memory copy carries this page view
    }
  };

  function send(beacon: Beacon): boolean {
    // Automation (Puppeteer, Playwright, WebDriver) says so: the collector drops these visits
    // unless the site accepts synthetic ones, whatever user agent the tool claims.
    if (navigator.webdriver === true) beacon.synthetic = true;
    const body = JSON.stringify(beacon);
    try {
      if (typeof navigator.sendBeacon === 'function') return navigator.sendBeacon(endpoint, body);
      if (typeof fetch === 'function') {
        fetch(endpoint, { method: 'POST', body, keepalive: true, credentials: 'omit' }).catch(
          () => undefined,
        );
        return true;
      }
    } catch {
      // a refused beacon (quota, bad URL) is a beacon not sent
    }
    return false;
  }

  /** The "end" beacon of `state`, which is then forgotten by the caller. */
  function sendEnd(state: SessionState, endedAt: number, path: string, visible: number): void {
    send({
      v: 1,
      t: 'end',
      site: site!,
      path,
      nav: view.nav,
      visible_ms: visibleMs(visible),
      session: beaconSession(state, 0, endedAt - state.startedAt),
    });
  }

  /** The session to count activity in: a stored live one, or a new one (ending an expired one). */
  function liveSession(now: number, startedAt: number): SessionState {
    const stored = load();
    if (stored && !isExpired(stored, now)) return stored;
    if (stored) sendEnd(stored, stored.lastActive, stored.lastPath, 0);
    return newSession(randomId(), location.pathname, startedAt);
  }

  function beginPageView(nav: string, startedAt: number): void {
    const now = Date.now();
    save(pageView(liveSession(now, startedAt), location.pathname, now));
    view = newView(nav);
    unloading = false;
    leaving = false;
  }

  function closeVisiblePeriod(): void {
    if (view.visibleSince === undefined) return;
    const ms = performance.now() - view.visibleSince;
    view.visibleSince = undefined;
    view.visibleMs += ms;
    const state = load();
    if (state) save({ ...state, visibleMs: state.visibleMs + ms, lastActive: Date.now() });
  }

  function sendPageView(): void {
    if (view.sent || (document as { prerendering?: boolean }).prerendering) return;
    view.sent = true; // once per page view, whatever sendBeacon answers
    const state = load();
    if (!state) return;
    const goals = state.unsentGoals.slice();
    const session = beaconSession(state, 0);
    const beacon: Beacon = {
      v: 1,
      t: 'pv',
      site: site!,
      path: location.pathname,
      nav: view.nav,
      vitals: view.vitals,
      attr: view.attr,
      visible_ms: visibleMs(view.visibleMs),
      session,
    };
    if (goals.length > 0) beacon.goals = goals;
    if (send(beacon)) {
      markSent(state, session, goals);
      save(state);
    }
  }

  /** The page is gone: its beacon if not sent yet, then the session's end when leaving the site. */
  function finish(): void {
    unloading = false;
    sendPageView();
    if (!leaving) return;
    const state = load();
    if (state) sendEnd(state, Date.now(), location.pathname, view.visibleMs);
    save(undefined);
  }

  const onVisibility = safe(() => {
    ensureBegun();
    if (document.visibilityState === 'hidden') {
      closeVisiblePeriod();
      sendPageView();
      if (unloading) finish();
      return;
    }
    if (view.visibleSince === undefined) view.visibleSince = performance.now();
    const now = Date.now();
    const state = load();
    if (state && !isExpired(state, now)) save({ ...state, lastActive: now });
    else save(pageView(liveSession(now, now), location.pathname, now)); // back after 30 min: a new session
  });

  const onPageHide = safe(() => {
    ensureBegun();
    leaving = Date.now() > sameOriginUntil;
    // Unloads fire pagehide and then visibilitychange: web-vitals flushes on the latter.
    if (document.visibilityState === 'hidden') finish();
    else unloading = true;
  });

  const onPageShow = safe((event: PageTransitionEvent) => {
    if (event.persisted) beginPageView('back-forward-cache', Date.now());
  });

  const sameOriginSoon = (ms: number) => {
    sameOriginUntil = Math.max(sameOriginUntil, Date.now() + ms);
  };
  const onClick = safe((event: MouseEvent) => {
    const target = event.target as Element | null;
    const link = target && target.closest ? (target.closest('a[href]') as HTMLAnchorElement | null) : null;
    if (link && link.origin === location.origin) sameOriginSoon(CLICK_PENDING_MS);
  });
  const onSubmit = safe((event: SubmitEvent) => {
    const form = event.target as HTMLFormElement;
    if (new URL(form.action || location.href, location.href).origin === location.origin) {
      sameOriginSoon(CLICK_PENDING_MS);
    }
  });
  const onNavigate = safe((event: { destination: { url: string } }) => {
    if (new URL(event.destination.url, location.href).origin === location.origin) {
      sameOriginSoon(NAVIGATE_PENDING_MS);
    }
  });

  const record = (name: VitalName, value: number, nav: string): boolean => {
    if (view.sent) return false; // a report after the beacon belongs to no beacon
    const v = vitalValue(name, value);
    if (v !== undefined) view.vitals[name] = v;
    view.nav = nav;
    return true;
  };

  const entry = performance.getEntriesByType?.('navigation')[0] as
    (PerformanceNavigationTiming & { activationStart?: number }) | undefined;
  // Our pageshow listener before web-vitals' (capture, registered later): a restored page view
  // exists before onTTFB reports its 0 on restore.
  addEventListener('pageshow', onPageShow, true);
  // The page view exists now (its visible time counts from here); its session, which reads and
  // writes storage, is begun when the page is idle, or earlier when something needs it.
  view = newView(entry?.activationStart ? 'prerender' : navigationType(entry?.type));
  const scriptRanAt = Date.now();
  const pageStartedAt = Math.round(performance.timeOrigin);
  let begun = false;
  ensureBegun = () => {
    if (begun) return;
    begun = true;
    save(pageView(liveSession(scriptRanAt, pageStartedAt), location.pathname, scriptRanAt));
  };
  whenIdle(safe(() => ensureBegun()));
  document.addEventListener('visibilitychange', onVisibility);
  addEventListener('pagehide', onPageHide);
  document.addEventListener('click', onClick, true);
  document.addEventListener('submit', onSubmit, true);
  const navigation = (window as unknown as { navigation?: NavigationLike }).navigation;
  if (navigation && typeof navigation.addEventListener === 'function') {
    navigation.addEventListener('navigate', onNavigate);
  }

  (window as unknown as { vantageRum: { goal(name: string): void } }).vantageRum = {
    goal: safe((name: string) => {
      if (typeof name !== 'string' || !GOAL_NAME.test(name)) {
        warn('goal names are 1 to 64 characters a-z, 0-9, _ and -; ignored: ' + String(name));
        return;
      }
      ensureBegun();
      const state = load();
      if (state && reachGoal(state, name)) save(state);
    }),
  };

  whenIdle(safe(() => observeVitals()));

  function observeVitals(): void {
    const all = { reportAllChanges: true };
    onLCP(
      safe((m) => {
        const lcp = m.attribution.lcpEntry;
        if (record('lcp', m.value, m.navigationType)) {
          view.attr.lcp_element = lcpElementKind(lcp?.element?.tagName, lcp?.url);
        }
      }),
      all,
    );
    onINP(
      safe((m) => {
        if (!record('inp', m.value, m.navigationType)) return;
        const target = attrText(m.attribution.interactionTarget);
        if (target) view.attr.inp_target = target;
        view.attr.inp_type = m.attribution.interactionType;
      }),
      all,
    );
    onCLS(
      safe((m) => {
        if (!record('cls', m.value, m.navigationType)) return;
        const target = attrText(m.attribution.largestShiftTarget);
        if (target) view.attr.cls_target = target;
      }),
      all,
    );
    onFCP(
      safe((m) => void record('fcp', m.value, m.navigationType)),
      all,
    );
    onTTFB(
      safe((m) => void record('ttfb', m.value, m.navigationType)),
      all,
    );
  }
}

safe(start)();
