/**
 * A small PromQL scanner for linting dashboards without a Prometheus: tokens, bracket balance,
 * Grafana variables, metric selectors with their matchers, and the function call each selector
 * sits in. It is not a parser (the test that runs every panel query against a real Prometheus
 * does the real parse); it knows enough of the grammar to apply grafana/dashboard-linter's
 * rules: which range each rate() uses, whether a counter is read through rate() or increase(),
 * which matchers a selector has.
 */

export type TokenKind = 'ident' | 'number' | 'string' | 'variable' | 'punct' | 'op';

export interface Token {
  kind: TokenKind;
  text: string;
  /** For variables: the name without $, braces or :format. */
  name?: string;
}

export interface Selector {
  metric: string;
  /** label -> `op value`, e.g. target -> `=~ "$target"`. */
  matchers: Map<string, { op: string; value: string }>;
  /** The innermost function call the selector is an argument of, if any. */
  call?: string;
  /** The selector has a range ([...]) right after it. */
  range?: string;
}

export interface Scan {
  tokens: Token[];
  /** Unbalanced or mismatched brackets, unterminated strings, characters PromQL has no use for. */
  errors: string[];
  selectors: Selector[];
  /** Every function call with the tokens between its brackets that are ranges, e.g. rate -> ['$__rate_interval']. */
  calls: { name: string; ranges: string[] }[];
  /** Every Grafana variable referenced, in strings too. */
  variables: string[];
}

/** Words that are PromQL syntax, never metric names. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
]);
/** Keywords followed by a bracketed list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const VARIABLE = /\$(\w+)|\$\{([^}:]+)(?::[^}]*)?\}|\[\[([^\]:]+)(?::[^\]]*)?\]\]/g;

/** Grafana variables referenced anywhere in a text (query, link URL): `$x`, `${x}`, `${x:fmt}`, `[[x]]`. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

export function tokenize(expr: string): { tokens: Token[]; errors: string[] } {
  const tokens: Token[] = [];
  const errors: string[] = [];
  let i = 0;
  const rest = () => expr.slice(i);
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end < 0 ? expr.length : end;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += c !== '`' && expr[j] === '\\' ? 2 : 1;
      if (j >= expr.length) {
        errors.push(`unterminated string at ${i}`);
        break;
      }
      tokens.push({ kind: 'string', text: expr.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    const variable = /^(\$(\w+)|\$\{([^}:]+)(?::[^}]*)?\}|\[\[([^\]:]+)\]\])/.exec(rest());
    if (variable) {
      tokens.push({ kind: 'variable', text: variable[0], name: variable[2] ?? variable[3] ?? variable[4] });
      i += variable[0].length;
      continue;
    }
    const number = /^(\d+(\.\d+)?(e[+-]?\d+)?((ms|s|m|h|d|w|y)(\d+(ms|s|m|h|d|w|y))*)?|0x[0-9a-f]+)/i.exec(
      rest(),
    );
    if (number) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest());
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const op = /^(==|!=|=~|!~|>=|<=|[-+*/%^<>=@])/.exec(rest());
    if (op) {
      tokens.push({ kind: 'op', text: op[0] });
      i += op[0].length;
      continue;
    }
    if ('(){}[],:'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    errors.push(`unexpected character ${JSON.stringify(c)} at ${i}`);
    i++;
  }
  return { tokens, errors };
}

const CLOSING: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

export function scan(expr: string): Scan {
  const { tokens, errors } = tokenize(expr);
  const selectors: Selector[] = [];
  const calls: Scan['calls'] = [];
  /** Open brackets, with the call they open (for '(') and the call record to add ranges to. */
  const open: { bracket: string; call?: Scan['calls'][number]; labelList?: boolean }[] = [];

  const enclosingCall = () => [...open].reverse().find((o) => o.bracket === '(' && o.call)?.call;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.kind === 'punct' && t.text in CLOSING) {
      const previous = tokens[i - 1];
      if (t.text === '(' && previous?.kind === 'ident' && !KEYWORDS.has(previous.text)) {
        const call = { name: previous.text, ranges: [] };
        calls.push(call);
        open.push({ bracket: '(', call });
      } else {
        open.push({
          bracket: t.text,
          labelList: previous?.kind === 'ident' && LABEL_LIST_KEYWORDS.has(previous.text),
        });
      }
      if (t.text === '[') {
        const close = tokens.findIndex((u, j) => j > i && u.text === ']');
        const range = tokens
          .slice(i + 1, close < 0 ? undefined : close)
          .map((u) => u.text)
          .join('');
        enclosingCall()?.ranges.push(range);
      }
      continue;
    }
    if (t.kind === 'punct' && (t.text === ')' || t.text === '}' || t.text === ']')) {
      const top = open.pop();
      if (!top) errors.push(`unmatched ${t.text}`);
      else if (CLOSING[top.bracket] !== t.text) errors.push(`${top.bracket} closed by ${t.text}`);
      continue;
    }
    if (t.kind !== 'ident' || KEYWORDS.has(t.text) || next?.text === '(') continue;
    if (next?.text === 'by' || next?.text === 'without') continue; // sum by (...) (...): an aggregation
    const top = open[open.length - 1];
    if (top?.bracket === '{' || top?.labelList) continue; // a label name, not a metric
    const selector: Selector = { metric: t.text, matchers: new Map(), call: enclosingCall()?.name };
    let j = i + 1;
    if (tokens[j]?.text === '{') {
      const close = tokens.findIndex((u, k) => k > j && u.text === '}');
      const inside = tokens.slice(j + 1, close < 0 ? undefined : close);
      // name op "value", comma-separated (a trailing comma is allowed)
      for (let k = 0; k < inside.length; k += 4) {
        const [name, op, value, comma] = [inside[k], inside[k + 1], inside[k + 2], inside[k + 3]];
        const badComma = comma !== undefined && comma.text !== ',';
        if (name?.kind !== 'ident' || op?.kind !== 'op' || value?.kind !== 'string' || badComma) {
          errors.push(`bad matcher in ${t.text}{...}`);
          break;
        }
        selector.matchers.set(name.text, { op: op.text, value: value.text });
      }
      j = close + 1;
    }
    if (tokens[j]?.text === '[') {
      const close = tokens.findIndex((u, k) => k > j && u.text === ']');
      selector.range = tokens
        .slice(j + 1, close)
        .map((u) => u.text)
        .join('');
    }
    selectors.push(selector);
  }
  for (const o of open) errors.push(`unclosed ${o.bracket}`);
  return { tokens, errors, selectors, calls, variables: variablesIn(expr) };
}
