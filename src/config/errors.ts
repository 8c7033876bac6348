/**
 * Configuration errors as an SRE reads them: the YAML path of the offending value, its line, and
 * what is wrong, e.g. `targets[2].url (line 14): not a URL: "htp:/x"`.
 */

export interface ConfigError {
  /** YAML path such as `targets[2].url`; "" when the error is not about one value (syntax, I/O). */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** 1-based column, when known (YAML syntax errors). */
  column?: number;
  message: string;
  /**
   * The offending line as written, numbered, with a caret under the column (YAML syntax errors):
   * printed under the error by check-config, so the line is seen without opening the file.
   */
  excerpt?: string;
}

export type PathSegment = string | number;

/** `['targets', 2, 'url']` -> `targets[2].url`; keys that are not identifiers are quoted: `headers["a.b"]`. */
export function renderPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(String(segment)))
      out += out === '' ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

export function formatConfigError(e: ConfigError): string {
  if (e.path !== '')
    return e.line !== undefined ? `${e.path} (line ${e.line}): ${e.message}` : `${e.path}: ${e.message}`;
  if (e.line !== undefined) {
    return e.column !== undefined
      ? `line ${e.line}, column ${e.column}: ${e.message}`
      : `line ${e.line}: ${e.message}`;
  }
  return e.message;
}

/**
 * Line `line` of `text` quoted for an error, with a caret under `column` (both 1-based):
 *     7 |   url: http://x
 *       |   ^
 */
export function sourceExcerpt(text: string, line: number, column = 1): string | undefined {
  const source = text.split(/\r?\n/)[line - 1];
  if (source === undefined) return undefined;
  const gutter = String(line).padStart(5);
  // Tabs kept as written, so the caret lines up under a tab-indented line too.
  const lead = source.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
  return `${gutter} | ${source}\n${' '.repeat(gutter.length)} | ${lead}^`;
}

/** Thrown by callers that want an exception; the message lists every error, one per line. */
export class ConfigLoadError extends Error {
  readonly errors: ConfigError[];

  constructor(errors: ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
    this.name = 'ConfigLoadError';
    this.errors = errors;
  }
}
