/** The index page's one-line summary of an HTTP probe: the time of each phase it went through. */
import { formatSeconds } from '../../format/index.js';
import type { ProbeResult } from '../types.js';
import { httpFamilies } from './families.js';

export function phaseSummary(result: ProbeResult): string {
  return result.samples
    .filter((s) => s.family.name === httpFamilies.durationSeconds.name && s.labels?.phase)
    .map((s) => `${s.labels!.phase} ${formatSeconds(s.value)}`)
    .join(', ');
}
