/** The URL check shared by the config sections that take an http(s) URL (targets, report). */
import type { z } from 'zod';
import { redactUrl } from './redact.js';

/** An absolute http(s) URL with a host; the issue says which of the three it is not. */
export function checkHttpUrl(raw: string, ctx: z.RefinementCtx): void {
  // Messages quote the URL: never with the password of its userinfo.
  const text = redactUrl(raw);
  const withScheme = missingScheme(raw);
  if (withScheme !== undefined) {
    const suggestion = redactUrl(withScheme);
    ctx.addIssue({
      code: 'custom',
      message: `not a URL: "${text}" (no scheme: did you mean "${suggestion}"?)`,
    });
    return;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a URL: "${text}"` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `not a URL: "${text}" (the scheme must be http or https)` });
  } else if (url.hostname === '') {
    ctx.addIssue({ code: 'custom', message: `not a URL: "${text}" (no host)` });
  }
}

/**
 * `127.0.0.1:18599` or `[::1]:8080/health`: a host and port without a scheme, which `new URL`
 * rejects. The URL with http:// in front, if that is one.
 */
function missingScheme(raw: string): string | undefined {
  // Text that parses (`localhost:8080` reads as scheme "localhost:") keeps the message about
  // its scheme; the suggestion is for what no URL parser accepts, such as an IP and a port.
  if (URL.canParse(raw)) return undefined;
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d+)?([/?#].*)?$/.test(raw)) return undefined;
  // A bare word ("example") is more likely a typo than a host; a dot, port or IPv6 says host.
  if (!/[.:[]/.test(raw.split(/[/?#]/)[0]!)) return undefined;
  const candidate = `http://${raw}`;
  return URL.canParse(candidate) ? candidate : undefined;
}
