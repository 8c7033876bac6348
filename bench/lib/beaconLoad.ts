/**
 * The load generator of bench/rum.ts, run as a process of its own (so its CPU is its own, visible
 * in /proc, and never on the event loop of the server under test or of the bench that samples
 * it): autocannon sends the beacon stream of lib/beacons.ts, beacons `offset`, `offset + 1`, ...,
 * over `connections` kept-alive connections, each sending its next beacon as soon as the previous
 * one is answered (closed loop), for `duration` seconds or until `amount` beacons are answered.
 *
 *   node --import tsx bench/lib/beaconLoad.ts URL CONNECTIONS (--duration=S | --amount=N) --offset=I --out=FILE
 *
 * Writes one JSON object to FILE: the beacons built (= sent, one request each), the answers by
 * class, latency percentiles in ms, the page views among the beacons sent, and autocannon's
 * first error if any.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { beaconRequest, isPageView, ORIGIN } from './beacons.js';

export interface LoadResult {
  connections: number;
  /** Seconds autocannon ran. */
  durationS: number;
  /** Beacons built, i.e. requests written (the last few may be unanswered when a duration ends). */
  sent: number;
  /** Page views among the beacons sent (the rest are session ends). */
  pageViews: number;
  ok2xx: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** This process's CPU seconds while autocannon ran, and in all (with start-up: tsx, imports). */
  cpuS: number;
  totalCpuS: number;
}

const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string' },
    amount: { type: 'string' },
    offset: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const [url, connectionsText] = positionals;
const connections = Number(connectionsText);
const offset = Number(values.offset);
if (!url || !Number.isInteger(connections) || connections < 1 || !values.out) {
  console.error('usage: beaconLoad.ts URL CONNECTIONS (--duration=S | --amount=N) --offset=I --out=FILE');
  process.exit(2);
}

let next = offset;
let pageViews = 0;
const cpuBefore = cpuNow();
const result = await autocannon({
  url,
  connections,
  pipelining: 1,
  timeout: 10,
  ...(values.amount ? { amount: Number(values.amount) } : { duration: Number(values.duration ?? 10) }),
  method: 'POST',
  headers: {
    origin: ORIGIN,
    // What navigator.sendBeacon sends for a string body.
    'content-type': 'text/plain;charset=UTF-8',
  },
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        const i = next++;
        if (isPageView(i)) pageViews++;
        const beacon = beaconRequest(i);
        return {
          ...request,
          body: beacon.body,
          headers: {
            ...request.headers,
            'user-agent': beacon.userAgent,
            'x-forwarded-for': beacon.forwardedFor,
          },
        };
      },
    },
  ],
});

const cpuAfter = cpuNow();
const latency = result.latency as typeof result.latency & { p99_9: number };
const out: LoadResult = {
  connections,
  durationS: result.duration,
  sent: next - offset,
  pageViews,
  ok2xx: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statusCodes: Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats?.count ?? 0]),
  ),
  latencyMs: {
    p50: latency.p50,
    p90: latency.p90,
    p99: latency.p99,
    p999: latency.p99_9,
    max: latency.max,
    mean: latency.average,
  },
  cpuS: cpuAfter - cpuBefore,
  totalCpuS: cpuAfter,
};
writeFileSync(values.out, JSON.stringify(out));
