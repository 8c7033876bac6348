/**
 * What is kept of one browser-flow run (its `<stamp>.json` in the report store, served beside the
 * flow report): the outcome, each step that ran, Lighthouse's figures, and the evidence a failure
 * needs (page URL, console errors, last requests). The same record renders the run's own HTML page
 * when there is no Lighthouse flow report (lighthouse: false, or a first step that failed before
 * Lighthouse gathered anything). Pure: text in, text out; secrets are redacted by the caller.
 */
import { escapeHtml as esc } from '../../html/escape.js';
import { page } from '../../html/layout.js';
import { formatSeconds } from '../../format/index.js';
import { summaryOfStoredJson } from '../lighthouse/auditSummary.js';
import type { ProbeResult } from '../types.js';
import { stepsOf } from '../journey/trace.js';
import { browserFamilies } from './families.js';
import type { PageEvidence, StepFigures } from './workerProtocol.js';

export interface FlowRunRecord {
  kind: 'browser_flow';
  target: string;
  module: string;
  startedAt: string;
  success: boolean;
  /** The transaction time: the sum of the steps' own durations (seconds). */
  durationSeconds: number;
  failure?: { phase: string; reason: string; step?: string; message: string };
  steps: { step: string; seconds: number; success: boolean }[];
  figures: StepFigures[];
  page: Omit<PageEvidence, 'failureScreenshot' | 'screenshots'>;
  /** Files kept with this run, relative to it: the failure screenshot and the screenshot steps'. */
  screenshots: { step?: string; file: string }[];
  /** Whether `<stamp>.html` is Lighthouse's flow report (else this record's own page). */
  lighthouseReport: boolean;
}

export function flowRunRecord(
  result: ProbeResult,
  names: { target: string; module: string },
  evidence: PageEvidence | undefined,
  figures: readonly StepFigures[],
  screenshots: FlowRunRecord['screenshots'],
  lighthouseReport: boolean,
): FlowRunRecord {
  return {
    kind: 'browser_flow',
    target: names.target,
    module: names.module,
    startedAt: new Date(result.startedAtMs).toISOString(),
    success: result.success,
    durationSeconds: result.durationSeconds,
    ...(result.failure && { failure: { ...result.failure } }),
    steps: stepsOf(result, browserFamilies),
    figures: [...figures],
    page: {
      url: evidence?.url ?? '',
      consoleErrors: evidence?.consoleErrors ?? [],
      requests: evidence?.requests ?? [],
    },
    screenshots,
    lighthouseReport,
  };
}

/** The run's own page, where Lighthouse made no flow report. */
export function flowRunPage(record: FlowRunRecord, stamp: string): string {
  const outcome = record.success
    ? `<p>Passed: ${record.steps.length} steps in ${formatSeconds(record.durationSeconds)} (transaction time).</p>`
    : `<p><strong>Failed</strong>: ${esc(record.failure?.reason ?? 'unknown')} at step ${esc(record.failure?.step ?? '—')}: ${esc(record.failure?.message ?? '')}</p>`;
  const steps = record.steps
    .map(
      (s) =>
        `<tr><td>${esc(s.step)}</td><td>${s.success ? 'ok' : 'FAILED'}</td><td>${formatSeconds(s.seconds)}</td></tr>`,
    )
    .join('');
  const images = record.screenshots
    .map(
      (s) =>
        `<figure><img src="${esc(s.file)}" alt="${esc(s.step ? `screenshot of step ${s.step}` : 'the page when the step failed')}" width="600">` +
        `<figcaption>${esc(s.step ? `step ${s.step}` : 'the page when the step failed')}</figcaption></figure>`,
    )
    .join('');
  const errors = record.page.consoleErrors.length
    ? `<ul>${record.page.consoleErrors.map((e) => `<li><code>${esc(e)}</code></li>`).join('')}</ul>`
    : '<p>None.</p>';
  const requests = record.page.requests.length
    ? `<table><thead><tr><th>Method</th><th>Status</th><th>Type</th><th>URL</th></tr></thead><tbody>` +
      record.page.requests
        .map(
          (r) =>
            `<tr><td>${esc(r.method)}</td><td>${r.status === 0 ? esc(r.error ?? 'failed') : r.status}</td>` +
            `<td>${esc(r.resourceType)}</td><td><code>${esc(r.url)}</code></td></tr>`,
        )
        .join('') +
      '</tbody></table>'
    : '<p>None.</p>';
  return page({
    title: `vantage: browser flow ${record.target} / ${record.module} at ${record.startedAt}`,
    heading: `Browser flow: ${record.target} / ${record.module}`,
    nav: [
      { href: '../../../', text: 'vantage' },
      { href: './', text: 'History of this check' },
    ],
    body:
      `<p>Run started ${esc(record.startedAt)}. <a href="${esc(stamp)}.json">Run record (JSON)</a>.</p>` +
      outcome +
      `<table><thead><tr><th>Step</th><th>Result</th><th>Duration</th></tr></thead><tbody>${steps || '<tr><td colspan="3">none ran</td></tr>'}</tbody></table>` +
      images +
      `<h2>Page</h2><p>URL at the end: <code>${esc(record.page.url)}</code></p>` +
      `<h2>Console errors</h2>${errors}<h2>Last requests</h2>${requests}`,
  });
}

/** What a listing shows of a kept run, read from its record. */
export interface FlowRunSummary {
  success: boolean;
  durationSeconds: number;
  failure?: FlowRunRecord['failure'];
  steps: number;
  screenshots: FlowRunRecord['screenshots'];
}

/** The summary of a kept run's record (`<stamp>.json`), or undefined when it is not one. */
export function summaryOfStoredRun(jsonPath: string): Promise<FlowRunSummary | undefined> {
  return summaryOfStoredJson(jsonPath, (record: FlowRunRecord) =>
    record?.kind === 'browser_flow'
      ? {
          success: record.success,
          durationSeconds: record.durationSeconds,
          ...(record.failure && { failure: record.failure }),
          steps: record.steps.length,
          screenshots: record.screenshots ?? [],
        }
      : undefined,
  );
}
