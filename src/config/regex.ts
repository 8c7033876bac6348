/**
 * Every user-supplied pattern (body and header regexps, security.probe_url_allowlist) runs on
 * Google's RE2 through the `re2` package, for two reasons:
 *
 * - Time. RE2 matches in time linear in the text whatever the pattern. JavaScript's RegExp
 *   backtracks: `(a+)+$` against a megabyte of `a`s ending in `b`, or `(?s).*"status":\s*"ok".*`
 *   against a body without a match, held the event loop for seconds to forever, so one target's
 *   response froze every probe, /metrics and /-/healthy. blackbox_exporter cannot be frozen that
 *   way (Go's regexp is RE2), and vantage must not be either.
 * - Syntax. blackbox_exporter's patterns are RE2, so `(?i)`, `(?s)`, `\pL`, `[[:alpha:]]`,
 *   `(?P<name>...)` and `\z` paste in and mean what they meant there.
 *
 * What RE2 cannot do (backreferences, lookaround) is refused when the config loads. Two RE2 forms
 * are refused on purpose, because vantage refused them before RE2 and a config that loads must keep
 * its meaning: a flag group `(?i)` anywhere but at the start (scope it instead: `a(?i:b)`), and the
 * ungreedy flag `(?U)`, which swaps the meaning of `*` and `*?` in a way nobody reading the pattern
 * later expects.
 */
import RE2 from 're2';

/** A compiled user pattern. RE2's `test` accepts a Buffer (UTF-8) as well as a string. */
export type UserRegex = RE2;

interface FlagGroup {
  index: number;
  text: string;
  flags: string;
  /** `(?i:...)` applies to its group; `(?i)` to the rest of the enclosing group. */
  scoped: boolean;
}

const FLAG_GROUP = /^\(\?([imsU-]+)([):])/;

/** The flag groups of a pattern, skipping escapes and character classes (`\(?i)`, `[(?i)]`). */
function flagGroups(pattern: string): FlagGroup[] {
  const groups: FlagGroup[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') {
      const m = FLAG_GROUP.exec(pattern.slice(i, i + 16));
      if (m) groups.push({ index: i, text: m[0], flags: m[1]!, scoped: m[2] === ':' });
    }
  }
  return groups;
}

/** Compile an RE2 pattern (blackbox_exporter's syntax); throws a SyntaxError with a readable message. */
export function compileRegex(pattern: string): UserRegex {
  let leadingEnd = 0;
  for (const group of flagGroups(pattern)) {
    if (group.flags.includes('U')) {
      throw new SyntaxError(
        'the (?U) ungreedy flag is not supported: write the lazy quantifier instead (a+? rather than (?U)a+)',
      );
    }
    if (group.scoped) continue;
    if (group.index !== leadingEnd) {
      throw new SyntaxError(
        `the flag group ${group.text} must open the pattern; to apply flags to a part, scope them: (?i:text)`,
      );
    }
    leadingEnd += group.text.length;
  }
  try {
    return new RE2(pattern);
  } catch (err) {
    const message = (err as Error).message;
    // RE2's wording ("invalid perl operator: (?=", "invalid escape sequence: \1") names the
    // construct; say why it is refused, since the same pattern works in a JavaScript console.
    const why = /perl operator|escape sequence/.test(message)
      ? ' (RE2 syntax, as in blackbox_exporter: no lookaround, no backreferences)'
      : '';
    throw new SyntaxError(`${message}${why}`, { cause: err });
  }
}

/**
 * Compile a pattern that must match the whole text (security.probe_url_allowlist). The pattern is
 * compiled alone first, so that text such as `a)|(b` cannot escape the anchoring group; `\A` and
 * `\z` anchor to the whole text even when the pattern sets `(?m)`, which RE2 scopes to the group.
 */
export function compileAnchoredRegex(pattern: string): UserRegex {
  compileRegex(pattern);
  return new RE2(`\\A(?:${pattern})\\z`);
}
