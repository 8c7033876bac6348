/**
 * The tables bench/alert-latency.ts prints: outage to page and recovery to resolution per probe
 * interval, where the time goes against each segment's bound, and the blips. Pure: rows in,
 * Markdown out.
 */
import { fixed, markdownTable, max, median, percentile } from './stats.js';

/** One target of the run: what happened to it, as Date.now()-style milliseconds (NaN: never). */
export type Row = {
  name: string;
  kind: 'outage' | 'blip';
  intervalMs: number;
  failedProbes: number;
  /** Every firing message on the pager about this target, ms after it went down. */
  pages: { alertname: string; after: number }[];
} & Record<
  | 'downAt'
  | 'upAt'
  | 'probeFailedAt'
  | 'scrapedFailedAt'
  | 'pendingAt'
  | 'firingAt'
  | 'pagedAt'
  | 'pageStartsAt'
  | 'probeOkAt'
  | 'scrapedOkAt'
  | 'resolvedEvalAt'
  | 'resolvedAt',
  number
>;

/** The settings the bounds are computed from, in ms. */
export interface Settings {
  scrapeMs: number;
  evaluationMs: number;
  forMs: number;
  groupWaitMs: number;
  groupIntervalMs: number;
}

const s = (ms: number): string => fixed(ms / 1000, 1);
const stats = (values: number[]): string[] => [
  s(Math.min(...values)),
  s(median(values)),
  s(percentile(values, 90)),
  s(max(values)),
];

export function report(rows: Row[], intervals: number[], settings: Settings): void {
  const { scrapeMs, evaluationMs, forMs, groupWaitMs, groupIntervalMs } = settings;
  const outages = (p: number): Row[] => rows.filter((r) => r.kind === 'outage' && r.intervalMs === p);
  const bound = (p: number): number => p + scrapeMs + evaluationMs + forMs + groupWaitMs;
  const resolveBound = (p: number): number => p + scrapeMs + evaluationMs + groupIntervalMs;

  console.log('\n## Outage to page (VantageTargetDown at the pager webhook), seconds\n');
  console.log(
    markdownTable(
      ['probe interval', 'n', 'min', 'median', 'p90', 'max', 'worst case'],
      intervals.map((p) => {
        const v = outages(p).map((r) => r.pagedAt - r.downAt);
        return [`${p / 1000} s`, String(v.length), ...stats(v), s(bound(p))];
      }),
    ),
  );
  console.log('\n## Recovery to resolution (resolved at the pager webhook), seconds\n');
  console.log(
    markdownTable(
      ['probe interval', 'n', 'min', 'median', 'p90', 'max', 'worst case'],
      intervals.map((p) => {
        const v = outages(p).map((r) => r.resolvedAt - r.upAt);
        return [`${p / 1000} s`, String(v.length), ...stats(v), s(resolveBound(p))];
      }),
    ),
  );

  const segments = (title: string, parts: [string, (r: Row) => number, (p: number) => number][]): void => {
    console.log(`\n## ${title}: median / max (bound), seconds\n`);
    console.log(
      markdownTable(
        ['segment', ...intervals.map((p) => `P = ${p / 1000} s`)],
        parts.map(([label, f, b]) => [
          label,
          ...intervals.map((p) => {
            const v = outages(p).map(f);
            return `${s(median(v))} / ${s(max(v))} (${s(b(p))})`;
          }),
        ]),
      ),
    );
  };
  segments('Where the time goes, outage to page', [
    ['outage -> failed probe (probe interval)', (r) => r.probeFailedAt - r.downAt, (p) => p],
    ['failed probe -> scraped (scrape_interval)', (r) => r.scrapedFailedAt - r.probeFailedAt, () => scrapeMs],
    ['scraped -> pending (evaluation interval)', (r) => r.pendingAt - r.scrapedFailedAt, () => evaluationMs],
    ['pending -> firing (`for`)', (r) => r.firingAt - r.pendingAt, () => forMs],
    ['firing -> pager (group_wait, delivery)', (r) => r.pagedAt - r.firingAt, () => groupWaitMs],
    ['total', (r) => r.pagedAt - r.downAt, bound],
  ]);
  segments('Where the time goes, recovery to resolution', [
    ['back -> successful probe (probe interval)', (r) => r.probeOkAt - r.upAt, (p) => p],
    ['successful probe -> scraped (scrape_interval)', (r) => r.scrapedOkAt - r.probeOkAt, () => scrapeMs],
    [
      'scraped -> resolved (evaluation interval)',
      (r) => r.resolvedEvalAt - r.scrapedOkAt,
      () => evaluationMs,
    ],
    ['resolved -> pager (group_interval)', (r) => r.resolvedAt - r.resolvedEvalAt, () => groupIntervalMs],
    ['total', (r) => r.resolvedAt - r.upAt, resolveBound],
  ]);
  const startsAt = rows.filter((r) => r.kind === 'outage').map((r) => r.pageStartsAt - r.firingAt);
  console.log(
    `\nThe page's startsAt is ${s(median(startsAt))} s after the firing evaluation (median; ` +
      'Prometheus sends the time the alert started firing, so group_wait applies in full).',
  );

  console.log('\n## One failed probe (blips): down for 6 s around exactly one probe\n');
  console.log(
    markdownTable(
      [
        'probe interval',
        'blips',
        'failed probes each',
        'went pending',
        'VantageTargetDown fired',
        'paged (any alert)',
      ],
      intervals.map((p) => {
        const blips = rows.filter((r) => r.kind === 'blip' && r.intervalMs === p);
        const paged = blips.flatMap((r) => r.pages.map((x) => x.alertname));
        return [
          `${p / 1000} s`,
          String(blips.length),
          [...new Set(blips.map((r) => r.failedProbes))].join(', '),
          String(blips.filter((r) => Number.isFinite(r.pendingAt)).length),
          String(blips.filter((r) => Number.isFinite(r.firingAt)).length),
          paged.length === 0
            ? 'none'
            : [...new Set(paged)].map((a) => `${a} x${paged.filter((x) => x === a).length}`).join(', '),
        ];
      }),
    ),
  );
  const otherPages = rows
    .filter((r) => r.kind === 'outage')
    .flatMap((r) => r.pages.filter((x) => x.alertname !== 'VantageTargetDown'));
  if (otherPages.length > 0) {
    const names = [...new Set(otherPages.map((x) => x.alertname))];
    console.log(
      `\nOther pages for the outages: ${names
        .map((n) => {
          const after = otherPages.filter((x) => x.alertname === n).map((x) => x.after);
          return `${n} x${after.length} (median ${s(median(after))} s after the outage)`;
        })
        .join(', ')}`,
    );
  }
}
