/**
 * blackbox_exporter's regexes are Go RE2. Most RE2 syntax means the same in JavaScript; the
 * common difference is a leading inline flag group such as `(?i)`, which JavaScript (on Node
 * 20) cannot compile. Translate leading flag groups into RegExp flags so pasted modules work.
 */

const LEADING_FLAGS = /^\(\?([imsU]+)\)/;
const FLAG_MAP: Record<string, string> = { i: 'i', m: 'm', s: 's' };

/** Compile an RE2-style pattern; throws a SyntaxError with a readable message when invalid. */
export function compileRegex(pattern: string): RegExp {
  let source = pattern;
  const flags = new Set<string>();
  for (let m = LEADING_FLAGS.exec(source); m; m = LEADING_FLAGS.exec(source)) {
    for (const f of m[1]!) {
      if (f === 'U') throw new SyntaxError('the (?U) ungreedy flag has no JavaScript equivalent');
      flags.add(FLAG_MAP[f]!);
    }
    source = source.slice(m[0].length);
  }
  return new RegExp(source, [...flags].join(''));
}

/**
 * Compile a pattern that must match the whole text (security.probe_url_allowlist), keeping
 * the flags of a leading RE2 flag group: wrapping the raw text in ^(?:...)$ would move the
 * group out of the leading position, where JavaScript cannot compile it.
 */
export function compileAnchoredRegex(pattern: string): RegExp {
  const inner = compileRegex(pattern);
  return new RegExp(`^(?:${inner.source})$`, inner.flags);
}
