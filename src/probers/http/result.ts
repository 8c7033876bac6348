/**
 * Turns what the hops recorded into a ProbeResult: blackbox_exporter's samples (phases summed over
 * redirect hops, as blackbox does), the failure, the trace. Samples that describe something that did
 * not happen are left out (a phase never reached, TLS details without a completed handshake) rather
 * than reported as 0, which would read as "instant".
 */
import { HTTP_PHASES, type ProbeFailure, type ProbeResult, type Sample } from '../types.js';
import type { CompiledChecks } from './checks.js';
import type { HopResponse } from './exchange.js';
import { httpFamilies as f, PHASE_LABELS } from './families.js';
import type { Hop } from './hop.js';
import type { ProbeRun } from './run.js';

/** What the prober learnt, filled in as the probe goes. */
export interface ProbeState {
  hops: Hop[];
  redirects: number;
  /** The last response received (the final one when redirects were followed). */
  final: HopResponse | undefined;
  failure: ProbeFailure | undefined;
  failedDueToRegex: boolean;
  /** The URL of the latest hop (the final one once the probe ended). */
  finalUrl?: URL;
}

const VERSION_NUMBER = { '1.0': 1.0, '1.1': 1.1, '2.0': 2 } as const;

const tlsVersionLabels = new Map<string, Readonly<Record<string, string>>>();

function tlsVersionLabel(version: string): Readonly<Record<string, string>> {
  let labels = tlsVersionLabels.get(version);
  if (labels === undefined) tlsVersionLabels.set(version, (labels = Object.freeze({ version })));
  return labels;
}

function buildSamples(state: ProbeState, checks: CompiledChecks): Sample[] {
  const samples: Sample[] = [];
  const { hops, final } = state;
  for (const phase of HTTP_PHASES) {
    let total: number | undefined;
    for (const hop of hops) {
      const seconds = hop.seconds(phase);
      if (seconds !== undefined) total = (total ?? 0) + seconds;
    }
    if (total !== undefined)
      samples.push({ family: f.durationSeconds, labels: PHASE_LABELS[phase], value: total });
  }

  // DNS and IP family describe the target's own host (blackbox: chooseProtocol on the first hop).
  const first = hops[0];
  const lookup = first?.seconds('resolve');
  if (lookup !== undefined) samples.push({ family: f.dnsLookupTimeSeconds, value: lookup });
  if (first?.resolved !== undefined) samples.push({ family: f.ipProtocol, value: first.resolved.family });

  samples.push(
    { family: f.statusCode, value: final?.statusCode ?? 0 },
    // No response at all is 0, like blackbox's empty http.Response; a response without the header -1.
    { family: f.contentLength, value: final?.contentLength ?? 0 },
    { family: f.uncompressedBodyLength, value: final?.body?.bytes ?? 0 },
    { family: f.redirects, value: state.redirects },
    { family: f.httpVersion, value: final ? VERSION_NUMBER[final.httpVersion] : 0 },
  );
  if (checks.hasRegex) samples.push({ family: f.failedDueToRegex, value: state.failedDueToRegex ? 1 : 0 });

  const tls = hops[hops.length - 1]?.tls;
  samples.push({ family: f.ssl, value: tls !== undefined ? 1 : 0 });
  if (tls !== undefined) {
    samples.push({ family: f.tlsVersionInfo, labels: tlsVersionLabel(tls.version), value: 1 });
    if (tls.earliestExpiry !== undefined) {
      samples.push({ family: f.sslEarliestCertExpiry, value: tls.earliestExpiry });
    }
    if (tls.verifiedChainExpiry !== undefined) {
      samples.push({ family: f.sslLastChainExpiryTimestampSeconds, value: tls.verifiedChainExpiry });
    }
  }
  return samples;
}

export function buildResult(run: ProbeRun, state: ProbeState, checks: CompiledChecks): ProbeResult {
  return {
    success: state.failure === undefined,
    durationSeconds: run.elapsedMs() / 1000,
    startedAtMs: run.startedAtMs,
    failure: state.failure,
    samples: buildSamples(state, checks),
    trace: run.trace.events,
  };
}
