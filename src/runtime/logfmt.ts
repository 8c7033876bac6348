/**
 * logfmt, encoded as go-kit's logger does it (github.com/go-logfmt/logfmt, which Prometheus and
 * its exporters print with `--log.format=logfmt`): `key=value` pairs separated by spaces; a value
 * holding a space, `=`, `"` or a control character is quoted with Go-style escapes; an empty
 * value is written as nothing (`key=`); keys lose the characters a key cannot hold.
 */

/**
 * go-logfmt's needsQuotedValueRune and invalidKeyRune, one rule: a space or control character,
 * `=`, `"` or U+FFFD forces quoting in a value and is dropped from a key.
 */
function isSpecial(ch: string): boolean {
  return ch <= ' ' || ch === '=' || ch === '"' || ch === '\ufffd';
}

/** Go's strconv-like escaping as go-logfmt writes it: `\\`, `\"`, `\n`, `\r`, `\t`, `\u00XX`. */
function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    // Line and paragraph separators would break a line for some readers (go-logfmt escapes them too).
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else out += ch;
  }
  return out + '"';
}

function encodeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    text = String(value);
  } else text = JSON.stringify(value);
  // go-logfmt quotes the string "null" so that it differs from a nil value.
  if (text === 'null' && typeof value === 'string') return '"null"';
  return [...text].some(isSpecial) ? quote(text) : text;
}

/**
 * Plain objects become dotted keys (`err.message=…`), so a structured field stays greppable;
 * arrays stay one JSON value.
 */
function flatten(prefix: string, value: unknown, into: [string, unknown][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, into);
  } else {
    into.push([prefix, value]);
  }
}

/** One logfmt line (no newline) for the pairs, in their order. A key with nothing left is skipped. */
export function encodeLogfmt(pairs: Readonly<Record<string, unknown>>): string {
  const flat: [string, unknown][] = [];
  for (const [k, v] of Object.entries(pairs)) flatten(k, v, flat);
  const parts: string[] = [];
  for (const [rawKey, value] of flat) {
    const key = [...rawKey].filter((ch) => !isSpecial(ch)).join('');
    if (key === '' || value === undefined) continue;
    parts.push(value === '' ? `${key}=` : `${key}=${encodeValue(value)}`);
  }
  return parts.join(' ');
}
