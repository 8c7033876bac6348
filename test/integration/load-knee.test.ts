/**
 * The knee `vantage load` reports, on servers built to answer at most N requests/s (they queue
 * beyond): within 15 % of N for N = 200 and 1,000 (issue 18's acceptance). In the serial group of
 * vitest.config.ts: the generator's achieved rate is part of the knee rule, and a machine busy
 * with other test files would make it the machine's figure rather than the target's.
 *
 * The choices, so that the 15 % is met honestly in about 18 s per N on a 2-core machine (where
 * event-loop stalls of 300 ms were seen under load):
 * - The server (test/helpers/loadTarget.ts, in its own process) serves N requests/s and queues
 *   the rest. Below N its latency is the timer's jitter plus the machine's stalls; past N the
 *   queue grows by (rate - N) / N seconds every second, up to connections / N.
 * - Two criteria bound the knee, as they would on a real server. Above: past 1.05 N a step
 *   cannot reach 95 % of its rate (the server answers N/s), so it is not within the objective
 *   whatever its latency; and from 1.2 N a 2 s step queues ~0.4 s. Below: slo.latency 500 ms,
 *   well above the jitter and the stalls, so a step at 0.9 N or N does not fail by accident.
 * - A warm-up second at N / 2 first (a real target is warm; this one was started a moment ago),
 *   then steps of 0.1 N from 0.6 N to 1.3 N: 0.9 N (a step short of its rate on a busy
 *   machine) and N are the knees a correct detection can give, both within 15 %; anything else
 *   fails the test, including a detector that stops at the first step (0.6 N) or runs to the
 *   last (1.3 N). The figures of each run are printed.
 * - Up to 1,000 connections, so the queue (and the latency) can grow to a second past N.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { runLoadTest } from '../../src/load/loadTest.js';
import { planLoadTest } from '../../src/load/plan.js';
import { runStep } from '../../src/load/stepRunner.js';
import { startLoadTargetProcess } from '../helpers/loadTarget.js';

const config = (url: string) => `modules: {http_2xx: {prober: http}}
targets:
  - name: shop
    url: ${url}
    slo: {latency: 500ms}
    load_test: {allowed: true, max_rate: 2600, max_concurrency: 1000, max_duration: 1m}
`;

describe('the knee on a server that answers at most N requests/s', () => {
  it.each([200, 1000])('is within 15 percent of N = %i', async (n) => {
    const target = await startLoadTargetProcess(n);
    try {
      const loaded = parseConfigText(config(target.url));
      if (!loaded.ok) throw new Error('config');
      const warmUp = await runStep({
        url: target.url,
        index: 0,
        rate: n / 2,
        connections: 100,
        durationMs: 1000,
        sloLatencySeconds: 0.5,
        judge: () => null,
        signal: new AbortController().signal,
      });
      expect(warmUp.step.errors).toBe(0);
      const planned = planLoadTest(
        { target: 'shop', rate: `${0.6 * n}..${1.3 * n}`, steps: '8', 'step-duration': '2s' },
        loaded.config,
      );
      if (!planned.ok) throw new Error(planned.refusal.message);
      const { run } = await runLoadTest({ plan: planned.plan, signal: new AbortController().signal });
      const figures = run.steps
        .map(
          (s) =>
            `${s.requestedRate}: ${s.achievedRate.toFixed(0)}/s p95 ${(s.p95Seconds * 1000).toFixed(1)} ms`,
        )
        .join('; ');
      console.log(`N = ${n}: knee ${run.knee?.rate ?? 'none'} requests/s (${figures})`);
      expect(run.knee, figures).not.toBeNull();
      expect(Math.abs(run.knee!.rate - n) / n, figures).toBeLessThanOrEqual(0.15);
    } finally {
      await target.kill();
    }
  });
});
