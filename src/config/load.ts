/**
 * vantage.yml -> validated config, or every error with its YAML path and line. Parsing keeps the
 * YAML document (not just the plain value) so each zod issue can be traced back to a line.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { checkIntervalMs, longestRunMs } from './checkTiming.js';
import { coerceStringScalars, rewriteDeprecatedKeys, unsupportedBlackboxKey } from './blackboxCompat.js';
import { formatConfigDuration } from './duration.js';
import { plural } from '../format/index.js';
import { applyConfigDefaults, type ConfigDefaults } from './environmentDefaults.js';
import { type ConfigError, formatConfigError, renderPath, sourceExcerpt } from './errors.js';
import { describeValue, friendlyMessage, isSecretPath } from './messages.js';
import { urlSecrets } from './redact.js';
import { configSchema, definedModulesText, unknownModuleOf, type VantageConfig } from './schema.js';
import { closest, knownKeysAt } from './suggest.js';
import { type Anchor, YamlPositions } from './yamlPositions.js';

export { ConfigLoadError, formatConfigError, type ConfigError } from './errors.js';

export type LoadResult =
  | {
      ok: true;
      config: VantageConfig;
      warnings: string[];
      /** The line of a value, for errors found after loading (an admin token file's content). */
      lineOf(path: readonly PropertyKey[]): number | undefined;
    }
  | { ok: false; errors: ConfigError[] };

const TOP_LEVEL_KEYS = 'global, modules, targets, security, maintenance_windows, report';

/** `defaults`: what the environment supplies where the text is silent (environmentDefaults.ts). */
export function parseConfigText(text: string, defaults: ConfigDefaults = {}): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const positions = new YamlPositions(doc, lines);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (doc.errors.length === 0)
      return fail([{ path: '', message: `cannot read YAML: ${(err as Error).message}` }]);
  }
  const secrets = collectSecrets(raw);

  if (doc.errors.length > 0) return fail(syntaxErrors(doc.errors, positions, text), secrets);

  // An empty file (or only comments) is an empty config; a scalar or a list is not a config.
  if (raw === null || raw === undefined) raw = {};
  if (!isRecord(raw)) {
    const at = positions.locate([]);
    return fail([
      {
        path: '',
        ...at,
        message: `the top level must be a mapping with ${TOP_LEVEL_KEYS}; got ${describeValue(raw, 'object', false)}`,
      },
    ]);
  }
  // `targets:` with every entry commented out means "none", as in blackbox_exporter (Go zero values).
  for (const key of Object.keys(raw)) if (raw[key] === null) delete raw[key];

  coerceStringScalars(raw, (path) => positions.scalarSource(path));
  const errors: ConfigError[] = prototypeKeyErrors(raw).map((path) => ({
    path: renderPath(path),
    ...lineOf(positions, path, 'key'),
    message: 'the key "__proto__" is not allowed: JavaScript objects reserve it, so it would be dropped',
  }));
  const warnings: ConfigError[] = doc.warnings.map((w) => yamlError(w, positions));
  for (const rewrite of rewriteDeprecatedKeys(raw)) {
    const entry = { path: renderPath(rewrite.path), ...lineOf(positions, rewrite.path, 'key') };
    if (rewrite.error) errors.push({ ...entry, message: rewrite.error });
    if (rewrite.warning) warnings.push({ ...entry, message: rewrite.warning });
  }
  applyConfigDefaults(raw, defaults);

  const result = configSchema.safeParse(raw, { error: friendlyMessage });
  if (!result.success)
    errors.push(...result.error.issues.flatMap((issue) => issueToErrors(issue, raw, positions)));
  if (errors.length > 0 || !result.success) return fail(errors, secrets);

  warnings.push(...configWarnings(result.data, positions));
  // Looked up by names from requests (/probe?module=constructor): no inherited keys to find.
  result.data.modules = Object.assign(Object.create(null) as VantageConfig['modules'], result.data.modules);
  return {
    ok: true,
    config: result.data,
    warnings: warnings.map(formatConfigError),
    lineOf: (path) => positions.locate(path)?.line,
  };
}

export async function loadConfigFile(path: string, defaults: ConfigDefaults = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason =
      e.code === 'ENOENT'
        ? 'no such file'
        : e.code === 'EACCES'
          ? 'permission denied'
          : e.code === 'EISDIR'
            ? 'it is a directory'
            : e.message;
    return { ok: false, errors: [{ path: '', message: `cannot read config file "${path}": ${reason}` }] };
  }
  return parseConfigText(text, defaults);
}

/** zod issue -> config errors (one per unknown key), with the line of the offending node. */
function issueToErrors(issue: z.core.$ZodIssue, raw: unknown, positions: YamlPositions): ConfigError[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const why = unsupportedBlackboxKey(path, key);
      const suggestion = why ? undefined : closest(key, knownKeysAt(configSchema, path));
      // A schema may word its own unknown keys (a browser step's are unknown actions): a message
      // with {key} in it, standing for the key, replaces the generic one.
      const own = issue.message.includes('{key}') ? issue.message : undefined;
      const message = why
        ? `not supported by vantage: ${why}`
        : own
          ? own.replaceAll('{key}', key)
          : `unknown field "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
      return { path: renderPath(keyPath), ...lineOf(positions, keyPath, 'key'), message };
    });
  }
  if (issue.code === 'invalid_key') {
    const message = issue.issues.map((i) => i.message).join('; ');
    return [{ path: renderPath(path), ...lineOf(positions, path, 'key'), message }];
  }
  // A target without `modules:` gets the default http_2xx: say so when that module is not defined.
  const unknownDefault = unknownModuleOf(issue);
  if (unknownDefault && path[0] === 'targets' && valueAt(raw, path.slice(0, 3)) === undefined) {
    const targetPath = path.slice(0, 2);
    return [
      {
        path: renderPath(targetPath),
        ...lineOf(positions, targetPath),
        message: `no modules listed, and the default module "${unknownDefault.unknownModule}" is not defined (${definedModulesText(unknownDefault.definedModules)})`,
      },
    ];
  }
  return [{ path: renderPath(path), ...lineOf(positions, path), message: issue.message }];
}

/**
 * One error per YAML problem: the parser often reports one mistake several times on its line
 * ("Nested mappings are not allowed…", "Implicit keys need to be on a single line"); the first,
 * with the line quoted, is the one that says what is wrong.
 */
function syntaxErrors(errors: readonly YAMLError[], positions: YamlPositions, text: string): ConfigError[] {
  const byLine = new Map<number | undefined, ConfigError>();
  for (const e of errors) {
    const error = yamlError(e, positions);
    if (byLine.has(error.line)) continue;
    const excerpt = error.line === undefined ? undefined : sourceExcerpt(text, error.line, error.column);
    byLine.set(error.line, excerpt === undefined ? error : { ...error, excerpt });
  }
  return [...byLine.values()];
}

function yamlError(e: YAMLError, positions: YamlPositions): ConfigError {
  const at = positions.position(e.pos[0]);
  if (e.code === 'DUPLICATE_KEY') {
    const path = positions.pathOfKeyAt(e.pos[0]);
    const key = path?.[path.length - 1];
    if (path && key !== undefined) {
      return {
        path: renderPath(path),
        ...at,
        message: `duplicate key "${String(key)}": keys must be unique within a mapping`,
      };
    }
  }
  return { path: '', ...at, message: e.message };
}

function configWarnings(config: VantageConfig, positions: YamlPositions): ConfigError[] {
  const warnings: ConfigError[] = [];
  const used = new Set(config.targets.flatMap((t) => t.modules));
  for (const name of Object.keys(config.modules)) {
    if (!used.has(name)) {
      const path = ['modules', name];
      warnings.push({
        path: renderPath(path),
        ...lineOf(positions, path, 'key'),
        message: `module "${name}" is not used by any target`,
      });
    }
  }
  config.targets.forEach((target, i) => {
    for (const name of new Set(target.modules)) {
      const module = config.modules[name];
      // A Lighthouse batch runs on the module's own interval: judged once per module below.
      if (module === undefined || module.prober === 'lighthouse') continue;
      const interval = checkIntervalMs(config, target, module);
      if (module.timeout <= interval) continue;
      const own = target.interval !== undefined;
      const path = own ? ['targets', i, 'interval'] : ['targets', i];
      warnings.push({
        path: renderPath(path),
        ...lineOf(positions, path),
        message:
          `interval ${formatConfigDuration(interval)}${own ? '' : ' (global.interval)'} is shorter than the timeout ` +
          `of module "${name}" (${formatConfigDuration(module.timeout)}): a slow probe is still running when the next is due`,
      });
    }
  });
  for (const name of used) {
    const module = config.modules[name];
    if (module?.prober !== 'lighthouse') continue;
    const batch = longestRunMs(module);
    if (batch <= module.lighthouse.interval) continue;
    // Where the interval is not written, its line is that of the nearest enclosing key.
    const path = ['modules', name, 'lighthouse', 'interval'];
    const { runs } = module.lighthouse;
    warnings.push({
      path: renderPath(path),
      ...lineOf(positions, path),
      message:
        `lighthouse.interval ${formatConfigDuration(module.lighthouse.interval)} is shorter than a batch of ` +
        `module "${name}" may take (${plural(runs, 'run')} x timeout ${formatConfigDuration(module.timeout)} = ` +
        `${formatConfigDuration(batch)}): a slow batch is still running when the next is due`,
    });
  }
  return warnings;
}

function lineOf(positions: YamlPositions, path: readonly PropertyKey[], anchor: Anchor = 'value') {
  return positions.locate(path, anchor) ?? {};
}

/** Errors in file order (line, then column), duplicates dropped, secret values blanked. */
function fail(errors: ConfigError[], secrets: string[] = []): LoadResult {
  const seen = new Set<string>();
  const unique = errors
    .map((e) => ({ ...e, message: redact(e.message, secrets) }))
    .filter((e) => {
      const key = formatConfigError(e);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        (a.e.line ?? Infinity) - (b.e.line ?? Infinity) || (a.e.column ?? 0) - (b.e.column ?? 0) || a.i - b.i,
    )
    .map(({ e }) => e);
  return { ok: false, errors: unique };
}

/** A last line of defence: whatever produced the message, a secret's value never appears in it. */
function redact(message: string, secrets: string[]): string {
  let out = message;
  for (const secret of secrets) {
    out = out.split(JSON.stringify(secret)).join('invalid value');
    if (secret.length >= 4) out = out.split(secret).join('<secret>');
  }
  return out;
}

function collectSecrets(value: unknown, path: PropertyKey[] = [], out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => collectSecrets(v, [...path, i], out));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      const childPath = [...path, k];
      if (isSecretPath(childPath) && (typeof v === 'string' || typeof v === 'number') && String(v) !== '') {
        out.push(String(v));
      } else if ((k === 'url' || k.endsWith('_url')) && typeof v === 'string') {
        out.push(...urlSecrets(v));
      } else collectSecrets(v, childPath, out);
    }
  }
  return out;
}

/**
 * Paths of every `__proto__` key in the parsed YAML. yaml keeps it as an own key, but zod's records
 * (and any later copy into a plain object) would set the prototype instead and silently drop it.
 */
function prototypeKeyErrors(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => prototypeKeyErrors(v, [...path, i]));
  if (!isRecord(value)) return [];
  return Object.keys(value).flatMap((k) => [
    ...(k === '__proto__' ? [[...path, k]] : []),
    ...prototypeKeyErrors(value[k], [...path, k]),
  ]);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
