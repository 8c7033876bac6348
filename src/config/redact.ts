/**
 * Secrets out of everything vantage shows or exports: a copy of a config value with every secret
 * replaced (/config, /probe?debug=true, logs), and URLs with their userinfo replaced (the index
 * page, vantage_target_info and lighthouse_target_info, traces, check-config and `vantage probe`).
 */
import { SECRET_FIELDS } from './messages.js';
import { isSecretHeader } from './secretHeaders.js';

export const REDACTED = '<secret>';

export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const marked = (value as { secret_headers?: unknown }).secret_headers;
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_FIELDS.has(k) && v !== undefined) out[k] = REDACTED;
      // A chat webhook URL (report.webhook.url) is its own credential: anyone holding it can post.
      else if (k === 'webhook' && v && typeof v === 'object' && 'url' in v) out[k] = { ...v, url: REDACTED };
      else if ((k === 'url' || k.endsWith('_url')) && typeof v === 'string') out[k] = redactUrl(v);
      else if (k.toLowerCase() === 'headers' && v && typeof v === 'object')
        out[k] = redactHeaders(
          v as Record<string, string>,
          Array.isArray(marked) ? (marked as string[]) : [],
        );
      else out[k] = redactSecrets(v);
    }
    return out as T;
  }
  return value;
}

function redactHeaders(headers: Record<string, string>, marked: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isSecretHeader(k, marked) ? REDACTED : v;
  return out;
}

// scheme://userinfo@ in a URL or anywhere in free text (a trace, an error message). Greedy up to
// the last @ before the path, as URL parsers read http://user:p@ss@host/.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)@/gi;

function redactedUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  // user:password keeps the user (it says which account); a lone user is itself the credential
  // (https://TOKEN@host/, as git and many APIs use it).
  return colon === -1 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`;
}

/**
 * `url` with its userinfo replaced, Prometheus' way: http://admin:PASS@host/ -> http://admin:<secret>@host/,
 * http://TOKEN@host/ -> http://<secret>@host/. Everything else is kept as written (no
 * normalisation), so the result still reads as the configured URL. Works on free text too: every
 * URL in it is redacted.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, (_match, scheme: string, userinfo: string) =>
    userinfo === '' ? `${scheme}@` : `${scheme}${redactedUserinfo(userinfo)}@`,
  );
}

/**
 * `url` with no userinfo at all, for a link a person clicks: the redacted form would send
 * `<secret>` as the password, while a URL without credentials lets the browser ask for them.
 */
export function urlWithoutUserinfo(url: string): string {
  return url.replace(USERINFO, (_match, scheme: string) => scheme);
}

/** The secret parts of a URL's userinfo (to blank them out of any text), or none. */
export function urlSecrets(url: string): string[] {
  const out: string[] = [];
  for (const match of url.matchAll(USERINFO)) {
    const userinfo = match[2] ?? '';
    const colon = userinfo.indexOf(':');
    const secret = colon === -1 ? userinfo : userinfo.slice(colon + 1);
    if (secret !== '') out.push(secret);
    try {
      const decoded = decodeURIComponent(secret);
      if (decoded !== secret && decoded !== '') out.push(decoded);
    } catch {
      // not percent-encoded text: the raw form is enough
    }
  }
  return out;
}

/**
 * `text` with the password (or lone-user token) of `url` replaced wherever it appears, for output
 * that quotes the URL in its own way (a Lighthouse report's JSON). Secrets shorter than 4
 * characters are left alone, as in config error messages: replacing them would garble the text.
 */
export function redactUrlSecretsIn(text: string, url: string): string {
  let out = text;
  for (const secret of urlSecrets(url)) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}
