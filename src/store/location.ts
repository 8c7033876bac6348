/**
 * Which database a `--storage.path` means. Every sub-command that uses the store (serve, stack,
 * change add|list, report) resolves it here, so one path names one database whatever layout
 * is inside it:
 *
 *   1. DIR/vantage.db          what `vantage serve --storage.path=DIR` (and docker compose) keep
 *   2. DIR/vantage/vantage.db  what `vantage stack --storage.path=DIR` keeps (its vantage runs
 *                              with --storage.path=DIR/vantage, beside prometheus/ and alertmanager/)
 *
 * Both present is refused rather than guessed: one of them is not the store the running service
 * reads (typically a DIR/vantage.db that an older `vantage change add` created beside a stack),
 * and a change written to it would never show. No store at all is refused too, except where a
 * store is meant to begin: the service's first start, or `vantage change add --create`.
 *
 * The lookup is pure (`lookUpStore` takes the existence test); `locateStore` is the same on the
 * real file system.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from './database.js';

export type StoreLayout = 'serve' | 'stack';

/** One place a store may be under --storage.path. */
export interface StoreCandidate {
  layout: StoreLayout;
  /** The directory to open (Store.open), where the service also keeps its Lighthouse reports. */
  dir: string;
  /** The database file in it. */
  file: string;
}

/** The stack's vantage keeps its data in this sub-directory of the stack's --storage.path. */
export const STACK_VANTAGE_DIR = 'vantage';

export type StoreLookup =
  | { kind: 'found'; store: StoreCandidate }
  | { kind: 'missing'; candidates: StoreCandidate[] }
  | { kind: 'ambiguous'; stores: StoreCandidate[] };

/** The places a store may be under `storagePath`, in the order they are looked at. */
export function storeCandidates(storagePath: string): StoreCandidate[] {
  const stackDir = join(storagePath, STACK_VANTAGE_DIR);
  return [
    { layout: 'serve', dir: storagePath, file: join(storagePath, DATABASE_FILE) },
    { layout: 'stack', dir: stackDir, file: join(stackDir, DATABASE_FILE) },
  ];
}

export function lookUpStore(storagePath: string, exists: (file: string) => boolean): StoreLookup {
  const candidates = storeCandidates(storagePath);
  const stores = candidates.filter((c) => exists(c.file));
  if (stores.length === 1) return { kind: 'found', store: stores[0]! };
  if (stores.length === 0) return { kind: 'missing', candidates };
  return { kind: 'ambiguous', stores };
}

export function locateStore(storagePath: string): StoreLookup {
  return lookUpStore(storagePath, existsSync);
}

/** No store, or two, under a --storage.path: the message names every place looked at. */
export class StoreLocationError extends Error {}

const MADE_BY: Record<StoreLayout, string> = {
  serve: 'vantage serve and docker compose keep theirs here',
  stack: 'vantage stack keeps its here',
};

/**
 * What to tell the user when `storagePath` holds no store. `create` says how this command
 * would create one (e.g. "pass --create"); without it the command only reads.
 */
export function missingStoreMessage(
  storagePath: string,
  candidates: StoreCandidate[],
  create?: string,
): string {
  return [
    `--storage.path=${storagePath}: no vantage store there; looked for:`,
    ...candidates.map((c) => `  ${c.file} (${MADE_BY[c.layout]})`),
    'Check the path: it is the --storage.path the service or the stack runs with' +
      (create
        ? `. To begin a new store there, ${create}, or start the service with --storage.path=${storagePath}.`
        : `; the service creates its store on its first start.`),
  ].join('\n');
}

export function ambiguousStoreMessage(storagePath: string, stores: StoreCandidate[]): string {
  const stack = stores.find((s) => s.layout === 'stack');
  const serve = stores.find((s) => s.layout === 'serve');
  return [
    `--storage.path=${storagePath}: two vantage stores there; not guessing which one you mean:`,
    ...stores.map((s) => `  ${s.file} (${MADE_BY[s.layout]})`),
    stack && serve
      ? `For the stack's, pass --storage.path=${stack.dir}. ${serve.file} is most likely one an older ` +
        `\`vantage change add\` created by mistake: move its changes over or remove it.`
      : 'Remove or move the one nobody runs with.',
  ].join('\n');
}

/**
 * The store a command reading or writing the logs uses: the one under `storagePath`, or, with
 * `create` and none there, a new one at the first candidate. Throws StoreLocationError
 * otherwise. `howToCreate` is the hint for the missing case (undefined: the command cannot).
 */
export function storeToUse(
  storagePath: string,
  options: { create: boolean; howToCreate?: string },
  exists: (file: string) => boolean = existsSync,
): StoreCandidate & { created: boolean } {
  const found = lookUpStore(storagePath, exists);
  if (found.kind === 'found') return { ...found.store, created: false };
  if (found.kind === 'ambiguous')
    throw new StoreLocationError(ambiguousStoreMessage(storagePath, found.stores));
  if (options.create) return { ...found.candidates[0]!, created: true };
  throw new StoreLocationError(missingStoreMessage(storagePath, found.candidates, options.howToCreate));
}
