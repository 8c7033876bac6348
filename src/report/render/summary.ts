/**
 * The few lines a chat webhook carries: the title, the headline, the highlights, and counts of
 * what changed and what is still open. At most about 15 lines: a longer message gets folded
 * away by chat clients, and the full report is one link further.
 *
 * Plain text with "- " bullets rather than Markdown: the same text goes to Slack (mrkdwn,
 * where backslash escapes show literally and "**" is not bold) and to Markdown clients
 * (Mattermost, Rocket.Chat). The one escaping both agree on is &amp; &lt; &gt;, which Slack
 * requires and Markdown decodes, so "<", ">" and "&" in target names cannot form a link or a
 * mention in either.
 */
import type { Report } from '../model.js';
import { plural } from '../../format/index.js';
import { noDataSentence } from './format.js';

/** Escape the three characters Slack gives meaning to; Markdown renders the entities as text. */
function escapeChat(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Highlights shown before "… and N more": keeps the message within ~15 lines. */
const MAX_HIGHLIGHTS = 8;

/** The chat message for a report, ending in a newline. */
export function renderSummary(report: Report): string {
  const md = escapeChat;
  const lines = [md(report.title), md(report.summary.headline)];
  if (!report.hasData) {
    lines.push(noDataSentence(report));
  }
  const highlights = report.summary.highlights;
  for (const h of highlights.slice(0, MAX_HIGHLIGHTS)) lines.push(`- ${md(h)}`);
  if (highlights.length > MAX_HIGHLIGHTS) lines.push(`- … and ${highlights.length - MAX_HIGHLIGHTS} more`);

  const evals = report.evaluation.changes;
  if (evals.length > 0) {
    const count = (verdict: string) => evals.filter((e) => e.verdict === verdict).length;
    const mixed = count('mixed');
    lines.push(
      `Changes evaluated: ${count('improved')} improved, ${count('regressed')} regressed` +
        (mixed > 0 ? `, ${mixed} mixed` : '') +
        `, ${count('no significant change')} without significant change` +
        ` (${plural(evals.length, 'evaluation')}).`,
    );
  }
  const firing = report.evaluation.incidents.filter((i) => i.openAtEnd).length;
  lines.push(
    `Open problems: ${report.learning.openProblems.length}` +
      (firing > 0 ? ` (${plural(firing, 'incident')} still firing)` : '') +
      '.',
  );
  return lines.join('\n') + '\n';
}
