/**
 * GET /reports/: the archived performance reports, newest first, one table per period kind,
 * each row linking to the formats kept. In the common layout (src/html/layout.ts); no scripts.
 */
import type { ReportFormat } from '../report/model.js';
import type { PeriodKind } from '../time/period.js';
import { formatLocal } from '../time/zone.js';
import type { ArchivedReport } from '../store/reports.js';
import { escapeHtml } from '../html/escape.js';
import { page } from '../html/layout.js';

const esc = escapeHtml;

const KIND_TITLES: Record<PeriodKind, string> = {
  day: 'Daily reports',
  week: 'Weekly reports',
  month: 'Monthly reports',
};
const FORMAT_NAMES: Record<ReportFormat, string> = { html: 'HTML', md: 'Markdown', json: 'JSON' };

export interface ReportsPageInput {
  reports: ArchivedReport[];
  /** Labels archived in more than one zone: their links carry ?tz=. */
  ambiguous: (report: ArchivedReport) => boolean;
  /** Why the list may be empty: no report section, or the schedule. */
  status: string;
}

function row(report: ArchivedReport, withZone: boolean): string {
  const query = withZone ? `?tz=${encodeURIComponent(report.timeZone)}` : '';
  const links = report.formats
    .map(
      (f) =>
        `<a href="${esc(`${report.kind}/${encodeURIComponent(report.label)}.${f}${query}`)}">${FORMAT_NAMES[f]}</a>`,
    )
    .join(' · ');
  const generated = `${formatLocal(report.timeZone, report.generatedAt)}`;
  const data = report.hasData ? '' : ' <span class="pending">(no data)</span>';
  return (
    `<tr><td>${esc(report.label)}</td><td>${esc(report.timeZone)}</td>` +
    `<td>${esc(report.headline)}${data}</td><td>${esc(generated)}</td><td>${links}</td></tr>`
  );
}

export function renderReportsPage(input: ReportsPageInput): string {
  const sections = (['day', 'week', 'month'] as const)
    .map((kind) => {
      const reports = input.reports.filter((r) => r.kind === kind);
      if (reports.length === 0) return '';
      const rows = reports.map((r) => row(r, input.ambiguous(r))).join('\n');
      return `<h2>${KIND_TITLES[kind]}</h2>
<table><thead><tr><th>Period</th><th>Time zone</th><th>Headline</th><th>Generated (local)</th><th>Formats</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
    })
    .filter(Boolean)
    .join('\n');
  return page({
    title: 'vantage: performance reports',
    heading: 'Performance reports',
    nav: [
      { href: '../', text: 'vantage' },
      { href: '../api/reports', text: 'JSON list' },
    ],
    body: `<p>${esc(input.status)}</p>\n${sections || '<p>No report has been archived yet.</p>'}`,
  });
}
