/**
 * worstStep: the step of a browser flow with the highest Lighthouse figure (INP or CLS), ties to
 * the earlier step of the flow, and the runs the figure rests on.
 */
import { describe, expect, it } from 'vitest';
import { worstStep, type StepVital } from '../../src/report/flowVitals.js';
import type { Percentile } from '../../src/report/percentiles.js';

const p = (seconds: number, samples = 10): Percentile => ({
  seconds,
  source: {
    kind: 'raw-samples',
    samples,
    bucketLowerSeconds: null,
    bucketUpperSeconds: null,
    maxErrorRatio: null,
  },
});

describe('worstStep', () => {
  it.each<[string, [string, Percentile][], string[], StepVital | null]>([
    ['no values', [], ['home', 'search'], null],
    [
      'the highest',
      [
        ['home', p(0.1)],
        ['search', p(0.3, 7)],
      ],
      ['home', 'search'],
      { step: 'search', p75: 0.3, runs: 7 },
    ],
    [
      'a tie goes to the earlier step',
      [
        ['search', p(0.2)],
        ['cart', p(0.2)],
      ],
      ['cart', 'search'],
      { step: 'cart', p75: 0.2, runs: 10 },
    ],
    [
      'a step not in the flow order is not one of its steps',
      [
        ['gone', p(9)],
        ['home', p(0.1)],
      ],
      ['home'],
      { step: 'home', p75: 0.1, runs: 10 },
    ],
  ])('%s', (_, values, order, want) => {
    expect(worstStep(new Map(values), order)).toEqual(want);
  });
});
