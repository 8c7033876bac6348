/**
 * `vantage stack`: the docker compose stack without Docker. Runs this checkout's vantage and
 * the system's Prometheus, Alertmanager and node_exporter with the configuration files compose mounts
 * (prometheus/prometheus.yml with its native targets/ lists, alertmanager/alertmanager.yml
 * rendered by render-config.sh), each on 127.0.0.1, data under one directory.
 *
 * Ctrl-C or SIGTERM stops all four and exits 0. When one dies, the others are stopped and the
 * runner exits 1 naming it, with its last lines. SIGHUP renders the Alertmanager configuration
 * again and reloads vantage, Prometheus and Alertmanager (node_exporter has nothing to reload).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogFormat, LogLevel } from '../runtime/logger.js';
import { packageRoot } from '../runtime/packageRoot.js';
import { writeAdminTokenFile } from './adminTokenFile.js';
import {
  adminTokenPlan,
  alertmanagerConfigPaths,
  COMPONENTS,
  dataDirs,
  planChildren,
  prometheusConfig,
  renderEnv,
  TITLES,
  type ChildSpec,
  type Ports,
  type StackOptions,
} from './plan.js';
import { stackBanner } from './banner.js';
import { BINARIES, checkPorts, findBinary, stackStoreProblem } from './preflight.js';
import { describeExit, lastLines, Supervisor, type ExitInfo } from './supervisor.js';

export const DEFAULT_STACK_DIR = join('data', 'stack');
/** Prometheus replays its WAL and loads the rules; a slow disk takes a while. */
const READY_TIMEOUT_MS = 90_000;
/** vantage stops within 5 s (SIGTERM); Prometheus and Alertmanager within a second or two. */
const STOP_GRACE_MS = 10_000;

export interface StackCommandOptions {
  configFile?: string;
  /** Default data/stack. */
  storagePath?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  ports: Ports;
  prometheusBinary?: string;
  alertmanagerBinary?: string;
  nodeExporterBinary?: string;
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

type Outcome =
  | { kind: 'ready' }
  | { kind: 'exit'; exit: ExitInfo }
  | { kind: 'stop'; signal: string }
  | { kind: 'timeout'; waiting: string[] };

export async function runStack(opts: StackCommandOptions): Promise<number> {
  const out = process.stdout;
  const err = process.stderr;
  const root = packageRoot();

  const problems: string[] = [];
  const prometheus = findBinary(BINARIES.prometheus, opts.prometheusBinary);
  const alertmanager = findBinary(BINARIES.alertmanager, opts.alertmanagerBinary);
  const nodeExporter = findBinary(BINARIES['node-exporter'], opts.nodeExporterBinary);
  for (const found of [prometheus, alertmanager, nodeExporter])
    if ('error' in found) problems.push(found.error);
  const configFile = opts.configFile === undefined ? undefined : resolve(opts.configFile);
  if (configFile && !existsSync(configFile)) problems.push(`--config.file=${opts.configFile}: no such file`);
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    problems.push(`${join(root, 'dist')} is missing: run \`npm run build\` in ${root}`);
  }
  problems.push(...(await checkPorts(opts.ports)));
  const dataDir = resolve(opts.storagePath ?? DEFAULT_STACK_DIR);
  const storeProblem = stackStoreProblem(dataDir, existsSync);
  if (storeProblem) problems.push(storeProblem);
  if (problems.length > 0 || 'error' in prometheus || 'error' in alertmanager || 'error' in nodeExporter) {
    err.write(`vantage stack: cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }

  const options: StackOptions = {
    root,
    dataDir,
    configFile,
    logLevel: opts.logLevel,
    logFormat: opts.logFormat,
    ports: opts.ports,
    binaries: {
      prometheus: prometheus.path,
      alertmanager: alertmanager.path,
      'node-exporter': nodeExporter.path,
    },
  };
  for (const dir of Object.values(dataDirs(options.dataDir))) await mkdir(dir, { recursive: true });
  const promConfig = prometheusConfig(options);
  for (const [file, content] of promConfig.generated) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  await writeAdminTokenFile(adminTokenPlan(options));

  const supervisor = new Supervisor(out, err, COMPONENTS);
  const rendered = await renderAlertmanagerConfig(options, (line) =>
    err.write(`${supervisor.prefix('alertmanager')}${line}\n`),
  );
  if (!rendered) {
    err.write(
      'vantage stack: cannot start: alertmanager/render-config.sh refused the configuration (above)\n',
    );
    return 1;
  }

  // From here on children run: every way out goes through stopAll(), and process exit kills
  // whatever is left.
  const onExit = () => supervisor.killAll();
  process.on('exit', onExit);
  let stopRequested: (signal: string) => void = () => undefined;
  const stopSignal = new Promise<Outcome>((r) => (stopRequested = (signal) => r({ kind: 'stop', signal })));
  let stopping = false;
  const onStop = (signal: NodeJS.Signals) => {
    if (stopping) {
      err.write(`vantage stack: ${signal} again: killing all four now\n`);
      supervisor.killAll();
      return;
    }
    stopping = true;
    stopRequested(signal);
  };
  const onHangup = () => {
    void renderAlertmanagerConfig(options, (line) =>
      err.write(`${supervisor.prefix('alertmanager')}${line}\n`),
    ).then(() => supervisor.reloadAll());
  };
  process.on('SIGINT', onStop).on('SIGTERM', onStop).on('SIGHUP', onHangup);

  try {
    for (const spec of planChildren(options, promConfig.file)) supervisor.start(spec);
    const firstExit = supervisor.firstExit().then((exit): Outcome => ({ kind: 'exit', exit }));

    const readiness = new AbortController();
    const outcome = await Promise.race([
      waitAllReady(
        supervisor.children.map((c) => c.spec),
        readiness.signal,
      ),
      firstExit,
      stopSignal,
    ]);
    readiness.abort();
    if (outcome.kind === 'ready') {
      out.write(stackBanner({ options, prometheusConfigFile: promConfig.file, pid: process.pid, shown }));
      const next = await Promise.race([firstExit, stopSignal]);
      return await finish(next, supervisor);
    }
    return await finish(outcome, supervisor);
  } catch (error) {
    supervisor.killAll();
    throw error;
  } finally {
    process.off('SIGINT', onStop).off('SIGTERM', onStop).off('SIGHUP', onHangup);
    process.off('exit', onExit);
  }
}

async function finish(outcome: Outcome, supervisor: Supervisor): Promise<number> {
  const err = process.stderr;
  switch (outcome.kind) {
    case 'stop': {
      process.stdout.write(`vantage stack: ${outcome.signal}: stopping ${COMPONENTS.join(', ')}\n`);
      const killed = await supervisor.stopAll(STOP_GRACE_MS);
      // Ended by the SIGTERM it was sent counts as stopped: node_exporter has no handler for it.
      const failed = supervisor.children.filter(
        (c) => c.exit && !killed.includes(c.spec.name) && c.exit.code !== 0 && c.exit.signal !== 'SIGTERM',
      );
      for (const c of killed)
        err.write(`vantage stack: ${c} did not stop within ${STOP_GRACE_MS / 1000} s: killed\n`);
      for (const c of failed)
        err.write(`vantage stack: ${c.spec.name} ${describeExit(c.exit!)} while stopping\n`);
      if (killed.length > 0 || failed.length > 0) return 1;
      process.stdout.write('vantage stack: stopped\n');
      return 0;
    }
    case 'exit': {
      const dead = supervisor.children.find((c) => c.spec.name === outcome.exit.name)!;
      const lines = lastLines(dead);
      err.write(
        `vantage stack: ${TITLES[outcome.exit.name]} ${describeExit(outcome.exit)}; stopping the others.\n` +
          (lines.length > 0
            ? `Its last lines:\n${lines.map((l) => `  ${l}`).join('\n')}\n`
            : 'It printed nothing.\n'),
      );
      await supervisor.stopAll(STOP_GRACE_MS);
      return 1;
    }
    case 'timeout': {
      err.write(
        `vantage stack: not ready after ${READY_TIMEOUT_MS / 1000} s: ${outcome.waiting.join(', ')}; stopping all four\n`,
      );
      await supervisor.stopAll(STOP_GRACE_MS);
      return 1;
    }
    case 'ready':
      return 0;
  }
}

/** Polls every child's /-/ready until all answer 200. */
async function waitAllReady(specs: ChildSpec[], signal: AbortSignal): Promise<Outcome> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const waiting = new Set(specs);
  while (waiting.size > 0 && !signal.aborted) {
    if (Date.now() > deadline) return { kind: 'timeout', waiting: [...waiting].map((s) => TITLES[s.name]) };
    for (const spec of [...waiting]) {
      try {
        const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) waiting.delete(spec);
      } catch {
        // not listening yet
      }
    }
    if (waiting.size > 0) await sleep(200);
  }
  return { kind: 'ready' };
}

/**
 * alertmanager/render-config.sh TEMPLATE OUT, with the caller's VANTAGE_*_WEBHOOK_URL and this
 * vantage's incident URL. Its warnings (unset receivers) go to `log`. False when it refused.
 */
function renderAlertmanagerConfig(o: StackOptions, log: (line: string) => void): Promise<boolean> {
  const { script, template, out } = alertmanagerConfigPaths(o);
  return new Promise((resolvePromise) => {
    execFile('sh', [script, template, out], { env: renderEnv(o) }, (error, _stdout, stderr) => {
      for (const line of stderr.split('\n')) if (line.trim()) log(line);
      resolvePromise(!error);
    });
  });
}
