/**
 * The RUM snippet's bundle as `npm run build` leaves it (dist/rum/, built by globalSetup with
 * scripts/build-rum-snippet.mjs): present, under the 10 KB gzipped, its .gz the same
 * script, and built from Google's web-vitals package (its code and version inside), not
 * hand-written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'rum', 'vantage-rum.js');
const SIZE_LIMIT_BYTES = 10 * 1024;

describe('dist/rum/vantage-rum.js', () => {
  const js = readFileSync(BUNDLE);
  const text = js.toString('utf8');

  it('is under 10 KB gzipped, and the shipped .gz is the same script', () => {
    const gz = readFileSync(`${BUNDLE}.gz`);
    console.log(`vantage-rum.js: ${js.length} bytes, ${gz.length} bytes gzipped (limit ${SIZE_LIMIT_BYTES})`);
    expect(gunzipSync(gz).equals(js)).toBe(true);
    expect(gz.length).toBeLessThan(SIZE_LIMIT_BYTES);
    expect(gzipSync(js, { level: 9 }).length).toBeLessThan(SIZE_LIMIT_BYTES);
  });

  it("bundles web-vitals' own code, at the installed version", () => {
    const version = (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', 'web-vitals', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    expect(text.startsWith(`/*! vantage-rum; includes web-vitals ${version},`)).toBe(true);
    // Entry types and events that only web-vitals' code names (src/rum/snippet/ never does).
    for (const needle of [
      'largest-contentful-paint',
      'layout-shift',
      'first-input',
      'prerenderingchange',
      'interactionId',
      'durationThreshold',
    ]) {
      expect(text, needle).toContain(needle);
    }
    // And the snippet's own parts: the beacon path, the storage key, the public API.
    expect(text).toContain('/rum/v1/beacon');
    expect(text).toContain('vantage_rum');
    expect(text).toContain('vantageRum');
  });

  it('is one minified IIFE: no module syntax, no source comments beyond the notice', () => {
    expect(text).not.toMatch(/^\s*(import|export)\s/m);
    expect(text.split('\n').length).toBeLessThanOrEqual(3);
    expect(text).toMatch(/\(\(\)=>\{/);
  });
});
