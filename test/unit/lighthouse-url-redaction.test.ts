/**
 * A Lighthouse target whose URL carries a password: lighthouse_target_info (stored in
 * Prometheus) and the kept reports (served on /lighthouse/) must not carry it.
 */
import { describe, expect, it } from 'vitest';
import { redactUrlSecretsIn } from '../../src/config/redact.js';
import { lighthouseModuleSchema } from '../../src/config/schema.js';
import { buildBatchResult } from '../../src/probers/lighthouse/result.js';

const URL_WITH_PASSWORD = 'https://admin:Lh-Pa55word@shop.example/';

describe('Lighthouse output of a URL with a password', () => {
  it('lighthouse_target_info carries the redacted URL', () => {
    const { result } = buildBatchResult({
      url: URL_WITH_PASSWORD,
      module: { prober: 'lighthouse', timeout: 60_000, lighthouse: lighthouseModuleSchema.parse({}) },
      startedAtMs: 0,
      finishedAtMs: 1000,
      durationSeconds: 1,
      runs: [],
      lighthouseVersion: '12.0.0',
      trace: [],
    });
    const info = result.samples.find((s) => s.family.name === 'lighthouse_target_info');
    expect(info?.labels?.url).toBe('https://admin:<secret>@shop.example/');
  });

  it('the report text loses the password, wherever Lighthouse quoted it', () => {
    const lhr = JSON.stringify({
      requestedUrl: URL_WITH_PASSWORD,
      audits: { 'network-requests': { details: { items: [{ url: `${URL_WITH_PASSWORD}app.js` }] } } },
    });
    const redacted = redactUrlSecretsIn(lhr, URL_WITH_PASSWORD);
    expect(redacted).not.toContain('Lh-Pa55word');
    expect(JSON.parse(redacted).requestedUrl).toBe('https://admin:<secret>@shop.example/');
    // Percent-encoded passwords are found in both spellings.
    const encoded = 'https://u:p%40ss-w0rd@h/';
    expect(redactUrlSecretsIn('p%40ss-w0rd and p@ss-w0rd', encoded)).toBe('<secret> and <secret>');
    // Too short to replace without garbling the report.
    expect(redactUrlSecretsIn('abc', 'https://u:abc@h/')).toBe('abc');
  });
});
