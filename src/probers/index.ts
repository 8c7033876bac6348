/**
 * Runs one probe of any prober with its deadline: the module timeout (or a shorter one the
 * caller asks for, e.g. from Prometheus' scrape timeout header) and the caller's cancellation
 * both arrive at the prober as one AbortSignal.
 */
import type { ModuleConfig } from '../config/schema.js';
import { httpProber, type HttpProbeOptions } from './http/index.js';
import type { ProbeResult } from './types.js';

/**
 * Whether a module's checks wait in the audit queue (one at a time, on the main thread, a fresh
 * Chrome each: Lighthouse) rather than run on the probe workers (fast, many, concurrent).
 */
export const runsInAuditQueue = (module: ModuleConfig): boolean => module.prober === 'lighthouse';

export interface RunProbeOptions extends HttpProbeOptions {
  /** Aborts the probe early (service shutdown). */
  signal?: AbortSignal;
  /** Overrides the module timeout when shorter. */
  timeoutMs?: number;
}

export async function runProbe(
  url: string,
  module: ModuleConfig,
  options: RunProbeOptions,
): Promise<ProbeResult> {
  const timeoutMs = Math.min(module.timeout, options.timeoutMs ?? Infinity);
  const controller = new AbortController();
  const deadline = performance.now() + timeoutMs;
  const timer = setTimeout(
    () => controller.abort(new Error(`probe timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  try {
    const ctx = { signal: controller.signal, deadline };
    switch (module.prober) {
      case 'http':
        return await httpProber(url, module.http, ctx, options);
      case 'lighthouse':
        // Audits take minutes and run one at a time: they go through the service's AuditQueue.
        throw new Error('lighthouse modules run through the audit queue, not runProbe');
      default:
        // Unreachable for a validated config: the schema admits only known probers.
        throw new Error(`unsupported prober "${(module as { prober: string }).prober}"`);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
