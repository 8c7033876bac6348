/**
 * The latest result of every scheduled check, plus the counters and histograms that accumulate
 * across probes. A probe result is rendered into exposition lines once, when it arrives; a
 * scrape only concatenates them family by family. Nothing here runs a probe.
 */
import type { MetricFamily, ProbeResult } from '../probers/types.js';
import {
  DEFAULT_DURATION_BUCKETS,
  FAILURES_TOTAL,
  PROBE_DURATION_HISTOGRAM,
  PROBES_TOTAL,
  probeDuration,
  probeFailureInfo,
  probeLastRun,
  probeSuccess,
} from './families.js';
import { familyHeader, formatValue, labelBlock, renderLabelPairs, sampleLine } from './exposition.js';

/** What identifies one check's series: target, module and the target's static labels. */
export interface CheckIdentity {
  key: string;
  target: string;
  module: string;
  staticLabels: Readonly<Record<string, string>>;
  /** Added as a histogram bucket boundary so `le="<threshold>"` is exact. */
  latencyThresholdSeconds: number;
  /**
   * Whether results feed the generic probe series (probe_success, vantage_probes_total, the
   * duration histogram, probe_failure_info). HTTP checks do; Lighthouse audits publish their
   * own lighthouse_* families instead, so SLO rules over vantage_probes_total never mix the two.
   */
  probeSeries: boolean;
}

interface Accumulated {
  success: number;
  failure: number;
  bucketCounts: number[];
  durationSum: number;
  failuresByReason: Map<string, number>;
  /** Prober counters (ProbeResult.counters), by family name, then by rendered label block. */
  counters: Map<string, Map<string, number>>;
}

class CheckSeries {
  labelPrefix = '';
  buckets: number[] = [];
  latest: ProbeResult | undefined;
  acc: Accumulated;
  /**
   * Rendered lines of this check, by family name, as UTF-8 Buffers: off the JS heap (nothing
   * for the GC to trace across 10,000 checks) and written to the socket without re-encoding.
   */
  fragments = new Map<string, Buffer>();

  constructor(public identity: CheckIdentity) {
    this.acc = {
      success: 0,
      failure: 0,
      bucketCounts: [],
      durationSum: 0,
      failuresByReason: new Map(),
      counters: new Map(),
    };
    this.setIdentity(identity);
  }

  setIdentity(identity: CheckIdentity): void {
    const oldBuckets = this.buckets;
    this.identity = identity;
    this.labelPrefix = renderLabelPairs([
      ['target', identity.target],
      ['module', identity.module],
      ...Object.entries(identity.staticLabels),
    ]);
    const buckets = [...new Set([...DEFAULT_DURATION_BUCKETS, identity.latencyThresholdSeconds])].sort(
      (a, b) => a - b,
    );
    if (buckets.join() !== oldBuckets.join()) {
      // A histogram whose boundaries change must restart, or its cumulative counts would lie.
      this.buckets = buckets;
      this.acc.bucketCounts = new Array<number>(buckets.length).fill(0);
      this.acc.durationSum = 0;
      this.acc.success = 0;
      this.acc.failure = 0;
    }
    this.render();
  }

  record(result: ProbeResult): void {
    this.latest = this.retained(result);
    if (result.success) this.acc.success++;
    else {
      this.acc.failure++;
      if (result.failure) {
        const k = `${result.failure.phase}\u0000${result.failure.reason}`;
        this.acc.failuresByReason.set(k, (this.acc.failuresByReason.get(k) ?? 0) + 1);
      }
    }
    const d = result.durationSeconds;
    this.acc.durationSum += d;
    for (let i = 0; i < this.buckets.length; i++) {
      if (d <= this.buckets[i]!) this.acc.bucketCounts[i]!++;
    }
    for (const c of result.counters ?? []) {
      let byLabels = this.acc.counters.get(c.family.name);
      if (!byLabels) this.acc.counters.set(c.family.name, (byLabels = new Map()));
      const block = labelBlock(this.labelPrefix, c.labels);
      byLabels.set(block, (byLabels.get(block) ?? 0) + c.value);
    }
    this.render(result);
  }

  /**
   * What is kept of a result once it is rendered. Its lines are in `fragments`; the trace is
   * for /probe?debug=true and `vantage probe`, which print a fresh probe of their own. For
   * HTTP checks only the phase timings stay (the index page shows them): with 10,000 checks
   * every retained object counts. Lighthouse results stay whole (/probe serves them).
   */
  private retained(result: ProbeResult): ProbeResult {
    if (!this.identity.probeSeries) return result.trace.length > 0 ? { ...result, trace: [] } : result;
    return {
      success: result.success,
      durationSeconds: result.durationSeconds,
      startedAtMs: result.startedAtMs,
      failure: result.failure,
      samples: result.samples.filter((s) => s.family.name === 'probe_http_duration_seconds'),
      trace: [],
    };
  }

  /**
   * Re-render this check's lines from `full` (the result just recorded) or, after a change of
   * labels, from what was retained of the latest result (for an HTTP check only its phase
   * timings: its other gauges return with the next probe). Every fragment is built as an
   * array and joined: `+=` would leave V8 cons-string ropes that cost memory per check and
   * make every scrape walk millions of rope nodes.
   */
  private render(full?: ProbeResult): void {
    const f = new Map<string, string>();
    const acc = this.acc;
    for (const [name, byLabels] of acc.counters) {
      const lines: string[] = [];
      for (const [block, value] of byLabels) lines.push(sampleLine(name, block, value));
      f.set(name, lines.join(''));
    }
    if (this.identity.probeSeries) this.renderProbeSeries(f);
    const r = full ?? this.latest;
    if (!r) return this.commit(f);
    const byFamily = new Map<string, string[]>();
    for (const sample of r.samples) {
      let lines = byFamily.get(sample.family.name);
      if (!lines) byFamily.set(sample.family.name, (lines = []));
      lines.push(sampleLine(sample.family.name, labelBlock(this.labelPrefix, sample.labels), sample.value));
    }
    for (const [name, lines] of byFamily) f.set(name, lines.join(''));
    this.commit(f);
  }

  /**
   * Store the rendered lines as views into ONE exactly-sized Buffer per check. Buffer.from()
   * of a small string slices Node's shared 8 KB pool, and one live slice pins its whole pool:
   * with 10,000 checks re-rendered at different times that pins most pools ever allocated.
   */
  private commit(staged: Map<string, string>): void {
    let total = 0;
    for (const text of staged.values()) total += Buffer.byteLength(text, 'utf8');
    const block = Buffer.allocUnsafeSlow(total);
    const fragments = new Map<string, Buffer>();
    let offset = 0;
    for (const [name, text] of staged) {
      const written = block.write(text, offset, 'utf8');
      fragments.set(name, block.subarray(offset, offset + written));
      offset += written;
    }
    this.fragments = fragments;
  }

  private renderProbeSeries(f: Map<string, string>): void {
    const prefix = this.labelPrefix;
    const labels = `{${prefix}}`;
    const acc = this.acc;
    const total = acc.success + acc.failure;
    f.set(
      PROBES_TOTAL.name,
      [
        sampleLine(PROBES_TOTAL.name, labelBlock(prefix, { result: 'success' }), acc.success),
        sampleLine(PROBES_TOTAL.name, labelBlock(prefix, { result: 'failure' }), acc.failure),
      ].join(''),
    );
    const hist: string[] = [];
    for (let i = 0; i < this.buckets.length; i++) {
      hist.push(
        `vantage_probe_duration_seconds_bucket{${prefix},le="${formatValue(this.buckets[i]!)}"} ${acc.bucketCounts[i]}\n`,
      );
    }
    hist.push(
      `vantage_probe_duration_seconds_bucket{${prefix},le="+Inf"} ${total}\n`,
      `vantage_probe_duration_seconds_sum${labels} ${formatValue(acc.durationSum)}\n`,
      `vantage_probe_duration_seconds_count${labels} ${total}\n`,
    );
    f.set(PROBE_DURATION_HISTOGRAM.name, hist.join(''));
    if (acc.failuresByReason.size > 0) {
      const lines: string[] = [];
      for (const [k, n] of acc.failuresByReason) {
        const [phase, reason] = k.split('\u0000') as [string, string];
        lines.push(sampleLine(FAILURES_TOTAL.name, labelBlock(prefix, { phase, reason }), n));
      }
      f.set(FAILURES_TOTAL.name, lines.join(''));
    }

    const r = this.latest;
    if (!r) return;
    f.set(probeSuccess.name, sampleLine(probeSuccess.name, labels, r.success ? 1 : 0));
    f.set(probeDuration.name, sampleLine(probeDuration.name, labels, r.durationSeconds));
    f.set(probeLastRun.name, sampleLine(probeLastRun.name, labels, r.startedAtMs / 1000));
    if (r.failure) {
      f.set(
        probeFailureInfo.name,
        sampleLine(
          probeFailureInfo.name,
          labelBlock(prefix, { phase: r.failure.phase, reason: r.failure.reason }),
          1,
        ),
      );
    }
  }
}

type FamilyLike = { name: string; help: string; type: string };

export class LatestResults {
  /** Render order: the generic families first, then prober families as they first appear. */
  private readonly families = new Map<string, FamilyLike>();
  private readonly checks = new Map<string, CheckSeries>();

  constructor() {
    for (const f of [probeSuccess, probeDuration, probeFailureInfo, probeLastRun])
      this.families.set(f.name, f);
    for (const f of [PROBES_TOTAL, FAILURES_TOTAL, PROBE_DURATION_HISTOGRAM]) this.families.set(f.name, f);
  }

  /**
   * Align the set of checks with the configuration: new checks start empty, removed checks
   * (and their series) disappear, kept checks keep their counters.
   */
  sync(identities: readonly CheckIdentity[]): void {
    const wanted = new Set(identities.map((i) => i.key));
    for (const key of this.checks.keys()) if (!wanted.has(key)) this.checks.delete(key);
    for (const identity of identities) {
      const existing = this.checks.get(identity.key);
      if (!existing) this.checks.set(identity.key, new CheckSeries(identity));
      else if (JSON.stringify(existing.identity) !== JSON.stringify(identity)) existing.setIdentity(identity);
    }
  }

  record(key: string, result: ProbeResult): void {
    const check = this.checks.get(key);
    if (!check) return; // removed by a reload while the probe ran
    for (const s of result.samples) this.registerFamily(s.family);
    for (const c of result.counters ?? []) this.registerFamily(c.family);
    check.record(result);
  }

  latest(key: string): ProbeResult | undefined {
    return this.checks.get(key)?.latest;
  }

  /** Totals per check, for the index page and tests. */
  totals(key: string): { success: number; failure: number } | undefined {
    const c = this.checks.get(key);
    return c ? { success: c.acc.success, failure: c.acc.failure } : undefined;
  }

  registerFamily(family: MetricFamily): void {
    if (!this.families.has(family.name)) this.families.set(family.name, family);
  }

  /**
   * The exposition of every check, grouped by family, in pieces of at most `checksPerChunk`
   * checks, so /metrics can stream it and let probes run between pieces instead of building
   * (and copying) one string of tens of megabytes.
   */
  *chunks(checksPerChunk = 1000): Generator<Buffer> {
    const checks = [...this.checks.values()];
    for (const family of this.families.values()) {
      let header: Buffer | undefined = Buffer.from(familyHeader(family), 'utf8');
      for (let start = 0; start < checks.length; start += checksPerChunk) {
        const parts: Buffer[] = header ? [header] : [];
        const end = Math.min(start + checksPerChunk, checks.length);
        for (let i = start; i < end; i++) {
          const fragment = checks[i]!.fragments.get(family.name);
          if (fragment !== undefined) parts.push(fragment);
        }
        if (parts.length === (header ? 1 : 0)) continue;
        // The header goes out once, just before the family's first sample.
        yield Buffer.concat(parts);
        header = undefined;
      }
    }
  }

  /** The whole exposition as one string (tests, small setups). */
  render(): string {
    return Buffer.concat([...this.chunks()]).toString('utf8');
  }
}
