/**
 * Every HTML page a running vantage serves passes html-validate, and every page of its own
 * carries the one layout and stylesheet (src/html/layout.ts): the index, /runbook, /reports/, the
 * Lighthouse lists, the "no report yet" page, and the error pages a browser gets (404, 400).
 * The archived report document (src/report/render/html.ts) is validated too, with its own style.
 *
 * No Chrome runs here: the Lighthouse report is seeded into the store the way an audit saves
 * it, and the two Lighthouse checks are named so that their first audit is due ~9.8 s after
 * start (the scheduler places a first run at a stable hash of "<target>/<module>"), after this
 * file has finished.
 */
import { readFileSync } from 'node:fs';
import { HtmlValidate, type ConfigData } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_STYLESHEET } from '../../src/html/layout.js';
import { renderHtml } from '../../src/report/render/index.js';
import { sampleReport } from '../helpers/sampleReport.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

/**
 * html-validate's recommended rules, less three that are matters of house style or intent:
 * the case of <!doctype> (insignificant in HTML), and meta refresh, which the index and "no
 * report yet" pages use on purpose to show live results (15 s, as a status page should).
 */
const RULES: ConfigData = {
  extends: ['html-validate:recommended'],
  rules: {
    'doctype-style': 'off',
    'meta-refresh': 'off',
    'void-style': ['error', { style: 'omit' }],
  },
};
/** The report document is also well-formed XML on purpose (it is mailed): <meta/>, and it names its lists. */
const REPORT_RULES: ConfigData = {
  ...RULES,
  rules: {
    ...RULES.rules,
    'void-style': ['error', { style: 'selfclose' }],
    'aria-label-misuse': ['error', { allowAnyNamable: true }],
  },
};

/** Pages in vantage's layout: path -> expected status. */
const LAYOUT_PAGES: Record<string, number> = {
  '/': 200,
  '/runbook': 200,
  '/reports/': 200,
  '/lighthouse/': 200,
  '/lighthouse/web/lighthouse/': 200,
  '/lighthouse/web/lh_mobile/': 200,
  '/lighthouse/web/lh_mobile/latest.html': 404, // no report yet: a page that reloads itself
  '/no/such/page': 404,
  '/lighthouse/web/nope/': 404,
  '/lighthouse/web/lighthouse/not-a-report': 404,
  '/reports/day/%ff.html': 400,
};

let h: Harness;
const validator = new HtmlValidate(RULES);

async function getHtml(path: string): Promise<{ status: number; type: string; html: string }> {
  const res = await fetch(h.baseUrl + path, { headers: { accept: 'text/html,*/*;q=0.8' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', html: await res.text() };
}

async function problems(html: string, v = validator): Promise<string[]> {
  const report = await v.validateString(html);
  return report.results.flatMap((r) =>
    r.messages.map((m) => `${m.ruleId} at ${m.line}:${m.column}: ${m.message} [${m.selector ?? ''}]`),
  );
}

beforeAll(async () => {
  h = await startVantage(`
modules:
  http_2xx: {prober: http, timeout: 1s}
  lighthouse: {prober: lighthouse}
  lh_mobile: {prober: lighthouse}
targets:
  - name: web
    url: http://127.0.0.1:9/
    modules: [http_2xx, lighthouse, lh_mobile]
report:
  prometheus_url: http://127.0.0.1:9/
`);
  // A stored median-run report, as the audit of web/lighthouse would have saved it.
  const lhr = readFileSync(new URL('../fixtures/lhr-heavy.json', import.meta.url), 'utf8');
  await h.service.reports.save('web', 'lighthouse', Date.UTC(2025, 0, 6, 12), '<!doctype html>', lhr);
  // An archived performance report, as the report job would have saved it.
  const report = sampleReport();
  h.service.store.reportArchive.save({
    kind: 'day',
    label: '2025-01-06',
    timeZone: 'UTC',
    start: Date.UTC(2025, 0, 6),
    end: Date.UTC(2025, 0, 7),
    generatedAt: Date.UTC(2025, 0, 7, 6),
    title: report.title,
    headline: 'availability 99.9 % <all targets>',
    hasData: true,
    bodies: { html: renderHtml(report), json: '{}' },
  });
});

afterAll(async () => {
  await h.close();
});

describe('vantage HTML pages', () => {
  it.each(Object.entries(LAYOUT_PAGES))('%s is valid HTML in the common layout', async (path, status) => {
    const page = await getHtml(path);
    expect(page.status).toBe(status);
    expect(page.type).toMatch(/^text\/html; charset=utf-8/);
    expect(await problems(page.html)).toEqual([]);
    expect(page.html).toMatch(/^<!doctype html>\n<html lang="en">/);
    // The one stylesheet, whole, and no other.
    expect(page.html).toContain(`<style>${PAGE_STYLESHEET}</style>`);
    expect(page.html.match(/<style\b/g)).toHaveLength(1);
    expect(page.html).not.toMatch(/<link\b|\sstyle="(?!text-align:(?:left|center|right)")/);
    expect(page.html).toMatch(/<body>\n<nav><a href="[^"]*">/);
  });

  it('shows the list pages with their content', async () => {
    const reports = await getHtml('/reports/');
    expect(reports.html).toContain('<h2>Daily reports</h2>');
    expect(reports.html).toContain('availability 99.9 % &lt;all targets&gt;');
    const history = await getHtml('/lighthouse/web/lighthouse/');
    expect(history.html).toContain('<td>2025-01-06T12:00:00.000Z</td>');
    expect((await getHtml('/lighthouse/')).html).toContain('<td>lh_mobile</td>');
  });

  it('links the way back to the index page relative to each page', async () => {
    expect((await getHtml('/lighthouse/web/lighthouse/')).html).toContain(
      '<nav><a href="../../../">vantage</a>',
    );
    expect((await getHtml('/no/such/page')).html).toContain('<nav><a href="../../">vantage</a>');
    expect((await getHtml('/nope')).html).toContain('<nav><a href="./">vantage</a>');
  });

  it('answers errors as plain text to clients that do not ask for HTML', async () => {
    const res = await fetch(`${h.baseUrl}/no/such/page`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('not found\n');
    const html = await getHtml('/no/such/page');
    expect(html.html).toContain('<h1>Not found</h1>');
  });

  it('serves an archived report that is valid HTML with its own embedded style', async () => {
    const page = await getHtml('/reports/day/2025-01-06.html');
    expect(page.status).toBe(200);
    expect(await problems(page.html, new HtmlValidate(REPORT_RULES))).toEqual([]);
    expect(page.html).not.toMatch(/<link\b/);
  });

  it('ran no Lighthouse audit (the test needs no Chrome)', () => {
    expect(h.service.audits.running).toBeUndefined();
  });
});
