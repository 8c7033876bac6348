/**
 * VANTAGE_PROMETHEUS_URL (which `vantage stack` and docker compose set) is the default
 * report.prometheus_url of any configuration, not only the embedded demo's: a vantage.yml
 * without it makes reports from the stack's Prometheus, and a file's own URL wins.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

const TOKEN = 'report-default-admin-token';
// Nothing listens on port 1: a configured report fails to reach it (502), an unconfigured one is 409.
const STACK_PROMETHEUS = 'http://127.0.0.1:1';

let vantage: Harness | undefined;

afterEach(async () => {
  await vantage?.close();
  vantage = undefined;
  vi.unstubAllEnvs();
});

function configYaml(extra = ''): string {
  return `targets: []\nsecurity:\n  admin_token: ${TOKEN}\n${extra}`;
}

async function requestReport(h: Harness): Promise<Response> {
  return fetch(`${h.baseUrl}/api/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ date: '2025-01-14', period: 'day' }),
  });
}

describe('VANTAGE_PROMETHEUS_URL as the default report.prometheus_url', () => {
  it('gives a config file without a report section reports from that Prometheus', async () => {
    vi.stubEnv('VANTAGE_PROMETHEUS_URL', STACK_PROMETHEUS);
    vantage = await startVantage(configYaml());

    const page = await (await fetch(`${vantage.baseUrl}/reports/`)).text();
    expect(page).not.toContain('Reports are not configured');
    expect(page).toContain('No schedule configured: reports are made on request');

    const res = await requestReport(vantage);
    expect(res.status).toBe(502); // tried the stack's Prometheus, which is down; not 409
    expect(vantage.service.config.report?.prometheus_url).toBe(STACK_PROMETHEUS);
  });

  it('completes a report section that has a schedule but no prometheus_url', async () => {
    vi.stubEnv('VANTAGE_PROMETHEUS_URL', STACK_PROMETHEUS);
    vantage = await startVantage(configYaml('report:\n  schedule:\n    time: "06:00"\n'));
    expect(vantage.service.config.report?.prometheus_url).toBe(STACK_PROMETHEUS);
    expect(vantage.service.config.report?.schedule?.time).toBe('06:00');
  });

  it("keeps the file's own report.prometheus_url", async () => {
    vi.stubEnv('VANTAGE_PROMETHEUS_URL', STACK_PROMETHEUS);
    vantage = await startVantage(configYaml('report:\n  prometheus_url: http://prometheus.example:9090\n'));
    expect(vantage.service.config.report?.prometheus_url).toBe('http://prometheus.example:9090');
  });

  it('without the variable, a file without the section still makes no reports', async () => {
    vi.stubEnv('VANTAGE_PROMETHEUS_URL', '');
    vantage = await startVantage(configYaml());
    expect((await requestReport(vantage)).status).toBe(409);
  });
});
