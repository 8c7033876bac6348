/** A copy of a config value with every secret replaced, for /config, debug output and logs. */

const SECRET_KEYS = new Set(['password', 'bearer_token', 'credentials', 'admin_token']);
export const REDACTED = '<secret>';

export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEYS.has(k) && v !== undefined) out[k] = REDACTED;
      // A chat webhook URL (report.webhook.url) is its own credential: anyone holding it can post.
      else if (k === 'webhook' && v && typeof v === 'object' && 'url' in v) out[k] = { ...v, url: REDACTED };
      else if (k.toLowerCase() === 'headers' && v && typeof v === 'object')
        out[k] = redactHeaders(v as Record<string, string>);
      else out[k] = redactSecrets(v);
    }
    return out as T;
  }
  return value;
}

/** Authorization-like request headers are secrets too. */
function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|proxy-authorization|cookie|x-api-key)$/i.test(k) ? REDACTED : v;
  }
  return out;
}
