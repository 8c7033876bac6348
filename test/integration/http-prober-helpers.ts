/**
 * Shared by the http-prober integration tests: run one probe with a module written as in YAML
 * (parsed by the real schema, so defaults are the real defaults), and read samples back.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { z } from 'zod';
import { httpModuleSchema } from '../../src/config/schema.js';
import { httpProber, type HttpProbeOptions } from '../../src/probers/http/index.js';
import type { HttpPhase, ProbeResult } from '../../src/probers/types.js';

export type HttpModuleInput = z.input<typeof httpModuleSchema>;

export interface ProbeRunOptions extends Partial<HttpProbeOptions> {
  timeoutMs?: number;
}

/** Runs the prober as the scheduler does: the signal is aborted at the module timeout. */
export async function probe(
  url: string,
  http: HttpModuleInput = {},
  options: ProbeRunOptions = {},
): Promise<ProbeResult & { wallMs: number }> {
  const module = httpModuleSchema.parse(http);
  const timeoutMs = options.timeoutMs ?? 5000;
  const controller = new AbortController();
  const start = performance.now();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  try {
    const result = await httpProber(
      url,
      module,
      { signal: controller.signal, deadline: start + timeoutMs },
      { allowedNetworks: options.allowedNetworks ?? [], dnsServers: options.dnsServers },
    );
    return { ...result, wallMs: performance.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

export function sample(
  result: ProbeResult,
  name: string,
  labels?: Record<string, string>,
): number | undefined {
  return result.samples.find(
    (s) =>
      s.family.name === name &&
      (labels === undefined || Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)),
  )?.value;
}

export function phase(result: ProbeResult, name: HttpPhase): number | undefined {
  return sample(result, 'probe_http_duration_seconds', { phase: name });
}

export function traceText(result: ProbeResult): string {
  return result.trace.map((e) => e.message).join('\n');
}

/** Counts client sockets created by anything in this process while `fn` runs (node:net channel). */
export async function countClientSockets<T>(fn: () => Promise<T>): Promise<{ value: T; sockets: number }> {
  let sockets = 0;
  const onSocket = (message: unknown): void => {
    if ((message as { socket?: Socket }).socket) sockets++;
  };
  subscribe('net.client.socket', onSocket);
  try {
    const value = await fn();
    return { value, sockets };
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
