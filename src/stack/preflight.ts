/**
 * Checks before `vantage stack` starts anything: the Prometheus, Alertmanager and node_exporter
 * binaries exist, and the four ports are free. Every problem is reported at once, each with what to do.
 */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { DEFAULT_PORTS, STACK_HOST, TITLES, type Component, type Ports } from './plan.js';
import { ambiguousStoreMessage, lookUpStore, STACK_VANTAGE_DIR } from '../store/location.js';

/** A reason not to start, with what to do about it; the runner prints it and exits 1. */
export class StackError extends Error {}

type BinaryComponent = Exclude<Component, 'vantage'>;

interface BinarySpec {
  component: BinaryComponent;
  /** Names looked up on $PATH, in order. */
  names: string[];
  debianPackage: string;
}

export const BINARIES: Record<BinaryComponent, BinarySpec> = {
  prometheus: { component: 'prometheus', names: ['prometheus'], debianPackage: 'prometheus' },
  // Debian renames the binary; upstream tarballs call it alertmanager.
  alertmanager: {
    component: 'alertmanager',
    names: ['prometheus-alertmanager', 'alertmanager'],
    debianPackage: 'prometheus-alertmanager',
  },
  // Debian's name again; upstream's tarballs say node_exporter.
  'node-exporter': {
    component: 'node-exporter',
    names: ['prometheus-node-exporter', 'node_exporter'],
    debianPackage: 'prometheus-node-exporter',
  },
};

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The executable for `spec`: `explicit` (a path, or a name looked up on $PATH), else the first
 * of its usual names on $PATH. Returns the path, or a message saying what is missing and which
 * Debian package provides it.
 */
export function findBinary(
  spec: BinarySpec,
  explicit: string | undefined,
  pathVar = process.env.PATH ?? '',
): { path: string } | { error: string } {
  const install = `Debian's ${spec.debianPackage} package provides it (apt-get install --no-install-recommends ${spec.debianPackage})`;
  const flag = `--${spec.component}.binary`;
  if (explicit) {
    const found = explicit.includes('/')
      ? isExecutableFile(explicit)
        ? explicit
        : undefined
      : onPath(explicit, pathVar);
    if (found) return { path: found };
    return {
      error: `${TITLES[spec.component]} not found: ${flag}=${explicit} is not an executable file. ${install}.`,
    };
  }
  for (const name of spec.names) {
    const found = onPath(name, pathVar);
    if (found) return { path: found };
  }
  return {
    error:
      `${TITLES[spec.component]} not found: no ${spec.names.join(' or ')} on PATH (${pathVar || 'empty'}). ` +
      `${install}, or pass ${flag}=PATH.`,
  };
}

/** Whether HOST:PORT can be bound now; the error code (EADDRINUSE, EACCES...) when not. */
export function tryBind(port: number, host = STACK_HOST): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, host }, () => server.close(() => resolve(undefined)));
  });
}

/** What usually holds a default port, and how to move out of its way. */
function portHint(component: Component, port: number): string {
  const flag = `--${component}.port=PORT`;
  if (component !== 'vantage' && port === DEFAULT_PORTS[component]) {
    const unit = BINARIES[component].debianPackage;
    return (
      `Debian's ${unit} package runs a ${TITLES[component]} service there: stop it ` +
      `(systemctl stop ${unit}), or choose another port with ${flag}.`
    );
  }
  return `Stop what listens there (ss -ltnp 'sport = :${port}' shows it), or choose another port with ${flag}.`;
}

/** A message per component whose port is taken (or cannot be bound), in COMPONENTS order. */
export async function checkPorts(ports: Ports): Promise<string[]> {
  const problems: string[] = [];
  for (const [component, port] of Object.entries(ports) as [Component, number][]) {
    const code = await tryBind(port);
    if (code === undefined) continue;
    const what = code === 'EADDRINUSE' ? 'is taken' : `cannot be used (${code})`;
    problems.push(
      `port ${port} for ${TITLES[component]} on ${STACK_HOST} ${what}. ${portHint(component, port)}`,
    );
  }
  return problems;
}

/** Ports from flags: integers 1..65535, one per component. Returns an error message or the ports. */
export function parsePorts(given: Partial<Record<Component, string>>): Ports | { error: string } {
  const ports = { ...DEFAULT_PORTS };
  for (const [component, text] of Object.entries(given) as [Component, string | undefined][]) {
    if (text === undefined) continue;
    const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      return { error: `--${component}.port: expected a port number 1-65535, got "${text}"` };
    }
    ports[component] = port;
  }
  const seen = new Map<number, Component>();
  for (const [component, port] of Object.entries(ports) as [Component, number][]) {
    const other = seen.get(port);
    if (other) return { error: `--${other}.port and --${component}.port are both ${port}` };
    seen.set(port, component);
  }
  return ports;
}

/**
 * A store under the stack's directory that its vantage would not use: DIR/vantage.db (made by
 * `vantage serve --storage.path=DIR`, or by an older `vantage change add`) beside or instead of
 * the stack's DIR/vantage/vantage.db. Starting would leave `change add --storage.path=DIR`
 * unable to tell which one is meant, so the stack says so before anything runs.
 */
export function stackStoreProblem(dataDir: string, exists: (file: string) => boolean): string | undefined {
  const lookup = lookUpStore(dataDir, exists);
  if (lookup.kind === 'ambiguous') return ambiguousStoreMessage(dataDir, lookup.stores);
  if (lookup.kind === 'found' && lookup.store.layout === 'serve') {
    const own = join(dataDir, STACK_VANTAGE_DIR);
    return (
      `${lookup.store.file} is a vantage store in the serve layout; the stack keeps its own in ` +
      `${own}/. Move it there (mkdir -p ${own} && mv ${lookup.store.file}* ${own}/) ` +
      `to keep its changes and incidents, remove it, or give the stack another --storage.path`
    );
  }
  return undefined;
}
