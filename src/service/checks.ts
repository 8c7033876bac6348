/** Turns a validated config into the scheduler's checks and the metrics' check identities. */
import { createHash } from 'node:crypto';
import { checkIntervalMs } from '../config/checkTiming.js';
import type { ModuleConfig, TargetConfig, VantageConfig } from '../config/schema.js';
import type { CheckIdentity } from '../metrics/latestResults.js';
import { proberFor } from '../probers/table.js';

export interface CheckDefinition {
  key: string;
  target: TargetConfig;
  moduleName: string;
  module: ModuleConfig;
  intervalMs: number;
}

export const checkKey = (target: string, module: string): string => `${target}/${module}`;

export function checkDefinitions(config: VantageConfig): CheckDefinition[] {
  const out: CheckDefinition[] = [];
  for (const target of config.targets) {
    for (const moduleName of target.modules) {
      const module = config.modules[moduleName];
      if (!module) continue; // the loader rejects unknown module references
      out.push({
        key: checkKey(target.name, moduleName),
        target,
        moduleName,
        module,
        intervalMs: checkIntervalMs(config, target, module),
      });
    }
  }
  return out;
}

export function checkIdentity(def: CheckDefinition): CheckIdentity {
  const prober = proberFor(def.module);
  return {
    key: def.key,
    target: def.target.name,
    module: def.moduleName,
    staticLabels: def.target.labels,
    latencyThresholdSeconds: def.target.slo.latency / 1000,
    probeSeries: prober.probeSeries,
    keptSampleFamilies: prober.keptSampleFamilies,
    keepsWholeResult: prober.runs.kind === 'audit',
  };
}

/**
 * Everything that changes how a check probes; a reload restarts only checks whose fingerprint
 * moved. A digest, not the JSON itself: the JSON repeats the whole module per check (about
 * 550 bytes), and every check's fingerprint is kept on both threads.
 */
export function checkFingerprint(def: CheckDefinition, config: VantageConfig): string {
  const json = JSON.stringify([
    def.target.url,
    def.module,
    config.security.allowed_networks,
    config.global.dns_servers,
  ]);
  return createHash('sha256').update(json).digest('base64url');
}
