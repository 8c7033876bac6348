/**
 * The Capacity part's pure pieces (src/report/capacityFigures.ts, render/capacityFormat.ts):
 * headroom and its reading, which filesystems fill within 30 days and in which order, the
 * sentences, and the part in Markdown, HTML and JSON (a short line when there is nothing to show).
 */
import { describe, expect, it } from 'vitest';
import {
  describeHeadroom,
  fillingFilesystems,
  headroomOf,
  type CapacityMonitoring,
  type FilesystemForecast,
  type HeadroomStatus,
  type PeakTraffic,
  type TargetHeadroom,
} from '../../src/report/capacityFigures.js';
import type { SeriesPoint } from '../../src/report/model.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/render/index.js';
import { hostRow, NO_CAPACITY_SENTENCE } from '../../src/report/render/capacityFormat.js';
import { reportCommand } from '../../src/report/reportCommand.js';
import { NO_CAPACITY, sampleReport } from '../helpers/sampleReport.js';
import { xmlProblem } from '../helpers/xmlProblem.js';

const DAY = 86_400_000;
const END = Date.UTC(2025, 0, 15);

describe('headroomOf', () => {
  it.each<[number | null, number | null, number | null, HeadroomStatus]>([
    [420, 131.25, 3.2, 'ample'],
    [300, 200, 1.5, 'ample'], // exactly 1.5× is enough
    [290, 200, 1.45, 'low'],
    [200, 200, 1, 'low'],
    [150, 200, 0.75, 'exceeded'],
    [null, 200, null, 'no-knee'],
    [null, null, null, 'no-knee'],
    [420, null, null, 'no-traffic'],
    [420, Number.NaN, null, 'no-traffic'],
    [420, 0, null, 'idle'],
  ])('knee %s, peak %s -> %s (%s)', (knee, peak, ratio, status) => {
    const h = headroomOf(knee, peak);
    expect(h.status).toBe(status);
    if (ratio === null) expect(h.ratio).toBeNull();
    else expect(h.ratio).toBeCloseTo(ratio, 10);
  });
});

describe('fillingFilesystems', () => {
  const fs = (mountpoint: string, days: number, host = 'web-1:9100'): FilesystemForecast => ({
    host,
    device: `/dev/${mountpoint.replace(/\W/g, '') || 'root'}`,
    mountpoint,
    fstype: 'ext4',
    secondsUntilFull: days * 86_400,
    availableRatio: 0.2,
  });

  it.each<[string, FilesystemForecast[], string[]]>([
    ['none filling', [fs('/', Infinity), fs('/var', Number.NaN)], []],
    [
      'beyond 30 days left out, 30 days exactly too',
      [fs('/', 45), fs('/data', 30), fs('/var', 29.9)],
      ['/var'],
    ],
    ['most urgent first', [fs('/a', 20), fs('/b', 2), fs('/c', 11)], ['/b', '/c', '/a']],
    ['ties by host then mount point', [fs('/b', 5, 'z:9100'), fs('/b', 5), fs('/a', 5)], ['/a', '/b', '/b']],
    ['already full (negative) first, as 0', [fs('/a', 3), fs('/full', -2)], ['/full', '/a']],
  ])('%s', (_name, forecasts, mountpoints) => {
    const out = fillingFilesystems(forecasts, END, 'UTC');
    expect(out.map((f) => f.mountpoint)).toEqual(mountpoints);
    for (const f of out) {
      expect(f.secondsUntilFull).toBeGreaterThanOrEqual(0);
      expect(f.fullAt).toBe(END + f.secondsUntilFull * 1000);
    }
  });

  it('says when and how much is free', () => {
    const [f] = fillingFilesystems([fs('/var', 12.34)], END, 'UTC');
    expect(f!.sentence).toBe(
      'web-1:9100 /var (/dev/var) fills in 12.3 days at the 7-day trend (around 2025-01-27); 20.00 % free now.',
    );
    const [full] = fillingFilesystems([fs('/', -1)], END, 'UTC');
    expect(full!.sentence).toBe('web-1:9100 / (/dev/root) is full at its 7-day trend; 20.00 % free now.');
  });
});

function headroom(
  overrides: Partial<Omit<TargetHeadroom, 'sentence'>> = {},
): Omit<TargetHeadroom, 'sentence'> {
  return {
    target: 'shop',
    loadTest: {
      id: 3,
      changeId: 41,
      url: 'http://127.0.0.1:8080/',
      startedAt: END - 2 * DAY - 600_000,
      finishedAt: END - 2 * DAY,
      outcome: 'completed',
      stopReason: null,
      sloLatencySeconds: 0.5,
      knee: { rate: 420, p95Seconds: 0.31 },
    },
    traffic: {
      source: 'field',
      unit: 'page_views_per_second',
      perSecond: 131.25,
      sites: ['shop'],
      query: null,
    },
    trafficNote: null,
    ratio: 3.2,
    status: 'ample',
    loadTestAgeDays: 2,
    ...overrides,
  };
}

describe('describeHeadroom', () => {
  const requests: PeakTraffic = {
    source: 'traffic_query',
    unit: 'requests_per_second',
    perSecond: 300,
    sites: [],
    query: 'x',
  };
  it.each<[string, Partial<Omit<TargetHeadroom, 'sentence'>>, string]>([
    [
      'ample, from page views',
      {},
      "shop can take 3.2× the day's peak of 131 page views/s (field data of shop), page views counted as requests: knee 420 requests/s (load test #3 of 2025-01-13).",
    ],
    [
      'low, from traffic_query',
      { traffic: requests, ratio: 1.4, status: 'low' },
      "Warning: shop can take only 1.4× the day's peak of 300 requests/s (traffic_query): knee 420 requests/s (load test #3 of 2025-01-13). Below 1.5× a traffic spike reaches the knee; add capacity or make it faster.",
    ],
    [
      'exceeded',
      { traffic: { ...requests, perSecond: 525 }, ratio: 0.8, status: 'exceeded' },
      "Warning: shop's traffic went past its knee: the day's peak of 525 requests/s (traffic_query) against a knee 420 requests/s (load test #3 of 2025-01-13), 0.8×; at that peak its p95 latency likely broke the objective.",
    ],
    [
      'no knee',
      { loadTest: { ...headroom().loadTest, knee: null }, traffic: null, ratio: null, status: 'no-knee' },
      'shop has no knee: in load test #3 of 2025-01-13 even the first step missed the latency objective (500 ms) or had 1 % errors, so its headroom is unknown.',
    ],
    [
      'no traffic figure',
      {
        traffic: null,
        trafficNote:
          'no field data joins the target (vantage_rum_target_page_group_info); set traffic_query on the target in vantage.yml.',
        ratio: null,
        status: 'no-traffic',
      },
      'shop: knee 420 requests/s (load test #3 of 2025-01-13); no traffic figure: no field data joins the target (vantage_rum_target_page_group_info); set traffic_query on the target in vantage.yml.',
    ],
    [
      'an old knee',
      { loadTestAgeDays: 120.5 },
      "shop can take 3.2× the day's peak of 131 page views/s (field data of shop), page views counted as requests: knee 420 requests/s (load test #3 of 2025-01-13). The knee is 120 days old: run the load test again.",
    ],
  ])('%s', (_name, overrides, sentence) => {
    expect(describeHeadroom(headroom(overrides), 'day', 'UTC')).toBe(sentence);
  });

  it("names the period's peak for weeks and months", () => {
    expect(describeHeadroom(headroom(), 'week', 'UTC')).toContain("3.2× the week's peak");
    expect(describeHeadroom(headroom(), 'month', 'UTC')).toContain("3.2× the month's peak");
  });
});

describe('hostRow', () => {
  it('marks figures at or above 90 % and names the busiest disk', () => {
    const { cells, high } = hostRow({
      host: 'web-1:9100',
      targets: ['api', 'shop'],
      cpu: { mean: 0.42, peak: 0.93, forecast30d: 0.9 },
      memory: { mean: 0.5, peak: 0.61, forecast30d: null },
      diskIo: { peak: 0.25, device: 'sda' },
      hasSeries: true,
    });
    expect(cells).toEqual([
      'web-1:9100',
      'api, shop',
      '42.0 %',
      '93.0 %',
      '90.0 %',
      '50.0 %',
      '61.0 %',
      '—',
      '25.0 % (sda)',
    ]);
    expect(high).toEqual([3, 4]);
  });
});

/** 7 days of hourly points up to the sample report's end. */
function hourly(value: (i: number) => number | null): SeriesPoint[] {
  const end = sampleReport().period.end;
  return Array.from({ length: 168 }, (_, i) => ({ t: end - (167 - i) * 3_600_000, value: value(i) }));
}

function sampleCapacity(): CapacityMonitoring {
  const h = headroom({ ratio: 1.4, status: 'low', traffic: { ...headroom().traffic!, perSecond: 300 } });
  return {
    ...NO_CAPACITY,
    hosts: [
      {
        host: 'web-1:9100',
        targets: ['shop'],
        cpu: { mean: 0.42, peak: 0.93, forecast30d: 0.71 },
        memory: { mean: 0.5, peak: 0.61, forecast30d: 0.66 },
        diskIo: { peak: 0.25, device: 'sda' },
        hasSeries: true,
      },
      {
        host: 'db-1:9100',
        targets: [],
        cpu: { mean: null, peak: null, forecast30d: null },
        memory: { mean: null, peak: null, forecast30d: null },
        diskIo: { peak: null, device: null },
        hasSeries: false,
      },
    ],
    filesystems: fillingFilesystems(
      [
        {
          host: 'web-1:9100',
          device: '/dev/sda2',
          mountpoint: '/var',
          fstype: 'ext4',
          secondsUntilFull: 5 * 86_400,
          availableRatio: 0.04,
        },
      ],
      END,
      'Europe/Berlin',
    ),
    headroom: [{ ...h, sentence: describeHeadroom(h, 'day', 'Europe/Berlin') }],
    trends: [
      {
        host: 'web-1:9100',
        cpu: hourly((i) => (i % 24 === 9 ? 0.93 : 0.4)),
        memory: hourly((i) => (i >= 100 && i < 104 ? null : 0.5 + i / 1000)),
        cpuForecast30d: 0.71,
        memoryForecast30d: 0.66,
      },
    ],
    loadTests: [
      {
        change: {
          id: 41,
          at: END - 10 * 3_600_000,
          title: 'Load test of shop: knee 420 requests/s',
          kind: 'load_test',
          target: 'shop',
          description: null,
        },
        run: headroom().loadTest,
      },
    ],
  };
}

describe('the Capacity part in every format', () => {
  it('says in one line that there are no hosts and no load tests', () => {
    const report = sampleReport();
    const md = renderMarkdown(report);
    expect(md).toContain(`### Capacity\n\n${NO_CAPACITY_SENTENCE}\n`);
    expect(md).not.toContain('| Host |');
    expect(renderHtml(report)).toContain(NO_CAPACITY_SENTENCE);
  });

  it('prints hosts, filling filesystems, headroom and load tests', () => {
    const base = sampleReport();
    const report = sampleReport({ monitoring: { ...base.monitoring, capacity: sampleCapacity() } });
    const md = renderMarkdown(report);
    expect(md).toContain(
      '| web-1:9100 | shop | 42.0 % | 93.0 % ✗ | 71.0 % | 50.0 % | 61.0 % | 66.0 % | 25.0 % (sda) |',
    );
    expect(md).toContain('No capacity series in the period for db-1:9100');
    expect(md).toContain('| web-1:9100 | /var | /dev/sda2 | 5.0 days | 2025-01-20 | 4.0 % |');
    expect(md).toContain(
      '| shop | 420 requests/s (p95 310 ms) | 300 page views/s | field data of shop | 1.4× ⚠ | #3, 2025-01-13, completed, change #41 |',
    );
    expect(md).toContain('- Warning: shop can take only 1.4×');
    expect(md).toContain('load test #3, completed, knee 420 requests/s.');
    expect(md).toContain('page views counted as requests');

    const html = renderHtml(report);
    expect(xmlProblem(html.replace(/^<!DOCTYPE html>\n/, ''))).toBeNull();
    expect(html).toContain('aria-label="Capacity"');
    // The host's two charts, each with its 30-day forecast dashed.
    expect(html).toContain(
      '<title id="c-host-0-cpu-title">web-1:9100: CPU utilisation per hour, last 7 days</title>',
    );
    expect(html).toContain('in 30 days 71 %');
    expect(html).toContain('in 30 days 66 %');
    // Utilisation charts span 0 to 100 %, whatever the data: the axis' last label.
    const hostCharts = [
      ...html.matchAll(/<svg[^>]*>(?:(?!<\/svg>)[\s\S])*c-host-0(?:(?!<\/svg>)[\s\S])*<\/svg>/g),
    ];
    expect(hostCharts).toHaveLength(2);
    for (const [svg] of hostCharts) expect(svg).toContain('>100 %</text>');
    expect(hostCharts[1]![0]).toContain('1 gap(s) where Prometheus holds no series of the host.');
    expect(html).toContain('93.0 % <span class="mark-missed" title="at or above 90 %">✗</span>');
    expect(html).toContain('1.4× <span class="mark-missed" title="below 1.5×">⚠</span>');
    expect(html).toContain('<td class="num">5.0 days</td>');

    const json = JSON.parse(renderJson(report)) as { monitoring: { capacity: CapacityMonitoring } };
    expect(json.monitoring.capacity.headroom[0]!.ratio).toBe(1.4);
    expect(json.monitoring.capacity.filesystems[0]!.secondsUntilFull).toBe(432_000);
  });

  it('marks a load test in the change list as not evaluated', () => {
    const base = sampleReport();
    const capacity = sampleCapacity();
    const report = sampleReport({
      monitoring: {
        ...base.monitoring,
        changes: [...base.monitoring.changes, capacity.loadTests[0]!.change],
        capacity,
      },
    });
    expect(renderMarkdown(report)).toContain(
      '**Load test of shop: knee 420 requests/s** (load test, not evaluated, shop)',
    );
    expect(renderHtml(report)).toContain('<span class="kind">load test, not evaluated</span>');
  });
});

describe('vantage report --config.file', () => {
  it('refuses a config it cannot use, naming the flag, before querying anything', async () => {
    const input = { 'prometheus.url': 'http://127.0.0.1:1', date: '2025-01-14' };
    await expect(
      reportCommand(
        { ...input, 'config.file': '/nonexistent/vantage.yml' },
        { write: () => {}, warn: () => {} },
      ),
    ).rejects.toThrow(
      /^--config\.file: \/nonexistent\/vantage\.yml: cannot read config file ".*": no such file$/,
    );
  });
});
