/**
 * Runs one probe of any prober with its deadline: the module timeout (or a shorter one the
 * caller asks for, e.g. from Prometheus' scrape timeout header) and the caller's cancellation
 * both arrive at the prober as one AbortSignal.
 */
import type { ModuleConfig } from '../config/schema.js';
import { proberFor, type ProbeOptions } from './table.js';
import type { ProbeResult } from './types.js';

export {
  PROBERS,
  proberEntry,
  proberFor,
  runsInAuditQueue,
  type ProberEntry,
  type ProbeOptions,
} from './table.js';

export interface RunProbeOptions extends ProbeOptions {
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
    const { runs } = proberFor(module);
    // Audits take minutes and run one at a time: they go through the service's AuditQueue.
    if (runs.kind !== 'probe')
      throw new Error(`${module.prober} modules run through the audit queue, not runProbe`);
    return await runs.probe(url, module, ctx, options);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
