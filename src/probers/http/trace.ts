/**
 * The debug trace of an HTTP probe as text: what `/probe?debug=true` and `vantage probe` print
 * (blackbox_exporter's debug log). Events are recorded with the shared ../trace.ts recorder.
 */
import { redactUrl } from '../../config/redact.js';
import { HTTP_PHASES, type ProbeResult, type Sample } from '../types.js';
import { httpFamilies } from './families.js';

/** Milliseconds for trace messages: "0.3ms", "12.4ms", "5000ms". */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms)}ms` : `${ms.toFixed(1)}ms`;
}

function sampleValue(samples: readonly Sample[], name: string): number | undefined {
  return samples.find((s) => s.family.name === name)?.value;
}

function seconds(value: number): string {
  return `${value.toFixed(6)}s`;
}

/**
 * Renders a whole result as text: outcome and reason, every phase with its seconds (absent phases
 * say so), the response summary, then every trace event (each redirect hop is one of them).
 */
export function formatTrace(result: ProbeResult): string {
  const lines: string[] = [];
  const { samples } = result;
  if (result.success) {
    lines.push('Probe succeeded');
  } else if (result.failure) {
    const f = result.failure;
    lines.push(`Probe failed: ${f.reason} in phase ${f.phase}`, `  ${f.message}`);
  } else {
    lines.push('Probe failed');
  }
  lines.push(`Duration: ${seconds(result.durationSeconds)}`);
  lines.push(`Started: ${new Date(result.startedAtMs).toISOString()}`, '');

  lines.push('Phases (summed over redirects):');
  for (const phase of HTTP_PHASES) {
    const sample = samples.find(
      (s) => s.family.name === httpFamilies.durationSeconds.name && s.labels?.phase === phase,
    );
    lines.push(`  ${phase.padEnd(11)} ${sample ? seconds(sample.value) : 'not reached'}`);
  }
  lines.push('');

  const status = sampleValue(samples, httpFamilies.statusCode.name);
  const version = sampleValue(samples, httpFamilies.httpVersion.name);
  const body = sampleValue(samples, httpFamilies.uncompressedBodyLength.name);
  const redirects = sampleValue(samples, httpFamilies.redirects.name);
  const ssl = sampleValue(samples, httpFamilies.ssl.name);
  const summary: string[] = [];
  if (status !== undefined) summary.push(`status ${status === 0 ? 'none' : status}`);
  if (version) summary.push(`HTTP/${version === 2 ? '2.0' : version.toFixed(1)}`);
  if (body !== undefined) summary.push(`${body} body bytes (uncompressed)`);
  if (redirects !== undefined) summary.push(`${redirects} redirect${redirects === 1 ? '' : 's'}`);
  if (ssl !== undefined) summary.push(ssl === 1 ? 'TLS' : 'no TLS');
  const tls = samples.find((s) => s.family.name === httpFamilies.tlsVersionInfo.name);
  if (tls?.labels?.version) summary.push(tls.labels.version);
  const expiry = sampleValue(samples, httpFamilies.sslEarliestCertExpiry.name);
  if (expiry !== undefined)
    summary.push(`earliest certificate expiry ${new Date(expiry * 1000).toISOString()}`);
  if (summary.length > 0) lines.push(`Response: ${summary.join(', ')}`, '');

  lines.push('Trace:');
  for (const event of result.trace) {
    lines.push(`  ${event.atMs.toFixed(1).padStart(9)}ms  ${event.message}`);
  }
  // A Location header or an error message may quote a URL with a password in it.
  return redactUrl(lines.join('\n'));
}
