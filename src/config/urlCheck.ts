/** The URL check shared by the config sections that take an http(s) URL (targets, report). */
import type { z } from 'zod';
import { redactUrl } from './redact.js';

/** An absolute http(s) URL with a host; the issue says which of the three it is not. */
export function checkHttpUrl(raw: string, ctx: z.RefinementCtx): void {
  // Messages quote the URL: never with the password of its userinfo.
  const text = redactUrl(raw);
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
