import { describe, expect, it } from 'vitest';
import { parseProbeWorkers } from '../../src/cli.js';
import { probeWorkerCount, workerResourceLimits } from '../../src/service/probeWorkers/sizing.js';

describe('probeWorkerCount', () => {
  it.each([
    // cores, HTTP checks, --probe.workers, workers
    [2, 0, undefined, 1],
    [2, 5, undefined, 1],
    [2, 2000, undefined, 1],
    [2, 2001, undefined, 2],
    [2, 10_000, undefined, 2],
    [8, 10_000, undefined, 5],
    [8, 30_000, undefined, 8],
    [1, 30_000, undefined, 1],
    [2, 10_000, 4, 4],
    [16, 5, 3, 3],
  ])('%i cores, %i checks, --probe.workers=%s: %i', (cores, checks, requested, expected) => {
    expect(probeWorkerCount(cores, checks, requested)).toBe(expected);
  });
});

describe('workerResourceLimits', () => {
  it('grows the old generation with the checks and keeps the young generation small', () => {
    const few = workerResourceLimits(10);
    const many = workerResourceLimits(5000);
    expect(few.maxOldGenerationSizeMb).toBeGreaterThanOrEqual(32);
    expect(many.maxOldGenerationSizeMb).toBeGreaterThan(few.maxOldGenerationSizeMb + 15);
    expect(many.maxYoungGenerationSizeMb).toBe(few.maxYoungGenerationSizeMb);
    expect(many.maxYoungGenerationSizeMb).toBeLessThanOrEqual(16);
  });
  it('doubles with the factor the pool applies after an out-of-memory exit', () => {
    expect(workerResourceLimits(5000, 2).maxOldGenerationSizeMb).toBeGreaterThanOrEqual(
      2 * workerResourceLimits(5000).maxOldGenerationSizeMb,
    );
  });
});

describe('--probe.workers', () => {
  it('takes 1 to 64, and names the flag otherwise', () => {
    expect(parseProbeWorkers(undefined)).toBeUndefined();
    expect(parseProbeWorkers('1')).toBe(1);
    expect(parseProbeWorkers('64')).toBe(64);
    for (const bad of ['0', '65', '-1', '1.5', 'two', ''])
      expect(() => parseProbeWorkers(bad)).toThrow(/--probe\.workers: expected a whole number from 1 to 64/);
  });
});
