/**
 * The variables of one journey run: values extracted by earlier steps, and the environment and
 * files that `${env:...}` and `${file:...}` read. Resolving a template also records which values
 * are secret (every env and file value, and extracted values marked `secret: true`), so that
 * `redact` can take them out of every line the run shows: traces, failure messages, logs.
 *
 * Files are read at every run (a rotated secret needs no reload), once per run whatever the number
 * of references. Secrets shorter than 4 characters are not searched for in text (replacing "ab"
 * everywhere would garble the trace), as config error messages do.
 */
import { REDACTED } from '../../config/redact.js';
import type { Template } from '../../config/template.js';
import { readSecret } from '../http/index.js';

/** A reference with no value in this run (an unreadable file is the http prober's ProbeError). */
export class VariableError extends Error {}

const MIN_REDACTED_LENGTH = 4;

export class JourneyVariables {
  private readonly values = new Map<string, string>();
  private readonly files = new Map<string, string>();
  private readonly secrets = new Set<string>();

  /** Set a variable from an extraction. */
  set(name: string, value: string, secret: boolean): void {
    this.values.set(name, value);
    if (secret) this.markSecret(value);
  }

  /** Read the files `templates` refer to that this run has not read yet. */
  async loadFiles(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      if (this.files.has(path)) continue;
      // The http prober's secret-file reader: same trimming, same error (protocol_error, naming the file).
      const content = await readSecret(`\${file:${path}}`, path);
      this.files.set(path, content);
      this.markSecret(content);
    }
  }

  /** The text of a template. Files must have been loaded (loadFiles) first. */
  resolve(template: Template): string {
    if (template.length === 1 && template[0]!.kind === 'text') return template[0]!.text;
    let out = '';
    for (const part of template) {
      switch (part.kind) {
        case 'text':
          out += part.text;
          break;
        case 'var': {
          const value = this.values.get(part.name);
          if (value === undefined) {
            throw new VariableError(`variable \${${part.name}} has no value in this run`);
          }
          out += value;
          break;
        }
        case 'env': {
          const value = process.env[part.name];
          if (value === undefined) {
            throw new VariableError(`environment variable ${part.name} is not set`);
          }
          this.markSecret(value);
          out += value;
          break;
        }
        case 'file': {
          const value = this.files.get(part.path);
          if (value === undefined) throw new VariableError(`\${file:${part.path}} was not read`);
          out += value;
          break;
        }
      }
    }
    return out;
  }

  /** `text` with every secret value of this run replaced by <secret>. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      // A secret in a URL's query or path is percent-encoded there.
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }

  private markSecret(value: string): void {
    if (value.length >= MIN_REDACTED_LENGTH) this.secrets.add(value);
  }
}
