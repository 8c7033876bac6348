/**
 * A browser flow's line on the index page: the steps (as for journeys), then the step with the
 * worst Interaction to Next Paint when Lighthouse measured one, since a slow click is what a
 * browser flow sees that nothing else does.
 */
import { formatSeconds } from '../../format/index.js';
import { journeySummary } from '../journey/trace.js';
import type { ProbeResult } from '../types.js';
import { browserFamilies } from './families.js';

export function flowSummary(result: ProbeResult): string {
  const steps = journeySummary(result, browserFamilies);
  let worst: { step: string; seconds: number } | undefined;
  for (const s of result.samples) {
    if (s.family.name !== browserFamilies.timingSeconds.name) continue;
    if (s.labels?.metric !== 'interaction_to_next_paint') continue;
    if (!worst || s.value > worst.seconds) worst = { step: s.labels.step ?? '', seconds: s.value };
  }
  return worst ? `${steps}; worst INP ${worst.step} ${formatSeconds(worst.seconds)}` : steps;
}
