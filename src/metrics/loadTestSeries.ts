/**
 * vantage_load_test_*: the last load test of each target, from the store's in-memory copy
 * (store.loadTests.latestPerTarget(), refreshed when `vantage load` writes a run), so a scrape
 * never queries. Only targets the running config still has (and, with --shard, this shard's):
 * a removed target's last run would otherwise be exported forever, and every shard of a
 * sharded fleet would export the same run. Knee series are absent when the run found no knee.
 * Pure.
 */
import type { LoadTestRecord } from '../store/loadTests.js';
import { familyHeader, labelBlock, sampleLine } from './exposition.js';

const families = {
  timestamp: {
    name: 'vantage_load_test_timestamp_seconds',
    help: "Unix time at which the target's last load test (vantage load) finished.",
    type: 'gauge',
  },
  duration: {
    name: 'vantage_load_test_duration_seconds',
    help: "How long the target's last load test ran, in seconds.",
    type: 'gauge',
  },
  knee: {
    name: 'vantage_load_test_knee_requests_per_second',
    help: "The knee of the target's last load test: the highest requested rate (requests/s) whose step kept p95 under the latency objective and errors under 1 %; absent when even the first step missed.",
    type: 'gauge',
  },
  kneeLatency: {
    name: 'vantage_load_test_knee_latency_p95_seconds',
    help: "The p95 latency of the knee's step in the target's last load test, in seconds; absent when there was no knee.",
    type: 'gauge',
  },
  achieved: {
    name: 'vantage_load_test_achieved_requests_per_second',
    help: "The highest rate (requests/s) any step of the target's last load test reached.",
    type: 'gauge',
  },
  info: {
    name: 'vantage_load_test_info',
    help: "Set to 1 with how the target's last load test ended (outcome: completed, stopped_errors, stopped_latency, stopped_max_duration, interrupted).",
    type: 'gauge',
  },
} as const;

export function renderLoadTestSeries(runs: readonly LoadTestRecord[], targets: ReadonlySet<string>): string {
  const shown = runs.filter((r) => targets.has(r.target));
  if (shown.length === 0) return '';
  const block = (family: (typeof families)[keyof typeof families], sample: (r: LoadTestRecord) => string) => {
    const lines = shown.map(sample).join('');
    return lines === '' ? '' : familyHeader(family) + lines;
  };
  const line = (
    family: { name: string },
    r: LoadTestRecord,
    value: number | undefined,
    extra?: Record<string, string>,
  ) =>
    value === undefined ? '' : sampleLine(family.name, labelBlock('', { target: r.target, ...extra }), value);
  return (
    block(families.timestamp, (r) => line(families.timestamp, r, r.finishedAt / 1000)) +
    block(families.duration, (r) => line(families.duration, r, (r.finishedAt - r.startedAt) / 1000)) +
    block(families.knee, (r) => line(families.knee, r, r.knee?.rate)) +
    block(families.kneeLatency, (r) => line(families.kneeLatency, r, r.knee?.p95Seconds)) +
    block(families.achieved, (r) =>
      line(families.achieved, r, r.steps.length === 0 ? 0 : Math.max(...r.steps.map((s) => s.achievedRate))),
    ) +
    block(families.info, (r) => line(families.info, r, 1, { outcome: r.outcome }))
  );
}
