/** For the report's HTML and SVG tests: the document must be well-formed XML (html.ts promises it). */
/**
 * A minimal XML well-formedness check: every "<" opens a proper tag with quoted, distinct
 * attributes, end tags match, "&" starts an entity. Returns the first problem, or null.
 */
export function xmlProblem(xml: string): string | null {
  const tagRe = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  const attrRe = /([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/g;
  const entityRe = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const badAmp = (text: string) => /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text);
  const stack: string[] = [];
  let i = 0;
  while (i < xml.length) {
    const ch = xml[i];
    if (ch === '<') {
      tagRe.lastIndex = i;
      const m = tagRe.exec(xml);
      if (!m) return `bad markup at ${i}: ${xml.slice(i, i + 60)}`;
      const [whole, close, name, attrs, selfClose] = m;
      const seen = new Set<string>();
      for (const a of attrs!.matchAll(attrRe)) {
        if (seen.has(a[1]!)) return `duplicate attribute ${a[1]} on <${name}>`;
        seen.add(a[1]!);
        if (badAmp(a[2]!)) return `bare & in attribute ${a[1]} of <${name}>`;
      }
      if (close) {
        if (attrs!.trim() || selfClose) return `malformed end tag </${name}>`;
        const open = stack.pop();
        if (open !== name) return `</${name}> closes <${open}>`;
      } else if (!selfClose) stack.push(name!);
      i += whole.length;
    } else if (ch === '&') {
      entityRe.lastIndex = i;
      if (!entityRe.test(xml)) return `bare & at ${i}: ${xml.slice(i, i + 20)}`;
      i++;
    } else i++;
  }
  return stack.length > 0 ? `unclosed <${stack.join('>, <')}>` : null;
}
