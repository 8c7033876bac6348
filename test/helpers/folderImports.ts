/**
 * The import graph of src/ between its areas, the top-level folders (config/, report/, ...;
 * the files at src/'s root are the area "."). A subfolder belongs to its area: report/render/
 * importing report/stats/ is the report talking to itself. Two areas that import each other are
 * one tangled module in two folders, which is what the test refuses.
 *
 * Imports are read by TypeScript's own pre-processor (ts.preProcessFile: import, export ... from
 * and dynamic import(), type-only ones included, since a type import ties the folders just the
 * same); only relative specifiers point inside src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of a file in `from` by a file in `to`'s area, as an example of the edge. */
export interface AreaEdge {
  from: string;
  to: string;
  /** "config/maintenanceSchema.ts imports ../scheduler/cronExpression.js" */
  example: string;
}

export interface AreaCycle {
  areas: [string, string];
  /** One import each way. */
  examples: [string, string];
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The area of a path relative to src/: its first folder, or "." for a file at the root. */
export function areaOf(pathInSrc: string): string {
  const parts = pathInSrc.split(sep);
  return parts.length > 1 ? parts[0]! : '.';
}

/** Every edge between two different areas, one example import per ordered pair. */
export function areaEdges(srcDir: string): AreaEdge[] {
  const edges = new Map<string, AreaEdge>();
  for (const file of tsFiles(srcDir)) {
    const fromPath = relative(srcDir, file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue; // a package
      const toPath = relative(srcDir, resolve(dirname(file), fileName));
      if (toPath.startsWith('..')) continue; // outside src/
      const from = areaOf(fromPath);
      const to = areaOf(toPath);
      if (from === to || edges.has(`${from}\0${to}`)) continue;
      edges.set(`${from}\0${to}`, { from, to, example: `${fromPath} imports ${fileName}` });
    }
  }
  return [...edges.values()];
}

/** Pairs of areas that import each other, each pair once, sorted. */
export function areaCycles(edges: readonly AreaEdge[]): AreaCycle[] {
  const byPair = new Map(edges.map((e) => [`${e.from}\0${e.to}`, e]));
  const cycles: AreaCycle[] = [];
  for (const e of edges) {
    const back = byPair.get(`${e.to}\0${e.from}`);
    if (back && e.from < e.to) cycles.push({ areas: [e.from, e.to], examples: [e.example, back.example] });
  }
  return cycles.sort((a, b) => a.areas.join().localeCompare(b.areas.join()));
}
