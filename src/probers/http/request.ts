/**
 * The request a module describes: method, headers, body and credentials. Secret and body files are
 * read at probe time, as blackbox_exporter does, so rotating a token needs no reload. Credentials are
 * kept apart from the other headers so the trace can show the headers without them, and so they are
 * not sent to another host after a redirect (Go's http.Client and curl drop them too). Which headers
 * are secrets is config/secretHeaders.ts's one definition (well-known names plus http.secret_headers).
 */
import { readFile } from 'node:fs/promises';
import type { HttpModuleConfig } from '../../config/schema.js';
import { isSecretHeader, secretHeaderNames } from '../../config/secretHeaders.js';
import { VERSION } from '../../runtime/version.js';
import { ProbeError } from './errors.js';

export const USER_AGENT = `vantage/${VERSION}`;

export interface PreparedRequest {
  method: string;
  /** Lower-cased names; user headers already override the defaults. No credentials. */
  headers: Record<string, string>;
  /** The Authorization value from basic_auth / bearer_token / authorization / URL userinfo. */
  authorization: string | undefined;
  /** Lower-cased names of the secret headers in `headers`: never sent to another site. */
  secretHeaders: readonly string[];
  body: string | Buffer | undefined;
}

/** A secret file's content, read now (rotation needs no reload); the error names the file, never the content. */
export async function readSecret(what: string, path: string): Promise<string> {
  try {
    // Trailing whitespace (the newline editors add) is not part of the secret.
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    // The message names the file, never its content.
    throw new ProbeError(
      'protocol_error',
      `cannot read ${what} "${path}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      'resolve',
    );
  }
}

/** A secret given inline or in a file; the file wins, and is read at every probe (rotation). */
async function inlineOrFile(
  what: string,
  file: string | undefined,
  inline: string | undefined,
): Promise<string> {
  return file !== undefined ? readSecret(what, file) : (inline ?? '');
}

async function authorizationFor(module: HttpModuleConfig, url: URL): Promise<string | undefined> {
  const basic = module.basic_auth;
  if (basic !== undefined) {
    const password = await inlineOrFile('basic_auth.password_file', basic.password_file, basic.password);
    return `Basic ${Buffer.from(`${basic.username}:${password}`).toString('base64')}`;
  }
  if (module.bearer_token !== undefined) return `Bearer ${module.bearer_token}`;
  if (module.bearer_token_file !== undefined) {
    return `Bearer ${await readSecret('bearer_token_file', module.bearer_token_file)}`;
  }
  const auth = module.authorization;
  if (auth !== undefined) {
    const credentials = await inlineOrFile(
      'authorization.credentials_file',
      auth.credentials_file,
      auth.credentials,
    );
    return `${auth.type} ${credentials}`;
  }
  return userinfoAuthorization(url);
}

/** http://user:pass@host/ means basic auth, as in Go's http.Client; undefined without userinfo. */
export function userinfoAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

async function bodyFor(module: HttpModuleConfig): Promise<string | Buffer | undefined> {
  if (module.body_file === undefined) return module.body === '' ? undefined : module.body;
  try {
    return await readFile(module.body_file);
  } catch (err) {
    throw new ProbeError(
      'protocol_error',
      `cannot read body_file "${module.body_file}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      'resolve',
    );
  }
}

interface BaseHeaders {
  headers: Record<string, string>;
  secret: readonly string[];
}

// Lower-cased module headers, computed once per module object (stable until a config reload).
const headerCache = new WeakMap<HttpModuleConfig, BaseHeaders>();

function baseHeaders(module: HttpModuleConfig): BaseHeaders {
  let base = headerCache.get(module);
  if (base === undefined) {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    // Like blackbox: ask for the encoding the module expects, unless the user chose one.
    if (module.compression !== '') headers['accept-encoding'] = module.compression;
    for (const [name, value] of Object.entries(module.headers)) headers[name.toLowerCase()] = value;
    base = { headers, secret: secretHeaderNames(headers, module.secret_headers) };
    headerCache.set(module, base);
  }
  return base;
}

export async function prepareRequest(module: HttpModuleConfig, url: URL): Promise<PreparedRequest> {
  const [authorization, body] = await Promise.all([authorizationFor(module, url), bodyFor(module)]);
  const { headers, secret } = baseHeaders(module);
  return { method: module.method, headers, secretHeaders: secret, authorization, body };
}

/** "name: value" pairs for the trace, with credentials and secret headers redacted. */
export function describeHeaders(
  headers: Readonly<Record<string, string>>,
  markedSecret: readonly string[] = [],
): string {
  const parts: string[] = [];
  for (const name in headers) {
    parts.push(`${name}: ${isSecretHeader(name, markedSecret) ? '<redacted>' : headers[name]}`);
  }
  return parts.join(', ');
}
