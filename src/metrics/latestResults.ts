/**
 * The latest result of every scheduled check, plus the counters and histograms that accumulate
 * across probes. A probe result is rendered into exposition lines once, when it arrives; a
 * scrape only concatenates them family by family. Nothing here runs a probe.
 *
 * The main thread's LatestResults holds every check's lines and serves /metrics. It records the
 * audits itself; an HTTP check is recorded in the probe worker that owns it (a LatestResults
 * of its own, service/probeWorkers/), which sends each freshly rendered Buffer over to be
 * adopted here: probes are timed and rendered off this thread, and a scrape never waits on a
 * worker.
 */
import type { Observation, ProbeResult } from '../probers/types.js';
import {
  DEFAULT_DURATION_BUCKETS,
  FAILURES_TOTAL,
  failureInfoLabels,
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
  /**
   * For probeSeries checks: the sample families kept of the latest result once rendered (the
   * index page shows them: HTTP's phase timings); none when undefined. From the prober table.
   */
  keptSampleFamilies?: readonly string[];
  /** Whether the latest result is kept whole (audits and flows: /probe serves it, not a fresh run). */
  keepsWholeResult?: boolean;
}

interface Accumulated {
  success: number;
  failure: number;
  bucketCounts: number[];
  durationSum: number;
  /** Made at the first failure / the first counter: most checks never need them (10,000 Maps saved). */
  failuresByReason?: Map<string, number>;
  /** Prober counters (ProbeResult.counters), by family name, then by rendered label block. */
  counters?: Map<string, Map<string, number>>;
  /** Prober histograms (ProbeResult.observations), by family name, then by rendered label block. */
  histograms?: Map<string, Map<string, HistogramState>>;
}

/** One cumulative histogram series: counts per bucket (not yet cumulative), sum and count. */
interface HistogramState {
  /** The labels' block without `le`, to which each bucket line adds its bound. */
  labels: Readonly<Record<string, string>> | undefined;
  buckets: readonly number[];
  counts: number[];
  sum: number;
  count: number;
}

/** Histogram bounds per latency threshold: thousands of checks share a handful of arrays. */
const bucketsByThreshold = new Map<number, readonly number[]>();
function bucketsFor(thresholdSeconds: number): readonly number[] {
  let buckets = bucketsByThreshold.get(thresholdSeconds);
  if (!buckets) {
    buckets = [...new Set([...DEFAULT_DURATION_BUCKETS, thresholdSeconds])].sort((a, b) => a - b);
    bucketsByThreshold.set(thresholdSeconds, buckets);
  }
  return buckets;
}

const NO_SPANS = new Int32Array(0);

class CheckSeries {
  labelPrefix = '';
  buckets: readonly number[] = [];
  latest: ProbeResult | undefined;
  acc: Accumulated;
  /**
   * Rendered lines of this check as ONE UTF-8 Buffer, off the JS heap (nothing for the GC to
   * trace across 10,000 checks) and copied to the socket without re-encoding; `spans` holds the
   * [start, end) of each family's lines in it, by family index (end 0: no lines). Two objects
   * per check where a Map of one Buffer per family took a dozen.
   */
  block: Buffer = Buffer.alloc(0);
  spans: Int32Array = NO_SPANS;
  /**
   * True once the lines come from a probe worker: this side's accumulators then hold the totals
   * only (not the histogram), so it never re-renders them itself; the worker sends new lines.
   */
  private adopted = false;

  constructor(
    public identity: CheckIdentity,
    private readonly familyIndex: (name: string) => number,
  ) {
    this.acc = {
      success: 0,
      failure: 0,
      bucketCounts: [],
      durationSum: 0,
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
    const buckets = bucketsFor(identity.latencyThresholdSeconds);
    if (buckets !== oldBuckets) {
      // A histogram whose boundaries change must restart, or its cumulative counts would lie.
      this.buckets = buckets;
      this.acc.bucketCounts = new Array<number>(buckets.length).fill(0);
      this.acc.durationSum = 0;
      this.acc.success = 0;
      this.acc.failure = 0;
    }
    // Adopted lines come from the worker that owns the check; it re-renders and sends them.
    if (!this.adopted) this.render();
  }

  record(result: ProbeResult): void {
    this.latest = this.retained(result);
    if (result.success) this.acc.success++;
    else {
      this.acc.failure++;
      if (result.failure) {
        const k = `${result.failure.phase}\u0000${result.failure.reason}`;
        const byReason = (this.acc.failuresByReason ??= new Map());
        byReason.set(k, (byReason.get(k) ?? 0) + 1);
      }
    }
    const d = result.durationSeconds;
    this.acc.durationSum += d;
    for (let i = 0; i < this.buckets.length; i++) {
      if (d <= this.buckets[i]!) this.acc.bucketCounts[i]!++;
    }
    for (const c of result.counters ?? []) {
      const counters = (this.acc.counters ??= new Map());
      let byLabels = counters.get(c.family.name);
      if (!byLabels) counters.set(c.family.name, (byLabels = new Map()));
      const block = labelBlock(this.labelPrefix, c.labels);
      byLabels.set(block, (byLabels.get(block) ?? 0) + c.value);
    }
    for (const o of result.observations ?? []) this.observe(o);
    this.render(result);
  }

  private observe(o: Observation): void {
    const histograms = (this.acc.histograms ??= new Map<string, Map<string, HistogramState>>());
    let byLabels = histograms.get(o.family.name);
    if (!byLabels) histograms.set(o.family.name, (byLabels = new Map()));
    const block = labelBlock(this.labelPrefix, o.labels);
    let h = byLabels.get(block);
    const buckets = bucketsFor(o.boundary ?? this.identity.latencyThresholdSeconds);
    // Bounds that change (a new latency objective) restart the series, as the probe histogram does.
    if (!h || h.buckets !== buckets) {
      h = {
        labels: o.labels,
        buckets,
        counts: new Array<number>(buckets.length).fill(0),
        sum: 0,
        count: 0,
      };
      byLabels.set(block, h);
    }
    const i = h.buckets.findIndex((bound) => o.value <= bound);
    if (i !== -1) h.counts[i]!++;
    h.sum += o.value;
    h.count++;
  }

  /**
   * What is kept of a result once it is rendered. Its lines are in `fragments`; the trace is
   * for /probe?debug=true and `vantage probe`, which print a fresh probe of their own. For
   * probe-series checks only the families the prober table keeps stay (HTTP's phase timings, for
   * the index page): with 10,000 checks every retained object counts. Audit results stay whole
   * (/probe serves them).
   */
  private retained(result: ProbeResult): ProbeResult {
    if (!this.identity.probeSeries || this.identity.keepsWholeResult) {
      return result.trace.length > 0 ? { ...result, trace: [] } : result;
    }
    const kept = this.identity.keptSampleFamilies;
    return {
      success: result.success,
      durationSeconds: result.durationSeconds,
      startedAtMs: result.startedAtMs,
      failure: result.failure,
      samples: result.samples.filter((s) => kept?.includes(s.family.name) === true),
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
    for (const [name, byLabels] of acc.counters ?? []) {
      const lines: string[] = [];
      for (const [block, value] of byLabels) lines.push(sampleLine(name, block, value));
      f.set(name, lines.join(''));
    }
    for (const [name, byLabels] of acc.histograms ?? []) {
      const lines: string[] = [];
      for (const h of byLabels.values()) lines.push(this.histogramLines(name, h));
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
   * Store the rendered lines in ONE exactly-sized Buffer per check. Buffer.from() of a small
   * string slices Node's shared 8 KB pool, and one live slice pins its whole pool: with 10,000
   * checks re-rendered at different times that pins most pools ever allocated.
   */
  private commit(staged: Map<string, string>): void {
    let total = 0;
    let families = 0;
    const indexed: [number, string][] = [];
    for (const [name, text] of staged) {
      const index = this.familyIndex(name);
      indexed.push([index, text]);
      families = Math.max(families, index + 1);
      total += Buffer.byteLength(text, 'utf8');
    }
    const block = Buffer.allocUnsafeSlow(total);
    const spans = new Int32Array(families * 2);
    let offset = 0;
    for (const [index, text] of indexed) {
      const written = block.write(text, offset, 'utf8');
      spans[index * 2] = offset;
      spans[index * 2 + 1] = offset + written;
      offset += written;
    }
    this.block = block;
    this.spans = spans;
  }

  /** Bytes of this check's lines of the family at `index` (0 when it has none). */
  sizeOf(index: number): number {
    const end = index * 2 + 1 < this.spans.length ? this.spans[index * 2 + 1]! : 0;
    return end === 0 ? 0 : end - this.spans[index * 2]!;
  }

  /** Copy this check's lines of the family at `index` into `out` at `offset`; returns the new offset. */
  copyLinesOf(index: number, out: Buffer, offset: number): number {
    const end = index * 2 + 1 < this.spans.length ? this.spans[index * 2 + 1]! : 0;
    if (end === 0) return offset;
    // Buffer#copy from a range: no view object per check and family, 300,000 per scrape otherwise.
    return offset + this.block.copy(out, offset, this.spans[index * 2]!, end);
  }

  /** Lines rendered elsewhere (a probe worker), with spans already in this side's family indexes. */
  adopt(block: Buffer, spans: Int32Array, result: ProbeResult | undefined): void {
    this.adopted = true;
    this.block = block;
    this.spans = spans;
    if (!result) return; // a re-render after a change of labels, not a probe
    this.latest = result;
    if (result.success) this.acc.success++;
    else this.acc.failure++;
  }

  private histogramLines(name: string, h: HistogramState): string {
    const lines: string[] = [];
    let cumulative = 0;
    for (let i = 0; i < h.buckets.length; i++) {
      cumulative += h.counts[i]!;
      const le = formatValue(h.buckets[i]!);
      lines.push(sampleLine(`${name}_bucket`, labelBlock(this.labelPrefix, { ...h.labels, le }), cumulative));
    }
    const block = labelBlock(this.labelPrefix, h.labels);
    lines.push(
      sampleLine(`${name}_bucket`, labelBlock(this.labelPrefix, { ...h.labels, le: '+Inf' }), h.count),
      sampleLine(`${name}_sum`, block, h.sum),
      sampleLine(`${name}_count`, block, h.count),
    );
    return lines.join('');
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
    if (acc.failuresByReason) {
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
        sampleLine(probeFailureInfo.name, labelBlock(prefix, failureInfoLabels(r.failure)), 1),
      );
    }
  }
}

export type FamilyLike = { name: string; help: string; type: string };

export class LatestResults {
  /** Render order: the generic families first, then prober families as they first appear. */
  private readonly families = new Map<string, FamilyLike>();
  private readonly familyIndexes = new Map<string, number>();
  private readonly checks = new Map<string, CheckSeries>();
  private readonly indexOf = (name: string): number => {
    let index = this.familyIndexes.get(name);
    if (index === undefined) this.familyIndexes.set(name, (index = this.familyIndexes.size));
    return index;
  };

  constructor() {
    for (const f of [probeSuccess, probeDuration, probeFailureInfo, probeLastRun])
      this.families.set(f.name, f);
    for (const f of [PROBES_TOTAL, FAILURES_TOTAL, PROBE_DURATION_HISTOGRAM]) this.families.set(f.name, f);
  }

  /**
   * Align the set of checks with the configuration: new checks start empty, removed checks
   * (and their series) disappear, kept checks keep their counters. Returns the kept checks whose
   * labels changed (their lines were rendered again).
   */
  sync(identities: readonly CheckIdentity[]): string[] {
    const wanted = new Set(identities.map((i) => i.key));
    for (const key of this.checks.keys()) if (!wanted.has(key)) this.checks.delete(key);
    const relabelled: string[] = [];
    for (const identity of identities) {
      const existing = this.checks.get(identity.key);
      if (!existing) this.checks.set(identity.key, new CheckSeries(identity, this.indexOf));
      else if (JSON.stringify(existing.identity) !== JSON.stringify(identity)) {
        existing.setIdentity(identity);
        relabelled.push(identity.key);
      }
    }
    return relabelled;
  }

  record(key: string, result: ProbeResult): void {
    const check = this.checks.get(key);
    if (!check) return; // removed by a reload while the probe ran
    for (const s of result.samples) this.registerFamily(s.family);
    for (const c of result.counters ?? []) this.registerFamily(c.family);
    for (const o of result.observations ?? []) this.registerFamily(o.family);
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

  /** Register a family (if new) and return its index in this LatestResults' spans. */
  registerFamily(family: FamilyLike): number {
    if (!this.families.has(family.name)) this.families.set(family.name, family);
    return this.indexOf(family.name);
  }

  /** Families in registration order (index i of the list is family index i). */
  familyList(): FamilyLike[] {
    const list: FamilyLike[] = [];
    for (const [name, index] of this.familyIndexes) list[index] = this.families.get(name)!;
    return list;
  }

  /** A check's current lines, for a probe worker to send over (undefined for an unknown check). */
  rendered(key: string): { block: Buffer; spans: Int32Array } | undefined {
    const check = this.checks.get(key);
    return check && { block: check.block, spans: check.spans };
  }

  /**
   * Take a check's lines rendered elsewhere (see CheckSeries.adopt); `result` is the probe they
   * come from, or undefined for a re-render after a change of labels.
   */
  adopt(key: string, block: Buffer, spans: Int32Array, result: ProbeResult | undefined): void {
    this.checks.get(key)?.adopt(block, spans, result);
  }

  get size(): number {
    return this.checks.size;
  }

  /**
   * The exposition of every check, grouped by family, in pieces of at most `checksPerChunk`
   * checks, so /metrics can stream it with the event loop free between pieces instead of
   * building (and copying) one string of tens of megabytes.
   */
  *chunks(checksPerChunk = 1000): Generator<Buffer> {
    const checks = [...this.checks.values()];
    for (const family of this.families.values()) {
      const index = this.indexOf(family.name);
      let header: Buffer | undefined = Buffer.from(familyHeader(family), 'utf8');
      for (let start = 0; start < checks.length; start += checksPerChunk) {
        const end = Math.min(start + checksPerChunk, checks.length);
        let bytes = header?.length ?? 0;
        for (let i = start; i < end; i++) bytes += checks[i]!.sizeOf(index);
        if (bytes === (header?.length ?? 0)) continue;
        const chunk = Buffer.allocUnsafe(bytes);
        // The header goes out once, just before the family's first sample.
        let offset = header ? header.copy(chunk, 0) : 0;
        for (let i = start; i < end; i++) offset = checks[i]!.copyLinesOf(index, chunk, offset);
        yield chunk;
        header = undefined;
      }
    }
  }

  /** The whole exposition as one string (tests, small setups). */
  render(): string {
    return Buffer.concat([...this.chunks()]).toString('utf8');
  }
}
