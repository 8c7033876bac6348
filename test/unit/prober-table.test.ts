/**
 * The prober table (src/probers/table.ts): every prober the config admits has exactly one entry,
 * a module resolves to the entry of its `prober:`, and an unknown name is refused with the field
 * named, so nothing outside src/probers/ needs to branch on a prober's name.
 */
import { describe, expect, it } from 'vitest';
import { moduleSchema, SUPPORTED_PROBERS } from '../../src/config/schema.js';
import { httpFamilies } from '../../src/probers/http/families.js';
import { lighthouseFamilies } from '../../src/probers/lighthouse/families.js';
import { PROBERS, proberEntry, proberFor, runsInAuditQueue } from '../../src/probers/table.js';
import type { ProbeResult } from '../../src/probers/types.js';

describe('the prober table', () => {
  it('has one entry per configurable prober, and no other', () => {
    expect(Object.keys(PROBERS).sort()).toEqual([...SUPPORTED_PROBERS].sort());
  });

  /** The smallest valid module of each prober. */
  const minimal = (prober: string) =>
    moduleSchema.parse(
      prober === 'journey'
        ? { prober, journey: { steps: [{ name: 'home', request: { url: '/' } }] } }
        : prober === 'browser'
          ? { prober, browser: { steps: [{ name: 'home', navigate: '/' }] } }
          : { prober },
    );

  it.each(SUPPORTED_PROBERS)('resolves a "%s" module to its own entry', (name) => {
    const module = minimal(name);
    expect(proberFor(module)).toBe(PROBERS[name]);
    expect(proberEntry(name)).toBe(PROBERS[name]);
  });

  it.each([
    ['http', 'probe', false, true],
    ['lighthouse', 'audit', true, false],
    ['journey', 'probe', false, true],
    ['browser', 'audit', true, true],
  ] as const)('runs %s as a %s (audit queue: %s, probe series: %s)', (name, kind, queued, series) => {
    const module = minimal(name);
    expect(proberFor(module).runs.kind).toBe(kind);
    expect(runsInAuditQueue(module)).toBe(queued);
    expect(proberFor(module).probeSeries).toBe(series);
  });

  it.each(['tcp', '', 'HTTP', '__proto__', 'constructor', 'toString'])(
    'refuses the unknown prober "%s", naming the field and the supported ones',
    (name) => {
      expect(() => proberEntry(name)).toThrow(
        `prober: unsupported prober "${name}" (supported: http, lighthouse, journey, browser)`,
      );
      expect(() => proberFor({ prober: name as 'http' })).toThrow(/^prober: unsupported prober/);
    },
  );

  it('keeps the HTTP phase timings for the index page, and summarises them there', () => {
    const http = PROBERS.http;
    expect(http.keptSampleFamilies).toEqual([httpFamilies.durationSeconds.name]);
    const result: ProbeResult = {
      success: true,
      durationSeconds: 0.01,
      startedAtMs: 0,
      samples: [
        { family: httpFamilies.durationSeconds, labels: { phase: 'connect' }, value: 0.002 },
        { family: httpFamilies.durationSeconds, labels: { phase: 'transfer' }, value: 0.004 },
        { family: httpFamilies.statusCode, value: 200 },
      ],
      trace: [],
    };
    expect(http.summary(result)).toMatch(/^connect .+, transfer .+$/);
    expect(http.reports).toBeUndefined();
  });

  it('gives Lighthouse audits their report route and their score headline', () => {
    const lighthouse = PROBERS.lighthouse;
    expect(lighthouse.reports?.latestHref('a b', 'm/1')).toBe('lighthouse/a%20b/m%2F1/latest.html');
    const result: ProbeResult = {
      success: true,
      durationSeconds: 60,
      startedAtMs: 0,
      samples: [
        { family: lighthouseFamilies.categoryScore, labels: { category: 'performance' }, value: 0.93 },
      ],
      trace: [{ atMs: 1500, message: 'run 1/1: done' }],
    };
    expect(lighthouse.summary(result)).toMatch(/^performance 93/);
    expect(lighthouse.formatTrace(result)).toMatch(/^ +\S.* {2}run 1\/1: done$/);
  });
});
