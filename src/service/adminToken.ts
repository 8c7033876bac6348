/**
 * The admin token, from the first of: security.admin_token, security.admin_token_file,
 * $VANTAGE_ADMIN_TOKEN_FILE, $VANTAGE_ADMIN_TOKEN. The _FILE variable is how docker compose and
 * `vantage stack` hand vantage the token they generate for Alertmanager (a file keeps it out of
 * the environment and `docker inspect`); setting both variables is refused, as it is ambiguous. Whatever the source, the token must hold at least ADMIN_TOKEN_MIN_LENGTH
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
export const ADMIN_TOKEN_FILE_ENV = 'VANTAGE_ADMIN_TOKEN_FILE';

/**
 * How to let other hosts write, for the start-up log line and the 403 of a non-loopback client
 * when no token is set: the same words in both places.
 */
export const SET_ADMIN_TOKEN_HINT = `set an admin token (security.admin_token_file, ${ADMIN_TOKEN_FILE_ENV} or ${ADMIN_TOKEN_ENV}, ${ADMIN_TOKEN_MIN_LENGTH} characters or more) and send it as "Authorization: Bearer <token>"; see docs/security.md#the-admin-token`;

export type AdminTokenResult =
  { ok: true; token: string | undefined; warning?: string } | { ok: false; error: ConfigError };

const tooShort = (length: number) =>
  `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (it has ${length}${length > 0 ? ' after trimming whitespace' : ''})`;

/**
 * The token, and a warning when the config's own token shadows a different one in
 * $VANTAGE_ADMIN_TOKEN_FILE: the stack and compose give that file to Alertmanager too, so its
 * incident webhooks would be refused (401) and the incident log would stay empty without a word.
 */
export async function resolveAdminToken(
  config: VantageConfig,
  env: NodeJS.ProcessEnv,
  lineOf: (path: readonly PropertyKey[]) => number | undefined,
): Promise<AdminTokenResult> {
  const result = await firstAdminToken(config, env, lineOf);
  const shared = env[ADMIN_TOKEN_FILE_ENV];
  const fromConfig =
    config.security.admin_token !== undefined || config.security.admin_token_file !== undefined;
  if (!result.ok || !fromConfig || shared === undefined || shared === '') return result;
  const read = await readTokenFile(shared);
  if ('token' in read && read.token === result.token) return result;
  const key =
    config.security.admin_token !== undefined ? 'security.admin_token' : 'security.admin_token_file';
  return {
    ...result,
    warning:
      `${key} overrides ${ADMIN_TOKEN_FILE_ENV} (${shared}) with a different token: Alertmanager, ` +
      `which sends the token in that file, will be refused (401) and incidents will not be recorded; ` +
      `remove ${key} from the configuration or make both the same token`,
  };
}

async function firstAdminToken(
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
    const read = await readTokenFile(file);
    return 'token' in read
      ? { ok: true, token: read.token }
      : { ok: false, error: { ...at('admin_token_file'), message: read.error } };
  }
  const fileFromEnv = env[ADMIN_TOKEN_FILE_ENV];
  const fromEnv = env[ADMIN_TOKEN_ENV];
  if (fileFromEnv !== undefined && fileFromEnv !== '') {
    const variable = (message: string): AdminTokenResult => ({
      ok: false,
      error: { path: '', message: `environment variable ${ADMIN_TOKEN_FILE_ENV}: ${message}` },
    });
    if (fromEnv !== undefined && fromEnv !== '')
      return variable(`set either it or ${ADMIN_TOKEN_ENV}, not both`);
    const read = await readTokenFile(fileFromEnv);
    return 'token' in read ? { ok: true, token: read.token } : variable(read.error);
  }
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

/** The trimmed token in `file`, or why it cannot be one. */
async function readTokenFile(file: string): Promise<{ token: string } | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { error: `cannot read the admin token file ${file}: ${code}` };
  }
  const token = text.trim();
  if (token.length === 0)
    return {
      error: `the admin token file ${file} is empty${text.length > 0 ? ' (only whitespace)' : ''}; it must hold a token of at least ${ADMIN_TOKEN_MIN_LENGTH} characters`,
    };
  if (token.length < ADMIN_TOKEN_MIN_LENGTH)
    return { error: `the token in ${file} ${tooShort(token.length)}` };
  return { token };
}
