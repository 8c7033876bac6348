/** Plain-text rendering of change-log entries for the `vantage change` commands. */
import type { Change } from './changes.js';

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** One line per change under a header, newest first; `-` marks a change for every target. */
export function formatChangeTable(changes: readonly Change[]): string {
  if (changes.length === 0) return 'no changes recorded\n';
  const rows = [
    ['ID', 'AT (UTC)', 'KIND', 'TARGET', 'TITLE'],
    ...changes.map((c) => [
      String(c.id),
      isoSeconds(c.at),
      c.kind,
      c.target ?? '-',
      c.title.replace(/\s+/g, ' '),
    ]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ') + '\n')
    .join('');
}

/** What `change add` prints: the recorded change with its id (replayed: recorded by an earlier run). */
export function formatRecordedChange(c: Change, replayed = false): string {
  let out =
    (replayed
      ? `change ${c.id} was already recorded with this idempotency key: nothing new recorded\n`
      : `change ${c.id} recorded\n`) +
    `  at:     ${isoSeconds(c.at)}\n` +
    `  kind:   ${c.kind}\n` +
    `  target: ${c.target ?? '(every target)'}\n` +
    `  title:  ${c.title}\n`;
  if (c.description) out += `  description: ${c.description}\n`;
  return out;
}
