/**
 * The one shape of a 4xx about input, over HTTP against a running vantage: a bad query and a bad
 * body of the change, incident and report APIs each answer `{error: "<field>: ...", field}`, and
 * a Prometheus that cannot be reached is a typed 502, not a message matched by its words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const TOKEN = 'input-errors-admin-token';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let h: Harness;

beforeAll(async () => {
  // Port 1 on loopback: nothing listens, so a valid report request meets an unreachable Prometheus.
  h = await startVantage(`targets: []
security:
  admin_token: ${TOKEN}
report:
  prometheus_url: http://127.0.0.1:1
`);
}, 60_000);
afterAll(() => h?.close());

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(h.baseUrl + path, {
    method,
    headers: auth,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as unknown };
}

/** Exactly {error, field}: nothing else, the error led by the field. */
function expectInputError(
  answer: { status: number; type: string | null; json: unknown },
  status: number,
  field: string,
) {
  expect(answer.status).toBe(status);
  expect(answer.type).toMatch(/^application\/json/);
  expect(Object.keys(answer.json as object).sort()).toEqual(['error', 'field']);
  const { error, field: named } = answer.json as { error: string; field: string };
  expect(named).toBe(field);
  expect(error.startsWith(`${field}: `), error).toBe(true);
  expect(error.length).toBeGreaterThan(field.length + 2);
}

describe('one error shape for bad input', () => {
  it.each<[string, 'GET' | 'POST', string, unknown, number, string]>([
    ['changes: bad query', 'GET', '/api/changes?limit=0', undefined, 400, 'limit'],
    ['changes: unknown parameter', 'GET', '/api/changes?colour=red', undefined, 400, 'colour'],
    ['changes: repeated parameter', 'GET', '/api/changes?target=a&target=b', undefined, 400, 'target'],
    ['changes: bad body field', 'POST', '/api/changes', { title: 't', kind: 'release' }, 400, 'kind'],
    ['changes: body not an object', 'POST', '/api/changes', [1], 400, 'body'],
    ['changes: body not JSON', 'POST', '/api/changes', '{"title": ', 400, 'body'],
    ['incidents: bad query', 'GET', '/api/incidents?since=yesterday', undefined, 400, 'since'],
    ['incidents: bad limit', 'GET', '/api/incidents?limit=1e3', undefined, 400, 'limit'],
    [
      'incidents: bad body field',
      'POST',
      '/api/alertmanager',
      {
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: {}, startsAt: 'x', fingerprint: 'f' }],
      },
      400,
      'alerts.0.labels',
    ],
    ['incidents: body not JSON', 'POST', '/api/alertmanager', '{nope', 400, 'body'],
    ['reports: bad query', 'GET', '/api/reports?kind=year', undefined, 400, 'kind'],
    ['reports: bad limit', 'GET', '/api/reports?limit=1001', undefined, 400, 'limit'],
    ['reports: bad body field', 'POST', '/api/reports', { date: '2025-02-30' }, 400, 'date'],
    [
      'reports: unknown body field',
      'POST',
      '/api/reports',
      { date: '2025-01-06', format: 'pdf' },
      400,
      'format',
    ],
  ])('%s', async (_what, method, path, body, status, field) => {
    expectInputError(await call(method, path, body), status, field);
  });

  it('a reused idempotency key is a 422 of the same shape', async () => {
    const first = await fetch(`${h.baseUrl}/api/changes`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': 'shape-key' },
      body: JSON.stringify({ title: 'a', kind: 'other' }),
    });
    expect(first.status).toBe(201);
    const reused = await fetch(`${h.baseUrl}/api/changes`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': 'shape-key' },
      body: JSON.stringify({ title: 'b', kind: 'other' }),
    });
    expectInputError(
      { status: reused.status, type: reused.headers.get('content-type'), json: await reused.json() },
      422,
      'idempotency_key',
    );
  });

  it('an unreachable Prometheus is a 502 naming report.prometheus_url', async () => {
    const answer = await call('POST', '/api/reports', { date: '2025-01-06' });
    expect(answer.status).toBe(502);
    expect(answer.json).toMatchObject({ field: 'report.prometheus_url' });
    expect((answer.json as { error: string }).error).toContain(
      'cannot reach Prometheus at http://127.0.0.1:1',
    );
  });
});
