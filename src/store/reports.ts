/**
 * The report archive: every performance report vantage made (on schedule or on request), in
 * the formats the config keeps, for /reports/ and GET /api/reports. A report is identified by
 * what it covers (period kind, label, time zone): making it again replaces the row, so a
 * re-run after a late scrape or a fixed change log never leaves two versions to choose from.
 */
import type { Db } from './database.js';
import { listLimit } from './listLimit.js';

/**
 * What the archive keeps, in its own terms: the store does not import the report (which reads
 * the store). The report's ReportFormat and PeriodKind are these same literals.
 */
export type ReportFormat = 'md' | 'html' | 'json';
export type PeriodKind = 'day' | 'week' | 'month';

/** The archive's column per format, in the order the index page lists them. */
const FORMAT_COLUMNS: readonly ReportFormat[] = ['html', 'md', 'json'];

/** What is saved: the report's identity, the facts the index shows, and the rendered texts. */
export interface NewArchivedReport {
  kind: PeriodKind;
  label: string;
  timeZone: string;
  /** [start, end), Unix ms. */
  start: number;
  end: number;
  generatedAt: number;
  title: string;
  headline: string;
  hasData: boolean;
  /** Rendered text per kept format; a format left out is not served. */
  bodies: Partial<Record<ReportFormat, string>>;
}

/** An archived report without its bodies. */
export interface ArchivedReport extends Omit<NewArchivedReport, 'bodies'> {
  id: number;
  /** The formats held, html first. */
  formats: ReportFormat[];
}

interface ReportRow {
  id: number;
  kind: PeriodKind;
  label: string;
  time_zone: string;
  period_start: number;
  period_end: number;
  generated_at: number;
  title: string;
  headline: string;
  has_data: number;
  has_html: number;
  has_md: number;
  has_json: number;
}

// Bodies can be megabytes (inline charts): listing reads only whether each one is there.
const SUMMARY_COLUMNS = `id, kind, label, time_zone, period_start, period_end, generated_at, title, headline,
  has_data, html IS NOT NULL AS has_html, md IS NOT NULL AS has_md, json IS NOT NULL AS has_json`;
const NEWEST_FIRST = 'ORDER BY period_start DESC, generated_at DESC, id DESC';

function fromRow(row: ReportRow): ArchivedReport {
  const held = { html: row.has_html, md: row.has_md, json: row.has_json };
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    timeZone: row.time_zone,
    start: row.period_start,
    end: row.period_end,
    generatedAt: row.generated_at,
    title: row.title,
    headline: row.headline,
    hasData: row.has_data === 1,
    formats: FORMAT_COLUMNS.filter((f) => held[f] === 1),
  };
}

export class ReportArchive {
  constructor(private readonly db: Db) {}

  /** Insert, or replace the report of the same kind, label and zone (keeping its id). */
  save(report: NewArchivedReport): ArchivedReport {
    const row = this.db
      .prepare(
        `INSERT INTO reports (kind, label, time_zone, period_start, period_end, generated_at, title,
           headline, has_data, md, html, json)
         VALUES (@kind, @label, @timeZone, @start, @end, @generatedAt, @title, @headline, @hasData,
           @md, @html, @json)
         ON CONFLICT (kind, label, time_zone) DO UPDATE SET
           period_start = excluded.period_start, period_end = excluded.period_end,
           generated_at = excluded.generated_at, title = excluded.title,
           headline = excluded.headline, has_data = excluded.has_data,
           md = excluded.md, html = excluded.html, json = excluded.json
         RETURNING id`,
      )
      .get({
        kind: report.kind,
        label: report.label,
        timeZone: report.timeZone,
        start: report.start,
        end: report.end,
        generatedAt: report.generatedAt,
        title: report.title,
        headline: report.headline,
        hasData: report.hasData ? 1 : 0,
        md: report.bodies.md ?? null,
        html: report.bodies.html ?? null,
        json: report.bodies.json ?? null,
      }) as { id: number };
    return this.byId(row.id)!;
  }

  /** Newest period first (then newest generated), optionally of one kind. */
  list(options: { kind?: PeriodKind; limit?: number } = {}): ArchivedReport[] {
    const limit = listLimit(options.limit);
    const rows =
      options.kind === undefined
        ? this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM reports ${NEWEST_FIRST} LIMIT ?`).all(limit)
        : this.db
            .prepare(`SELECT ${SUMMARY_COLUMNS} FROM reports WHERE kind = ? ${NEWEST_FIRST} LIMIT ?`)
            .all(options.kind, limit);
    return (rows as ReportRow[]).map(fromRow);
  }

  /**
   * The report of `kind` and `label`: in `timeZone` when given; otherwise the one in
   * `preferredZone` (the configured zone) if there is one, else the most recently generated.
   */
  find(
    kind: PeriodKind,
    label: string,
    { timeZone, preferredZone }: { timeZone?: string; preferredZone?: string } = {},
  ): ArchivedReport | undefined {
    const candidates = this.inAllZones(kind, label);
    if (timeZone !== undefined) return candidates.find((r) => r.timeZone === timeZone);
    return candidates.find((r) => r.timeZone === preferredZone) ?? candidates[0];
  }

  /** Every zone's report of `kind` and `label`, most recently generated first. */
  inAllZones(kind: PeriodKind, label: string): ArchivedReport[] {
    const rows = this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM reports WHERE kind = ? AND label = ?
         ORDER BY generated_at DESC, id DESC`,
      )
      .all(kind, label) as ReportRow[];
    return rows.map(fromRow);
  }

  /** One rendered text of an archived report; undefined when that format was not kept. */
  body(id: number, format: ReportFormat): string | undefined {
    // The column name comes from the fixed list, never from the request.
    const column = FORMAT_COLUMNS.find((f) => f === format);
    if (column === undefined) return undefined;
    const text = this.db.prepare(`SELECT ${column} FROM reports WHERE id = ?`).pluck().get(id) as
      string | null | undefined;
    return text ?? undefined;
  }

  /** Delete all but the `keep` newest reports (by period) of `kind`; returns how many went. */
  prune(kind: PeriodKind, keep: number): number {
    const result = this.db
      .prepare(
        `DELETE FROM reports WHERE kind = @kind AND id NOT IN (
           SELECT id FROM reports WHERE kind = @kind ${NEWEST_FIRST} LIMIT @keep)`,
      )
      .run({ kind, keep: Math.max(0, Math.floor(keep)) });
    return result.changes;
  }

  private byId(id: number): ArchivedReport | undefined {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM reports WHERE id = ?`).get(id) as
      ReportRow | undefined;
    return row && fromRow(row);
  }
}
