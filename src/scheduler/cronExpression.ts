/**
 * Standard 5-field cron expressions (minute hour day-of-month month day-of-week), as crontab(5)
 * reads them: `*`, lists, ranges, steps (`*\/15`, `1-5/2`, `10/20`), month names JAN-DEC, day
 * names SUN-SAT with 0 and 7 both Sunday, and the @hourly/@daily/@weekly/@monthly/@yearly
 * shorthands. When both day fields are restricted a day matches either (cron's OR rule).
 * Parsing only: when an expression fires in which time zone is maintenanceCalendar.ts's job.
 */

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
  const sets: boolean[][] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const set = parseField(parts[i]!, FIELDS[i]!);
    if (typeof set === 'string') return `${FIELDS[i]!.name} field "${parts[i]}": ${set}`;
    sets.push(set);
  }
  const [minutes, hours, daysOfMonth, months, weekdays] = sets as [
    boolean[],
    boolean[],
    boolean[],
    boolean[],
    boolean[],
  ];
  // 7 is Sunday too: fold it into 0 so matching needs one index.
  const daysOfWeek = weekdays.slice(0, 7);
  if (weekdays[7]) daysOfWeek[0] = true;
  const schedule: CronSchedule = {
    source: trimmed,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    daysOfMonthRestricted: !isStar(parts[2]!),
    daysOfWeekRestricted: !isStar(parts[4]!),
  };
  return neverFires(schedule) ? `"${trimmed}" never fires: no selected month has a selected day` : schedule;
}

function isStar(field: string): boolean {
  return field === '*' || field === '*/1';
}

/** One field: a comma-separated list of `*`, `n`, `a-b`, each optionally `/step`. */
function parseField(field: string, spec: FieldSpec): boolean[] | string {
  const set = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of field.split(',')) {
    if (item === '') return 'empty list item';
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) return `"${item}" has more than one step`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return `step "${stepText}" is not a whole number`;
      step = Number(stepText);
      if (step < 1) return 'a step must be at least 1';
    }
    let low: number;
    let high: number;
    if (range === '*') {
      low = spec.min;
      high = spec.max;
    } else {
      const [lowText, highText, more] = range!.split('-');
      if (more !== undefined) return `"${range}" is not a range (write a-b)`;
      const a = parseValue(lowText!, spec);
      if (typeof a === 'string') return a;
      const b = highText === undefined ? undefined : parseValue(highText, spec);
      if (typeof b === 'string') return b;
      low = a;
      // `10/20` is "from 10 to the end, every 20", as Vixie cron reads it.
      high = b ?? (stepText === undefined ? a : spec.max);
      if (low > high) return `range ${lowText}-${highText} starts after it ends`;
    }
    for (let v = low; v <= high; v += step) set[v] = true;
  }
  return set;
}

function parseValue(text: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) return `${n} is out of range ${spec.min}-${spec.max}`;
    return n;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + (spec.name === 'month' ? 1 : 0);
  // Quartz and some crons add L, W, # and ?: say plainly that these are not read here.
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
