/**
 * The probe workers: a ProbeShard driven in-thread (the protocol, message by message), then the
 * pool with real worker threads running the compiled shard (dist/, built by globalSetup), both
 * against a real HTTP server on 127.0.0.1.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { ModuleConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/runtime/logger.js';
import { LatestResults } from '../../src/metrics/latestResults.js';
import { ProbeWorkerPool } from '../../src/service/probeWorkers/pool.js';
import { ProbeShard } from '../../src/service/probeWorkers/probeShard.js';
import type { ResultsMessage, WorkerCheck } from '../../src/service/probeWorkers/protocol.js';
import { shardOf } from '../../src/service/shard.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startVantage, waitFor } from '../helpers/vantageHarness.js';

/** A real module, as the config loader makes it (defaults filled in). */
function http2xxModule(): ModuleConfig {
  const loaded = parseConfigText(
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http:\n      valid_status_codes: [200]\n',
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.config.modules.http_2xx!;
}

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'text/plain' });
    res.end('status: ok');
  });
});
afterAll(() => server.close());

function check(target: string, path = '/', intervalMs = 1000): WorkerCheck {
  return {
    identity: {
      key: `${target}/http_2xx`,
      target,
      module: 'http_2xx',
      staticLabels: { team: 'web' },
      latencyThresholdSeconds: 1,
      probeSeries: true,
    },
    url: `${server.origin}${path}`,
    moduleName: 'http_2xx',
    intervalMs,
    fingerprint: path,
  };
}

const update = (checks: WorkerCheck[]) => ({
  type: 'update' as const,
  modules: { http_2xx: http2xxModule() },
  checks,
  allowedNetworks: ['127.0.0.0/8'],
  maxConcurrent: 8,
  jitter: 1,
});

/** The main side of a pool, as the service wires it: one LatestResults adopting every worker's lines. */
function mainSide(checks: WorkerCheck[]) {
  const results = new LatestResults();
  results.sync(checks.map((c) => c.identity));
  return {
    results,
    familyIndex: (family: { name: string; help: string; type: string }) => results.registerFamily(family),
    onRendered: (
      key: string,
      block: Buffer,
      spans: Int32Array,
      result: Parameters<LatestResults['adopt']>[3],
    ) => results.adopt(key, block, spans, result),
  };
}

describe('ProbeShard (in-thread)', () => {
  it("probes its checks and sends each result with the check's lines, re-renders on new labels, and stops", async () => {
    const inbox: ResultsMessage[] = [];
    let stopped = false;
    const shard = new ProbeShard((message) => {
      if (message.type === 'results') inbox.push(message);
      if (message.type === 'stopped') stopped = true;
    }, 20);
    const sent = () => inbox.flatMap((m) => m.checks);
    const probesOf = (key: string) => sent().filter((c) => c.key === key && c.result);

    shard.handle(update([check('up'), check('down', '/down')]));
    await waitFor(
      () => probesOf('up/http_2xx').length >= 2 && probesOf('down/http_2xx').length >= 2,
      10_000,
      'two probes each',
    );
    expect(probesOf('up/http_2xx').every((c) => c.result!.success)).toBe(true);
    expect(probesOf('down/http_2xx')[0]!.result).toMatchObject({
      success: false,
      failure: { reason: 'status_code' },
    });
    // What travels is the kept result (no trace) and the check's lines, rendered here.
    const last = probesOf('down/http_2xx').at(-1)!;
    expect(last.result!.trace).toEqual([]);
    const lines = Buffer.from(last.block).toString('utf8');
    expect(lines).toContain('probe_success{target="down",module="http_2xx",team="web"} 0\n');
    expect(lines).toContain(
      'vantage_probes_total{target="down",module="http_2xx",team="web",result="failure"} ',
    );
    // Families are announced once, before the first lines that use them.
    const announced = inbox.flatMap((m) => m.families.map((f) => f.name));
    expect(new Set(announced).size).toBe(announced.length);
    expect(announced).toContain('probe_success');
    expect(inbox.at(-1)!.stats.scheduled).toBe(2);

    // New labels: the lines come again at once, without a probe, under the new label set.
    const relabelled = {
      ...check('up'),
      identity: { ...check('up').identity, staticLabels: { team: 'shop' } },
    };
    shard.handle(update([relabelled]));
    const again = await waitFor(
      () => sent().find((c) => c.key === 'up/http_2xx' && !c.result),
      5000,
      're-rendered lines',
    );
    expect(Buffer.from(again!.block).toString('utf8')).toContain(
      'probe_success{target="up",module="http_2xx",team="shop"} 1\n',
    );
    expect(inbox.at(-1)!.stats.scheduled).toBe(1);

    shard.handle({ type: 'stop' });
    await waitFor(() => stopped, 5000, 'stopped');
    const count = sent().length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sent().length).toBe(count); // nothing probes after stop
  });
});

describe('ProbeWorkerPool (worker threads)', () => {
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    }),
  );

  it("splits the checks over the workers by target and gathers every worker's results and lines", async () => {
    const targets = Array.from({ length: 8 }, (_, i) => `site-${i}`);
    // The split is by the target name's hash, as --shard splits targets between instances.
    expect(new Set(targets.map((t) => shardOf(t, 2))).size).toBe(2);
    const checks = targets.map((t) => check(t));
    const main = mainSide(checks);
    const pool = new ProbeWorkerPool({
      workers: 2,
      logger,
      familyIndex: main.familyIndex,
      onRendered: main.onRendered,
      onSkip: () => undefined,
      onRestart: () => undefined,
    });
    try {
      pool.update(update(checks));
      await waitFor(
        () => targets.every((t) => (main.results.totals(`${t}/http_2xx`)?.success ?? 0) >= 1),
        15_000,
        'a probe of every target',
      );
      expect(main.results.latest('site-0/http_2xx')).toMatchObject({ success: true });
      const body = main.results.render();
      for (const t of targets)
        expect(body).toContain(`probe_success{target="${t}",module="http_2xx",team="web"} 1\n`);
      // Both workers' lines sit under one header per family, in the main side's family order.
      expect(body.match(/^# TYPE vantage_probes_total counter$/gm)).toHaveLength(1);
      expect(body.match(/^# TYPE probe_http_status_code gauge$/gm)).toHaveLength(1);
      expect(body).toMatch(/probe_http_status_code\{target="site-0",module="http_2xx",team="web"\} 200\n/);
      await waitFor(() => pool.stats().scheduled === 8, 10_000, 'both workers reporting');
    } finally {
      await pool.stop();
    }
  });

  it('starts a worker that ran out of memory again, with a larger heap, and keeps its checks', async () => {
    let restarts = 0;
    const main = mainSide([check('survivor')]);
    const pool = new ProbeWorkerPool({
      workers: 1,
      logger,
      familyIndex: main.familyIndex,
      onRendered: main.onRendered,
      onSkip: () => undefined,
      onRestart: () => restarts++,
      // A heap too small to load the prober: the first worker dies of it, the second has room.
      resourceLimits: (_checks, factor) => ({
        maxOldGenerationSizeMb: factor === 1 ? 2 : 64,
        maxYoungGenerationSizeMb: 1,
      }),
    });
    try {
      pool.update(update([check('survivor')]));
      await waitFor(
        () => main.results.totals('survivor/http_2xx')?.success,
        20_000,
        'a probe after the restart',
      );
      expect(restarts).toBe(1);
      expect(
        logs.some((l) => l.includes('probe worker failed') && l.includes('ERR_WORKER_OUT_OF_MEMORY')),
      ).toBe(true);
      expect(logs.some((l) => l.includes('probe worker exited; starting a new one'))).toBe(true);
    } finally {
      await pool.stop();
    }
  });
});

describe('a running vantage', () => {
  // An hour between probes: a check's second run sits at its stable phase of the interval,
  // which with 60 s could fall seconds after the quick first run and break "no probe is due".
  const config = (team: string) => `
global: {interval: 1h}
modules:
  http_2xx: {prober: http, timeout: 2s, http: {valid_status_codes: [200]}}
security: {allowed_networks: [127.0.0.0/8]}
targets:
  - {name: shop, url: "${server.origin}/", modules: [http_2xx], labels: {team: ${team}}}
  - {name: blog, url: "${server.origin}/down", modules: [http_2xx]}
`;

  it('serves the workers\u2019 series and their health, and relabels at once on reload', async () => {
    const h = await startVantage(config('web'));
    try {
      await waitFor(
        () => h.service.results.latest('shop/http_2xx') && h.service.results.latest('blog/http_2xx'),
        15_000,
        'first probes',
      );
      const metrics = async () => (await fetch(`${h.baseUrl}/metrics`)).text();
      let body = await metrics();
      expect(body).toContain('probe_success{target="shop",module="http_2xx",team="web"} 1\n');
      expect(body).toContain('probe_success{target="blog",module="http_2xx"} 0\n');
      expect(body).toContain('vantage_probes_total{target="blog",module="http_2xx",result="failure"} 1\n');
      expect(body).toMatch(/^vantage_probe_workers 1$/m);
      expect(body).toMatch(/^vantage_probe_worker_restarts_total 0$/m);
      expect(
        Number(/^vantage_probe_worker_heap_used_bytes\{worker="0"\} (\d+)/m.exec(body)?.[1]),
      ).toBeGreaterThan(1e6);
      expect(body).toMatch(/^vantage_scheduler_checks 2$/m);
      expect(body).toMatch(/^vantage_probe_worker_eventloop_lag_p99_seconds\{worker="0"\} [0-9.e-]+$/m);
      expect(body).toMatch(/^vantage_probe_worker_eventloop_lag_max_seconds\{worker="0"\} [0-9.e-]+$/m);
      // The failure reached the main thread's log and index page through the worker's results.
      expect(h.logs.some((l) => l.includes('probe of blog with http_2xx failed'))).toBe(true);
      expect(h.service.results.totals('blog/http_2xx')).toEqual({ success: 0, failure: 1 });

      // New labels: the worker re-renders the check's lines and sends them; no probe is due
      // for an hour, yet the next scrape shows the new label set, with the counts kept.
      await h.writeConfig(config('shop'));
      expect((await h.service.reload()).ok).toBe(true);
      body = await waitFor(
        async () => {
          const b = await metrics();
          return b.includes('probe_success{target="shop",module="http_2xx",team="shop"} 1\n') ? b : '';
        },
        5000,
        'relabelled series',
      );
      expect(body).not.toContain('team="web"');
      expect(body).toContain(
        'vantage_probes_total{target="shop",module="http_2xx",team="shop",result="success"} 1\n',
      );
    } finally {
      await h.close();
    }
  });
});
