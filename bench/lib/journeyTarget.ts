/**
 * What the journey benchmark runs vantage with: the journey target server (journeyTargetServer.ts,
 * its own process), the request count it keeps, and the journey modules compared with the
 * http_2xx check of exporters.ts. Every step makes the same checks as http_2xx on the same page
 * where it can, so a journey step and an http probe differ in the journey's own work only.
 */
import { join } from 'node:path';
import { freePort, spawnChild, waitForHttp, type Child } from './children.js';
import { HOST, HTTP_2XX_MODULE, REPO_ROOT } from './exporters.js';

/** Steps per journey: the five-step transaction. */
export const STEPS_PER_JOURNEY = 5;

/** http_2xx's checks, as a journey step's `checks`. */
const PAGE_CHECKS = {
  valid_status_codes: [200],
  fail_if_body_not_matches_regexp: HTTP_2XX_MODULE.http.fail_if_body_not_matches_regexp,
};

/** Settings every journey shares with http_2xx (the rest are the defaults of both). */
const JOURNEY_SETTINGS = { preferred_ip_protocol: 'ip4' } as const;

/** Five GETs of the target's own page, each checked as http_2xx checks it: the like-for-like case. */
export const SAME_URL_JOURNEY_MODULE = {
  prober: 'journey',
  timeout: '10s',
  journey: {
    ...JOURNEY_SETTINGS,
    steps: Array.from({ length: STEPS_PER_JOURNEY }, (_, i) => ({
      name: `page_${i + 1}`,
      request: { url: '/' },
      checks: PAGE_CHECKS,
    })),
  },
} as const;

/**
 * The realistic case: log in (JSON body, JSON assertion, token extracted), then pages that need
 * the token and the session cookie, an order whose number a regexp extracts, and its
 * confirmation page addressed by that number. One step is the same page http_2xx probes.
 */
export const LOGIN_JOURNEY_MODULE = {
  prober: 'journey',
  timeout: '10s',
  journey: {
    ...JOURNEY_SETTINGS,
    steps: [
      {
        name: 'login',
        request: { method: 'POST', url: '/login', json: { user: 'bench', password: 'bench' } },
        checks: { valid_status_codes: [200], json: [{ path: '$.token' }] },
        extract: { token: { json: '$.token' } },
      },
      {
        name: 'account',
        request: { url: '/account', headers: { Authorization: 'Bearer ${token}' } },
        checks: PAGE_CHECKS,
      },
      { name: 'page', request: { url: '/' }, checks: PAGE_CHECKS },
      {
        name: 'order',
        request: { method: 'POST', url: '/orders', headers: { Authorization: 'Bearer ${token}' } },
        checks: { valid_status_codes: [201] },
        extract: { order_id: { regex: 'order-(\\d+)' } },
      },
      {
        name: 'confirmation',
        request: { url: '/orders/order-${order_id}' },
        checks: {
          valid_status_codes: [200],
          fail_if_body_not_matches_regexp: ['Order order-[0-9]+ confirmed'],
        },
      },
    ],
  },
} as const;

export interface JourneyTargetServer {
  child: Child;
  baseUrl: string;
}

export async function startJourneyTargetServer(workDir: string): Promise<JourneyTargetServer> {
  const port = await freePort();
  const child = spawnChild({
    name: 'journey-target-server',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/journeyTargetServer.ts'), String(port)],
    cwd: REPO_ROOT, // where `tsx` resolves from
    logDir: workDir,
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(child, `${baseUrl}/__bench/requests`);
  return { child, baseUrl };
}

export interface RequestCount {
  /** Requests answered so far (the count itself excluded). */
  requests: number;
  /** Of those, answered 4xx/5xx: a journey lost its token or cookie, or the config is wrong. */
  rejected: number;
}

export async function requestCount(server: JourneyTargetServer): Promise<RequestCount> {
  const res = await fetch(`${server.baseUrl}/__bench/requests`);
  if (res.status !== 200) throw new Error(`journey target server: count answered HTTP ${res.status}`);
  return (await res.json()) as RequestCount;
}
