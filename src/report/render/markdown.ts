/**
 * The report as GitHub-flavoured Markdown, for chat and tickets: a title with the headline,
 * then Monitoring, Evaluation and Learning. Every piece of text that comes from users or
 * targets (change titles, target names, incident summaries, and the sentences that quote them)
 * is escaped, so a title with "|" cannot break a table nor a "*" start emphasis.
 */
import {
  formatChangeRatio,
  formatCount,
  formatDuration,
  formatPValue,
  formatValue,
} from '../../format/index.js';
import type { ComparedMonitoring } from '../monitoring.js';
import type { ChangeEvaluation, MetricEvaluation, Report, ReportChange, TrendWarning } from '../model.js';
import {
  figureRows,
  incidentStatus,
  incidentAlertTimes,
  incidentDuration,
  incidentEnd,
  formatIncidentTime,
  INCIDENT_COLUMNS,
  hasBrowserJourneys,
  journeyColumns,
  journeyNote,
  journeyStepColumns,
  journeyRow,
  journeyStepRows,
  INCIDENT_TIMES_NOTE,
  trendDetail,
  formatEffect,
  formatInterval,
  noDataSentence,
  formatMetricVerdict,
  formatSavings,
  formatTimestamp,
  objectiveMark,
  problemNamesTarget,
  zoneLabel,
} from './format.js';
import {
  FIELD_EVALUATION_COLUMNS,
  FIELD_EVALUATION_NOTE,
  FIELD_SLICE_COLUMNS,
  fieldEvaluationRow,
  fieldFigureRows,
  fieldNote,
  fieldSliceRow,
  noBeaconsSentence,
} from './fieldFormat.js';
import type { FieldChangeEvaluation } from '../fieldEvaluation.js';
import {
  CAPACITY_NOTE,
  FILESYSTEM_COLUMNS,
  HEADROOM_COLUMNS,
  HEADROOM_NOTE,
  HOST_COLUMNS,
  LOAD_TESTS_NOTE,
  NO_CAPACITY_SENTENCE,
  filesystemRow,
  hasCapacity,
  headroomRow,
  hostRow,
  hostsLeftOutSentence,
  hostsWithoutRulesSentence,
  hostsWithoutSeriesSentence,
  loadTestLine,
  noFillingFilesystemsSentence,
} from './capacityFormat.js';

/**
 * Escape text for Markdown inline content, table cells included. Only what could change the
 * structure is escaped, so sentences stay readable in raw text ("p < 0.001", "(−40.0 %)"):
 * emphasis and code markers, link brackets, table pipes, a "<" that could open an HTML tag or
 * autolink, a "&" that could form an entity, and a leading character that would start a
 * heading, list or quote inside a list item. Line breaks become spaces: a newline would end a
 * table row or a list item.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=[A-Za-z#])/g, '\\&')
    .replace(/^(\s*)([#>+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

const md = escapeMarkdown;

/** A GFM table; `align` per column, "r" for figures so digits line up. */
function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(sep), ...rows.map(line)].join('\n');
}

/** "None." for an empty list: an empty heading would look like a rendering bug. */
function listOrNone(items: string[], none = 'None.'): string {
  return items.length === 0 ? none : items.map((i) => `- ${i}`).join('\n');
}

function targetName(target: string | null): string {
  return target === null ? 'all targets' : md(target);
}

// ---------------------------------------------------------------------------------------------
// Header

function header(r: Report): string {
  const zone = r.period.timeZone;
  const lines = [`# ${md(r.title)}`, '', `**${md(r.summary.headline)}**`];
  if (r.summary.highlights.length > 0) lines.push('', ...r.summary.highlights.map((h) => `- ${md(h)}`));
  lines.push(
    '',
    `Period: ${formatInterval(r.period.start, r.period.end, zone)} · ` +
      `previous: ${formatInterval(r.previous.start, r.previous.end, zone)} · ` +
      `week earlier: ${formatInterval(r.weekEarlier.start, r.weekEarlier.end, zone)}`,
  );
  if (!r.exact) {
    lines.push(
      '',
      '> Counts are extrapolated: vantage restarted in the period (a counter reset), so probe and failure counts are estimates.',
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Monitoring

const FIGURE_HEADER = ['Figure', 'This period', 'Previous', 'Change', 'Week earlier', 'Change'];

function figureCells(m: ComparedMonitoring): string[][] {
  return figureRows(m).map((row) => {
    const mark = objectiveMark(row.meetsObjective);
    return [
      row.label,
      mark ? `${row.current} ${mark}` : row.current,
      row.previous,
      row.vsPrevious,
      row.weekEarlier,
      row.vsWeekEarlier,
    ];
  });
}

/** One table for every target: the target name on its first row, its figures below. */
function perTargetTable(targets: ComparedMonitoring[]): string {
  const rows: string[][] = [];
  for (const t of targets) {
    const cells = figureCells(t);
    cells.forEach((cell, i) => rows.push([i === 0 ? `**${targetName(t.target)}**` : '', ...cell]));
    if (!t.hasData) rows[rows.length - cells.length]![1] += ' (no probes in the period)';
  }
  return table(['Target', ...FIGURE_HEADER], ['l', 'l', 'r', 'r', 'r', 'r', 'r'], rows);
}

/** The journey table and the step table; only called with journeys (no empty tables). */
function journeyTables(r: Report): string {
  const journeys = r.monitoring.journeys;
  const vitals = hasBrowserJourneys(journeys);
  // Only the cells naming journeys, targets, steps and reasons are escaped: a figure such as
  // "97.57 %" would otherwise gain a backslash (a leading "97." starts a list).
  const escapeText = (cells: string[], text: readonly number[]): string[] =>
    cells.map((c, i) => (text.includes(i) ? md(c) : c));
  const mark = (cells: string[], columns: readonly number[]): string[] =>
    cells.map((c, i) => (columns.includes(i) ? `${c} ✗` : c));
  const steps = journeys.flatMap((j) =>
    journeyStepRows(j, vitals).map(({ cells, overObjective, aboveGood }) => {
      const out = mark(escapeText(cells, [0, 1, 5]), aboveGood);
      if (overObjective) out[3] += ' ✗';
      return out;
    }),
  );
  const columns = journeyColumns(vitals);
  // Journey, target and the step cells (failing, slowest, worst INP and CLS) are text.
  const textColumns = columns.map((_, i) => i).filter((i) => i <= 1 || i >= 6);
  const stepColumns = journeyStepColumns(vitals);
  return [
    table(
      columns,
      columns.map((_, i) => (textColumns.includes(i) ? 'l' : 'r')),
      journeys.map((j) => {
        const { cells, aboveGood } = journeyRow(j, vitals);
        return mark(escapeText(cells, textColumns), aboveGood);
      }),
    ),
    '',
    table(
      stepColumns,
      stepColumns.map((_, i) => (i <= 1 ? 'l' : 'r')),
      steps,
    ),
    '',
    journeyNote(vitals),
  ].join('\n');
}

/** The field figures per site; only called when Prometheus knows some site. */
function fieldSection(r: Report): string {
  const field = r.monitoring.field;
  const out = ['### Field data (real users)'];
  for (const site of field.sites) {
    out.push(
      '',
      `#### ${md(site.site)}`,
      '',
      table(
        FIGURE_HEADER,
        ['l', 'r', 'r', 'r', 'r', 'r'],
        fieldFigureRows(site.overall).map((row) => [
          md(row.label),
          row.current,
          row.previous,
          row.vsPrevious,
          row.weekEarlier,
          row.vsWeekEarlier,
        ]),
      ),
    );
    if (site.slices.length > 0) {
      out.push(
        '',
        table(
          [...FIELD_SLICE_COLUMNS],
          FIELD_SLICE_COLUMNS.map((_, i) => (i <= 1 ? 'l' : 'r')),
          site.slices.map((slice) => {
            const { cells, aboveGood } = fieldSliceRow(slice);
            return cells.map((c, i) => (i <= 1 ? md(c) : aboveGood.includes(i) ? `${c} ✗` : c));
          }),
        ),
      );
    }
  }
  if (field.sitesWithoutData.length > 0)
    out.push('', ...field.sitesWithoutData.map((site) => `- ${md(noBeaconsSentence(site))}`));
  out.push('', fieldNote(field));
  return out.join('\n');
}

/** Hosts, filesystems, headroom and the period's load tests; one line when there is none of them. */
function capacitySection(r: Report): string {
  const c = r.monitoring.capacity;
  const zone = r.period.timeZone;
  const out = ['### Capacity', ''];
  if (!hasCapacity(c)) {
    out.push(NO_CAPACITY_SENTENCE);
    return out.join('\n');
  }
  const notes = (...lines: (string | null)[]) =>
    lines.filter((l): l is string => l !== null).forEach((l) => out.push('', md(l)));
  if (c.hosts.length > 0) {
    out.push(
      table(
        [...HOST_COLUMNS],
        HOST_COLUMNS.map((_, i) => (i <= 1 ? 'l' : 'r')),
        c.hosts.map((h) => {
          const { cells, high } = hostRow(h, md);
          return cells.map((cell, i) => (high.includes(i) ? `${cell} ✗` : cell));
        }),
      ),
    );
  }
  notes(hostsLeftOutSentence(c), hostsWithoutSeriesSentence(c), hostsWithoutRulesSentence(c));
  if (c.hosts.length > 0) {
    out.push('', `#### Filesystems filling within ${c.horizonDays} days`, '');
    out.push(
      c.filesystems.length === 0
        ? noFillingFilesystemsSentence(c)
        : table(
            [...FILESYSTEM_COLUMNS],
            ['l', 'l', 'l', 'r', 'r', 'r'],
            // Host, mount point and device are labels (escaped); the figures are not.
            c.filesystems.map((f) => filesystemRow(f, zone).map((cell, i) => (i <= 2 ? md(cell) : cell))),
          ),
    );
    out.push('', CAPACITY_NOTE);
  }
  if (c.headroom.length > 0) {
    out.push(
      '',
      '#### Headroom of load-tested targets',
      '',
      table(
        [...HEADROOM_COLUMNS],
        ['l', 'r', 'r', 'l', 'r', 'l'],
        c.headroom.map((h) => {
          const { cells, warn } = headroomRow(h, zone);
          // Target and sites are names (escaped); the figures and the load test's ids are not.
          return cells.map((cell, i) =>
            i === 0 || i === 3 ? md(cell) : i === 4 && warn ? `${cell} ⚠` : cell,
          );
        }),
      ),
      '',
      ...c.headroom.map((h) => `- ${md(h.sentence)}`),
      '',
      HEADROOM_NOTE,
    );
  }
  if (c.loadTests.length > 0) {
    out.push(
      '',
      '#### Load tests in the period',
      '',
      ...c.loadTests.map((l) => `- ${md(loadTestLine(l, zone))}`),
      '',
      LOAD_TESTS_NOTE,
    );
  }
  return out.join('\n');
}

function changeLine(c: ReportChange, zone: string): string {
  const kind = c.kind === 'load_test' ? 'load test, not evaluated' : md(c.kind);
  const what = `${formatTimestamp(c.at, zone)} — **${md(c.title)}** (${kind}, ${targetName(c.target)})`;
  return c.description ? `${what}: ${md(c.description)}` : what;
}

function monitoring(r: Report): string {
  const zone = r.period.timeZone;
  const out = ['## Monitoring', ''];
  if (!r.hasData) {
    // No figures at all: zeros here would read as "everything failed" or "nothing happened".
    out.push(`${noDataSentence(r)} This report has no Monitoring figures for the period.`);
  } else {
    out.push(
      '### Overall',
      '',
      table(FIGURE_HEADER, ['l', 'r', 'r', 'r', 'r', 'r'], figureCells(r.monitoring.overall)),
    );
    if (r.monitoring.targets.length > 0)
      out.push('', '### Per target', '', perTargetTable(r.monitoring.targets));
    if (r.monitoring.journeys.length > 0) out.push('', '### Journeys', '', journeyTables(r));
    out.push(
      '',
      'Changes: percent for amounts, percentage points (pp) for ratios. ✓/✗: uptime meets/misses the objective. — : no data.',
    );
  }
  const field = r.monitoring.field;
  if (field.sites.length > 0 || field.sitesWithoutData.length > 0) out.push('', fieldSection(r));
  out.push('', capacitySection(r));
  out.push(
    '',
    '### Changes made in the period',
    '',
    listOrNone(r.monitoring.changes.map((c) => changeLine(c, zone))),
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function metricRow(m: MetricEvaluation): string[] {
  const c = m.comparison;
  return [
    md(m.label),
    `${formatValue(c.medianBefore, m.unit)} → ${formatValue(c.medianAfter, m.unit)}`,
    formatChangeRatio(c.changeRatio),
    `${formatCount(c.n1)} / ${formatCount(c.n2)}`,
    formatPValue(c.p),
    formatEffect(c),
    formatMetricVerdict(c),
  ];
}

function evaluationBlock(e: ChangeEvaluation, zone: string): string {
  const c = e.change;
  const lines = [
    `#### ${md(c.title)} — ${md(e.target)}`,
    '',
    `- Change #${c.id} (${md(c.kind)}) at ${formatTimestamp(c.at, zone)}${c.description ? `: ${md(c.description)}` : ''}`,
    `- Before: ${formatInterval(e.before.start, e.before.end, zone)}`,
    `- After: ${formatInterval(e.after.start, e.after.end, zone)} (windows of ${formatDuration(e.windowMs / 1000)})`,
    `- Maintenance excluded: ${e.excludedMaintenanceMs > 0 ? formatDuration(e.excludedMaintenanceMs / 1000) : 'none'}`,
  ];
  if (e.note) lines.push(`- Note: ${md(e.note)}`);
  lines.push(`- Verdict: **${e.verdict}**`);
  if (e.metrics.length > 0) {
    lines.push(
      '',
      table(
        ['Metric', 'Median before → after', 'Change', 'n before / after', 'p-value', "Cliff's δ", 'Verdict'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
        e.metrics.map(metricRow),
      ),
      '',
      ...e.metrics.map((m) => `- ${md(m.sentence)}`),
    );
  }
  return lines.join('\n');
}

function fieldEvaluationBlock(e: FieldChangeEvaluation, zone: string): string {
  const c = e.change;
  const lines = [
    `#### ${md(c.title)} — real users of ${md(e.site)}`,
    '',
    `- Change #${c.id} (${md(c.kind)}) at ${formatTimestamp(c.at, zone)}, ${e.scope === 'target' ? `on ${md(c.target ?? '')}` : 'on every target'}`,
    `- Before: ${formatInterval(e.before.start, e.before.end, zone)}`,
    `- After: ${formatInterval(e.after.start, e.after.end, zone)} (windows of ${formatDuration(e.windowMs / 1000)})`,
    `- Page views: ${formatCount(e.pageViews.before)} before, ${formatCount(e.pageViews.after)} after`,
  ];
  if (e.note) lines.push(`- Note: ${md(e.note)}`);
  lines.push(
    `- Verdict: **${e.verdict === 'no significant change' ? 'no change beyond noise' : e.verdict}**`,
  );
  lines.push(
    '',
    table([...FIELD_EVALUATION_COLUMNS], ['l', 'r', 'r', 'r', 'r', 'l'], e.vitals.map(fieldEvaluationRow)),
    '',
    ...e.vitals.map((v) => `- ${md(v.sentence)}`),
  );
  return lines.join('\n');
}

function incidents(r: Report): string {
  const list = r.evaluation.incidents;
  if (list.length === 0) return 'No incidents in the period.';
  const zone = r.period.timeZone;
  const opened = list.filter((i) => i.openedInPeriod).length;
  const resolved = list.filter((i) => i.resolvedInPeriod).length;
  const firing = list.filter((i) => i.openAtEnd).length;
  const counts = `${opened} opened, ${resolved} resolved, ${firing} still firing at the end of the period.`;
  const rows = list.map((i) => [
    md(i.alertname),
    targetName(i.target),
    md(i.severity),
    formatIncidentTime(i.startsAt, zone),
    incidentEnd(i, zone),
    incidentDuration(i),
    i.timesFrom,
    incidentAlertTimes(i, zone),
    incidentStatus(i),
    md(i.summary),
  ]);
  return [
    counts,
    '',
    table(
      [...INCIDENT_COLUMNS],
      INCIDENT_COLUMNS.map((c) => (c === 'Duration' ? 'r' : 'l')),
      rows,
    ),
    '',
    INCIDENT_TIMES_NOTE,
  ].join('\n');
}

function evaluation(r: Report): string {
  const zone = r.period.timeZone;
  const changes =
    r.evaluation.changes.length === 0
      ? ['No changes to evaluate.']
      : r.evaluation.changes.map((e) => evaluationBlock(e, zone));
  return [
    '## Evaluation',
    '',
    '### Changes',
    '',
    changes.join('\n\n'),
    ...(r.evaluation.field.length > 0
      ? [
          '',
          '### Changes in the field',
          '',
          r.evaluation.field.map((e) => fieldEvaluationBlock(e, zone)).join('\n\n'),
          '',
          FIELD_EVALUATION_NOTE,
        ]
      : []),
    '',
    '### Incidents',
    '',
    incidents(r),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Learning

function trendLine(t: TrendWarning, zone: string): string {
  return `${md(t.sentence)} (${md(trendDetail(t, zone))})`;
}

function learning(r: Report): string {
  const zone = r.period.timeZone;
  const l = r.learning;
  const recurring = l.recurringIncidents.map(
    (i) =>
      `${md(i.sentence)} (${i.count}×, ${formatTimestamp(i.firstAt, zone)} to ${formatTimestamp(i.lastAt, zone)})`,
  );
  const patterns = l.failurePatterns.map((p) => `${md(p.sentence)} (${formatPValue(p.pattern.p)})`);
  const trends = l.trends.map((t) => trendLine(t, zone));
  const recommendations =
    l.recommendations.length === 0
      ? 'None.'
      : table(
          ['Target', 'Recommendation', 'What to do', 'Estimated saving'],
          ['l', 'l', 'l', 'r'],
          l.recommendations.map((x) => [
            md(x.target),
            `${md(x.title)} (\`${x.audit.replace(/`/g, "'")}\`)`,
            md(x.advice),
            formatSavings(x.savingsSeconds, x.savingsBytes),
          ]),
        );
  const problems = l.openProblems.map(
    (p) => `${md(p.sentence)} _(${p.kind}${problemNamesTarget(p) ? `, ${targetName(p.target)}` : ''})_`,
  );
  return [
    '## Learning',
    '',
    '### Recurring incidents',
    '',
    listOrNone(recurring),
    '',
    '### Failure patterns',
    '',
    listOrNone(patterns),
    '',
    '### Trend warnings',
    '',
    listOrNone(trends),
    '',
    '### Recommendations',
    '',
    recommendations,
    '',
    '### Open problems',
    '',
    listOrNone(l.openProblems.length === 0 ? [] : problems),
  ].join('\n');
}

function footer(r: Report): string {
  return `_Generated ${formatTimestamp(r.generatedAt, r.period.timeZone)} from ${md(r.prometheusUrl)}; times in ${zoneLabel(r.period.timeZone)}; — : no data._`;
}

/** The whole report as Markdown, ending in a newline. */
export function renderMarkdown(report: Report): string {
  return (
    [header(report), monitoring(report), evaluation(report), learning(report), footer(report)].join('\n\n') +
    '\n'
  );
}
