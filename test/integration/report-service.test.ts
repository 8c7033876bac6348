/**
 * The running service makes, archives, serves and announces reports: a real Prometheus 2.42
 * holding two backfilled days of one target, a real vantage (startVantage) whose `report`
 * section points at it, and a local webhook receiver. Checks POST /api/reports (auth, 201,
 * 400 naming the field, 502 with Prometheus down, 409 without the section), /reports/ and
 * the three formats with their content types and figures, a ReportScheduler whose timer fires
 * on a moved clock (archive + Slack payload), the JSON payload, the failure path with its one
 * retry, the metrics, and a reload that removes the section and so stops the schedule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportConfig } from '../../src/config/reportSchema.js';
import type { Report } from '../../src/report/model.js';
import { ReportScheduler } from '../../src/report/reportScheduler.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from '../helpers/backfill.js';
import { generateHistory } from '../helpers/syntheticHistory.js';
import { startVantage, waitFor, type Harness } from '../helpers/vantageHarness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver.js';

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC
const TOKEN = 'report-test-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let prom: BackfilledPrometheus;
let receiver: WebhookReceiver;
let vantage: Harness;

function configYaml(report: string): string {
  return `targets: []
security:
  admin_token: ${TOKEN}
${report}`;
}

const reportSection = () => `report:
  prometheus_url: ${prom.url}
  external_url: https://vantage.example.com
  schedule:
    time: "06:00"
    periods: [day, week]
  webhook:
    url: ${receiver.url}/chat
`;

beforeAll(async () => {
  const history = generateHistory({
    startMs: START,
    endMs: START + 2 * DAY,
    scrapeIntervalSeconds: 60,
    seed: 5,
    targets: [{ name: 'shop', probeIntervalSeconds: 60, latency: { baseSeconds: 0.4, jitter: 0.1 } }],
  });
  [prom, receiver] = await Promise.all([startBackfilledPrometheus(history), startWebhookReceiver()]);
  vantage = await startVantage(configYaml(reportSection()));
}, 60_000);

afterAll(async () => {
  await vantage?.close();
  await prom?.stop();
  await receiver?.close();
});

const post = (body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${vantage.baseUrl}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const get = (path: string) => fetch(`${vantage.baseUrl}${path}`, { redirect: 'manual' });
const section = (): ReportConfig => vantage.service.config.report!;

describe('POST /api/reports and the archive', () => {
  it('refuses a caller without the admin token', async () => {
    const res = await post({ date: '2025-01-06' }, {});
    expect(res.status).toBe(401);
  });

  it('refuses bad input, naming the field', async () => {
    for (const [body, field, message] of [
      [{}, 'date', 'required'],
      [{ date: '06.01.2025' }, 'date', 'not a date'],
      [{ date: '2025-02-30' }, 'date', 'no such date'],
      [{ date: '2099-01-01' }, 'date', 'has not started yet'],
      [{ date: '2025-01-06', period: 'year' }, 'period', 'must be one of: day, week, month'],
      [{ date: '2025-01-06', time_zone: 'Mars/Base' }, 'time_zone', 'unknown time zone'],
      [{ date: '2025-01-06', format: 'pdf' }, 'format', 'unknown field'],
    ] as const) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: string; field: string };
      expect(json.field).toBe(field);
      expect(json.error).toContain(`${field}: `);
      expect(json.error).toContain(message);
    }
  });

  it('makes a report of a backfilled day: 201 with its links, archived in every format', async () => {
    const res = await post({ date: '2025-01-06' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      kind: 'day',
      label: '2025-01-06',
      timeZone: 'UTC',
      hasData: true,
      urls: {
        html: '/reports/day/2025-01-06.html',
        md: '/reports/day/2025-01-06.md',
        json: '/reports/day/2025-01-06.json',
      },
    });
    expect(res.headers.get('location')).toBe('/reports/day/2025-01-06.html');
  });

  it('serves html, md and json with their content types and the right figures', async () => {
    const json = await get('/reports/day/2025-01-06.json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const report = (await json.json()) as Report;
    expect(report.period).toMatchObject({ kind: 'day', label: '2025-01-06', timeZone: 'UTC', start: START });
    expect(report.hasData).toBe(true);
    expect(report.monitoring.targets.map((t) => t.target)).toEqual(['shop']);

    const html = await get('/reports/day/2025-01-06.html');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // Self-contained and script-free: nothing may load or run.
    expect(html.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
    );
    const page = await html.text();
    expect(page).toContain('<html');
    expect(page).toContain('2025-01-06');

    const md = await get('/reports/day/2025-01-06.md');
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await md.text()).toContain(report.title);

    // The bare period redirects to its HTML.
    const bare = await get('/reports/day/2025-01-06');
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('2025-01-06.html');
  });

  it('lists it on /reports/ (linked from the index page) and GET /api/reports', async () => {
    const index = await (await get('/')).text();
    expect(index).toContain('href="reports/"');
    const res = await get('/reports/');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Daily reports');
    expect(page).toContain('href="day/2025-01-06.html"');
    expect(page).toContain('href="day/2025-01-06.md"');
    expect(page).toContain('Scheduled: day, week at 06:00 UTC');
    expect((await get('/reports')).headers.get('location')).toBe('/reports/');

    const list = (await (await get('/api/reports?kind=day')).json()) as { reports: { label: string }[] };
    expect(list.reports.map((r) => r.label)).toEqual(['2025-01-06']);
    const bad = await get('/api/reports?kind=year');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe('kind');
  });

  it('answers 404 with a clear message for what is not archived', async () => {
    const missing = await get('/reports/day/2025-01-09.html');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no day report 2025-01-09 in the archive');
    const kind = await get('/reports/year/2025.html');
    expect(kind.status).toBe(404);
    expect(await kind.text()).toContain('no such report kind "year"');
    const zone = await get('/reports/day/2025-01-06.html?tz=Asia/Tokyo');
    expect(zone.status).toBe(404);
    expect(await zone.text()).toContain('in time zone Asia/Tokyo (archived in: UTC)');
  });

  it('links a period archived in two zones with ?tz= on /reports/, and only that one', async () => {
    expect((await post({ date: '2025-01-06', time_zone: 'Asia/Tokyo' })).status).toBe(201);
    try {
      const page = await (await get('/reports/')).text();
      expect(page).toContain('href="day/2025-01-06.html?tz=Asia%2FTokyo"');
      expect(page).toContain('href="day/2025-01-06.html?tz=UTC"');
      expect(page).not.toMatch(/href="day\/2025-01-06\.html"/);
    } finally {
      vantage.service.store.db.prepare("DELETE FROM reports WHERE time_zone = 'Asia/Tokyo'").run();
    }
    const page = await (await get('/reports/')).text();
    expect(page).toContain('href="day/2025-01-06.html"');
  });
});

describe('ReportScheduler', () => {
  it('a scheduled run (timer on a moved clock) archives the due reports and posts the Slack payload', async () => {
    // The clock reads 1.5 s before 06:00 UTC on Wednesday 2025-01-08: the run is for the 7th.
    const offset = Date.UTC(2025, 0, 8, 6, 0, 0) - 1500 - Date.now();
    const scheduler = new ReportScheduler({
      store: () => vantage.service.store,
      logger: vantage.service.options.logger,
      metrics: vantage.service.health,
      now: () => Date.now() + offset,
    });
    scheduler.update(section());
    scheduler.start();
    expect(scheduler.nextRunAt).toBe(Date.UTC(2025, 0, 8, 6, 0, 0));
    try {
      const message = (await receiver.waitFor('/chat', undefined, 15_000)) as unknown as { text: string };
      const archived = (await waitFor(() =>
        vantage.service.store.reportArchive.find('day', '2025-01-07', { timeZone: 'UTC' }),
      ))!;
      expect(archived.hasData).toBe(true);
      expect(message.text).toContain(archived.headline);
      expect(message.text).toContain('https://vantage.example.com/reports/day/2025-01-07.html');
      // Re-armed for the next day at once; Wednesday has no weekly report.
      expect(scheduler.nextRunAt).toBe(Date.UTC(2025, 0, 9, 6, 0, 0));
      expect(vantage.service.store.reportArchive.list({ kind: 'week' })).toEqual([]);
    } finally {
      await scheduler.stop();
    }
    expect(scheduler.nextRunAt).toBeUndefined();
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('vantage_report_runs_total{period="day",result="success"} 1');
    expect(metrics).toMatch(/vantage_report_last_success_timestamp_seconds\{period="day"\} \d/);
    expect(metrics).toContain('vantage_report_webhook_deliveries_total{result="success"} 1');
  });

  it('runNow on a Monday makes the day and the week; the json webhook carries the report', async () => {
    const scheduler = new ReportScheduler({
      store: () => vantage.service.store,
      logger: vantage.service.options.logger,
      metrics: vantage.service.health,
    });
    scheduler.update({
      ...section(),
      webhook: { url: `${receiver.url}/json`, format: 'json', timeout: 5000 },
    });
    // Monday 2025-01-13: yesterday is the 12th (no data left in the history) and the week 2025-W02.
    const outcomes = await scheduler.runNow(Date.UTC(2025, 0, 13, 6, 0, 0));
    expect(outcomes.map((o) => [o.period, o.label, o.ok, o.webhookDelivered])).toEqual([
      ['day', '2025-01-12', true, true],
      ['week', '2025-W02', true, true],
    ]);
    const week = (await receiver.waitFor('/json', (m) =>
      JSON.stringify(m).includes('2025-W02'),
    )) as unknown as { title: string; headline: string; highlights: string[]; url: string; report: Report };
    expect(week.url).toBe('https://vantage.example.com/reports/week/2025-W02.html');
    expect(week.report.period.label).toBe('2025-W02');
    expect(week.report.hasData).toBe(true);
    expect(week.title).toBe(week.report.title);
    expect(week.headline).toBe(week.report.summary.headline);
    expect(Array.isArray(week.highlights)).toBe(true);
    await scheduler.stop();
  });
});

describe('with Prometheus down', () => {
  it('POST answers 502 naming Prometheus; a scheduled run fails, is counted and retried once', async () => {
    await prom.stop();
    const res = await post({ date: '2025-01-07' });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toContain('cannot reach Prometheus');

    const scheduler = new ReportScheduler({
      store: () => vantage.service.store,
      logger: vantage.service.options.logger,
      metrics: vantage.service.health,
      retryDelayMs: 300,
    });
    scheduler.update(section());
    const outcomes = await scheduler.runNow(Date.UTC(2025, 0, 8, 6, 0, 0));
    expect(outcomes).toMatchObject([{ period: 'day', ok: false }]);
    expect(outcomes[0]!.error).toContain('cannot reach Prometheus');
    await waitFor(() => vantage.logs.some((l) => l.includes('retry failed')), 10_000, 'the failed retry');
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('vantage_report_runs_total{period="day",result="failure"} 2');
    await scheduler.stop();
  });
});

describe('config reload', () => {
  it('removing the report section stops the schedule; POST then answers 409', async () => {
    expect(vantage.service.reportScheduler.nextRunAt).toEqual(expect.any(Number));
    await vantage.writeConfig(configYaml(''));
    const reload = await fetch(`${vantage.baseUrl}/-/reload`, { method: 'POST', headers: auth });
    expect(reload.status).toBe(200);
    expect(vantage.service.reportScheduler.nextRunAt).toBeUndefined();
    const res = await post({ date: '2025-01-06' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain('no report section');
    expect(await (await get('/reports/')).text()).toContain('Reports are not configured');
    // The archive stays readable.
    expect((await get('/reports/day/2025-01-06.json')).status).toBe(200);
  });
});
