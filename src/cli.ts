/**
 * Command line: flags and sub-commands, nothing else (DESIGN.md "Command line"). Each command
 * parses its flags and hands over to the service, the config loader or the prober.
 */
import { parseArgs } from 'node:util';
import { configJsonSchema } from './config/jsonSchema.js';
import { configDefaultsFromEnv } from './config/environmentDefaults.js';
import { formatConfigError, loadConfigFile } from './config/load.js';
import { redactUrl } from './config/redact.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './runtime/logger.js';
import { proberFor, runProbe } from './probers/index.js';
import { compileWindow, describeWindow } from './scheduler/maintenanceCalendar.js';
import { renderProbeResult } from './metrics/probeExposition.js';
import { serve } from './server/serve.js';
import { terminalAuditProgress } from './terminalProgress.js';
import { WHOLE, type Shard } from './service/shard.js';
import { parsePorts } from './stack/preflight.js';
import { runStack } from './stack/stack.js';
import { formatChangeTable, formatRecordedChange } from './store/changeFormat.js';
import { changeToJson, IdempotencyKeyConflict } from './store/changes.js';
import { parseChangeQuery, parseNewChange } from './input/changeInput.js';
import { InputError } from './input/inputError.js';
import { idempotencyKeyProblem } from './store/idempotency.js';
import { reportCommand, ReportUsageError, type ReportCommandInput } from './report/reportCommand.js';
import { loadCommand, LoadUsageError, type LoadCommandInput } from './load/loadCommand.js';
import { describeReportSection } from './report/reportSchedule.js';
import { plural } from './format/index.js';
import { StoreVersionError } from './store/database.js';
import { StoreLocationError, storeToUse } from './store/location.js';
import { Store } from './store/store.js';
import { VERSION } from './runtime/version.js';

export const HELP = `vantage ${VERSION}: synthetic HTTP checks, journeys, browser flows and Lighthouse audits as Prometheus metrics

Usage:
  vantage [serve] [--config.file=FILE] [--web.listen-address=HOST:PORT]
                  [--storage.path=DIR] [--log.level=LEVEL] [--log.format=FORMAT]
                  [--shard=INDEX/COUNT] [--probe.workers=N] [--rum.listen-address=HOST:PORT]
  vantage check-config --config.file=FILE
  vantage probe --config.file=FILE --target=NAME|URL [--module=NAME]
  vantage change add --title=TEXT --kind=KIND [--target=NAME] [--at=ISO-8601]
                     [--description=TEXT] [--idempotency-key=KEY] [--storage.path=DIR]
                     [--create]
                                 record a deploy, config change or optimisation in the change
                                 log (KIND: deploy, config, infrastructure, optimisation, load_test, other)
  vantage change list [--target=NAME] [--since=ISO-8601] [--until=ISO-8601] [--limit=N]
                      [--format=table|json] [--storage.path=DIR] [--create]
  vantage report --prometheus.url=URL [--date=YYYY-MM-DD] [--period=day|week|month]
                 [--timezone=Area/City] [--storage.path=DIR] [--out=DIR]
                 [--format=md,html,json] [--evaluation.window=24h]
                 [--config.file=FILE]
                                 the performance report (Monitoring, Evaluation, Learning)
                                 of a day, ISO week or month, from Prometheus and the store
  vantage load --config.file=FILE --target=NAME --rate=START..END [--steps=10]
               [--step-duration=30s] [--concurrency=N] [--max-duration=10m]
               [--format=text|json|markdown] [--storage.path=DIR] [--create]
                                 a bounded load test of a configured target that allows it
                                 (load_test.allowed): the rate climbs in steps, the knee is
                                 the highest rate within the latency objective; stored with
                                 a change of kind load_test (docs/load-testing.md)
  vantage config-schema          print the JSON Schema of vantage.yml
  vantage stack [--config.file=FILE] [--storage.path=DIR]
                [--vantage.port=9470] [--prometheus.port=9090] [--alertmanager.port=9093]
                [--node-exporter.port=9100] [--prometheus.binary=PATH]
                [--alertmanager.binary=PATH] [--node-exporter.binary=PATH]
                                 vantage, Prometheus, Alertmanager and node_exporter on
                                 127.0.0.1 without Docker (what docker compose runs, Grafana
                                 aside)
  vantage --help | --version

Flags:
  --config.file=FILE            configuration file; without it an embedded demo config
                                probes demo pages that vantage serves itself
  --web.listen-address=ADDR     where to serve /metrics, /probe and the UI (default 0.0.0.0:9470)
  --rum.listen-address=ADDR     (serve) serve the field-data beacon and snippet (/rum/v1/) on
                                this address only, e.g. a public one while
                                --web.listen-address stays private (default: on the main one)
  --storage.path=DIR            where reports and the store live (default data/);
                                (stack) the data of all three (default data/stack/).
                                Every command finds the store as DIR/vantage.db or, in a
                                stack's DIR, DIR/vantage/vantage.db (both there: refused),
                                and names the file it used
  --create                      (change add, change list, load) begin a new store at
                                DIR/vantage.db when DIR holds none; without it they exit 1
                                naming where they looked (serve creates its own at first start)
  --log.level=LEVEL             debug, info, warn or error (default info)
  --log.format=FORMAT           (serve, stack) logfmt or json lines on stderr (default logfmt)
  --shard=INDEX/COUNT           (serve) probe only the targets whose name hashes to shard INDEX
                                of COUNT, e.g. 0/3: COUNT instances with one config split the
                                targets (default: every target; see docs/scaling.md)
  --probe.workers=N             (serve) threads that run the HTTP probes, 1 to 64 (default: one
                                per 2,000 HTTP checks, at most one per core; docs/performance.md)
  --target=NAME|URL             (probe) a configured target name, or any http(s) URL;
                                (load) a configured target name only
  --rate=START..END             (load) requests/s of the first and the last step, whole
                                numbers; one number R is a constant rate (one step unless
                                --steps says more); with --steps=1 the one step is at END
  --steps=N                     (load) steps from START to END in equal increments (default 10)
  --step-duration=DURATION      (load) each step, whole seconds (default 30s)
  --concurrency=N               (load) connections at most (default: the target's
                                load_test.max_concurrency, and no more than END)
  --max-duration=DURATION       (load) the whole run at most (default and ceiling: the
                                target's load_test.max_duration); a longer plan is refused
  --format=FORMAT               (load) text, json or markdown (default text)
  --module=NAME                 (probe) the module to use (default: the target's only module)
  --vantage.port, --prometheus.port, --alertmanager.port, --node-exporter.port=PORT
                                (stack) ports on 127.0.0.1 (default 9470, 9090, 9093, 9100)
  --prometheus.binary, --alertmanager.binary, --node-exporter.binary=PATH
                                (stack) the executables (default: prometheus,
                                prometheus-alertmanager or alertmanager, and
                                prometheus-node-exporter or node_exporter on PATH)

  --title, --kind, --at, --description
                                (change add) the change; --at defaults to now and needs an
                                offset or Z, e.g. 2025-03-14T09:30:00Z, from 1970 on
  --idempotency-key=KEY         (change add) run again with the same key and change, nothing
                                new is recorded: the change recorded first is printed
  --since, --until, --limit, --format
                                (change list) time range, at most N changes (default 100),
                                table or json (default table)
  --prometheus.url=URL          (report) the Prometheus that scrapes vantage
  --date, --period, --timezone  (report) the period containing DATE (default: yesterday),
                                day, week or month (default day), cut in the time zone
                                (default UTC)
  --out=DIR, --format=LIST      (report) write each format as a file in DIR (default: all
                                three); without --out, one format (default md) to stdout
  --evaluation.window=DURATION  (report) the before and after windows of each change
                                (default 24h, at most 7d)
  --config.file=FILE            (report) vantage.yml, whose targets' hosts and traffic_query
                                the Capacity part reads (optional)

Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT stop within 5 seconds.
Docs: README.md, docs/configuration.md, docs/metrics.md, docs/changes.md, docs/report.md,
      docs/load-testing.md
`;

const FLAGS = {
  'config.file': { type: 'string' },
  'web.listen-address': { type: 'string', default: '0.0.0.0:9470' },
  'rum.listen-address': { type: 'string' },
  // No default here: serve's is data/, stack's data/stack/.
  'storage.path': { type: 'string' },
  'log.level': { type: 'string', default: 'info' },
  'log.format': { type: 'string', default: 'logfmt' },
  shard: { type: 'string' },
  'probe.workers': { type: 'string' },
  target: { type: 'string' },
  module: { type: 'string' },
  'vantage.port': { type: 'string' },
  'prometheus.port': { type: 'string' },
  'alertmanager.port': { type: 'string' },
  'node-exporter.port': { type: 'string' },
  'prometheus.binary': { type: 'string' },
  'alertmanager.binary': { type: 'string' },
  'node-exporter.binary': { type: 'string' },
  title: { type: 'string' },
  kind: { type: 'string' },
  at: { type: 'string' },
  description: { type: 'string' },
  'idempotency-key': { type: 'string' },
  create: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  'prometheus.url': { type: 'string' },
  date: { type: 'string' },
  period: { type: 'string' },
  timezone: { type: 'string' },
  out: { type: 'string' },
  'evaluation.window': { type: 'string' },
  rate: { type: 'string' },
  steps: { type: 'string' },
  'step-duration': { type: 'string' },
  concurrency: { type: 'string' },
  'max-duration': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

const COMMANDS = [
  'serve',
  'check-config',
  'probe',
  'change',
  'report',
  'config-schema',
  'stack',
  'load',
  'help',
  'version',
] as const;
type Command = (typeof COMMANDS)[number];

/** Parse `HOST:PORT`, `:PORT` or `[v6]:PORT`. */
export function parseListenAddress(
  text: string,
  flag = 'web.listen-address',
): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new UsageError(`--${flag}: expected HOST:PORT, got "${text}"`);
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Parse `--shard=INDEX/COUNT`; absent means one shard of one (every target). */
export function parseShard(text: string | undefined): Shard {
  if (text === undefined) return WHOLE;
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) {
    throw new UsageError(`--shard: expected INDEX/COUNT with 0 <= INDEX < COUNT, got "${text}"`);
  }
  return { index, count };
}

/** Parse `--probe.workers=N`; absent means chosen from the cores and the fleet. */
export function parseProbeWorkers(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= 1 && n <= 64))
    throw new UsageError(`--probe.workers: expected a whole number from 1 to 64, got "${text}"`);
  return n;
}

export class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\nRun "vantage --help" for usage.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    console.log(`vantage ${VERSION} (node ${process.version})`);
    return 0;
  }
  const command = (positionals[0] ?? 'serve') as Command;
  if (values.help || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (!COMMANDS.includes(command)) {
    console.error(`unknown command "${positionals[0]}"\nRun "vantage --help" for usage.`);
    return 2;
  }
  // `change` takes a sub-command (add, list); every other command takes none.
  const maxPositionals = command === 'change' ? 2 : 1;
  if (positionals.length > maxPositionals) {
    console.error(`unexpected argument "${positionals[maxPositionals]}"\nRun "vantage --help" for usage.`);
    return 2;
  }
  if (values.create && command !== 'change' && command !== 'load') {
    console.error(
      '--create: only "change add", "change list" and "load" take it (the service creates its store on its first start)',
    );
    return 2;
  }
  const logLevel = values['log.level'] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    console.error(`--log.level: must be one of ${LOG_LEVELS.join(', ')}, got "${values['log.level']}"`);
    return 2;
  }
  const logFormat = values['log.format'] as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) {
    console.error(`--log.format: must be one of ${LOG_FORMATS.join(', ')}, got "${values['log.format']}"`);
    return 2;
  }
  try {
    switch (command) {
      case 'version':
        console.log(`vantage ${VERSION} (node ${process.version})`);
        return 0;
      case 'config-schema':
        console.log(JSON.stringify(configJsonSchema(), null, 2));
        return 0;
      case 'check-config':
        return await checkConfig(values['config.file']);
      case 'probe':
        return await probeOnce(values['config.file'], values.target, values.module);
      case 'change':
        return changeCommand(positionals[1], values);
      case 'report':
        return await report(values);
      case 'load':
        return await load(values);
      case 'serve':
        return await serve({
          configFile: values['config.file'],
          listen: parseListenAddress(values['web.listen-address']),
          rumListen:
            values['rum.listen-address'] === undefined
              ? undefined
              : parseListenAddress(values['rum.listen-address'], 'rum.listen-address'),
          storagePath: values['storage.path'] ?? 'data',
          logLevel,
          logFormat,
          shard: parseShard(values.shard),
          probeWorkers: parseProbeWorkers(values['probe.workers']),
        });
      case 'stack': {
        const ports = parsePorts({
          vantage: values['vantage.port'],
          prometheus: values['prometheus.port'],
          alertmanager: values['alertmanager.port'],
          'node-exporter': values['node-exporter.port'],
        });
        if ('error' in ports) throw new UsageError(ports.error);
        return await runStack({
          configFile: values['config.file'],
          storagePath: values['storage.path'],
          logLevel,
          logFormat,
          ports,
          prometheusBinary: values['prometheus.binary'],
          alertmanagerBinary: values['alertmanager.binary'],
          nodeExporterBinary: values['node-exporter.binary'],
        });
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  return 0;
}

/** `vantage report`: see src/report/reportCommand.ts. */
async function report(values: Record<string, unknown>): Promise<number> {
  try {
    return await reportCommand(values as ReportCommandInput);
  } catch (err) {
    if (err instanceof ReportUsageError) throw new UsageError(err.message);
    if (err instanceof StoreVersionError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

/** `vantage load`: see src/load/loadCommand.ts. */
async function load(values: Record<string, unknown>): Promise<number> {
  try {
    return await loadCommand(values as LoadCommandInput);
  } catch (err) {
    if (err instanceof LoadUsageError) throw new UsageError(err.message);
    if (err instanceof StoreVersionError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

const CHANGE_ADD_FLAGS = ['title', 'kind', 'target', 'at', 'description'] as const;
/** change add flags that are not fields of the change itself. */
const CHANGE_ADD_OPTIONS = ['idempotency-key'] as const;
const CHANGE_LIST_FLAGS = ['target', 'since', 'until', 'limit'] as const;

/** `vantage change add|list`: the change log in the database under --storage.path. */
function changeCommand(sub: string | undefined, values: Record<string, unknown>): number {
  if (sub !== 'add' && sub !== 'list') {
    throw new UsageError(`change: expected "add" or "list"${sub ? `, got "${sub}"` : ''}`);
  }
  const own: readonly string[] =
    sub === 'add' ? [...CHANGE_ADD_FLAGS, ...CHANGE_ADD_OPTIONS] : [...CHANGE_LIST_FLAGS, 'format'];
  const foreign = [...CHANGE_ADD_FLAGS, ...CHANGE_ADD_OPTIONS, ...CHANGE_LIST_FLAGS, 'format'].find(
    (f) => values[f] !== undefined && !own.includes(f),
  );
  if (foreign) throw new UsageError(`change ${sub}: --${foreign} does not apply here`);
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json') {
    throw new UsageError(`--format: must be table or json, got "${format}"`);
  }
  const pick = (flags: readonly string[]) =>
    Object.fromEntries(flags.filter((f) => values[f] !== undefined).map((f) => [f, values[f]]));
  let store: Store | undefined;
  try {
    const input = sub === 'add' ? parseNewChange(pick(CHANGE_ADD_FLAGS)) : undefined;
    const key = values['idempotency-key'] as string | undefined;
    const keyProblem = key === undefined ? undefined : idempotencyKeyProblem(key);
    if (keyProblem !== undefined) throw new InputError('idempotency-key', keyProblem);
    const query = sub === 'list' ? parseChangeQuery(pick(CHANGE_LIST_FLAGS)) : undefined;
    const location = storeToUse((values['storage.path'] as string | undefined) ?? 'data', {
      create: values.create === true,
      howToCreate: 'pass --create',
    });
    // stderr: stdout stays the change (or the JSON list) alone.
    process.stderr.write(`store: ${location.file}${location.created ? ' (created)' : ''}\n`);
    store = Store.open(location.dir);
    if (input && key !== undefined) {
      const { change, replayed } = store.changes.addIdempotent(input, key);
      process.stdout.write(formatRecordedChange(change, replayed));
    } else if (input) {
      process.stdout.write(formatRecordedChange(store.changes.add(input)));
    } else {
      const changes = store.changes.list(query);
      process.stdout.write(
        format === 'json'
          ? JSON.stringify({ changes: changes.map(changeToJson) }, null, 2) + '\n'
          : formatChangeTable(changes),
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(`--${err.field}: ${err.message}`);
    if (err instanceof IdempotencyKeyConflict) throw new UsageError(`--idempotency-key: ${err.message}`);
    if (err instanceof StoreVersionError || err instanceof StoreLocationError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    store?.close();
  }
}

async function checkConfig(file: string | undefined): Promise<number> {
  if (!file) throw new UsageError('check-config: --config.file is required');
  // What the service would run in this environment (VANTAGE_PROMETHEUS_URL included).
  const loaded = await loadConfigFile(file, configDefaultsFromEnv(process.env));
  if (!loaded.ok) {
    console.error(`${file}: ${plural(loaded.errors.length, 'error')}`);
    for (const e of loaded.errors) {
      console.error(`  ${formatConfigError(e)}`);
      if (e.excerpt) console.error(e.excerpt);
    }
    return 1;
  }
  const c = loaded.config;
  const checks = c.targets.reduce((n, t) => n + t.modules.length, 0);
  const windows = c.maintenance_windows.length;
  console.log(
    `${file}: OK: ${plural(Object.keys(c.modules).length, 'module')}, ${plural(c.targets.length, 'target')}, ` +
      `${plural(checks, 'check')}, ${plural(windows, 'maintenance window')}`,
  );
  // When each window next applies: the quickest way to see that a cron expression means what you meant.
  for (const w of c.maintenance_windows.map(compileWindow)) {
    const covers = w.targets.length > 0 ? w.targets.join(', ') : 'all targets';
    console.log(`  maintenance window ${w.name} (${covers}): ${describeWindow(w, Date.now())}`);
  }
  if (c.report) console.log(`  ${describeReportSection(c.report, Date.now())}`);
  for (const w of loaded.warnings) console.log(`  warning: ${w}`);
  return 0;
}

async function probeOnce(
  file: string | undefined,
  target: string | undefined,
  moduleName?: string,
): Promise<number> {
  if (!file) throw new UsageError('probe: --config.file is required');
  if (!target) throw new UsageError('probe: --target is required (a configured target name or a URL)');
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) {
    for (const e of loaded.errors) console.error(formatConfigError(e));
    return 1;
  }
  const config = loaded.config;
  const configured = config.targets.find((t) => t.name === target);
  if (!configured && !/^https?:\/\//.test(target)) {
    throw new UsageError(
      `probe: no target named "${target}" (configured: ${config.targets.map((t) => t.name).join(', ') || 'none'})`,
    );
  }
  const name = moduleName ?? (configured?.modules.length === 1 ? configured.modules[0] : undefined);
  if (!name) {
    throw new UsageError(
      `probe: --module is required${configured ? ` (target "${target}" has ${configured.modules.join(', ')})` : ''}`,
    );
  }
  const module = config.modules[name];
  if (!module) {
    throw new UsageError(
      `probe: unknown module "${name}" (defined: ${Object.keys(config.modules).join(', ')})`,
    );
  }
  const url = configured?.url ?? target;
  console.log(
    `Probe of ${configured ? `target "${configured.name}" (${redactUrl(url)})` : redactUrl(url)} with module "${name}"\n`,
  );
  const prober = proberFor(module);
  if (prober.runs.kind === 'audit') {
    // An audit batch now, in this process; Chrome is killed and its profile removed on Ctrl-C too.
    const stop = new AbortController();
    const onSignal = () => stop.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    // A batch takes a minute or more: on a terminal, its progress on stderr as it goes. Piped,
    // nothing: stdout carries the result only, and stderr stays for errors.
    const progress = process.stderr.isTTY
      ? terminalAuditProgress(process.stderr, configured?.name ?? redactUrl(url))
      : undefined;
    const result = await prober.runs.audit(
      url,
      module,
      { signal: stop.signal },
      {
        target,
        module: name,
        onProgress: progress?.onProgress,
        ...(configured && { latencyObjectiveSeconds: configured.slo.latency / 1000 }),
      },
    );
    progress?.stop();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (result.trace.length > 0) console.log(prober.formatTrace(result));
    console.log('\nMetrics:');
    process.stdout.write(renderProbeResult(result, { probeSeries: prober.probeSeries }));
    return result.success ? 0 : 1;
  }
  const result = await runProbe(url, module, {
    allowedNetworks: config.security.allowed_networks,
    dnsServers: config.global.dns_servers,
    ...(configured && { latencyObjectiveSeconds: configured.slo.latency / 1000 }),
  });
  console.log(prober.formatTrace(result));
  console.log('\nMetrics:');
  process.stdout.write(renderProbeResult(result, { probeSeries: prober.probeSeries }));
  return result.success ? 0 : 1;
}
