/**
 * How many rows a list of the store answers (changes, incidents, reports): DEFAULT_LIST_LIMIT
 * unless the caller asks, never more than MAX_LIST_LIMIT. The API's `limit` parameter
 * (input/listQuery.ts) refuses a larger number with a message naming the maximum; the
 * store clamps again, so a caller that skips the API cannot read the whole table at once.
 */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export function listLimit(asked: number | undefined): number {
  return Math.min(asked ?? DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
}
