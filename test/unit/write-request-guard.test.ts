import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { hostOf, sameOrigin } from '../../src/server/writeRequestGuard.js';

describe('hostOf', () => {
  it.each([
    ['127.0.0.1:9470', '127.0.0.1'],
    ['Vantage.Example.COM', 'vantage.example.com'],
    ['localhost.:9470', 'localhost'],
    ['[::1]:9470', '::1'],
    ['[::1]', '::1'],
    ['evil.example:80', 'evil.example'],
    ['', undefined],
    ['a b', undefined],
    ['user@host', undefined],
    ['::1', undefined],
  ])('%j -> %j', (header, host) => {
    expect(hostOf(header)).toBe(host);
  });
});

describe('sameOrigin', () => {
  it.each([
    ['http://127.0.0.1:9470', '127.0.0.1:9470', [], true],
    ['https://vantage.example.com', 'vantage.example.com', [], true],
    ['http://127.0.0.1:9471', '127.0.0.1:9470', [], false], // another port is another origin
    ['http://localhost:9470', '127.0.0.1:9470', [], false],
    ['null', '127.0.0.1:9470', [], false],
    ['file:///tmp/x.html', '127.0.0.1:9470', [], false],
    ['not a url', '127.0.0.1:9470', [], false],
    ['https://vantage.example.com', '127.0.0.1:9470', ['vantage.example.com'], true], // proxy rewrote Host
    ['https://evil.example', '127.0.0.1:9470', ['vantage.example.com'], false],
  ])('Origin %s, Host %s, allowed %j: %s', (origin, host, allowed, expected) => {
    expect(sameOrigin(origin, host, allowed)).toBe(expected);
  });
});

describe('security.allowed_hosts', () => {
  it('takes host names and IPs, and refuses a URL or a port with path and line', () => {
    const good = parseConfigText('security:\n  allowed_hosts: [vantage.example.com, 10.0.0.5, "::1"]\n');
    expect(good.ok && good.config.security.allowed_hosts).toEqual(['vantage.example.com', '10.0.0.5', '::1']);
    const bad = parseConfigText(
      'security:\n  allowed_hosts:\n    - http://vantage:9470\n    - vantage:9470\n',
    );
    expect(bad.ok ? [] : bad.errors.map(formatConfigError)).toEqual([
      'security.allowed_hosts[0] (line 3): not a host name (no scheme, port or path): "http://vantage:9470"',
      'security.allowed_hosts[1] (line 4): not a host name (no scheme, port or path): "vantage:9470"',
    ]);
  });
});
