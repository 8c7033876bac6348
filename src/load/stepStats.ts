/**
 * The figures of one step as its responses arrive: counts, and latencies in an HDR histogram
 * (hdr-histogram-js, what autocannon itself records with), microseconds to three significant
 * digits. Our own histogram rather than autocannon's result: autocannon reports no p95, its
 * latencies are corrected for coordinated omission with an expected interval of 1 ms whatever
 * the rate (which drowns real latencies in synthetic ones), and a step is several autocannon
 * runs (see stepRunner.ts) whose figures must be one.
 */
import * as hdr from 'hdr-histogram-js';
import type { LoadTestStep } from '../store/loadTests.js';

export class StepStats {
  /** responses of any status */
  responses = 0;
  /** responses with a status other than 2xx or 3xx */
  failedResponses = 0;
  /** timeouts, connection errors and requests cut unanswered: requests without a response */
  unanswered = 0;
  /** requests written to a connection, answered or not */
  sent = 0;
  private readonly latencies = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

  response(statusCode: number, milliseconds: number): void {
    this.responses += 1;
    if (statusCode < 200 || statusCode >= 400) this.failedResponses += 1;
    this.latencies.recordValue(Math.max(1, Math.round(milliseconds * 1000)));
  }

  failure(): void {
    this.unanswered += 1;
  }

  /** Requests that ended, with a response or without one. */
  get requests(): number {
    return this.responses + this.unanswered;
  }

  get errors(): number {
    return this.failedResponses + this.unanswered;
  }

  percentileSeconds(p: number): number {
    return this.latencies.totalCount === 0 ? 0 : this.latencies.getValueAtPercentile(p) / 1e6;
  }

  figures(requestedRate: number, startedAt: number, durationSeconds: number): LoadTestStep {
    const requests = this.requests;
    return {
      requestedRate,
      achievedRate: durationSeconds > 0 ? requests / durationSeconds : 0,
      requests,
      errors: this.errors,
      errorRatio: requests === 0 ? 0 : this.errors / requests,
      p50Seconds: this.percentileSeconds(50),
      p95Seconds: this.percentileSeconds(95),
      p99Seconds: this.percentileSeconds(99),
      startedAt,
      durationSeconds,
    };
  }

  destroy(): void {
    this.latencies.destroy();
  }
}
