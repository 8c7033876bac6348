/**
 * From a YAML path (`['targets', 2, 'url']`) back to where it is written in the file, so every
 * configuration error can name its line. Follows aliases and `<<` merge keys the way the parsed
 * value does.
 */
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { PathSegment } from './errors.js';

export interface Position {
  line: number;
  column: number;
}

/** Where to point for an error about `path`. */
export type Anchor =
  /** the value itself (a missing key points at its parent mapping) */
  | 'value'
  /** the mapping key (unknown keys, invalid names in a record) */
  | 'key';

export class YamlPositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of `path`; for a path that does not exist, of the deepest ancestor that does. */
  locate(path: readonly PropertyKey[], anchor: Anchor = 'value'): Position | undefined {
    let node: unknown = this.doc.contents;
    // The pair whose value `node` is, when reached through a mapping key.
    let pair: Pair | undefined;
    for (const segment of path) {
      const container = this.resolve(node);
      let next: { node: unknown; pair?: Pair } | undefined;
      if (isMap(container)) {
        const found = this.findPair(container, String(segment), new Set());
        if (found) next = { node: found.value, pair: found };
      } else if (isSeq(container) && typeof segment === 'number') {
        const item = container.items[segment];
        if (item !== undefined) next = { node: item };
      }
      // Missing key: point at the parent mapping (its key line when it is the value of a key).
      if (!next) return this.positionOf(pair?.key) ?? this.positionOf(node) ?? { line: 1, column: 1 };
      node = next.node;
      pair = next.pair;
    }
    if (anchor === 'key' && pair) return this.positionOf(pair.key) ?? this.positionOf(node);
    // An empty value (`url:`) or a block collection under a key: the key's line reads best.
    if (pair && (isEmptyScalar(node) || (isCollection(node) && !node.flow))) {
      return this.positionOf(pair.key) ?? this.positionOf(node);
    }
    return this.positionOf(node) ?? this.positionOf(pair?.key);
  }

  /** The text of the scalar at `path` as written (`1.10`, not 1.1), if it is a plain scalar. */
  scalarSource(path: readonly PropertyKey[]): string | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      const container = this.resolve(node);
      if (isMap(container)) node = this.findPair(container, String(segment), new Set())?.value;
      else if (isSeq(container) && typeof segment === 'number') node = container.items[segment];
      else return undefined;
    }
    node = this.resolve(node);
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  /** The YAML path of the mapping key that starts at `offset` (e.g. a duplicate key). */
  pathOfKeyAt(offset: number): PathSegment[] | undefined {
    let result: PathSegment[] | undefined;
    visit(this.doc, {
      Pair: (_key, pair, ancestors) => {
        if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
        const path: PathSegment[] = [];
        const chain = [...ancestors, pair];
        for (let i = 1; i < chain.length; i++) {
          const parent = chain[i - 1];
          const child = chain[i];
          if (isPair(child) && isScalar(child.key)) path.push(String(child.key.value));
          else if (isSeq(parent)) path.push(parent.items.indexOf(child as Node));
        }
        result = path;
        return visit.BREAK;
      },
    });
    return result;
  }

  position(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private positionOf(node: unknown): Position | undefined {
    const start = (node as Node | null | undefined)?.range?.[0];
    return typeof start === 'number' ? this.position(start) : undefined;
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private findPair(map: YAMLMap, key: string, seen: Set<unknown>): Pair | undefined {
    if (seen.has(map)) return undefined;
    seen.add(map);
    const own = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (own) return own;
    // `<<: *base` or `<<: [*a, *b]`: the merged key is written where the anchor is defined.
    for (const p of map.items) {
      if (!isMergeKey(p.key)) continue;
      const sources = this.resolve(p.value);
      const list = isSeq(sources) ? sources.items.map((i) => this.resolve(i)) : [sources];
      for (const source of list) {
        const found = isMap(source) ? this.findPair(source, key, seen) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.source === '<<');
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && !node.source;
}
