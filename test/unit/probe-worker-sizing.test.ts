import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/** The compiled shard a worker runs (dist/, built by globalSetup). */
const PROBE_SHARD_JS = fileURLToPath(
  new URL('../../dist/service/probeWorkers/probeShard.js', import.meta.url),
);

describe('what a probe worker loads', () => {
  it('loads undici’s connection client alone, not the whole package (20.9 against 12.0 MB per thread)', () => {
    // A fresh process, as a worker starts: import the worker's code from dist/ and list the
    // CommonJS modules it pulled in. undici's index.js loads fetch, WebSocket and the rest.
    const script = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(PROBE_SHARD_JS)});
      const cache = createRequire(import.meta.url).cache;
      console.log(JSON.stringify(Object.keys(cache).filter((k) => k.includes('/undici/'))));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as string[];
    expect(loaded.some((k) => k.endsWith('/undici/lib/dispatcher/client.js'))).toBe(true);
    expect(loaded.filter((k) => k.endsWith('/undici/index.js'))).toEqual([]);
    expect(loaded.filter((k) => k.includes('/undici/lib/web/'))).toEqual([]);
  });
});
