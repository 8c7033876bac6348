/**
 * The variable syntax of journey steps, parsed once when the config loads: `${name}` (a value an
 * earlier step extracted), `${env:NAME}` (the environment of the vantage process) and
 * `${file:/path}` (a file's content, trailing whitespace trimmed, read at every run so a rotated
 * secret needs no reload). `$${` writes a literal `${`. Pure, one job: text -> parts, and the
 * list of references a template makes, for the load-time check that every name is defined.
 *
 * Values from env and file are secrets by definition: whoever resolves a template keeps them
 * apart (see probers/journey/variables.ts) so that no output shows them.
 */

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string };

export type Template = readonly TemplatePart[];

/** Names `${name}` may use: what an extract defines. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class TemplateError extends Error {}

/** The parts of `text`; throws a TemplateError saying what is wrong with a reference. */
export function parseTemplate(text: string): Template {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('$', i);
    if (start === -1) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, start);
    if (text.startsWith('$${', start)) {
      literal += '${';
      i = start + 3;
      continue;
    }
    if (text[start + 1] !== '{') {
      literal += '$';
      i = start + 1;
      continue;
    }
    const end = text.indexOf('}', start + 2);
    if (end === -1) {
      throw new TemplateError(`unterminated "\${" at character ${start + 1} (write $\${ for a literal \${)`);
    }
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push(reference(text.slice(start + 2, end)));
    i = end + 1;
  }
  if (literal !== '') parts.push({ kind: 'text', text: literal });
  return parts;
}

function reference(inner: string): TemplatePart {
  const colon = inner.indexOf(':');
  if (colon === -1) {
    if (!VARIABLE_NAME.test(inner)) {
      throw new TemplateError(
        `"\${${inner}}" is not a variable reference (use \${name}, \${env:NAME} or \${file:/path})`,
      );
    }
    return { kind: 'var', name: inner };
  }
  const source = inner.slice(0, colon);
  const rest = inner.slice(colon + 1);
  if (source === 'env') {
    if (!ENV_NAME.test(rest)) throw new TemplateError(`"\${env:${rest}}": not an environment variable name`);
    return { kind: 'env', name: rest };
  }
  if (source === 'file') {
    if (rest === '') throw new TemplateError('"${file:}": the file path is missing');
    return { kind: 'file', path: rest };
  }
  throw new TemplateError(`"\${${source}:...}": unknown source "${source}" (known: env, file)`);
}

/** Whether a template is plain text (nothing to resolve at run time). */
export const isPlainTemplate = (template: Template): boolean =>
  template.every((part) => part.kind === 'text');

/** The text of a template with no references. */
export const plainText = (template: Template): string =>
  template.map((part) => (part.kind === 'text' ? part.text : '')).join('');
