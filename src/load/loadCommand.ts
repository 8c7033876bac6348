/**
 * `vantage load`: a bounded load test of a configured target, from the command line. Everything
 * that can refuse the run (the flags, the config, the target's caps, the store) is settled
 * before the first request; then the steps run with a progress line each on stderr, the run is
 * stored with its change log entry, and the result goes to stdout in the chosen format.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops the step under way, stores the run as `interrupted` and
 * exits 130 or 143 (128 + the signal's number), as shells expect of a program a signal stopped.
 */
import { formatConfigError, loadConfigFile } from '../config/load.js';
import { redactUrl } from '../config/redact.js';
import { formatRate, plural } from '../format/index.js';
import { StoreLocationError, storeToUse } from '../store/location.js';
import { Store } from '../store/store.js';
import { runLoadTest } from './loadTest.js';
import { planLoadTest, type LoadFlags } from './plan.js';
import { LOAD_FORMATS, progressLine, renderLoadTest, type LoadFormat } from './render.js';
import { formatConfigDuration } from '../config/duration.js';

/** A refusal of the command line; the CLI prints it and exits 2. */
export class LoadUsageError extends Error {}

export interface LoadCommandInput extends LoadFlags {
  'config.file'?: string;
  format?: string;
  'storage.path'?: string;
  create?: boolean;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export async function loadCommand(
  input: LoadCommandInput,
  io: { write: (text: string) => void; warn: (text: string) => void } = {
    write: (t) => process.stdout.write(t),
    warn: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const format = (input.format ?? 'text') as LoadFormat;
  if (!LOAD_FORMATS.includes(format))
    throw new LoadUsageError(`--format: must be one of ${LOAD_FORMATS.join(', ')}, got "${input.format}"`);
  const file = input['config.file'];
  if (!file)
    throw new LoadUsageError('load: --config.file is required (the targets and their load_test caps)');
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) {
    io.warn(`${file}: ${plural(loaded.errors.length, 'error')}\n`);
    for (const e of loaded.errors) io.warn(`  ${formatConfigError(e)}\n`);
    return 1;
  }
  const planned = planLoadTest(input, loaded.config, file);
  if (!planned.ok) throw new LoadUsageError(`--${planned.refusal.flag}: ${planned.refusal.message}`);
  const plan = planned.plan;

  let location;
  try {
    location = storeToUse(input['storage.path'] ?? 'data', {
      create: input.create === true,
      howToCreate: 'pass --create',
    });
  } catch (err) {
    if (err instanceof StoreLocationError) {
      io.warn(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  io.warn(`store: ${location.file}${location.created ? ' (created)' : ''}\n`);
  const store = Store.open(location.dir);

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const { rateStart, rateEnd, steps, stepDurationMs, concurrency } = plan.params;
    io.warn(
      `load test of ${plan.target} (${redactUrl(plan.url)}): ${plural(steps, 'step')} of ${formatConfigDuration(stepDurationMs)} ` +
        `from ${formatRate(rateStart)} to ${formatRate(rateEnd)}, at most ${plural(concurrency, 'connection')}; Ctrl-C stops\n`,
    );
    const { run, change } = await runLoadTest({
      plan,
      signal: stop.signal,
      onStep: (step, index) => io.warn(progressLine(plan, step, index)),
    });
    const stored = store.loadTests.add(run, change);
    io.warn(`stored as load test ${stored.id}, change ${stored.changeId}: ${change.title}\n`);
    io.write(renderLoadTest(stored, format));
    if (run.outcome === 'interrupted') {
      const reason = stop.signal.reason as keyof typeof EXIT_CODES;
      return EXIT_CODES[reason] ?? 130;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    store.close();
  }
}
