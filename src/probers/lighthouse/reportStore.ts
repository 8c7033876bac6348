/**
 * Kept reports of median runs: <root>/lighthouse/<target>/<module>/<stamp>.html and .json, where stamp is
 * the batch start in UTC, "20261126T014500Z" (sorts lexically = chronologically, safe in a URL and a path).
 * A browser flow's run keeps the same pair (its flow report and its run record) plus its screenshots:
 * <stamp>.png (the failing page) and <stamp>.<step>.png (a screenshot step's), pruned with the pair.
 *
 * Writes are atomic (temp file + rename), so the server never serves half a report; after each save the
 * oldest reports beyond the module's `report_history` are deleted. Every name that reaches the filesystem
 * is validated against a strict pattern first, so an HTTP path can never climb out of the store.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

const NAME = /^[A-Za-z0-9_-]+$/;
const STAMP = /^\d{8}T\d{6}Z$/;
const TEMP_MARK = '.tmp-';
/** Temp files older than this are leftovers of a crash mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export type ReportFormat = 'html' | 'json' | 'png';

/** A screenshot kept with a report: `part` is a step name for <stamp>.<part>.png, none for <stamp>.png. */
export interface StoredImage {
  part?: string;
  content: Buffer;
}

const fileName = (stamp: string, format: ReportFormat, part?: string): string =>
  part === undefined ? `${stamp}.${format}` : `${stamp}.${part}.${format}`;

export interface StoredReport {
  timestamp: string;
  startedAtMs: number;
}

/** 1764121500000 -> "20251126T014500Z". */
export function reportTimestamp(startedAtMs: number): string {
  return new Date(startedAtMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** "20251126T014500Z" -> epoch ms, or undefined when it is not a stamp. */
export function parseReportTimestamp(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(ms) && reportTimestamp(ms) === stamp ? ms : undefined;
}

export class ReportStore {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir, 'lighthouse');
  }

  /** The directory of one target and module; throws on a name that is not [A-Za-z0-9_-]+. */
  private dirFor(target: string, module: string): string {
    if (!NAME.test(target) || !NAME.test(module)) {
      throw new Error(`invalid report store name: target "${target}", module "${module}"`);
    }
    const dir = join(this.root, target, module);
    // Belt and braces: the patterns already exclude '.', '/' and '\\'.
    if (!dir.startsWith(this.root + sep)) throw new Error('report path escapes the store');
    return dir;
  }

  /** Saves one median run's reports, then prunes to the newest `keep` (the module's report_history). */
  async save(
    target: string,
    module: string,
    startedAtMs: number,
    html: string,
    json: string,
    keep = 10,
    images: readonly StoredImage[] = [],
  ): Promise<void> {
    const dir = this.dirFor(target, module);
    await mkdir(dir, { recursive: true });
    const stamp = reportTimestamp(startedAtMs);
    for (const image of images) {
      if (image.part !== undefined && !NAME.test(image.part))
        throw new Error(`invalid image name "${image.part}"`);
      await writeAtomic(join(dir, fileName(stamp, 'png', image.part)), image.content);
    }
    // JSON first, HTML last: list() keys on the HTML, so a listed report always has all its files.
    await writeAtomic(join(dir, `${stamp}.json`), json);
    await writeAtomic(join(dir, `${stamp}.html`), html);
    await this.prune(dir, Math.max(1, keep));
  }

  /** Stored reports of a target and module, newest first. Empty for unknown (or invalid) names. */
  async list(target: string, module: string): Promise<StoredReport[]> {
    let dir: string;
    try {
      dir = this.dirFor(target, module);
    } catch {
      return [];
    }
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const out: StoredReport[] = [];
    for (const name of names) {
      if (!name.endsWith('.html')) continue;
      const stamp = name.slice(0, -'.html'.length);
      const ms = STAMP.test(stamp) ? parseReportTimestamp(stamp) : undefined;
      if (ms !== undefined) out.push({ timestamp: stamp, startedAtMs: ms });
    }
    return out.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
  }

  /**
   * Absolute path of a stored report, or undefined when the names are invalid, the timestamp is neither a
   * stamp nor 'latest', the format is unknown, or the file does not exist. Never throws on user input.
   */
  async path(
    target: string,
    module: string,
    timestamp: string,
    format: ReportFormat,
    part?: string,
  ): Promise<string | undefined> {
    if (format !== 'html' && format !== 'json' && format !== 'png') return undefined;
    if (!NAME.test(target) || !NAME.test(module)) return undefined;
    if (part !== undefined && (format !== 'png' || !NAME.test(part))) return undefined;
    let stamp = timestamp;
    if (timestamp === 'latest') {
      const newest = (await this.list(target, module))[0];
      if (!newest) return undefined;
      stamp = newest.timestamp;
    } else if (!STAMP.test(timestamp)) {
      return undefined;
    }
    const file = join(this.dirFor(target, module), fileName(stamp, format, part));
    try {
      return (await stat(file)).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  }

  private async prune(dir: string, keep: number): Promise<void> {
    const names = await readdir(dir);
    const stamps = new Set<string>();
    const now = Date.now();
    for (const name of names) {
      if (name.includes(TEMP_MARK)) {
        const file = join(dir, name);
        const age = await stat(file).then(
          (s) => now - s.mtimeMs,
          () => 0,
        );
        if (age > STALE_TEMP_MS) await rm(file, { force: true });
        continue;
      }
      const stamp = name.slice(0, name.indexOf('.'));
      if (STAMP.test(stamp)) stamps.add(stamp);
    }
    const oldest = new Set([...stamps].sort().reverse().slice(keep));
    // Every file of an old stamp: the pair and its screenshots.
    await Promise.all(
      names
        .filter((name) => !name.includes(TEMP_MARK) && oldest.has(name.slice(0, name.indexOf('.'))))
        .map((name) => rm(join(dir, name), { force: true })),
    );
  }
}

async function writeAtomic(file: string, content: string | Buffer): Promise<void> {
  // Same directory as the target, so rename() is atomic (same filesystem). Dot-prefixed: never listed.
  const temp = `${file.replace(/[^/]+$/, (base) => `.${base}`)}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
