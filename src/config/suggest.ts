/**
 * "did you mean" for unknown fields: the keys the schema allows at a path, and the closest one.
 */
import type { z } from 'zod';

type Def = { type: string; [key: string]: unknown };

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** The schemas reachable at `path` (several below a union). */
function schemasAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): unknown[] {
  let current: unknown[] = [schema];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const s of current.flatMap(unwrap)) {
      const def = defOf(s);
      if (def?.type === 'object' && typeof segment === 'string') {
        const field = (def.shape as Record<string, unknown>)[segment];
        if (field !== undefined) next.push(field);
      } else if (def?.type === 'record') {
        next.push(def.valueType);
      } else if (def?.type === 'array' && typeof segment === 'number') {
        next.push(def.element);
      }
    }
    current = next;
  }
  return current.flatMap(unwrap);
}

/** Strip wrappers (optional, default, pipe...) and expand unions. */
function unwrap(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (!def) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return unwrap(def.innerType);
    case 'pipe':
      return unwrap(def.in);
    case 'union':
      return (def.options as unknown[]).flatMap(unwrap);
    default:
      return [schema];
  }
}

/** The field names an object at `path` may have. */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s);
    if (def?.type === 'object') Object.keys(def.shape as object).forEach((k) => keys.add(k));
  }
  return [...keys];
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
