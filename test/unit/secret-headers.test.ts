/**
 * The one definition of a secret header, the credentials a module carries, and which redirect
 * hops may receive a probe's secrets.
 */
import { describe, expect, it } from 'vitest';
import { moduleCredentials } from '../../src/config/credentials.js';
import { redactSecrets } from '../../src/config/redact.js';
import { httpModuleDefaults, type HttpModuleConfig } from '../../src/config/schema.js';
import { isSecretHeader } from '../../src/config/secretHeaders.js';
import { SecretScope } from '../../src/probers/http/redirects.js';

describe('isSecretHeader', () => {
  it.each([
    'Authorization',
    'proxy-authorization',
    'Cookie',
    'X-Api-Key',
    'X-API_KEY',
    'apikey',
    'X-Auth-Token',
    'X-Vault-Token',
    'X-Amz-Security-Token',
    'X-Session-Id',
    'X-Client-Secret',
    'X-Password',
    'X-Credential',
  ])('%s is secret by name', (name) => {
    expect(isSecretHeader(name)).toBe(true);
  });

  it.each(['Accept', 'User-Agent', 'X-Trace-Id', 'Host', 'Content-Type', 'X-Custom'])(
    '%s is not, unless marked',
    (name) => {
      expect(isSecretHeader(name)).toBe(false);
      expect(isSecretHeader(name, [name.toUpperCase()])).toBe(true);
    },
  );
});

describe('moduleCredentials', () => {
  const http = (over: Partial<HttpModuleConfig>) => ({
    prober: 'http' as const,
    timeout: 1000,
    http: { ...httpModuleDefaults(), ...over },
  });
  it.each([
    [{}, []],
    [{ headers: { 'X-Trace-Id': 'a' } }, []],
    [{ basic_auth: { username: 'u', password: 'p' } }, ['basic_auth']],
    [{ bearer_token: 't' }, ['bearer_token']],
    [{ bearer_token_file: '/t' }, ['bearer_token_file']],
    [{ authorization: { type: 'Bearer', credentials: 'c' } }, ['authorization']],
    [
      { tls_config: { insecure_skip_verify: false, cert_file: '/c', key_file: '/k' } },
      ['tls_config client certificate'],
    ],
    [{ headers: { 'X-Api-Key': 'k' } }, ['header x-api-key']],
    [{ headers: { 'X-Custom': 'k' }, secret_headers: ['x-custom'] }, ['header x-custom']],
  ] as [Partial<HttpModuleConfig>, string[]][])('%j carries %j', (over, expected) => {
    expect(moduleCredentials(http(over))).toEqual(expected);
  });
});

describe('redactSecrets with secret_headers', () => {
  it('redacts marked and well-known headers, keeps the others', () => {
    const out = redactSecrets({
      headers: { 'X-Custom': 'c', 'X-Api-Key': 'k', Accept: 'a' },
      secret_headers: ['x-custom'],
    });
    expect(out.headers).toEqual({ 'X-Custom': '<secret>', 'X-Api-Key': '<secret>', Accept: 'a' });
  });
});

describe('SecretScope', () => {
  const hops = (first: string, ...next: string[]) => {
    const scope = new SecretScope(new URL(first));
    return [first, ...next].map((u) => scope.admits(new URL(u)));
  };
  it.each([
    [
      ['http://a.test/', 'http://a.test:8080/x'],
      [true, true],
    ], // another port of the same host (Go)
    [
      ['http://a.test/', 'http://api.a.test/'],
      [true, true],
    ], // a subdomain
    [
      ['http://a.test/', 'http://b.test/'],
      [true, false],
    ],
    [
      ['http://api.a.test/', 'http://a.test/'],
      [true, false],
    ], // the parent is another site
    [
      ['http://a.test/', 'http://evila.test/'],
      [true, false],
    ],
    [
      ['https://a.test/', 'http://a.test/'],
      [true, false],
    ], // downgrade to clear text
    [
      ['http://a.test/', 'https://a.test/'],
      [true, true],
    ],
    [
      ['http://a.test/', 'http://b.test/', 'http://a.test/'],
      [true, false, false],
    ], // never again
  ] as [string[], boolean[]][])('%j -> %j', (urls, expected) => {
    expect(hops(urls[0]!, ...urls.slice(1))).toEqual(expected);
  });
});
