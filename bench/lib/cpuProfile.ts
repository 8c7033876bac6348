/**
 * Summarise a V8 CPU profile (`node --cpu-prof` writes one .cpuprofile per process at exit):
 * where the time went, by function (self time), by source file or package, and the inclusive
 * time of the application's own functions. Usable on its own:
 *
 *   npx tsx bench/lib/cpuProfile.ts /tmp/prof/CPU.*.cpuprofile [--top=25]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fixed, markdownTable } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
}

export interface ProfileSummary {
  wallMs: number;
  /** Sampled time that was not "(idle)": what the process actually spent on a core. */
  busyMs: number;
  selfByFunction: Row[];
  selfByLocation: Row[];
  /** Inclusive time of functions in vantage's own code (dist/), each counted once per sample. */
  inclusiveOwnCode: Row[];
}

/** Shorten a script URL to what locates it: node internals, a package, or a repo path. */
function location(url: string): string {
  if (url === '') return '(native/VM)';
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `node_modules/${pkg[1]}`;
  const own = /\/((?:dist|src|bin)\/.*)$/.exec(url);
  return own ? own[1]! : url;
}

/** vantage's compiled code (dist/), not a package's dist/ folder under node_modules. */
function isOwnCode(url: string): boolean {
  return url.includes('/dist/') && !url.includes('/node_modules/');
}

function frameName(frame: CallFrame): string {
  const fn = frame.functionName || '(anonymous)';
  if (frame.url === '') return fn;
  const loc = location(frame.url);
  const file = loc.startsWith('node_modules/') ? `${loc}/${frame.url.split('/').pop()}` : loc;
  return `${fn} ${file}:${frame.lineNumber + 1}`;
}

function sortedRows(map: Map<string, number>, top: number): Row[] {
  return [...map.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfByFunction = new Map<string, number>();
  const selfByLocation = new Map<string, number>();
  const inclusiveOwn = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i + 1] is the time until the next sample: the time this sample stands for.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    add(selfByFunction, frameName(node.callFrame), us);
    add(selfByLocation, location(node.callFrame.url), us);
    // Walk up the stack once; a recursive function still counts once for this sample.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!isOwnCode(frame.url)) continue;
      const name = frameName(frame);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusiveOwn, name, us);
      }
    }
  });
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    selfByFunction: sortedRows(selfByFunction, top),
    selfByLocation: sortedRows(selfByLocation, top),
    inclusiveOwnCode: sortedRows(inclusiveOwn, top),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const pct = (ms: number) => fixed((ms / s.busyMs) * 100, 1);
  const table = (title: string, rows: Row[]) =>
    `${title}\n\n` +
    markdownTable(
      ['function / location', 'ms', '% of busy'],
      rows.map((r) => [r.name, fixed(r.ms, 0), pct(r.ms)]),
    );
  return [
    `profile: ${fixed(s.wallMs / 1000, 1)} s wall, ${fixed(s.busyMs / 1000, 2)} s on a core (main thread only)`,
    table('Self time by function', s.selfByFunction),
    table('Self time by file or package', s.selfByLocation),
    table("Inclusive time of vantage's own functions (dist/)", s.inclusiveOwnCode),
  ].join('\n\n');
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

// Run directly: summarise the files given on the command line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' } },
    allowPositionals: true,
  });
  for (const file of positionals) {
    console.log(`# ${file}\n`);
    console.log(formatProfileSummary(summariseProfile(readProfile(file), Number(values.top))));
  }
}
