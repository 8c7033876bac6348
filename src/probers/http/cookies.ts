/**
 * The cookie jar of one probe (a redirect chain) or one journey (every step): tough-cookie's
 * RFC 6265 jar, so Domain, Path, Secure, Expires and Max-Age mean what a browser and Go's
 * cookiejar make them mean. Synchronous calls over the in-memory store: nothing here waits.
 * A cookie the jar refuses (a foreign Domain, a public suffix) is dropped, as a browser drops it.
 */
import { CookieJar } from 'tough-cookie';

export class ProbeCookies {
  private readonly jar = new CookieJar();
  /** No Set-Cookie seen yet: a journey asks before every step, and most steps set none. */
  private empty = true;

  /** Store the Set-Cookie lines of a response from `url`. */
  store(url: URL, setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      this.jar.setCookieSync(line, url.href, { ignoreError: true });
    }
    this.empty = false;
  }

  /** The Cookie header for a request to `url`, or undefined when no cookie applies. */
  header(url: URL): string | undefined {
    if (this.empty) return undefined;
    const header = this.jar.getCookieStringSync(url.href);
    return header === '' ? undefined : header;
  }

  /** The value of the cookie `name` that a request to `url` would carry. */
  value(url: URL, name: string): string | undefined {
    if (this.empty) return undefined;
    return this.jar.getCookiesSync(url.href).find((cookie) => cookie.key === name)?.value;
  }
}
