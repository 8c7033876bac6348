/**
 * What a secret request header is: the one definition used to redact headers (/config, the probe
 * trace, config error messages), to decide which modules carry credentials (/probe may use those
 * only with their own targets) and to strip headers on a redirect to another site.
 *
 * A header is secret when the module marks it so (`http.secret_headers`), or when its name is a
 * well-known credential carrier: Authorization, Proxy-Authorization and Cookie, and any name
 * containing auth, token, secret, passw, api-key/api_key/apikey, session or credential
 * (X-Api-Key, X-Auth-Token, X-Vault-Token, X-Amz-Security-Token, X-Session-Id, ...). Guessing by
 * name errs on the side of secrecy: a header wrongly taken for a secret is only hidden from
 * output and not forwarded to another site; a secret taken for an ordinary header would leak.
 */

/** Names (case-insensitive) taken for credentials without being marked. */
export const WELL_KNOWN_SECRET_HEADER = /auth|cookie|token|secret|passw|api[-_]?key|session|credential/i;

/** Whether `name` is a secret header, given the names the module marks secret. */
export function isSecretHeader(name: string, markedSecret: readonly string[] = []): boolean {
  if (WELL_KNOWN_SECRET_HEADER.test(name)) return true;
  const lower = name.toLowerCase();
  return markedSecret.some((marked) => marked.toLowerCase() === lower);
}

/** The names in `headers` that are secret, lower-cased. */
export function secretHeaderNames(
  headers: Readonly<Record<string, string>>,
  markedSecret: readonly string[] = [],
): string[] {
  return Object.keys(headers)
    .filter((name) => isSecretHeader(name, markedSecret))
    .map((name) => name.toLowerCase());
}
