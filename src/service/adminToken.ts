/**
 * The admin token, from the first of: security.admin_token, security.admin_token_file,
 * $VANTAGE_ADMIN_TOKEN. Whatever the source, the token must hold at least ADMIN_TOKEN_MIN_LENGTH
 * characters once surrounding whitespace is trimmed (as the config key always required), so a
 * one-letter variable or file is refused as the config value is; an empty or whitespace-only
 * file is an error too, not a token nobody can send (which would lock every admin call out).
 * Each error names its source: the config path and line, the file, or the variable.
 */
import { readFile } from 'node:fs/promises';
import type { ConfigError } from '../config/errors.js';
import type { VantageConfig } from '../config/schema.js';

export const ADMIN_TOKEN_MIN_LENGTH = 16;
export const ADMIN_TOKEN_ENV = 'VANTAGE_ADMIN_TOKEN';

export type AdminTokenResult = { ok: true; token: string | undefined } | { ok: false; error: ConfigError };

const tooShort = (length: number) =>
  `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (it has ${length}${length > 0 ? ' after trimming whitespace' : ''})`;

export async function resolveAdminToken(
  config: VantageConfig,
  env: NodeJS.ProcessEnv,
  lineOf: (path: readonly PropertyKey[]) => number | undefined,
): Promise<AdminTokenResult> {
  const at = (key: string): ConfigError => ({
    path: `security.${key}`,
    line: lineOf(['security', key]),
    message: '',
  });
  const { admin_token: inline, admin_token_file: file } = config.security;
  if (inline !== undefined) {
    // The schema refuses short ones with path and line; this catches 16 spaces.
    const token = inline.trim();
    if (token.length < ADMIN_TOKEN_MIN_LENGTH)
      return { ok: false, error: { ...at('admin_token'), message: tooShort(token.length) } };
    return { ok: true, token };
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      return {
        ok: false,
        error: { ...at('admin_token_file'), message: `cannot read the admin token file ${file}: ${code}` },
      };
    }
    const token = text.trim();
    const message =
      token.length === 0
        ? `the admin token file ${file} is empty${text.length > 0 ? ' (only whitespace)' : ''}; it must hold a token of at least ${ADMIN_TOKEN_MIN_LENGTH} characters`
        : token.length < ADMIN_TOKEN_MIN_LENGTH
          ? `the token in ${file} ${tooShort(token.length)}`
          : undefined;
    return message ? { ok: false, error: { ...at('admin_token_file'), message } } : { ok: true, token };
  }
  const fromEnv = env[ADMIN_TOKEN_ENV];
  // Unset or empty: no token (compose passes `VANTAGE_ADMIN_TOKEN: ${VANTAGE_ADMIN_TOKEN:-}`).
  if (fromEnv === undefined || fromEnv === '') return { ok: true, token: undefined };
  const token = fromEnv.trim();
  if (token.length < ADMIN_TOKEN_MIN_LENGTH) {
    return {
      ok: false,
      error: { path: '', message: `environment variable ${ADMIN_TOKEN_ENV}: ${tooShort(token.length)}` },
    };
  }
  return { ok: true, token };
}
