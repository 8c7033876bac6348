import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import {
  formatBytes,
  formatChangeRatio,
  formatCount,
  formatDuration,
  formatPercentChange,
  formatPercentagePoints,
  formatPValue,
  formatRatio,
  formatSeconds,
  NO_DATA,
} from '../../src/format/index.js';
import { formatSavings, formatTimestamp } from '../../src/report/render/format.js';
import {
  escapeMarkdown,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderReport,
  renderSummary,
} from '../../src/report/render/index.js';
import { lineChart, niceTicks, seriesSegments } from '../../src/report/render/svg.js';
import { localMidnights } from '../../src/time/period.js';
import { emptyReport, sampleReport } from '../helpers/sampleReport.js';
import { xmlProblem } from '../helpers/xmlProblem.js';

const HOSTILE = 'Fast | path *now* <script>alert(1)</script> & [x](http://evil)';

function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** The lines of one "## Section" of the Markdown, up to the next "## ". */
function mdSection(md: string, name: string): string {
  const start = md.indexOf(`\n## ${name}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = md.indexOf('\n## ', start + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

/** Table cells of a Markdown row, splitting only on pipes that are not escaped. */
function cells(row: string): number {
  return row.split(/(?<!\\)\|/).length - 2;
}

function withHostileText(): Report {
  const r = sampleReport();
  r.evaluation.changes[0]!.change.title = HOSTILE;
  r.monitoring.changes[0]!.title = HOSTILE;
  r.monitoring.targets[0]!.target = 'evil|<b>x</b>';
  r.evaluation.incidents[0]!.summary = HOSTILE;
  r.learning.recommendations[0]!.advice = HOSTILE;
  r.summary.highlights.push(HOSTILE);
  return r;
}

describe('format helpers', () => {
  it('formats seconds as ms below a second and s above', () => {
    expect(formatSeconds(0.8123)).toBe('812 ms');
    expect(formatSeconds(1.2345)).toBe('1.23 s');
    expect(formatSeconds(0.9996)).toBe('1.00 s');
    expect(formatSeconds(0.0042)).toBe('4.2 ms');
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(-0.25)).toBe('−250 ms');
  });

  it('formats ratios, changes and percentage points with a real minus sign', () => {
    expect(formatRatio(0.9995)).toBe('99.95 %');
    expect(formatRatio(1)).toBe('100.00 %');
    expect(formatRatio(0.99999)).toBe('>99.99 %');
    expect(formatRatio(0.000001)).toBe('<0.01 %');
    expect(formatChangeRatio(-0.1234)).toBe('−12.3 %');
    expect(formatPercentChange(31.58)).toBe('+31.6 %');
    expect(formatPercentChange(-0.01)).toBe('0.0 %');
    expect(formatPercentagePoints(0.05)).toBe('+0.05 pp');
    expect(formatPercentagePoints(-0.1333)).toBe('−0.13 pp');
  });

  it('formats bytes, durations, counts, savings, p-values and zoned timestamps', () => {
    expect(formatBytes(340 * 1024)).toBe('340 KiB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatDuration(5520)).toBe('1 h 32 min');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatDuration(2 * 86_400 + 3 * 3600)).toBe('2 d 3 h');
    expect(formatCount(18_640)).toBe('18,640');
    expect(formatCount(8639.6)).toBe('≈ 8,640');
    expect(formatSavings(1.2, 340 * 1024)).toBe('≈ 1.20 s, 340 KiB');
    expect(formatSavings(null, null)).toBe(NO_DATA);
    expect(formatPValue(0.0004)).toBe('p < 0.001');
    expect(formatPValue(0.0234)).toBe('p = 0.023');
    expect(formatTimestamp(Date.UTC(2025, 0, 14, 1), 'Europe/Berlin')).toBe('2025-01-14 02:00 Europe/Berlin');
    expect(formatTimestamp(Date.UTC(2025, 6, 14, 1), 'Europe/Berlin')).toBe('2025-07-14 03:00 Europe/Berlin');
    expect(formatTimestamp(Date.UTC(2025, 0, 14, 1), 'Etc/UTC')).toBe('2025-01-14 01:00 UTC');
  });

  it('renders absent and non-finite figures as "—", never as 0', () => {
    for (const f of [formatSeconds, formatRatio, formatPercentChange, formatPercentagePoints, formatBytes]) {
      expect(f(null)).toBe('—');
      expect(f(Number.NaN)).toBe('—');
      expect(f(Number.POSITIVE_INFINITY)).toBe('—');
    }
    expect(formatDuration(null)).toBe('—');
    expect(formatPValue(null)).toBe('—');
  });
});

describe('chart helpers', () => {
  it('picks nice ticks covering the range', () => {
    const s = niceTicks(0.13, 0.97, 5);
    expect(s.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.9952, 1, 4).ticks).toEqual([0.994, 0.996, 0.998, 1]);
    // One value still gets an axis around it.
    const flat = niceTicks(2, 2);
    expect(flat.min).toBeLessThan(2);
    expect(flat.max).toBeGreaterThan(2);
  });

  it('finds local midnights in the zone, across a DST change', () => {
    const from = Date.UTC(2025, 2, 27, 23); // Fri 28 Mar 00:00 Berlin (CET)
    const midnights = localMidnights(from, from + 4 * 86_400_000, 'Europe/Berlin');
    expect(midnights.map((t) => new Date(t).toISOString())).toEqual([
      '2025-03-27T23:00:00.000Z',
      '2025-03-28T23:00:00.000Z',
      '2025-03-29T23:00:00.000Z',
      '2025-03-30T22:00:00.000Z', // CEST from 30 March: midnight is 22:00 UTC
      '2025-03-31T22:00:00.000Z',
    ]);
  });

  it('breaks the line at null values and missing points instead of dropping to zero', () => {
    const t0 = Date.UTC(2025, 0, 8);
    const h = 3_600_000;
    const points = [
      { t: t0, value: 1 },
      { t: t0 + h, value: 2 },
      { t: t0 + 2 * h, value: null },
      { t: t0 + 3 * h, value: 3 },
      { t: t0 + 4 * h, value: 4 },
      { t: t0 + 8 * h, value: 5 }, // four hours missing altogether
    ];
    expect(seriesSegments(points).map((s) => s.map((p) => p.value))).toEqual([[1, 2], [3, 4], [5]]);
    const svg = lineChart({
      id: 'x',
      title: 't',
      points,
      from: t0,
      to: t0 + 8 * h,
      timeZone: 'UTC',
      unit: 'seconds',
    });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(3);
    // Exactly one drawn point per present value: no invented zero for the gap.
    expect(d.match(/[ML]/g)).toHaveLength(5);
    expect(svg).toContain('<circle'); // the lone point after the gap is still visible
    expect(xmlProblem(svg)).toBeNull();
  });
});

describe('renderMarkdown', () => {
  const r = sampleReport();
  const md = renderMarkdown(r);

  it('has the title, headline, highlights and the three sections', () => {
    expect(md.startsWith('# vantage daily report 2025-01-14 (Europe/Berlin)\n')).toBe(true);
    expect(md).toContain(`**${r.summary.headline}**`);
    for (const h of r.summary.highlights) expect(md).toContain(`- ${h}`);
    for (const s of ['## Monitoring', '## Evaluation', '## Learning', '### Per target', '### Incidents']) {
      expect(md).toContain(`\n${s}\n`);
    }
  });

  it('prints the monitoring figures with objective marks, pp for ratios and percent for amounts', () => {
    const monitoring = mdSection(md, 'Monitoring');
    // shop: 99.95 % against 99.90 % the day before and 99.98 % a week earlier.
    expect(monitoring).toContain(
      '| Uptime (objective 99.90 %) | 99.95 % ✓ | 99.90 % | +0.05 pp | 99.98 % | −0.03 pp |',
    );
    expect(monitoring).toContain('| **api** | Uptime (objective 99.90 %) | 99.77 % ✗ |');
    expect(monitoring).toContain('| Mean response time | 487 ms | 812 ms | −40.0 % | 790 ms | −38.3 % |');
    expect(monitoring).toContain('| Error rate | 0.05 % | 0.10 % | −0.05 pp |');
    expect(monitoring).toContain('| Probes | 18,640 | 18,640 | 0.0 % |');
    // Null figures read "—": api has no TTFB this period, shop no Lighthouse a week earlier.
    expect(monitoring).toContain('| Time to first byte | — | 51 ms | — | — | — |');
    expect(monitoring).toContain('| Cumulative layout shift | 0.052 | — | — | — | — |');
    // api has no Lighthouse audits at all: no rows of dashes for it.
    const apiRows = monitoring.slice(monitoring.indexOf('**api**'), monitoring.indexOf('**shop**'));
    expect(apiRows).not.toContain('Lighthouse');
    // The other category scores where audited; SEO was not audited in any period: no row.
    expect(monitoring).toContain('| Lighthouse accessibility | 96 | 96 | 0.0 % |');
    expect(monitoring).toContain('| Lighthouse best practices | 100 | 92 | +8.7 % |');
    expect(monitoring).not.toContain('Lighthouse SEO');
    expect(monitoring).toContain('Upgrade api to v2.3.1');
  });

  it('prints each change evaluation with windows, medians, p-value, effect size and verdict', () => {
    const evaluation = mdSection(md, 'Evaluation');
    const e = r.evaluation.changes[0]!;
    expect(evaluation).toContain('#### Enable Brotli compression on the CDN — shop');
    expect(evaluation).toContain('- Before: 2025-01-10 10:00 – 2025-01-12 10:00 Europe/Berlin');
    expect(evaluation).toContain('- Maintenance excluded: 1 h');
    expect(evaluation).toContain('- Verdict: **improved**');
    const c = e.metrics[0]!.comparison;
    expect(evaluation).toContain(
      `| response time | ${formatSeconds(c.medianBefore)} → ${formatSeconds(c.medianAfter)} |`,
    );
    expect(evaluation).toMatch(
      /\| response time \|[^\n]+\| p < 0\.001 \| δ = −0\.\d\d \(large\) \| improved \|/,
    );
    expect(evaluation).toContain('no significant change');
    expect(evaluation).toContain('| 1 h 32 min |');
    expect(evaluation).toContain('2 opened, 1 resolved, 1 still firing');
  });

  it('prints the learning items with savings', () => {
    const learning = mdSection(md, 'Learning');
    expect(learning).toContain('api fails every day around 02:00 Europe/Berlin');
    expect(learning).toContain('VantageTargetDown fired 3 times');
    expect(learning).toContain('heading for 2.5 s');
    expect(learning).toContain('| ≈ 1.20 s, 340 KiB |');
    expect(learning).toContain('| ≈ 1.5 MiB |');
    for (const p of r.learning.openProblems) expect(learning).toContain(p.sentence);
  });

  it('says plainly that there is no data and prints no figures', () => {
    const empty = renderMarkdown(emptyReport());
    const monitoring = mdSection(empty, 'Monitoring');
    expect(monitoring).toContain(
      'No data: Prometheus holds no vantage probes between 2025-01-14 00:00 and 2025-01-15 00:00 Europe/Berlin.',
    );
    expect(monitoring).not.toMatch(/^\|/m);
    expect(empty).not.toMatch(/\d %|\d ms|\d s\b/);
    expect(empty).not.toContain('Uptime');
  });

  it('escapes user text so it cannot break tables or inject markup', () => {
    const hostile = renderMarkdown(withHostileText());
    // Every "<" that could open a tag is backslash-escaped.
    expect(hostile).not.toMatch(/(?<!\\)<[A-Za-z/]/);
    expect(hostile).toContain('evil\\|\\<b>x\\</b>');
    expect(hostile).toContain('Fast \\| path \\*now\\* \\<script>alert(1)\\</script> & \\[x\\](http://evil)');
    // Every table row has as many cells as its header.
    const lines = hostile.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('|') || lines[i - 1]?.startsWith('|')) continue;
      const width = cells(lines[i]!);
      for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++)
        expect(cells(lines[j]!)).toBe(width);
    }
  });

  it('escapes only what changes the structure', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('p < 0.001 (−40 %)')).toBe('p < 0.001 (−40 %)');
    expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
    expect(escapeMarkdown('line\nbreak')).toBe('line break');
  });
});

describe('renderHtml', () => {
  const r = sampleReport();
  const html = renderHtml(r);

  it('is a complete, well-formed, self-contained document', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(xmlProblem(html.replace(/^<!DOCTYPE html>\n/, ''))).toBeNull();
    expect(html).not.toMatch(/\b(?:src|href|xlink:href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<img|<iframe|<object|<embed/i);
    expect(html).toContain('@media print');
    expect(html).toMatch(/break-inside:\s*avoid/);
    expect(html).toContain('<title>vantage daily report 2025-01-14 (Europe/Berlin)</title>');
  });

  it('has the summary card, objective badges and the three sections', () => {
    expect(html).toContain(r.summary.headline);
    expect(html).toContain('objective met, 99.95 % ≥ 99.90 %');
    expect(html).toContain('objective missed, 99.77 % below 99.90 %');
    for (const id of ['monitoring', 'evaluation', 'learning']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<th scope="col"');
    expect(html).toContain('≈ 1.20 s, 340 KiB');
    expect(html).toContain('1 h 32 min');
  });

  it('draws a trend chart pair per target and a distribution chart per evaluated metric', () => {
    const charts = svgs(html);
    const metrics = r.evaluation.changes.flatMap((e) => e.metrics);
    expect(charts).toHaveLength(2 * r.monitoring.trends.length + metrics.length);
    for (const svg of charts) {
      expect(xmlProblem(svg)).toBeNull();
      expect(svg).toContain('role="img"');
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>/);
      const labelled = /aria-labelledby="([^" ]+)/.exec(svg)![1]!;
      expect(svg).toContain(`id="${labelled}"`);
    }
    const ids = charts.map((svg) => /<title id="([^"]+)"/.exec(svg)![1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of r.monitoring.trends) {
      expect(html).toContain(`${t.target}: mean response time per hour, last 7 days`);
      expect(html).toContain(`${t.target}: uptime per hour, last 7 days`);
    }
    for (const m of metrics) expect(html).toContain(`${m.label} before and after`);
    // Before and after labelled, medians printed, day labels in the report's zone.
    const dist = charts.find((svg) => svg.includes('response time before and after'))!;
    expect(dist).toContain('>Before</text>');
    expect(dist).toContain('>After</text>');
    expect(dist).toContain(`median ${formatSeconds(metrics[0]!.comparison.medianBefore)}`);
    expect(dist).toContain(`median ${formatSeconds(metrics[0]!.comparison.medianAfter)}`);
    expect(html).toContain('>Tue 14 Jan</text>');
    expect(html).toContain('days in Europe/Berlin');
  });

  it('draws gaps in the trends as breaks in the line, with the threshold dashed', () => {
    const shop = svgs(html).find((svg) => svg.includes('shop: mean response time per hour'))!;
    const d = /<path d="([^"]+)"/.exec(shop)![1]!;
    expect(d.match(/M/g)!.length).toBeGreaterThan(1);
    const present = r.monitoring.trends[1]!.responseSeconds.filter((p) => p.value !== null).length;
    expect(d.match(/[ML]/g)).toHaveLength(present);
    expect(shop).toContain('stroke-dasharray');
    expect(shop).toContain('threshold 1.00 s');
    const uptime = svgs(html).find((svg) => svg.includes('shop: uptime per hour'))!;
    expect(uptime).toContain('objective 99.90 %');
  });

  it('escapes every piece of user text', () => {
    const hostile = renderHtml(withHostileText());
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<b>x</b>');
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile).toContain('evil|&lt;b&gt;x&lt;/b&gt;');
    expect(xmlProblem(hostile.replace(/^<!DOCTYPE html>\n/, ''))).toBeNull();
  });

  it('says plainly that there is no data and draws no figures or charts', () => {
    const empty = renderHtml(emptyReport());
    expect(empty).toContain(
      'No data: Prometheus holds no vantage probes between 2025-01-14 00:00 and 2025-01-15 00:00 Europe/Berlin.',
    );
    expect(empty).not.toContain('<svg');
    expect(empty).not.toContain('<table');
    expect(empty).not.toMatch(/\d %|\d ms/);
    expect(xmlProblem(empty.replace(/^<!DOCTYPE html>\n/, ''))).toBeNull();
  });
});

describe('renderJson', () => {
  it('round-trips the report', () => {
    const r = sampleReport();
    const json = renderJson(r);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(r);
    expect(JSON.parse(renderJson(emptyReport()))).toEqual(emptyReport());
  });

  it('writes non-finite numbers as null', () => {
    const r = sampleReport();
    r.monitoring.overall.uptime.current = Number.NaN;
    r.monitoring.overall.meanResponseSeconds.vsPrevious = Number.POSITIVE_INFINITY;
    r.evaluation.changes[0]!.metrics[0]!.before[0] = Number.NEGATIVE_INFINITY;
    const json = renderJson(r);
    expect(json).not.toMatch(/NaN|Infinity/);
    const parsed = JSON.parse(json) as Report;
    expect(parsed.monitoring.overall.uptime.current).toBeNull();
    expect(parsed.monitoring.overall.meanResponseSeconds.vsPrevious).toBeNull();
    expect(parsed.evaluation.changes[0]!.metrics[0]!.before[0]).toBeNull();
  });
});

describe('renderSummary', () => {
  it('is short and carries the headline, highlights and counts', () => {
    const r = sampleReport();
    const text = renderSummary(r);
    expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    expect(text).toContain(r.summary.headline);
    for (const h of r.summary.highlights) expect(text).toContain(h);
    expect(text).toContain('1 improved, 0 regressed');
    expect(text).toContain('Open problems: 3');
  });

  it('stays within 15 lines with many highlights, and says when there is no data', () => {
    const r = sampleReport();
    r.summary.highlights = Array.from({ length: 30 }, (_, i) => `highlight ${i}`);
    const text = renderSummary(r);
    expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    expect(text).toContain('… and 22 more');
    expect(renderSummary(emptyReport())).toContain('No data: Prometheus holds no vantage probes');
  });

  it('escapes the characters chat clients turn into links and mentions', () => {
    const r = sampleReport();
    r.summary.highlights = ['<!channel> & <http://evil|click>'];
    const text = renderSummary(r);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(text).not.toContain('<');
  });
});

describe('renderReport', () => {
  it('dispatches on the format', () => {
    const r = sampleReport();
    expect(renderReport(r, 'md')).toBe(renderMarkdown(r));
    expect(renderReport(r, 'html')).toBe(renderHtml(r));
    expect(renderReport(r, 'json')).toBe(renderJson(r));
  });
});
