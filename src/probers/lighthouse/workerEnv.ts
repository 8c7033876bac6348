/**
 * The environment of the forked Lighthouse worker: vantage's own, without V8 heap limits.
 *
 * docs/performance.md (and the Docker image) size vantage's heap for its fleet with
 * `NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=256"`. A forked child inherits
 * NODE_OPTIONS, but the worker's memory grows with the page audited, not with the fleet:
 * Lighthouse's trace processing alone can take hundreds of megabytes on a complex page, and a
 * 256 MB limit would crash those audits. Every other option (a CA bundle, a loader the user
 * wants) is kept.
 */
const HEAP_SIZE_OPTION = /^--max[-_](old|semi)[-_]space[-_]size(=|$)/;

export function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = env.NODE_OPTIONS;
  if (options === undefined) return env;
  const tokens = options.split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (HEAP_SIZE_OPTION.test(token)) {
      // The value may be the next word: `--max-old-space-size 256`.
      if (!token.includes('=') && /^\d+$/.test(tokens[i + 1] ?? '')) i++;
      continue;
    }
    kept.push(token);
  }
  if (kept.length === tokens.length) return env; // nothing to drop: leave quoting untouched
  const result = { ...env };
  if (kept.length > 0) result.NODE_OPTIONS = kept.join(' ');
  else delete result.NODE_OPTIONS;
  return result;
}
