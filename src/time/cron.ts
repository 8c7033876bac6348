/**
 * The cron dialect vantage.yml accepts: standard 5-field crontab(5) expressions (minute hour
 * day-of-month month day-of-week) with `*`, lists, ranges, steps (`*\/15`, `1-5/2`, `10/20`),
 * month names JAN-DEC, day names SUN-SAT with 0 and 7 both Sunday, and the @hourly/@daily/
 * @weekly/@monthly/@yearly shorthands. When both day fields are restricted a day matches either
 * (cron's OR rule).
 *
 * Two stages. A dialect gate (here) checks each field and says which one is wrong and why, and
 * refuses what croner would take but a crontab user does not expect: a seconds or year field,
 * Quartz's L, W, # and `?` (croner replaces `?` with the current time). Croner's CronPattern
 * then expands the accepted text into the allowed values. Croner's own scheduling (nextRun) is
 * not used: it fires skipped local times and drops occurrences in a fall-back hour (see
 * calendar.ts), so when an expression fires, in which zone, is calendar.ts's job.
 */
import { CronPattern } from 'croner';

export interface CronSchedule {
  readonly source: string;
  /** Index = value; true when the field allows it. */
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly daysOfMonth: readonly boolean[];
  readonly months: readonly boolean[];
  /** 0 = Sunday .. 6 = Saturday (a 7 in the expression is folded into 0). */
  readonly daysOfWeek: readonly boolean[];
  /** A day field is unrestricted when it is `*`; only then does cron AND the two day fields. */
  readonly daysOfMonthRestricted: boolean;
  readonly daysOfWeekRestricted: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES },
];

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Days in each month in a leap year: the most a day-of-month can reach. */
const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parse an expression, or say what is wrong with it (which field, which value, why). */
export function parseCron(text: string): CronSchedule | string {
  const trimmed = text.trim();
  const expanded = SHORTHANDS[trimmed.toLowerCase()];
  if (trimmed.startsWith('@') && expanded === undefined) {
    return `unknown shorthand "${trimmed}" (supported: ${Object.keys(SHORTHANDS).join(', ')})`;
  }
  const parts = (expanded ?? trimmed).split(/\s+/).filter((p) => p !== '');
  if (parts.length !== FIELDS.length) {
    const hint = parts.length === 6 ? ' (vantage does not take a seconds or year field)' : '';
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}${hint}`;
  }
  const canonical: string[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const field = checkField(parts[i]!, FIELDS[i]!);
    if (field.error !== undefined) return `${FIELDS[i]!.name} field "${parts[i]}": ${field.error}`;
    canonical.push(field.canonical);
  }
  // Five fields: croner reads them as minute..day-of-week with seconds 0. Its arrays start at
  // the field's first value (day 1, January); ours are indexed by the value itself.
  const pattern = new CronPattern(canonical.join(' '));
  const schedule: CronSchedule = {
    source: trimmed,
    minutes: pattern.minute.map(Boolean),
    hours: pattern.hour.map(Boolean),
    daysOfMonth: [false, ...pattern.day.map(Boolean)],
    months: [false, ...pattern.month.map(Boolean)],
    daysOfWeek: pattern.dayOfWeek.slice(0, 7).map(Boolean),
    daysOfMonthRestricted: !isStar(parts[2]!),
    daysOfWeekRestricted: !isStar(parts[4]!),
  };
  return neverFires(schedule) ? `"${trimmed}" never fires: no selected month has a selected day` : schedule;
}

function isStar(field: string): boolean {
  return field === '*' || field === '*/1';
}

/**
 * One field: a comma-separated list of `*`, `n`, `a-b`, each optionally `/step`. Returns why it
 * is not standard cron, or the field with `n/step` spelt `n-max/step`: that is how Vixie cron
 * reads it (`6/1` in day-of-week reaches 7, Sunday), where croner would stop at 6.
 */
function checkField(
  field: string,
  spec: FieldSpec,
): { error: string } | { error?: undefined; canonical: string } {
  const items: string[] = [];
  for (const item of field.split(',')) {
    if (item === '') return { error: 'empty list item' };
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) return { error: `"${item}" has more than one step` };
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return { error: `step "${stepText}" is not a whole number` };
      if (Number(stepText) < 1) return { error: 'a step must be at least 1' };
    }
    if (range === '*') {
      items.push(item);
      continue;
    }
    const [lowText, highText, more] = range!.split('-');
    if (more !== undefined) return { error: `"${range}" is not a range (write a-b)` };
    const low = parseValue(lowText!, spec);
    if (typeof low === 'string') return { error: low };
    const high = highText === undefined ? undefined : parseValue(highText, spec);
    if (typeof high === 'string') return { error: high };
    if (high !== undefined && low > high)
      return { error: `range ${lowText}-${highText} starts after it ends` };
    const to = high ?? (stepText === undefined ? undefined : spec.max);
    items.push(`${low}${to === undefined ? '' : `-${to}`}${stepText === undefined ? '' : `/${stepText}`}`);
  }
  return { canonical: items.join(',') };
}

function parseValue(text: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) return `${n} is out of range ${spec.min}-${spec.max}`;
    return n;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + (spec.name === 'month' ? 1 : 0);
  // Quartz and croner add L, W, # and ?: say plainly that these are not read here.
  if (/^(\?|LW?|\d+[LW]|.*#.*)$/i.test(text)) {
    return `"${text}" is not supported (standard cron only: *, lists, ranges, steps and names)`;
  }
  if (spec.names) {
    const first = spec.names[0]!;
    const last = spec.names[spec.names.length - 1]!;
    return `unknown value "${text}" (use ${spec.min}-${spec.max} or ${first}-${last})`;
  }
  return `"${text}" is not a number`;
}

/** Day-of-month and month alone (day-of-week unrestricted) can select no real day: 30 FEB. */
function neverFires(s: CronSchedule): boolean {
  if (s.daysOfWeekRestricted) return false;
  for (let month = 1; month <= 12; month++) {
    if (!s.months[month]) continue;
    for (let day = 1; day <= MAX_DAYS[month]!; day++) if (s.daysOfMonth[day]) return false;
  }
  return true;
}

/** Whether cron fires on this local date (month, then the day fields with cron's OR rule). */
export function matchesDate(s: CronSchedule, date: { month: number; day: number; weekday: number }): boolean {
  if (!s.months[date.month]) return false;
  const dom = s.daysOfMonth[date.day] === true;
  const dow = s.daysOfWeek[date.weekday] === true;
  return s.daysOfMonthRestricted && s.daysOfWeekRestricted ? dom || dow : dom && dow;
}

/** The largest allowed value <= from, or -1. */
export function allowedAtOrBelow(set: readonly boolean[], from: number): number {
  for (let v = Math.min(from, set.length - 1); v >= 0; v--) if (set[v]) return v;
  return -1;
}

/** The smallest allowed value >= from, or -1. */
export function allowedAtOrAbove(set: readonly boolean[], from: number): number {
  for (let v = Math.max(from, 0); v < set.length; v++) if (set[v]) return v;
  return -1;
}
