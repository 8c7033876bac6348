/** The URL check shared by the config sections that take an http(s) URL (targets, report). */
import type { z } from 'zod';

/** An absolute http(s) URL with a host; the issue says which of the three it is not. */
export function checkHttpUrl(text: string, ctx: z.RefinementCtx): void {
  let url: URL;
  try {
    url = new URL(text);
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
