/**
 * vantage_change_timestamp_seconds: one series per recent change-log entry, whose value is the
 * change's Unix time, so a Grafana annotation query (useValueForTime) marks it on every panel.
 * Bounded cardinality: the caller passes at most 200 changes of the last 30 days. Pure.
 */
import type { Change } from '../store/changes.js';
import { familyHeader, labelBlock, sampleLine } from './exposition.js';

export const CHANGE_TITLE_LABEL_MAX = 100;

const changeTimestamp = {
  name: 'vantage_change_timestamp_seconds',
  help:
    "Unix time of an entry of vantage's change log (changes of the last 30 days, at most 200, newest first); " +
    'target is empty for a change that applies to every target.',
  type: 'gauge',
};

/** A title fit for a label: control characters and runs of whitespace (newlines too) become one space; at most 100 characters. */
export function titleLabel(title: string): string {
  const flat = title.replace(/[\p{Cc}\s]+/gu, ' ').trim();
  const chars = [...flat];
  return chars.length <= CHANGE_TITLE_LABEL_MAX
    ? flat
    : chars.slice(0, CHANGE_TITLE_LABEL_MAX - 1).join('') + '…';
}

export function renderChangeSeries(changes: readonly Change[]): string {
  if (changes.length === 0) return '';
  let out = familyHeader(changeTimestamp);
  for (const c of changes) {
    const labels = labelBlock('', {
      change_id: String(c.id),
      kind: c.kind,
      target: c.target ?? '',
      title: titleLabel(c.title),
    });
    out += sampleLine(changeTimestamp.name, labels, c.at / 1000);
  }
  return out;
}
