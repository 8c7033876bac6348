/**
 * Hostile response bodies against a real vantage process (`node bin/vantage.js`, from the built
 * dist/), served by a real target on 127.0.0.1. A separate process because that is what a target
 * meets, and because a frozen service must not freeze the test that watches it: a backtracking
 * regexp engine held the event loop for seconds (`(?s).*"status":\s*"ok".*` on 256 KB) or forever
 * (`(a+)+$` on 1 MB), and an endless body grew the process by gigabytes.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');
const MiB = 1024 * 1024;

/** 1 MB of `a`s ending in `b`: catastrophic backtracking for `(a+)+$` in a backtracking engine. */
const REDOS_BODY = Buffer.concat([Buffer.alloc(MiB - 1, 'a'), Buffer.from('b')]);
/** 256 KB of JSON-ish text in which `"status": "ok"` never appears. */
const NO_STATUS_BODY = Buffer.alloc(256 * 1024, '{"status": "degraded", "checks": [1, 2, 3]} ');
/** The endless body stops by itself after this long, so a test run can never leave it streaming. */
const ENDLESS_MAX_MS = 20_000;

/** Streams `x`s until the client goes away or ENDLESS_MAX_MS passes, respecting backpressure. */
function streamEndless(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const stopAt = Date.now() + ENDLESS_MAX_MS;
  res.writeHead(200, { 'content-type': 'text/plain' });
  const pump = (): void => {
    while (!res.destroyed && Date.now() < stopAt) {
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('error', () => undefined);
  pump();
}

let target: TestServer;
const dirs: string[] = [];

beforeAll(async () => {
  target = await startHttpServer((req, res) => {
    switch (req.url) {
      case '/redos':
        res.end(REDOS_BODY);
        return;
      case '/no-status':
        res.setHeader('content-type', 'application/json');
        res.end(NO_STATUS_BODY);
        return;
      case '/endless':
        streamEndless(res);
        return;
      default:
        res.end('status: ok\n');
    }
  });
});

afterAll(async () => {
  await target?.close();
});

async function startService(configYaml: string): Promise<{ daemon: Daemon; url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'vantage-hostile-'));
  dirs.push(dir);
  const configFile = join(dir, 'vantage.yml');
  await writeFile(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon(
    'vantage',
    process.execPath,
    [BIN, `--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.path=${dir}`],
    { url, cleanupDir: dir, timeoutMs: 30_000 },
  );
  return { daemon, url };
}

/** The value of the one sample of `name` whose labels include every `labels` pair. */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length, line.lastIndexOf('}') + 1);
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
}

interface HealthPolls {
  latenciesMs: number[];
  /** Polls that got no 200 within 2 s. */
  failures: number;
}

/** Polls /-/healthy every 50 ms until `stop` resolves; a poll that takes 2 s counts as a failure. */
async function pollHealthy(url: string, stop: Promise<void>): Promise<HealthPolls> {
  const polls: HealthPolls = { latenciesMs: [], failures: 0 };
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const started = performance.now();
    const ok = await fetch(`${url}/-/healthy`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    polls.latenciesMs.push(performance.now() - started);
    if (!ok) polls.failures++;
    await new Promise((r) => setTimeout(r, 50));
  }
  return polls;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('a body crafted against a body regexp', () => {
  it('ends within its timeout, and neither /-/healthy nor a healthy target waits for it', async () => {
    const { daemon, url } = await startService(
      [
        'global: {interval: 1s, jitter: 0}',
        'modules:',
        '  redos:',
        '    prober: http',
        '    timeout: 2s',
        '    http:',
        "      fail_if_body_matches_regexp: ['(a+)+$']",
        '  status_ok:',
        '    prober: http',
        '    timeout: 2s',
        '    http:',
        `      fail_if_body_not_matches_regexp: ['(?s).*"status":\\s*"ok".*']`,
        '  plain:',
        '    prober: http',
        '    timeout: 2s',
        'targets:',
        `  - {name: redos, url: "${target.origin}/redos", modules: [redos], interval: 2s}`,
        `  - {name: no_status, url: "${target.origin}/no-status", modules: [status_ok], interval: 2s}`,
        `  - {name: healthy, url: "${target.origin}/ok", modules: [plain], interval: 1s}`,
        '',
      ].join('\n'),
    );
    try {
      const healthyRuns = (m: string): number =>
        sample(m, 'vantage_probes_total', { target: 'healthy', result: 'success' }) ?? 0;
      // Wait until every target has been probed once, then watch a window of whole seconds.
      const deadline = Date.now() + 20_000;
      let before = await scrape(url);
      while (
        Date.now() < deadline &&
        ['redos', 'no_status', 'healthy'].some(
          (t) => sample(before, 'probe_success', { target: t }) === undefined,
        )
      ) {
        await new Promise((r) => setTimeout(r, 200));
        before = await scrape(url);
      }
      const windowMs = 8_000;
      const windowStart = performance.now();
      const polls = pollHealthy(url, new Promise((r) => setTimeout(r, windowMs)));
      const { latenciesMs, failures } = await polls;
      const after = await scrape(url);
      const elapsedS = (performance.now() - windowStart) / 1000;

      // The verdicts are blackbox_exporter's: no `a` run ends the body, and no "status": "ok".
      expect(sample(after, 'probe_success', { target: 'redos' })).toBe(1);
      expect(sample(after, 'probe_success', { target: 'no_status' })).toBe(0);
      expect(sample(after, 'probe_failure_info', { target: 'no_status', reason: 'body_regex' })).toBe(1);
      for (const t of ['redos', 'no_status']) {
        expect(sample(after, 'probe_duration_seconds', { target: t })).toBeLessThan(2);
      }

      const max = Math.max(...latenciesMs);
      console.log(
        `/-/healthy over ${elapsedS.toFixed(1)} s: ${latenciesMs.length} polls, ` +
          `median ${percentile(latenciesMs, 50).toFixed(1)} ms, p95 ${percentile(latenciesMs, 95).toFixed(1)} ms, ` +
          `max ${max.toFixed(1)} ms`,
      );
      expect(failures).toBe(0);
      expect(max).toBeLessThan(100);

      // A 1 s interval over the window: one run per whole second (less one for the window's edges).
      // Not vantage_scheduler_skipped_runs_total: it counts every check, and on a loaded machine a
      // healthy probe that takes over a second is skipped once for reasons no body caused.
      const runs = healthyRuns(after) - healthyRuns(before);
      expect(runs).toBeGreaterThanOrEqual(Math.floor(elapsedS) - 1);
      expect(sample(after, 'vantage_probes_total', { target: 'healthy', result: 'failure' }) ?? 0).toBe(0);
    } finally {
      await daemon.stop();
    }
  }, 90_000);
});

/** The process' resident set now and at its peak, from /proc (Linux). */
function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(/(\d+) kB/.exec(status.split(`${field}:`)[1] ?? '')?.[1]) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

describe('an endless body with a body regexp and no body_size_limit', () => {
  it('keeps the service under 300 MB and fails the probe as body_too_large, naming the setting', async () => {
    const { daemon, url } = await startService(
      [
        'global: {interval: 5s, jitter: 0}',
        'modules:',
        '  endless:',
        '    prober: http',
        '    timeout: 10s',
        '    http:',
        "      fail_if_body_not_matches_regexp: ['status: ok']",
        'targets:',
        `  - {name: endless, url: "${target.origin}/endless", modules: [endless]}`,
        '',
      ].join('\n'),
    );
    try {
      const pid = daemon.pid!;
      // Scheduled probes, plus on-demand ones so that several bodies stream at once.
      const probes = Array.from({ length: 3 }, () =>
        fetch(`${url}/probe?target=endless&module=endless&debug=true`, {
          signal: AbortSignal.timeout(30_000),
        }).then((r) => r.text()),
      );
      let maxRss = 0;
      const sampling = setInterval(() => {
        maxRss = Math.max(maxRss, memoryOf(pid).rssBytes);
      }, 100);
      const debugOutputs = await Promise.all(probes);
      await new Promise((r) => setTimeout(r, 2_000));
      clearInterval(sampling);
      const { peakRssBytes } = memoryOf(pid);
      console.log(
        `endless body: peak RSS ${(peakRssBytes / MiB).toFixed(0)} MiB (VmHWM), ` +
          `max sampled ${(maxRss / MiB).toFixed(0)} MiB`,
      );
      expect(peakRssBytes).toBeLessThan(300 * 1000 * 1000);

      for (const debug of debugOutputs) {
        expect(debug).toContain('body_too_large');
        expect(debug).toContain('set body_size_limit to allow more');
      }
      const metrics = await scrape(url);
      expect(sample(metrics, 'probe_failure_info', { target: 'endless', reason: 'body_too_large' })).toBe(1);
    } finally {
      await daemon.stop();
    }
  }, 90_000);
});
