/**
 * The report as one self-contained HTML5 document: a summary card, then Monitoring (tables
 * and 7-day trend charts), Evaluation (each change's before/after distributions) and Learning.
 * Nothing is fetched: the CSS sits in a <style>, the charts are inline SVG (svg.ts), there is
 * no script and no font or image to load, so the file can be mailed, archived or opened
 * offline and looks the same in ten years. Every piece of text from the model is escaped.
 * The markup is also well-formed XML (void elements self-closed), which the tests rely on to
 * catch an unescaped "<" anywhere.
 */
import {
  formatChangeRatio,
  formatCount,
  formatDuration,
  formatPValue,
  formatRatio,
  formatSeconds,
  formatValue,
} from '../../format/index.js';
import { escapeHtml } from '../../html/escape.js';
import type { ComparedMonitoring } from '../monitoring.js';
import type {
  ChangeEvaluation,
  MetricEvaluation,
  Report,
  ReportChange,
  TargetTrend,
  TrendWarning,
} from '../model.js';
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
  formatMetricVerdict,
  noDataSentence,
  formatSavings,
  formatTimestamp,
  objectiveMark,
  problemNamesTarget,
  zoneLabel,
  type FigureRow,
  type Tone,
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
import { chartId, distributionChart, lineChart } from './svg.js';
import type { HostTrend } from '../capacityFigures.js';
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

const esc = escapeHtml;
const DAY_MS = 86_400_000;

/**
 * System fonts only (no web font to fetch). Widths fit A4 portrait at 96 dpi minus margins
 * (about 180 mm = 680 px), so charts print at the size they were drawn. No ">" or "<" in the
 * rules, which keeps the document well-formed XML.
 */
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.08rem; margin: 0 0 .6rem; }
h4 { font-size: .98rem; margin: 1rem 0 .4rem; }
p { margin: .4rem 0; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.2rem; margin: 0 0 1rem; }
.summary { border-top: 5px solid #2f6fb0; }
.headline { font-size: 1.12rem; font-weight: 600; margin: .6rem 0; }
.meta { color: #57606a; font-size: .86rem; }
.badges { list-style: none; padding: 0; margin: .6rem 0; display: flex; flex-wrap: wrap; gap: .4rem; }
.badge { display: inline-block; border-radius: 999px; padding: .1rem .65rem; font-size: .85rem; font-weight: 600; border: 1px solid transparent; }
.badge.met, .badge.improved { background: #dafbe1; color: #116329; border-color: #a6e3b5; }
.badge.missed, .badge.regressed { background: #ffebe9; color: #a40e26; border-color: #f5b5ae; }
.badge.neutral, .badge.mixed { background: #f1f3f5; color: #424a53; border-color: #d0d7de; }
.counts { display: flex; flex-wrap: wrap; gap: 1.5rem; margin: .6rem 0 0; padding: 0; }
.counts div { min-width: 7rem; }
.counts dt { font-size: .8rem; color: #57606a; }
.counts dd { margin: 0; font-size: 1.25rem; font-weight: 650; }
.nodata { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .6rem .8rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .88rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid #e5e8eb; vertical-align: top; }
th { text-align: left; background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
/* A figure never wraps; its column's header may, so a wide table (the capacity hosts') fits the card. */
thead th.num { white-space: normal; }
tbody th { background: none; font-weight: 500; }
.good { color: #116329; }
.bad { color: #a40e26; }
.mark-met { color: #116329; font-weight: 700; }
.mark-missed { color: #a40e26; font-weight: 700; }
figure { margin: .8rem 0; }
figcaption { font-size: .85rem; color: #424a53; margin-top: .2rem; }
svg.chart { display: block; max-width: 100%; height: auto; }
.charts { display: grid; grid-template-columns: 1fr; gap: .4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .4rem 0 .8rem; font-size: .9rem; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; }
ul.plain { padding-left: 1.2rem; margin: .3rem 0; }
ul.plain li { margin: .2rem 0; }
.kind { font-size: .78rem; color: #57606a; border: 1px solid #d0d7de; border-radius: 4px; padding: 0 .3rem; margin-left: .3rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; background: #f6f8fa; padding: 0 .2rem; border-radius: 3px; }
footer { color: #57606a; font-size: .8rem; margin-top: 2rem; }
@media print {
  @page { size: A4; margin: 14mm 14mm 16mm; }
  body { background: none; color: #000; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .card { background: none; border: 1px solid #999; border-radius: 0; break-inside: avoid; page-break-inside: avoid; }
  .summary { border-top: 3px solid #000; }
  .badge, .badge.met, .badge.missed, .badge.neutral, .badge.improved, .badge.regressed, .badge.mixed { background: none; color: #000; border-color: #666; }
  .nodata, th, code { background: none; }
  figure, svg.chart, table, tr, dl.facts { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
}
`;

// ---------------------------------------------------------------------------------------------
// Small builders

function tag(name: string, content: string, attrs = ''): string {
  return `<${name}${attrs ? ` ${attrs}` : ''}>${content}</${name}>`;
}

function toneClass(tone: Tone): string {
  return tone === 'neutral' ? 'num' : `num ${tone}`;
}

function listOrNone(items: string[], none = 'None.'): string {
  return items.length === 0
    ? tag('p', none)
    : tag('ul', items.map((i) => tag('li', i)).join(''), 'class="plain"');
}

function targetName(target: string | null): string {
  return target === null ? 'all targets' : esc(target);
}

/** A badge whose meaning does not hang on colour: the word and a sign say it too. */
function badge(cls: string, content: string): string {
  return tag('span', content, `class="badge ${cls}"`);
}

function objectiveBadge(m: ComparedMonitoring): string {
  const who = m.target === null ? 'overall' : esc(m.target);
  if (!m.hasData) return badge('neutral', `${who}: no data`);
  const uptime = formatRatio(m.uptime.current);
  if (m.meetsObjective === null) return badge('neutral', `${who}: ${uptime} (no objective)`);
  const objective = formatRatio(m.objective);
  return m.meetsObjective
    ? badge('met', `✓ ${who}: objective met, ${uptime} ≥ ${objective}`)
    : badge('missed', `✗ ${who}: objective missed, ${uptime} below ${objective}`);
}

function verdictBadge(verdict: string): string {
  const cls = verdict === 'improved' ? 'improved' : verdict === 'regressed' ? 'regressed' : 'neutral';
  const sign = verdict === 'improved' ? '▲ ' : verdict === 'regressed' ? '▼ ' : '';
  return badge(cls, `${sign}${esc(verdict)}`);
}

// ---------------------------------------------------------------------------------------------
// Summary card

function summaryCard(r: Report): string {
  const zone = r.period.timeZone;
  const parts = [
    tag('h1', esc(r.title)),
    tag('p', `${esc(formatInterval(r.period.start, r.period.end, zone))}`, 'class="meta"'),
    tag('p', esc(r.summary.headline), 'class="headline"'),
  ];
  const objectiveOf = r.monitoring.targets.length > 0 ? r.monitoring.targets : [r.monitoring.overall];
  const badges = r.hasData
    ? objectiveOf.map(objectiveBadge)
    : [badge('missed', 'No data: no vantage probes in Prometheus for this period')];
  parts.push(
    tag('ul', badges.map((b) => tag('li', b)).join(''), 'class="badges" aria-label="Uptime objectives"'),
  );
  if (r.summary.highlights.length > 0) {
    parts.push(tag('ul', r.summary.highlights.map((h) => tag('li', esc(h))).join(''), 'class="plain"'));
  }
  const evals = r.evaluation.changes;
  const count = (v: ChangeEvaluation['verdict']) => evals.filter((e) => e.verdict === v).length;
  const counts: [string, string][] = [
    ['Changes in period', String(r.monitoring.changes.filter((c) => c.kind !== 'load_test').length)],
    ['Improved', String(count('improved'))],
    ['Regressed', String(count('regressed'))],
    ['Incidents', String(r.evaluation.incidents.length)],
    ['Open problems', String(r.learning.openProblems.length)],
  ];
  parts.push(
    tag('dl', counts.map(([k, v]) => tag('div', tag('dt', k) + tag('dd', v))).join(''), 'class="counts"'),
  );
  if (!r.exact) {
    parts.push(
      tag(
        'p',
        'Counts are extrapolated: vantage restarted in the period (a counter reset), so probe and failure counts are estimates.',
        'class="meta"',
      ),
    );
  }
  return tag('header', parts.join(''), 'class="card summary"');
}

// ---------------------------------------------------------------------------------------------
// Monitoring

function figureTable(m: ComparedMonitoring, caption: string): string {
  return rowsTable(figureRows(m), caption);
}

/** A Monitoring table of already formatted rows (the probe figures' or a site's field figures). */
function rowsTable(rows: FigureRow[], caption: string): string {
  const head = tag(
    'thead',
    tag(
      'tr',
      [
        tag('th', 'Figure', 'scope="col"'),
        tag('th', 'This period', 'scope="col" class="num"'),
        tag('th', 'Previous', 'scope="col" class="num"'),
        tag('th', 'Change', 'scope="col" class="num"'),
        tag('th', 'Week earlier', 'scope="col" class="num"'),
        tag('th', 'Change', 'scope="col" class="num"'),
      ].join(''),
    ),
  );
  const body = rows.map((row) => {
    const mark = objectiveMark(row.meetsObjective);
    const markHtml = mark
      ? ` <span class="${row.meetsObjective ? 'mark-met' : 'mark-missed'}" title="${row.meetsObjective ? 'objective met' : 'objective missed'}">${mark}</span>`
      : '';
    return tag(
      'tr',
      [
        tag('th', esc(row.label), 'scope="row"'),
        tag('td', esc(row.current) + markHtml, 'class="num"'),
        tag('td', esc(row.previous), 'class="num"'),
        tag('td', esc(row.vsPrevious), `class="${toneClass(row.vsPreviousTone)}"`),
        tag('td', esc(row.weekEarlier), 'class="num"'),
        tag('td', esc(row.vsWeekEarlier), `class="${toneClass(row.vsWeekEarlierTone)}"`),
      ].join(''),
    );
  });
  return tag('table', tag('caption', caption) + head + tag('tbody', body.join('')));
}

/** The two 7-day charts of a target: response time against its threshold, uptime against its objective. */
function trendCharts(t: TargetTrend, index: number, r: Report): string {
  const to = r.period.end;
  const from = to - 7 * DAY_MS;
  const zone = r.period.timeZone;
  const response = lineChart({
    id: chartId(`trend-${index}-response`),
    title: `${t.target}: mean response time per hour, last 7 days`,
    points: t.responseSeconds,
    from,
    to,
    timeZone: zone,
    unit: 'seconds',
    fromZero: true,
    reference:
      t.latencyThresholdSeconds === null
        ? null
        : {
            value: t.latencyThresholdSeconds,
            label: `threshold ${formatSeconds(t.latencyThresholdSeconds)}`,
          },
  });
  const uptime = lineChart({
    id: chartId(`trend-${index}-uptime`),
    title: `${t.target}: uptime per hour, last 7 days`,
    points: t.uptime,
    from,
    to,
    timeZone: zone,
    unit: 'ratio',
    clampMax: 1,
    reference:
      t.objective === null ? null : { value: t.objective, label: `objective ${formatRatio(t.objective)}` },
    color: '#1a7f37',
  });
  const caption = (what: string) =>
    tag(
      'figcaption',
      `${what}, hourly, ${esc(formatInterval(from, to, zone))}. Gaps: no probes in that hour.`,
    );
  return tag(
    'div',
    tag('figure', response + caption('Mean response time')) + tag('figure', uptime + caption('Uptime')),
    'class="charts"',
  );
}

/** A table of formatted cells: the first cell of each row is its header, `numeric` columns align right. */
function cellTable(
  caption: string,
  headers: readonly string[],
  numeric: readonly number[],
  rows: string[][],
): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="num"' : '');
  const head = tag(
    'thead',
    tag('tr', headers.map((h, i) => tag('th', esc(h), `scope="col"${cls(i)}`)).join('')),
  );
  const body = rows.map((cells) =>
    tag(
      'tr',
      cells.map((c, i) => (i === 0 ? tag('th', c, 'scope="row"') : tag('td', c, cls(i).trim()))).join(''),
    ),
  );
  return tag('table', tag('caption', caption) + head + tag('tbody', body.join('')));
}

/** The journey card; only called with journeys (no empty tables). */
function journeyCard(r: Report): string {
  const journeys = r.monitoring.journeys;
  const vitals = hasBrowserJourneys(journeys);
  const poor = ' <span class="mark-missed" title="above the Core Web Vitals good limit">✗</span>';
  const mark = (cells: string[], columns: readonly number[]): string[] =>
    cells.map((c, i) => (columns.includes(i) ? c + poor : c));
  const steps = journeys.flatMap((j) =>
    journeyStepRows(j, vitals).map(({ cells, overObjective, aboveGood }) => {
      const out = mark(cells.map(esc), aboveGood);
      if (overObjective) out[3] += ' <span class="mark-missed" title="over its latency objective">✗</span>';
      return out;
    }),
  );
  const stepColumns = journeyStepColumns(vitals);
  return tag(
    'section',
    [
      tag('h3', 'Journeys'),
      cellTable(
        'Journeys run in the period',
        journeyColumns(vitals),
        [2, 3, 4, 5],
        journeys.map((j) => {
          const { cells, aboveGood } = journeyRow(j, vitals);
          return mark(cells.map(esc), aboveGood);
        }),
      ),
      cellTable(
        'Journey steps',
        stepColumns,
        stepColumns.map((_, i) => i).filter((i) => i >= 2),
        steps,
      ),
      tag('p', esc(journeyNote(vitals)), 'class="meta"'),
    ].join(''),
    'class="card" aria-label="Journeys"',
  );
}

/** The field figures per site; only called when Prometheus knows some site. */
function fieldCard(r: Report): string {
  const field = r.monitoring.field;
  const poor = ' <span class="mark-missed" title="p75 above the Core Web Vitals good threshold">✗</span>';
  const body = [tag('h3', 'Field data (real users)')];
  for (const site of field.sites) {
    body.push(
      tag('h4', esc(site.site)),
      rowsTable(fieldFigureRows(site.overall), `Field figures for ${esc(site.site)}`),
    );
    if (site.slices.length > 0) {
      body.push(
        cellTable(
          `${esc(site.site)} by page group and device`,
          [...FIELD_SLICE_COLUMNS],
          FIELD_SLICE_COLUMNS.map((_, i) => i).filter((i) => i >= 2),
          site.slices.map((slice) => {
            const { cells, aboveGood } = fieldSliceRow(slice);
            return cells.map((c, i) => esc(c) + (aboveGood.includes(i) ? poor : ''));
          }),
        ),
      );
    }
  }
  if (field.sitesWithoutData.length > 0)
    body.push(listOrNone(field.sitesWithoutData.map((site) => esc(noBeaconsSentence(site)))));
  body.push(tag('p', esc(fieldNote(field)), 'class="meta"'));
  return tag('section', body.join(''), 'class="card" aria-label="Field data"');
}

/** A host's CPU and memory over the 7 days up to the period's end, each with its 30-day forecast. */
function hostCharts(t: HostTrend, index: number, r: Report): string {
  const to = r.period.end;
  const from = to - 7 * DAY_MS;
  const zone = r.period.timeZone;
  const chart = (what: 'cpu' | 'memory') => {
    const forecast = what === 'cpu' ? t.cpuForecast30d : t.memoryForecast30d;
    const label = what === 'cpu' ? 'CPU utilisation' : 'memory utilisation';
    return lineChart({
      id: chartId(`host-${index}-${what}`),
      title: `${t.host}: ${label} per hour, last 7 days`,
      points: what === 'cpu' ? t.cpu : t.memory,
      from,
      to,
      timeZone: zone,
      unit: 'ratio',
      fromZero: true,
      axisMax: 1,
      clampMax: 1,
      gapReason: 'Prometheus holds no series of the host',
      reference:
        forecast === null ? null : { value: forecast, label: `in 30 days ${formatRatio(forecast, 0)}` },
      color: what === 'cpu' ? '#2f6fb0' : '#8250df',
    });
  };
  const caption = (what: string) =>
    tag(
      'figcaption',
      `${what} of ${esc(t.host)}, hourly mean, ${esc(formatInterval(from, to, zone))}; dashed: the 30-day forecast. Gaps: no series in that hour.`,
    );
  return tag(
    'div',
    tag('figure', chart('cpu') + caption('CPU utilisation')) +
      tag('figure', chart('memory') + caption('Memory utilisation')),
    'class="charts"',
  );
}

/** Hosts, filesystems, headroom and the period's load tests; one line when there is none of them. */
function capacityCard(r: Report): string {
  const c = r.monitoring.capacity;
  const zone = r.period.timeZone;
  const body = [tag('h3', 'Capacity')];
  if (!hasCapacity(c)) {
    body.push(tag('p', esc(NO_CAPACITY_SENTENCE)));
    return tag('section', body.join(''), 'class="card" aria-label="Capacity"');
  }
  const high = ' <span class="mark-missed" title="at or above 90 %">✗</span>';
  if (c.hosts.length > 0) {
    body.push(
      cellTable(
        'Hosts: utilisation over the period and in 30 days',
        HOST_COLUMNS,
        HOST_COLUMNS.map((_, i) => i).filter((i) => i >= 2),
        c.hosts.map((h) => {
          const row = hostRow(h, esc);
          return row.cells.map((cell, i) => cell + (row.high.includes(i) ? high : ''));
        }),
      ),
    );
  }
  for (const line of [hostsLeftOutSentence(c), hostsWithoutSeriesSentence(c), hostsWithoutRulesSentence(c)])
    if (line !== null) body.push(tag('p', esc(line)));
  c.trends.forEach((t, i) => body.push(hostCharts(t, i, r)));
  if (c.hosts.length > 0) {
    body.push(tag('h4', `Filesystems filling within ${c.horizonDays} days`));
    body.push(
      c.filesystems.length === 0
        ? tag('p', esc(noFillingFilesystemsSentence(c)))
        : cellTable(
            'Filesystems filling, most urgent first',
            FILESYSTEM_COLUMNS,
            [3, 4, 5],
            c.filesystems.map((f) => filesystemRow(f, zone).map(esc)),
          ),
    );
    body.push(tag('p', esc(CAPACITY_NOTE), 'class="meta"'));
  }
  if (c.headroom.length > 0) {
    const warn = ' <span class="mark-missed" title="below 1.5×">⚠</span>';
    body.push(
      tag('h4', 'Headroom of load-tested targets'),
      cellTable(
        'Knee of the last load test against the peak traffic of the period',
        HEADROOM_COLUMNS,
        [1, 2, 4],
        c.headroom.map((h) => {
          const row = headroomRow(h, zone);
          return row.cells.map((cell, i) => esc(cell) + (i === 4 && row.warn ? warn : ''));
        }),
      ),
      listOrNone(c.headroom.map((h) => esc(h.sentence))),
      tag('p', esc(HEADROOM_NOTE), 'class="meta"'),
    );
  }
  if (c.loadTests.length > 0) {
    body.push(
      tag('h4', 'Load tests in the period'),
      listOrNone(c.loadTests.map((l) => esc(loadTestLine(l, zone)))),
      tag('p', esc(LOAD_TESTS_NOTE), 'class="meta"'),
    );
  }
  return tag('section', body.join(''), 'class="card" aria-label="Capacity"');
}

function changeItem(c: ReportChange, zone: string): string {
  const kind = c.kind === 'load_test' ? 'load test, not evaluated' : c.kind;
  const what = `${esc(formatTimestamp(c.at, zone))} — <strong>${esc(c.title)}</strong>${tag('span', esc(kind), 'class="kind"')} on ${targetName(c.target)}`;
  return c.description ? `${what}: ${esc(c.description)}` : what;
}

function monitoring(r: Report): string {
  const zone = r.period.timeZone;
  const out = [tag('h2', 'Monitoring', 'id="monitoring"')];
  if (!r.hasData) {
    out.push(
      tag(
        'p',
        `${esc(noDataSentence(r))} This report has no Monitoring figures for the period.`,
        'class="nodata" role="status"',
      ),
    );
  } else {
    out.push(
      tag('section', figureTable(r.monitoring.overall, 'All targets'), 'class="card" aria-label="Overall"'),
    );
    const trends = r.monitoring.trends;
    const drawn = new Set<number>();
    for (const target of r.monitoring.targets) {
      const ti = trends.findIndex((t) => t.target === target.target);
      const name = targetName(target.target);
      const body = [
        tag('h3', `${name} ${objectiveBadge(target)}`),
        figureTable(target, `Figures for ${name}`),
      ];
      if (ti >= 0) {
        drawn.add(ti);
        body.push(trendCharts(trends[ti]!, ti, r));
      }
      out.push(tag('section', body.join(''), `class="card" aria-label="Target ${name}"`));
    }
    // Trends of targets without figures in the period (removed or renamed) still get drawn.
    trends.forEach((t, i) => {
      if (!drawn.has(i))
        out.push(tag('section', tag('h3', esc(t.target)) + trendCharts(t, i, r), 'class="card"'));
    });
    if (r.monitoring.journeys.length > 0) out.push(journeyCard(r));
    out.push(
      tag(
        'p',
        'Changes: percent for amounts, percentage points (pp) for ratios. ✓/✗: uptime meets/misses the objective. — : no data.',
        'class="meta"',
      ),
    );
  }
  const field = r.monitoring.field;
  if (field.sites.length > 0 || field.sitesWithoutData.length > 0) out.push(fieldCard(r));
  out.push(capacityCard(r));
  out.push(tag('h3', 'Changes made in the period'));
  out.push(listOrNone(r.monitoring.changes.map((c) => changeItem(c, zone))));
  return tag('section', out.join(''), 'aria-labelledby="monitoring"');
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function metricTable(e: ChangeEvaluation): string {
  const headers = [
    'Metric',
    'Median before',
    'Median after',
    'Change',
    'n before / after',
    'p-value',
    "Cliff's δ",
    'Verdict',
  ];
  const head = tag(
    'thead',
    tag(
      'tr',
      headers.map((h, i) => tag('th', esc(h), `scope="col"${i > 0 && i < 7 ? ' class="num"' : ''}`)).join(''),
    ),
  );
  const rows = e.metrics.map((m) => {
    const c = m.comparison;
    const tone: Tone = c.verdict === 'improved' ? 'good' : c.verdict === 'regressed' ? 'bad' : 'neutral';
    return tag(
      'tr',
      [
        tag('th', esc(m.label), 'scope="row"'),
        tag('td', esc(formatValue(c.medianBefore, m.unit)), 'class="num"'),
        tag('td', esc(formatValue(c.medianAfter, m.unit)), 'class="num"'),
        tag('td', esc(formatChangeRatio(c.changeRatio)), `class="${toneClass(tone)}"`),
        tag('td', `${formatCount(c.n1)} / ${formatCount(c.n2)}`, 'class="num"'),
        tag('td', esc(formatPValue(c.p)), 'class="num"'),
        tag('td', esc(formatEffect(c)), 'class="num"'),
        tag('td', esc(formatMetricVerdict(c))),
      ].join(''),
    );
  });
  return tag('table', tag('caption', 'Before/after per metric') + head + tag('tbody', rows.join('')));
}

function metricFigure(m: MetricEvaluation, e: ChangeEvaluation, key: string): string {
  if (m.before.length === 0 && m.after.length === 0) {
    return tag('p', `${esc(m.label)}: no samples on either side, nothing to draw.`, 'class="meta"');
  }
  const chart = distributionChart({
    id: chartId(key),
    title: `${m.label} before and after "${e.change.title}" on ${e.target}`,
    before: m.before,
    after: m.after,
    unit: m.unit,
    higherIsBetter: m.higherIsBetter,
  });
  return tag('figure', chart + tag('figcaption', esc(m.sentence)));
}

function evaluationCard(e: ChangeEvaluation, index: number, zone: string): string {
  const c = e.change;
  const facts: [string, string][] = [
    ['Change', `#${c.id} ${tag('span', esc(c.kind), 'class="kind"')} at ${esc(formatTimestamp(c.at, zone))}`],
  ];
  if (c.description) facts.push(['Description', esc(c.description)]);
  facts.push(
    ['Before', esc(formatInterval(e.before.start, e.before.end, zone))],
    ['After', esc(formatInterval(e.after.start, e.after.end, zone))],
    ['Window', esc(formatDuration(e.windowMs / 1000))],
    [
      'Maintenance excluded',
      e.excludedMaintenanceMs > 0 ? esc(formatDuration(e.excludedMaintenanceMs / 1000)) : 'none',
    ],
  );
  if (e.note) facts.push(['Note', esc(e.note)]);
  const body = [
    tag('h3', `${esc(c.title)} — ${esc(e.target)} ${verdictBadge(e.verdict)}`),
    tag('dl', facts.map(([k, v]) => tag('dt', k) + tag('dd', v)).join(''), 'class="facts"'),
  ];
  if (e.metrics.length > 0) {
    body.push(metricTable(e));
    e.metrics.forEach((m, mi) => body.push(metricFigure(m, e, `eval-${index}-${mi}`)));
  } else {
    body.push(tag('p', 'No metrics could be evaluated.'));
  }
  return tag('section', body.join(''), 'class="card"');
}

function fieldEvaluationCard(e: FieldChangeEvaluation, zone: string): string {
  const c = e.change;
  const facts: [string, string][] = [
    ['Change', `#${c.id} ${tag('span', esc(c.kind), 'class="kind"')} at ${esc(formatTimestamp(c.at, zone))}`],
    [
      'Concerns',
      e.scope === 'target' ? `${targetName(c.target)}, whose origin is ${esc(e.site)}'s` : 'every target',
    ],
    ['Before', esc(formatInterval(e.before.start, e.before.end, zone))],
    ['After', esc(formatInterval(e.after.start, e.after.end, zone))],
    ['Window', esc(formatDuration(e.windowMs / 1000))],
    [
      'Page views',
      `${esc(formatCount(e.pageViews.before))} before, ${esc(formatCount(e.pageViews.after))} after`,
    ],
  ];
  if (e.note) facts.push(['Note', esc(e.note)]);
  const verdict = e.verdict === 'no significant change' ? 'no change beyond noise' : e.verdict;
  return tag(
    'section',
    [
      tag('h3', `${esc(c.title)} — real users of ${esc(e.site)} ${verdictBadge(verdict)}`),
      tag('dl', facts.map(([k, v]) => tag('dt', k) + tag('dd', v)).join(''), 'class="facts"'),
      cellTable(
        `Field p75 before and after "${esc(c.title)}" on ${esc(e.site)}`,
        [...FIELD_EVALUATION_COLUMNS],
        [1, 2, 3, 4],
        e.vitals.map((v) => fieldEvaluationRow(v).map(esc)),
      ),
      tag('ul', e.vitals.map((v) => tag('li', esc(v.sentence))).join('')),
    ].join(''),
    'class="card"',
  );
}

function incidents(r: Report): string {
  const list = r.evaluation.incidents;
  if (list.length === 0) return tag('p', 'No incidents in the period.');
  const zone = r.period.timeZone;
  const opened = list.filter((i) => i.openedInPeriod).length;
  const resolved = list.filter((i) => i.resolvedInPeriod).length;
  const firing = list.filter((i) => i.openAtEnd).length;
  const head = tag(
    'thead',
    tag('tr', INCIDENT_COLUMNS.map((h) => tag('th', esc(h), 'scope="col"')).join('')),
  );
  const rows = list.map((i) =>
    tag(
      'tr',
      [
        tag('th', esc(i.alertname), 'scope="row"'),
        tag('td', targetName(i.target)),
        tag('td', esc(i.severity)),
        tag('td', esc(formatIncidentTime(i.startsAt, zone))),
        tag('td', esc(incidentEnd(i, zone))),
        tag('td', esc(incidentDuration(i)), 'class="num"'),
        tag('td', esc(i.timesFrom)),
        tag('td', esc(incidentAlertTimes(i, zone))),
        tag('td', esc(incidentStatus(i))),
        tag('td', esc(i.summary)),
      ].join(''),
    ),
  );
  return (
    tag('p', `${opened} opened, ${resolved} resolved, ${firing} still firing at the end of the period.`) +
    tag('table', tag('caption', 'Incidents') + head + tag('tbody', rows.join(''))) +
    tag('p', esc(INCIDENT_TIMES_NOTE))
  );
}

function evaluation(r: Report): string {
  const zone = r.period.timeZone;
  const changes =
    r.evaluation.changes.length === 0
      ? tag('p', 'No changes to evaluate.')
      : r.evaluation.changes.map((e, i) => evaluationCard(e, i, zone)).join('');
  return tag(
    'section',
    tag('h2', 'Evaluation', 'id="evaluation"') +
      changes +
      (r.evaluation.field.length > 0
        ? tag('h3', 'Changes in the field') +
          r.evaluation.field.map((e) => fieldEvaluationCard(e, zone)).join('') +
          tag('p', esc(FIELD_EVALUATION_NOTE), 'class="meta"')
        : '') +
      tag('section', tag('h3', 'Incidents') + incidents(r), 'class="card"'),
    'aria-labelledby="evaluation"',
  );
}

// ---------------------------------------------------------------------------------------------
// Learning

function trendItem(t: TrendWarning, zone: string): string {
  return `${esc(t.sentence)} ` + tag('span', esc(`(${trendDetail(t, zone)})`), 'class="meta"');
}

function recommendations(r: Report): string {
  const list = r.learning.recommendations;
  if (list.length === 0) return tag('p', 'None.');
  const headers = ['Target', 'Recommendation', 'What to do', 'Estimated saving'];
  const head = tag(
    'thead',
    tag('tr', headers.map((h, i) => tag('th', h, `scope="col"${i === 3 ? ' class="num"' : ''}`)).join('')),
  );
  const rows = list.map((x) =>
    tag(
      'tr',
      [
        tag('th', esc(x.target), 'scope="row"'),
        tag('td', `${esc(x.title)} ${tag('code', esc(x.audit))}`),
        tag('td', esc(x.advice)),
        tag('td', esc(formatSavings(x.savingsSeconds, x.savingsBytes)), 'class="num"'),
      ].join(''),
    ),
  );
  return tag('table', tag('caption', 'Lighthouse opportunities') + head + tag('tbody', rows.join('')));
}

function learning(r: Report): string {
  const zone = r.period.timeZone;
  const l = r.learning;
  const block = (title: string, content: string) =>
    tag('section', tag('h3', title) + content, 'class="card"');
  return tag(
    'section',
    [
      tag('h2', 'Learning', 'id="learning"'),
      block(
        'Recurring incidents',
        listOrNone(
          l.recurringIncidents.map(
            (i) =>
              `${esc(i.sentence)} ` +
              tag(
                'span',
                esc(
                  `(${i.count}×, ${formatTimestamp(i.firstAt, zone)} to ${formatTimestamp(i.lastAt, zone)})`,
                ),
                'class="meta"',
              ),
          ),
        ),
      ),
      block(
        'Failure patterns',
        listOrNone(
          l.failurePatterns.map(
            (p) => `${esc(p.sentence)} ` + tag('span', esc(`(${formatPValue(p.pattern.p)})`), 'class="meta"'),
          ),
        ),
      ),
      block('Trend warnings', listOrNone(l.trends.map((t) => trendItem(t, zone)))),
      block('Recommendations', recommendations(r)),
      block(
        'Open problems',
        listOrNone(
          l.openProblems.map(
            (p) =>
              `${esc(p.sentence)} ${tag('span', `${esc(p.kind)}${problemNamesTarget(p) ? `, ${targetName(p.target)}` : ''}`, 'class="kind"')}`,
          ),
        ),
      ),
    ].join(''),
    'aria-labelledby="learning"',
  );
}

// ---------------------------------------------------------------------------------------------

function footer(r: Report): string {
  const zone = r.period.timeZone;
  // The Prometheus address is printed, not linked: the document makes no reference to the network.
  return tag(
    'footer',
    tag(
      'p',
      `Generated ${esc(formatTimestamp(r.generatedAt, zone))} by vantage from ${tag('code', esc(r.prometheusUrl))}. ` +
        `Previous period: ${esc(formatInterval(r.previous.start, r.previous.end, zone))}; ` +
        `week earlier: ${esc(formatInterval(r.weekEarlier.start, r.weekEarlier.end, zone))}. ` +
        `Times in ${esc(zoneLabel(zone))}. — means no data.`,
    ),
  );
}

/** The whole report as a standalone HTML5 document, ending in a newline. */
export function renderHtml(report: Report): string {
  const head =
    '<meta charset="utf-8"/>' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>' +
    '<meta name="color-scheme" content="light"/>' +
    tag('title', esc(report.title)) +
    tag('style', STYLE);
  const body = tag(
    'main',
    summaryCard(report) + monitoring(report) + evaluation(report) + learning(report) + footer(report),
  );
  return `<!DOCTYPE html>\n<html lang="en">${tag('head', head)}${tag('body', body)}</html>\n`;
}
