/**
 * `vantage report` and POST /api/reports against something at the Prometheus URL that is not a
 * well-behaved Prometheus: a server that streams an endless answer, and one that answers
 * `null`. Each must end in a sentence naming the URL and what was wrong (exit code 1, or 502 on
 * the service, as for an unreachable Prometheus), the endless body must be cut off near the cap
 * instead of being read whole, and no JavaScript TypeError may reach the user.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient, MAX_RESPONSE_BYTES } from '../../src/report/prometheusClient.js';
import { Store } from '../../src/store/store.js';
import { runCliAsync } from '../helpers/cliProcess.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

/** Stops an endless answer even if the client never hangs up, so the test is bounded in time. */
const SERVER_STOP_BYTES = 4 * MAX_RESPONSE_BYTES;
const CHUNK = Buffer.from('{"metric":{"target":"x"},"value":[1700000000,"1"]},'.repeat(20_000));

let endless: TestServer;
let sentByEndless = 0;
let nullServer: TestServer;
let shapes: TestServer;
let storeDir: string;

/** Writes CHUNK after CHUNK, respecting back-pressure, until the client leaves or the stop size. */
function streamForever(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"status":"success","data":{"resultType":"vector","result":[');
  const pump = () => {
    while (!res.destroyed && sentByEndless < SERVER_STOP_BYTES) {
      sentByEndless += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

/** Answers by the query: each one a body of a shape the report cannot use. */
const SHAPES: Record<string, string> = {
  'vector(1)': 'null',
  list: '[1, 2]',
  failed: '{"status":"pending"}',
  'no-data': '{"status":"success"}',
  'result-null': '{"status":"success","data":{"resultType":"vector","result":null}}',
  'bad-element': '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":"1"}]}}',
  'bad-series': '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}',
  'wrong-type': '{"status":"success","data":{"resultType":"string","result":[1,"x"]}}',
};

beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'vantage-hostile-prom-'));
  Store.open(storeDir).close(); // an empty change log, so the report gets as far as Prometheus
  endless = await startHttpServer((req, res) => {
    req.resume();
    streamForever(res);
  });
  nullServer = await startHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('null');
  });
  shapes = await startHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const query = new URLSearchParams(body).get('query') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(SHAPES[query] ?? 'null');
    });
  });
});

afterAll(async () => {
  await Promise.all([endless?.close(), nullServer?.close(), shapes?.close()]);
  await rm(storeDir, { recursive: true, force: true });
});

describe('the Prometheus client against hostile answers', () => {
  it('cuts an endless answer off just past the cap, naming the URL and the cap', async () => {
    sentByEndless = 0;
    const client = createPrometheusClient(endless.origin);
    const error = await client.query('up', Date.now()).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toBe(
      `Prometheus at ${endless.origin} answered more than 128 MiB, the most vantage reads for one query; query: up`,
    );
    // Read as a stream and dropped: the server was stopped well before its own limit.
    await new Promise((r) => setTimeout(r, 200));
    expect(sentByEndless).toBeLessThan(2 * MAX_RESPONSE_BYTES);
  });

  it.each([
    ['vector(1)', 'instant', 'answered JSON null, not an API answer object'],
    ['list', 'instant', 'answered JSON a list, not an API answer object'],
    ['failed', 'instant', 'answered status the string "pending", not "success"'],
    ['no-data', 'instant', 'answered without data'],
    ['result-null', 'instant', 'answered a malformed vector (result is not a list)'],
    ['bad-element', 'instant', 'answered a malformed vector element'],
    ['bad-series', 'range', 'answered a malformed series'],
    ['wrong-type', 'range', 'returned a string, not a range vector'],
  ])('%s: says what was wrong (%s query)', async (query, kind, message) => {
    const client = createPrometheusClient(shapes.origin);
    const call = kind === 'instant' ? client.query(query, 0) : client.queryRange(query, 0, 3_600_000, 60_000);
    await expect(call).rejects.toThrow(`Prometheus at ${shapes.origin} ${message}; query: ${query}`);
  });
});

const report = (prometheusUrl: string) =>
  runCliAsync([
    'report',
    `--prometheus.url=${prometheusUrl}`,
    '--date=2025-01-23',
    `--storage.path=${storeDir}`,
  ]);

describe('vantage report (CLI)', () => {
  it('exits 1 naming the URL and the cap when Prometheus streams an endless answer', async () => {
    sentByEndless = 0;
    const result = await report(endless.origin);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Prometheus at ${endless.origin} answered more than 128 MiB`);
    expect(result.stderr).not.toMatch(/TypeError|RangeError|Cannot create a string/);
    expect(result.stdout).toBe('');
    expect(sentByEndless).toBeLessThan(2 * MAX_RESPONSE_BYTES);
  }, 60_000);

  it('exits 1 naming the URL when Prometheus answers null', async () => {
    const result = await report(nullServer.origin);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `Prometheus at ${nullServer.origin} answered JSON null, not an API answer object; query: vector(1)`,
    );
    expect(result.stderr).not.toMatch(/TypeError/);
  }, 60_000);
});

describe('POST /api/reports on the service', () => {
  let vantage: Harness;
  const TOKEN = 'hostile-prometheus-admin-token';
  const config = (url: string) =>
    `targets: []\nsecurity:\n  admin_token: ${TOKEN}\nreport:\n  prometheus_url: ${url}\n`;
  const post = () =>
    fetch(`${vantage.baseUrl}/api/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ date: '2025-01-23' }),
    });

  afterAll(async () => {
    await vantage?.close();
  });

  it('answers 502 naming Prometheus for a null answer and for an endless one', async () => {
    vantage = await startVantage(config(nullServer.origin));
    const nullAnswer = await post();
    expect(nullAnswer.status).toBe(502);
    expect(((await nullAnswer.json()) as { error: string }).error).toBe(
      `Prometheus at ${nullServer.origin} answered JSON null, not an API answer object; query: vector(1)`,
    );

    await vantage.writeConfig(config(endless.origin));
    expect((await vantage.service.reload()).ok).toBe(true);
    sentByEndless = 0;
    const endlessAnswer = await post();
    expect(endlessAnswer.status).toBe(502);
    expect(((await endlessAnswer.json()) as { error: string }).error).toContain(
      `Prometheus at ${endless.origin} answered more than 128 MiB`,
    );
    // The service is still fine afterwards.
    expect((await fetch(`${vantage.baseUrl}/-/healthy`)).status).toBe(200);
  }, 60_000);
});
