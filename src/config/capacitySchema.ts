/**
 * A target's capacity settings (DESIGN.md "Configuration"): the node_exporter instances behind
 * it (`hosts`), whether and how hard `vantage load` may load-test it (`load_test`), and the
 * PromQL that gives its real traffic (`traffic_query`) when no field data counts its page views.
 * Load testing is opt-in per target and every cap here is a ceiling the command line cannot lift.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DURATION_LIMITS } from './duration.js';
import { positiveDuration } from './durationSchema.js';

/** The highest rate any config may allow: far beyond what one load generator process reaches. */
export const MAX_LOAD_TEST_RATE = 100_000;
/** The most connections any config may allow, so a typo cannot open a million sockets. */
export const MAX_LOAD_TEST_CONCURRENCY = 10_000;

const HOST_NAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*$/;

/**
 * `host:port` as Prometheus writes a scrape address (and so the node_exporter series' `instance`
 * label): `web-1:9100`, `10.0.0.5:9100`, `[2001:db8::1]:9100`. The port is required because
 * Prometheus' default (80) is never node_exporter's.
 */
const hostAddress = z.string().superRefine((text, ctx) => {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  const plain = /^([^:[\]]+):(\d+)$/.exec(text);
  const [, host, port] = bracketed ?? plain ?? [];
  if (host === undefined || port === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `not a host:port: "${text}" (the node_exporter address Prometheus scrapes, e.g. web-1:9100)`,
    });
    return;
  }
  const hostOk = bracketed ? isIP(host) === 6 : isIP(host) === 4 || HOST_NAME_RE.test(host);
  const portNumber = Number(port);
  if (!hostOk) ctx.addIssue({ code: 'custom', message: `not a host name or IP: "${host}" in "${text}"` });
  else if (!(portNumber >= 1 && portNumber <= 65_535))
    ctx.addIssue({ code: 'custom', message: `port must be 1-65535, got ${port} in "${text}"` });
});

export const hostsSchema = z
  .array(hostAddress)
  .max(256, 'at most 256 hosts per target')
  .refine((hosts) => new Set(hosts).size === hosts.length, { message: 'lists a host twice' })
  .default([])
  .describe(
    "node_exporter instances (host:port, as Prometheus scrapes them) serving this target; exported as vantage_target_host_info{target,host} so rules join the target's response time with its hosts' saturation",
  );

export const loadTestSchema = z
  .strictObject({
    allowed: z
      .boolean()
      .default(false)
      .describe('whether `vantage load` may load-test this target; nothing else turns it on'),
    max_rate: z
      .number()
      .positive()
      .max(MAX_LOAD_TEST_RATE, `must be at most ${MAX_LOAD_TEST_RATE} requests/s`)
      .default(100)
      .describe('the highest request rate (requests/s) a load test may ask for'),
    max_concurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_LOAD_TEST_CONCURRENCY)
      .default(200)
      .describe('the most connections a load test may open at once'),
    max_duration: positiveDuration('the longest a load test may run', DURATION_LIMITS.interval).prefault(
      '10m',
    ),
  })
  .describe('bounded load tests with `vantage load`: off unless allowed, and capped');
export type LoadTestConfig = z.output<typeof loadTestSchema>;

export const trafficQuerySchema = z
  .string()
  .trim()
  .min(1, 'must be a PromQL expression')
  .max(4096, 'at most 4096 characters')
  .describe(
    "PromQL giving this target's real request rate in requests/s (e.g. from the web server's own metrics); the report's headroom compares a load test's knee with its peak when the site sends no field data",
  );
