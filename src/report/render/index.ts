/**
 * The report renderers: Markdown for chat and tickets, self-contained HTML for people, JSON
 * for machines (model.ts is its contract), and the short chat summary.
 */
import type { Report, ReportFormat } from '../model.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { escapeMarkdown, renderMarkdown } from './markdown.js';
export { renderSummary } from './summary.js';

/** The report in `format`. The switch is exhaustive: a new ReportFormat fails to compile here. */
export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'json':
      return renderJson(report);
  }
}
