/**
 * The number conventions every human-facing figure shares: a real minus sign, "—" for an absent
 * figure, thousands separators on counts. Pure. The other modules of src/format/ build on these,
 * so a page, a log line and a report cannot disagree on how a number reads.
 */

/** U+2212: a hyphen-minus reads as a dash in prose and is narrower than "+" in tables. */
export const MINUS = '\u2212';
/** What an absent figure reads as: a missing number and a zero mean different things. */
export const NO_DATA = '—';
/** Between a number and its unit. A narrow no-break space would be nicer; plain spaces survive every chat client. */
export const SP = ' ';

/** Null, undefined, NaN and ±Infinity all mean "no figure". */
export function usable(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/**
 * `value` with `digits` decimals and a real minus sign. A value that rounds to zero loses its
 * sign, so no "−0.0" appears.
 */
export function formatNumber(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  const isZero = Number(text) === 0;
  return value < 0 && !isZero ? `${MINUS}${text}` : text;
}

/** Like formatNumber, with "+" on positive values: for changes, where the sign is the news. */
export function formatSigned(value: number, digits: number): string {
  const text = formatNumber(value, digits);
  return value > 0 && Number(Math.abs(value).toFixed(digits)) !== 0 ? `+${text}` : text;
}

/**
 * Made at the first count: an Intl.NumberFormat maps ICU's locale data, 7.7 MB of RSS, which
 * every thread importing this module (each probe worker, through the prober table) paid at load.
 */
let thousands: Intl.NumberFormat | undefined;

/**
 * A count with thousands separators: 18640 → "18,640". Counts that were extrapolated (a counter
 * reset, see report/monitoring.ts) are not integers: they read "≈ 8,640" rather than pretend
 * to be exact.
 */
export function formatCount(count: number | null | undefined): string {
  if (!usable(count)) return NO_DATA;
  const rounded = Math.round(count);
  const text = (thousands ??= new Intl.NumberFormat('en-US')).format(Math.abs(rounded));
  const signed = rounded < 0 ? `${MINUS}${text}` : text;
  return rounded === count ? signed : `≈${SP}${signed}`;
}

/** A count and its noun: "1 module", "3 modules", "1,200 checks". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
