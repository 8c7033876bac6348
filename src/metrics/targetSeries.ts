/**
 * Per-target series derived from configuration alone: the URL (only here, never on probe
 * series, so a URL change does not break series identity), the objectives that recording
 * rules and alerts divide by, and the node_exporter hosts behind the target, which capacity
 * rules join on (`host` is the node series' `instance`). Rendered once per config load. The URL's userinfo is a secret and
 * is redacted: this label ends up stored in Prometheus.
 */
import { redactUrl } from '../config/redact.js';
import type { VantageConfig } from '../config/schema.js';
import { familyHeader, labelBlock, renderLabelPairs, sampleLine } from './exposition.js';

const targetInfo = {
  name: 'vantage_target_info',
  help: 'Static facts about a configured target (its URL and modules); always 1.',
  type: 'gauge',
};
const sloObjective = {
  name: 'vantage_target_slo_objective',
  help: "The target's availability objective as a ratio (0.999 means 99.9%).",
  type: 'gauge',
};
const latencyThreshold = {
  name: 'vantage_target_latency_threshold_seconds',
  help: 'The response time above which a probe counts as slow for the latency SLO, in seconds.',
  type: 'gauge',
};

const hostInfo = {
  name: 'vantage_target_host_info',
  help: "A node_exporter instance (host:port, the node series' instance label) serving the target, from its hosts list; always 1.",
  type: 'gauge',
};

export function renderTargetSeries(config: VantageConfig): string {
  if (config.targets.length === 0) return '';
  let info = '';
  let slo = '';
  let latency = '';
  let hosts = '';
  for (const t of config.targets) {
    const prefix = renderLabelPairs([['target', t.name], ...Object.entries(t.labels)]);
    info += sampleLine(
      targetInfo.name,
      labelBlock(prefix, { url: redactUrl(t.url), modules: t.modules.join(',') }),
      1,
    );
    slo += sampleLine(sloObjective.name, `{${prefix}}`, t.slo.availability);
    latency += sampleLine(latencyThreshold.name, `{${prefix}}`, t.slo.latency / 1000);
    // {target,host} only: a static label may well be called `host` itself, and the rules join
    // on `target` and `host` alone.
    for (const host of t.hosts)
      hosts += sampleLine(hostInfo.name, labelBlock('', { target: t.name, host }), 1);
  }
  return (
    familyHeader(targetInfo) +
    info +
    familyHeader(sloObjective) +
    slo +
    familyHeader(latencyThreshold) +
    latency +
    (hosts && familyHeader(hostInfo) + hosts)
  );
}

const shardInfo = {
  name: 'vantage_shard_info',
  help: 'Which shard of the configured targets this instance probes (serve --shard=INDEX/COUNT; 0 of 1 without it); always 1.',
  type: 'gauge',
};

export function renderShardInfo(shard: { index: number; count: number }): string {
  return (
    familyHeader(shardInfo) +
    sampleLine(shardInfo.name, labelBlock('', { index: String(shard.index), count: String(shard.count) }), 1)
  );
}
