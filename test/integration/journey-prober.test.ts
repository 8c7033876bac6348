/**
 * The journey prober against a real HTTP server on 127.0.0.1 that records every request: the
 * issue's acceptance points that one probe shows (timings, variables, cookies, a failing step,
 * the body limit), run through runProbe as the scheduler, /probe and the CLI run it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleSchema, type ModuleConfig } from '../../src/config/schema.js';
import { runProbe } from '../../src/probers/index.js';
import type { ProbeResult } from '../../src/probers/types.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: TestServer;
const seen: Seen[] = [];
const FIFTY_MB = 50 * 1024 * 1024;
let hugeBytesSent = 0;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  'POST /login': (_req, res, body) => {
    const { user } = JSON.parse(body) as { user: string };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `tok-${user}-91f3` }));
  },
  'GET /profile': (_req, res) => {
    // Step 2 sets the cookie that step 4 must send back.
    res.writeHead(200, { 'set-cookie': 'cart=c-5521; Path=/; HttpOnly', 'content-type': 'application/json' });
    res.end('{"name":"demo"}');
  },
  'GET /search': (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>order-7731 found</p>'),
  'POST /cart': (_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"items": 1}'),
  'GET /broken': (_req, res) => res.writeHead(500).end('boom'),
  'GET /done': (_req, res) => res.writeHead(200).end('ok'),
  'GET /huge': (_req, res) => {
    // 50 MB, 1 MB at a time, for as long as the client reads.
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    res.writeHead(200, { 'content-length': String(FIFTY_MB) });
    const pump = (): void => {
      while (!res.destroyed && hugeBytesSent < FIFTY_MB && res.write(chunk)) hugeBytesSent += chunk.length;
      if (hugeBytesSent >= FIFTY_MB) res.end();
      else if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  },
};

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes[`${req.method} ${path}`];
      if (route) route(req, res, body);
      else res.writeHead(404).end();
    });
  });
});

afterAll(() => server.close());

function journey(steps: unknown[], extra: Record<string, unknown> = {}): ModuleConfig {
  return moduleSchema.parse({ prober: 'journey', timeout: '10s', journey: { steps, ...extra } });
}

const probe = (module: ModuleConfig): Promise<ProbeResult> =>
  runProbe(`${server.origin}/`, module, { allowedNetworks: [], latencyObjectiveSeconds: 2 });

function stepSample(result: ProbeResult, family: string, step: string): number | undefined {
  return result.samples.find((s) => s.family.name === family && s.labels?.step === step)?.value;
}

const FIVE_STEPS = [
  {
    name: 'login',
    request: { method: 'POST', url: '/login', json: { user: 'demo', password: 'pw' } },
    checks: { valid_status_codes: [200], json: [{ path: '$.token' }] },
    extract: { token: { json: '$.token' } },
  },
  { name: 'profile', request: { url: '/profile', headers: { Authorization: 'Bearer ${token}' } } },
  {
    name: 'search',
    request: { url: '/search?t=${token}' },
    extract: { order: { regex: 'order-(\\d+)' } },
  },
  {
    name: 'add_to_cart',
    request: { method: 'POST', url: '/cart', form: { order: '${order}' } },
    checks: { valid_status_codes: [201], json: [{ path: '$.items', equals: 1 }] },
  },
  { name: 'done', request: { url: `/done` } },
];

describe('journey prober', () => {
  it('runs five steps; the sum of step durations is within 5 % (or 2 ms) of probe_duration_seconds', async () => {
    seen.length = 0;
    const result = await probe(journey(FIVE_STEPS));
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    const steps = FIVE_STEPS.map((s) => stepSample(result, 'probe_journey_step_duration_seconds', s.name));
    expect(steps.every((d) => d !== undefined && d > 0)).toBe(true);
    const sum = steps.reduce((a, b) => a! + b!, 0)!;
    const tolerance = Math.max(0.05 * result.durationSeconds, 0.002);
    expect(Math.abs(result.durationSeconds - sum)).toBeLessThanOrEqual(tolerance);
    for (const s of FIVE_STEPS) expect(stepSample(result, 'probe_journey_step_success', s.name)).toBe(1);
    // One observation per step for the histogram; the target's objective as every step's threshold.
    expect(result.observations?.map((o) => o.labels?.step)).toEqual(FIVE_STEPS.map((s) => s.name));
    expect(stepSample(result, 'vantage_journey_step_latency_threshold_seconds', 'done')).toBe(2);
  });

  it('uses a value extracted in step 1 in step 3, and sends a cookie set in step 2 in step 4', async () => {
    seen.length = 0;
    await probe(journey(FIVE_STEPS));
    expect(seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual([
      'POST /login',
      'GET /profile',
      'GET /search',
      'POST /cart',
      'GET /done',
    ]);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ user: 'demo', password: 'pw' });
    expect(seen[1]!.headers.authorization).toBe('Bearer tok-demo-91f3');
    expect(seen[2]!.url).toBe('/search?t=tok-demo-91f3');
    expect(seen[1]!.headers.cookie).toBeUndefined();
    expect(seen[3]!.headers.cookie).toBe('cart=c-5521');
    expect(seen[3]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[3]!.body).toBe('order=7731');
  });

  it('stops at a third step answering 500: status_code with the step, no series for steps 4 and 5', async () => {
    seen.length = 0;
    const steps = [
      ...FIVE_STEPS.slice(0, 2),
      { name: 'broken', request: { url: '/broken' }, extract: { order: { regex: 'order-(\\d+)' } } },
      ...FIVE_STEPS.slice(3),
    ];
    const result = await probe(journey(steps));
    expect(result.success).toBe(false);
    expect(result.failure).toMatchObject({ reason: 'status_code', phase: 'processing', step: 'broken' });
    expect(result.failure!.message).toMatch(/^step broken: /);
    expect(stepSample(result, 'probe_journey_step_success', 'broken')).toBe(0);
    expect(stepSample(result, 'probe_journey_step_success', 'profile')).toBe(1);
    for (const name of ['add_to_cart', 'done']) {
      expect(result.samples.filter((s) => s.labels?.step === name)).toEqual([]);
    }
    expect(seen).toHaveLength(3);
    expect(result.counters).toEqual([
      expect.objectContaining({ labels: { step: 'broken', reason: 'status_code' }, value: 1 }),
    ]);
  });

  it('fails a step whose extraction finds nothing with extraction_failed, and a JSON assertion with json_mismatch', async () => {
    const extraction = await probe(
      journey([{ name: 'search', request: { url: '/search' }, extract: { id: { json: '$.id' } } }]),
    );
    expect(extraction.failure).toMatchObject({
      reason: 'extraction_failed',
      phase: 'extract',
      step: 'search',
    });
    expect(extraction.failure!.message).toContain('the body is not JSON');
    const mismatch = await probe(
      journey([
        {
          name: 'cart',
          request: { method: 'POST', url: '/cart' },
          checks: { valid_status_codes: [201], json: [{ path: '$.items', equals: 2 }] },
        },
      ]),
    );
    expect(mismatch.failure).toMatchObject({ reason: 'json_mismatch', step: 'cart' });
    expect(mismatch.failure!.message).toBe('step cart: $.items is 1, expected 2');
  });

  it('stops reading a 50 MB step response at body_size_limit', async () => {
    hugeBytesSent = 0;
    const result = await probe(
      journey(
        [
          { name: 'download', request: { url: '/huge' } },
          { name: 'after', request: { url: '/done' } },
        ],
        {
          body_size_limit: '1MiB',
        },
      ),
    );
    expect(result.failure).toMatchObject({ reason: 'body_too_large', step: 'download' });
    expect(result.samples.filter((s) => s.labels?.step === 'after')).toEqual([]);
    // The server stopped being read well before 50 MB (socket buffers hold a few MB at most).
    expect(hugeBytesSent).toBeLessThan(FIFTY_MB / 2);
  });

  it('ends a step at its own timeout, inside the journey timeout', async () => {
    const slow = await startHttpServer((_req, res) => setTimeout(() => res.end('late'), 2000));
    try {
      const module = journey([{ name: 'slow', request: { url: `${slow.origin}/` }, timeout: '300ms' }]);
      const started = performance.now();
      const result = await probe(module);
      expect(performance.now() - started).toBeLessThan(1500);
      expect(result.failure).toMatchObject({ reason: 'timeout', step: 'slow' });
    } finally {
      slow.close();
    }
  });
});
