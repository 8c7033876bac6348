/**
 * Long durations against a real service and the real CLI. Before the limits, `global.interval:
 * 1y` ran each check about every millisecond (setTimeout overflows past 2^31 - 1 ms and fires
 * after 1 ms), `timeout: 30d` failed every probe at once, and check-config accepted
 * `99999999999999999999y`. Now the longest interval runs a check exactly once in a few seconds,
 * and the rest is refused at load with its YAML path and line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { checkConfigText } from '../helpers/cliProcess.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';
import { captureProcessWarnings } from '../helpers/processWarnings.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let target: TestServer;
let requests = 0;
beforeAll(async () => {
  target = await startHttpServer((_req, res) => {
    requests++;
    res.end('ok');
  });
});
afterAll(() => target.close());

const warnings = captureProcessWarnings();

const config = (interval: string, timeout = '5s') => `global:
  interval: ${interval}
  jitter: 0
modules:
  http_2xx:
    prober: http
    timeout: ${timeout}
targets:
  - name: home
    url: ${target.origin}/
    modules: [http_2xx]
`;

async function probesTotal(h: Harness): Promise<Record<string, number>> {
  const text = await (await fetch(h.baseUrl + '/metrics')).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^vantage_probes_total\{[^}]*target="home"[^}]*result="(\w+)"\} (\d+)$/gm)) {
    counts[m[1]!] = Number(m[2]);
  }
  return counts;
}

const reload = (h: Harness) => fetch(h.baseUrl + '/-/reload', { method: 'POST' });

describe('durations on a running service', () => {
  it('the longest interval (24d) runs a check once, not repeatedly; 1y is refused on reload', async () => {
    const h = await startVantage(config('24d'));
    try {
      await waitFor(async () => (await probesTotal(h)).success === 1, 10_000, 'the first probe');
      const before = requests;
      await sleep(3000);
      expect(await probesTotal(h)).toEqual({ success: 1, failure: 0 });
      expect(requests).toBe(before);

      await h.writeConfig(config('1y'));
      const res = await reload(h);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(
        'global.interval (line 2): 1y is longer than the longest supported interval, 24d',
      );
      await sleep(1000);
      // The refused config changed nothing: still the one run of the 24d interval.
      expect(await probesTotal(h)).toEqual({ success: 1, failure: 0 });
      expect(h.service.config.global.interval).toBe(24 * 86_400_000);
      expect(warnings().filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('refuses timeout: 30d instead of failing every probe', async () => {
    const h = await startVantage(config('1s'));
    try {
      await waitFor(async () => ((await probesTotal(h)).success ?? 0) >= 1, 10_000, 'a probe');
      await h.writeConfig(config('1s', '30d'));
      const res = await reload(h);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(
        'modules.http_2xx.timeout (line 7): 30d is longer than the longest supported timeout, 24d',
      );
      const success = (await probesTotal(h)).success ?? 0;
      await waitFor(
        async () => ((await probesTotal(h)).success ?? 0) > success,
        10_000,
        'another successful probe',
      );
      expect((await probesTotal(h)).failure ?? 0).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('vantage check-config', () => {
  it('exits 1 naming path and line for durations beyond their limit or beyond exact numbers', () => {
    const res = checkConfigText(
      config('99999999999999999999y', '30d').replace('targets:', 'targets:\n  # long-lived'),
    );
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain(
      'global.interval (line 2): 99999999999999999999y is too long to represent exactly in milliseconds (at most 24d)',
    );
    expect(res.stderr).toContain(
      'modules.http_2xx.timeout (line 7): 30d is longer than the longest supported timeout, 24d',
    );
  });
});
