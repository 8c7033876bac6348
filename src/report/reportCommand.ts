/**
 * `vantage report`: build one report from a Prometheus (and the store, when there is one) and
 * write it as files or to stdout. The flags are checked before anything is queried, and each
 * error names its flag; Prometheus being unreachable is an error (exit 1), never an empty
 * report.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReport } from './report.js';
import { MAX_EVALUATION_WINDOW_MS } from '../config/reportSchema.js';
import { parseDuration } from '../config/duration.js';
import { REPORT_FORMATS, type Report, type ReportFormat } from './model.js';
import { renderReport } from './render/index.js';
import { dueReports } from './reportSchedule.js';
import { parseCivilDate, type PeriodKind } from '../time/period.js';
import { isKnownTimeZone } from '../time/zone.js';
import { ambiguousStoreMessage, locateStore, missingStoreMessage } from '../store/location.js';
import { Store } from '../store/store.js';
import { formatConfigError, loadConfigFile } from '../config/load.js';
import { capacityTargetsOf, type CapacityTarget } from './capacity.js';

export const REPORT_FLAGS = [
  'prometheus.url',
  'date',
  'period',
  'timezone',
  'out',
  'format',
  'evaluation.window',
  'config.file',
] as const;

export interface ReportCommandInput {
  'prometheus.url'?: string;
  date?: string;
  period?: string;
  timezone?: string;
  'storage.path'?: string;
  out?: string;
  format?: string;
  'evaluation.window'?: string;
  /** vantage.yml, for the Capacity part (targets' hosts and traffic_query); optional. */
  'config.file'?: string;
}

export class ReportUsageError extends Error {}

const PERIODS: readonly PeriodKind[] = ['day', 'week', 'month'];

/** YYYY-MM-DD of the day before `now` in `timeZone`: the default --date, the day a scheduled run would report. */
export function yesterday(now: number, timeZone: string): string {
  return dueReports(now, timeZone, ['day'])[0]!.date;
}

export interface ParsedReportCommand {
  prometheusUrl: string;
  date: string;
  period: PeriodKind;
  timeZone: string;
  storagePath: string;
  /** Whether --storage.path was given (then a missing database is an error, not a warning). */
  storageExplicit: boolean;
  out: string | null;
  formats: ReportFormat[];
  evaluationWindowMs: number;
}

export function parseReportCommand(input: ReportCommandInput, now = Date.now()): ParsedReportCommand {
  const url = input['prometheus.url'];
  if (!url)
    throw new ReportUsageError(
      'report: --prometheus.url is required, e.g. --prometheus.url=http://127.0.0.1:9090',
    );
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new ReportUsageError(`--prometheus.url: not a URL: "${url}"`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    throw new ReportUsageError(`--prometheus.url: must be http or https, got "${parsedUrl.protocol}"`);
  }
  const timeZone = input.timezone ?? 'UTC';
  if (!isKnownTimeZone(timeZone)) {
    throw new ReportUsageError(
      `--timezone: unknown time zone "${timeZone}" (an IANA name such as Europe/Berlin)`,
    );
  }
  const period = (input.period ?? 'day') as PeriodKind;
  if (!PERIODS.includes(period)) {
    throw new ReportUsageError(`--period: must be day, week or month, got "${input.period}"`);
  }
  const date = input.date ?? yesterday(now, timeZone);
  try {
    parseCivilDate(date);
  } catch (err) {
    throw new ReportUsageError(`--date: ${(err as Error).message}`);
  }
  const formatText = input.format ?? (input.out ? REPORT_FORMATS.join(',') : 'md');
  const formats = [...new Set(formatText.split(',').map((f) => f.trim()))] as ReportFormat[];
  const unknown = formats.find((f) => !REPORT_FORMATS.includes(f));
  if (unknown !== undefined || formats.length === 0) {
    throw new ReportUsageError(`--format: must be a list of md, html and json, got "${formatText}"`);
  }
  if (!input.out && formats.length > 1) {
    throw new ReportUsageError('--format: several formats need --out=DIR (stdout takes one)');
  }
  const windowText = input['evaluation.window'] ?? '24h';
  const evaluationWindowMs = parseDuration(windowText);
  if (
    evaluationWindowMs === undefined ||
    evaluationWindowMs <= 0 ||
    evaluationWindowMs > MAX_EVALUATION_WINDOW_MS
  ) {
    throw new ReportUsageError(
      `--evaluation.window: must be a duration above 0 and at most 7d, such as 12h, got "${windowText}"`,
    );
  }
  return {
    evaluationWindowMs,
    prometheusUrl: url,
    date,
    period,
    timeZone,
    storagePath: input['storage.path'] ?? 'data',
    storageExplicit: input['storage.path'] !== undefined,
    out: input.out ?? null,
    formats,
  };
}

/**
 * The store the report reads changes and incidents from, as every command resolves it
 * (src/store/location.ts); null when the default path holds none (a report of Prometheus alone,
 * with a warning). A path given explicitly must hold one: a report silently without the
 * changes the user recorded would mislead.
 */
function openReportStore(options: ParsedReportCommand, warn: (text: string) => void): Store | null {
  const path = options.storagePath;
  const lookup = locateStore(path);
  if (lookup.kind === 'found') {
    warn(`store: ${lookup.store.file}\n`);
    return Store.open(lookup.store.dir);
  }
  if (lookup.kind === 'ambiguous') throw new ReportUsageError(ambiguousStoreMessage(path, lookup.stores));
  const missing = missingStoreMessage(path, lookup.candidates);
  if (options.storageExplicit) throw new ReportUsageError(missing);
  warn(`${missing}\nThe report has no changes or incidents (see --storage.path).\n`);
  return null;
}

/**
 * The targets of --config.file for the Capacity part (their hosts and traffic_query); none
 * without the flag. A config with errors is refused with every error, as check-config prints them.
 */
async function configTargets(file: string | undefined): Promise<CapacityTarget[]> {
  if (file === undefined) return [];
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) {
    throw new ReportUsageError(
      `--config.file: ${file}: ${loaded.errors.map((e) => formatConfigError(e)).join('; ')}`,
    );
  }
  return capacityTargetsOf(loaded.config.targets);
}

/** The file name of a report in one format: vantage-report-day-2025-01-14.html. */
export function reportFileName(report: Report, format: ReportFormat): string {
  return `vantage-report-${report.period.kind}-${report.period.label}.${format}`;
}

/**
 * Run the command; returns the exit code. `write` and `warn` are stdout and stderr (the test
 * passes its own).
 */
export async function reportCommand(
  input: ReportCommandInput,
  io: { write: (text: string) => void; warn: (text: string) => void } = {
    write: (t) => process.stdout.write(t),
    warn: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const options = parseReportCommand(input);
  const targets = await configTargets(input['config.file']);
  const store = openReportStore(options, io.warn);
  let report: Report;
  try {
    report = await buildReport({
      prometheusUrl: options.prometheusUrl,
      date: options.date,
      period: options.period,
      timeZone: options.timeZone,
      store,
      evaluationWindowMs: options.evaluationWindowMs,
      targets,
    });
  } catch (err) {
    io.warn(`report: ${(err as Error).message}\n`);
    return 1;
  } finally {
    store?.close();
  }
  if (!options.out) {
    io.write(renderReport(report, options.formats[0]!));
    return 0;
  }
  await mkdir(options.out, { recursive: true });
  for (const format of options.formats) {
    const file = join(options.out, reportFileName(report, format));
    await writeFile(file, renderReport(report, format));
    io.write(`${file}\n`);
  }
  if (!report.hasData) io.warn(`${report.summary.headline}\n`);
  return 0;
}
