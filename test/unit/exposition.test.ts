import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, labelBlock } from '../../src/metrics/exposition.js';
import { LatestResults } from '../../src/metrics/latestResults.js';
import { renderProbeResult } from '../../src/metrics/probeExposition.js';
import type { MetricFamily, ProbeResult } from '../../src/probers/types.js';

const phaseFamily: MetricFamily = {
  name: 'probe_http_duration_seconds',
  help: 'Phase durations.',
  type: 'gauge',
};
const statusFamily: MetricFamily = { name: 'probe_http_status_code', help: 'Status code.', type: 'gauge' };

function result(partial: Partial<ProbeResult>): ProbeResult {
  return {
    success: true,
    durationSeconds: 0.1,
    startedAtMs: 1_700_000_000_000,
    samples: [],
    trace: [],
    ...partial,
  };
}

const identity = (
  target: string,
  module = 'http_2xx',
  labels: Record<string, string> = {},
  threshold = 2,
) => ({
  key: `${target}/${module}`,
  target,
  module,
  staticLabels: labels,
  latencyThresholdSeconds: threshold,
  probeSeries: true,
});

describe('exposition primitives', () => {
  it('escapes label values as the text format requires', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(labelBlock('target="x"', { phase: 'tls' })).toBe('{target="x",phase="tls"}');
    expect(labelBlock('')).toBe('');
  });
  it('spells special values like Prometheus', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(0.25)).toBe('0.25');
  });
});

describe('LatestResults', () => {
  it('groups every family once, with target, module and static labels on each series', () => {
    const store = new LatestResults();
    store.sync([identity('a', 'http_2xx', { team: 'web' }), identity('b')]);
    store.record(
      'a/http_2xx',
      result({ samples: [{ family: phaseFamily, labels: { phase: 'connect' }, value: 0.001 }] }),
    );
    store.record(
      'b/http_2xx',
      result({
        success: false,
        failure: { phase: 'processing', reason: 'status_code', message: 'got 503' },
        samples: [
          { family: phaseFamily, labels: { phase: 'connect' }, value: 0.002 },
          { family: statusFamily, value: 503 },
        ],
      }),
    );
    const text = store.render();
    expect(text.match(/# TYPE probe_http_duration_seconds gauge/g)).toHaveLength(1);
    expect(text).toContain('probe_success{target="a",module="http_2xx",team="web"} 1\n');
    expect(text).toContain('probe_success{target="b",module="http_2xx"} 0\n');
    expect(text).toContain(
      'probe_failure_info{target="b",module="http_2xx",phase="processing",reason="status_code"} 1\n',
    );
    expect(text).not.toContain('probe_failure_info{target="a"');
    expect(text).toContain('vantage_probes_total{target="b",module="http_2xx",result="failure"} 1\n');
    expect(text).toContain(
      'vantage_probe_failures_total{target="b",module="http_2xx",phase="processing",reason="status_code"} 1\n',
    );
    // Both checks' phase samples sit under the one header, adjacent.
    const block = text.slice(text.indexOf('# HELP probe_http_duration_seconds'));
    expect(block.indexOf('target="b"')).toBeLessThan(block.indexOf('# HELP', 10));
  });

  it('counts every probe exactly and puts the latency threshold on a bucket boundary', () => {
    const store = new LatestResults();
    store.sync([identity('a', 'http_2xx', {}, 1.7)]);
    for (const d of [0.05, 1.6, 1.8, 3]) store.record('a/http_2xx', result({ durationSeconds: d }));
    const text = store.render();
    expect(text).toContain(
      'vantage_probe_duration_seconds_bucket{target="a",module="http_2xx",le="1.7"} 2\n',
    );
    expect(text).toContain(
      'vantage_probe_duration_seconds_bucket{target="a",module="http_2xx",le="+Inf"} 4\n',
    );
    expect(text).toContain('vantage_probe_duration_seconds_count{target="a",module="http_2xx"} 4\n');
    expect(text).toContain('vantage_probe_duration_seconds_sum{target="a",module="http_2xx"} 6.45\n');
    expect(text).toContain('vantage_probes_total{target="a",module="http_2xx",result="success"} 4\n');
  });

  it('drops the series of a check removed by a reload and ignores its late result', () => {
    const store = new LatestResults();
    store.sync([identity('a'), identity('b')]);
    store.record('b/http_2xx', result({}));
    store.sync([identity('a')]);
    store.record('b/http_2xx', result({}));
    expect(store.render()).not.toContain('target="b"');
  });

  it('accumulates prober counters and leaves audits out of the probe series', () => {
    const runsTotal: MetricFamily = { name: 'lighthouse_runs_total', help: 'Runs.', type: 'counter' };
    const up: MetricFamily = { name: 'lighthouse_up', help: 'Up.', type: 'gauge' };
    const store = new LatestResults();
    store.sync([{ ...identity('home', 'mobile'), probeSeries: false }]);
    const batch = (ok: number, failed: number) =>
      result({
        samples: [{ family: up, value: 1 }],
        counters: [
          { family: runsTotal, labels: { result: 'success' }, value: ok },
          { family: runsTotal, labels: { result: 'failure' }, value: failed },
        ],
      });
    store.record('home/mobile', batch(3, 0));
    store.record('home/mobile', batch(2, 1));
    const text = store.render();
    expect(text).toContain('lighthouse_runs_total{target="home",module="mobile",result="success"} 5\n');
    expect(text).toContain('lighthouse_runs_total{target="home",module="mobile",result="failure"} 1\n');
    expect(text).toContain('# TYPE lighthouse_runs_total counter\n');
    expect(text).toContain('lighthouse_up{target="home",module="mobile"} 1\n');
    expect(text).not.toContain('probe_success{target="home"');
    expect(text).not.toContain('vantage_probes_total{target="home"');
  });

  it('renders /probe output without target or module labels', () => {
    const text = renderProbeResult(
      result({
        success: false,
        failure: { phase: 'connect', reason: 'connection_refused', message: 'refused' },
        samples: [{ family: phaseFamily, labels: { phase: 'resolve' }, value: 0.0001 }],
      }),
    );
    expect(text).toContain('probe_success 0\n');
    expect(text).toContain('probe_failure_info{phase="connect",reason="connection_refused"} 1\n');
    expect(text).toContain('probe_http_duration_seconds{phase="resolve"} 0.0001\n');
    expect(text).not.toContain('target=');
  });
});
