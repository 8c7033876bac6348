/**
 * The exposition of one on-demand probe for /probe: blackbox_exporter's shape, with no target
 * or module labels (Prometheus' relabelling adds them), so a blackbox scrape config works as is.
 */
import type { ProbeResult } from '../probers/types.js';
import { failureInfoLabels, probeDuration, probeFailureInfo, probeSuccess } from './families.js';
import { familyHeader, labelBlock, sampleLine } from './exposition.js';

export function renderProbeResult(result: ProbeResult, options: { probeSeries?: boolean } = {}): string {
  // Lighthouse results carry their own lighthouse_up and failure info; only HTTP probes get
  // blackbox's probe_success / probe_duration_seconds / probe_failure_info.
  const probeSeries = options.probeSeries ?? true;
  let out = '';
  if (probeSeries) {
    out +=
      familyHeader(probeSuccess) +
      sampleLine(probeSuccess.name, '', result.success ? 1 : 0) +
      familyHeader(probeDuration) +
      sampleLine(probeDuration.name, '', result.durationSeconds);
  }
  if (probeSeries && result.failure) {
    out +=
      familyHeader(probeFailureInfo) +
      sampleLine(probeFailureInfo.name, labelBlock('', failureInfoLabels(result.failure)), 1);
  }
  // Group by family, keeping first-appearance order, so each HELP/TYPE is written once.
  const groups = new Map<string, { header: string; lines: string }>();
  for (const s of result.samples) {
    let g = groups.get(s.family.name);
    if (!g) {
      g = { header: familyHeader(s.family), lines: '' };
      groups.set(s.family.name, g);
    }
    g.lines += sampleLine(s.family.name, labelBlock('', s.labels), s.value);
  }
  for (const g of groups.values()) out += g.header + g.lines;
  return out;
}
