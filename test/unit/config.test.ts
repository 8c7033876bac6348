import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigLoadError,
  formatConfigError,
  loadConfigFile,
  parseConfigText,
  type LoadResult,
} from '../../src/config/load.js';
import type { HttpModule, ModuleConfig, VantageConfig } from '../../src/config/schema.js';
import { demoConfigYaml } from '../../src/demo/demoConfig.js';
import { configDefaultsFromEnv } from '../../src/config/environmentDefaults.js';

/** The formatted errors of a config that must not load. */
function errorsOf(text: string): string[] {
  const result = parseConfigText(text);
  if (result.ok)
    throw new Error(`expected errors, got a valid config (warnings: ${result.warnings.join('; ')})`);
  return result.errors.map(formatConfigError);
}

function configOf(text: string): VantageConfig {
  const result = parseConfigText(text);
  if (!result.ok)
    throw new Error(`expected a valid config:\n${result.errors.map(formatConfigError).join('\n')}`);
  return result.config;
}

/** The module, asserted to be an http one (the union also holds lighthouse modules). */
function httpModuleOf(module: ModuleConfig | undefined): HttpModule {
  if (module?.prober !== 'http') throw new Error(`expected an http module, got ${module?.prober}`);
  return module;
}
const httpOf = (module: ModuleConfig | undefined) => httpModuleOf(module).http;

function warningsOf(text: string): string[] {
  const result = parseConfigText(text);
  if (!result.ok)
    throw new Error(`expected a valid config:\n${result.errors.map(formatConfigError).join('\n')}`);
  return result.warnings;
}

/** Lines joined with \n, so a test reads line numbers off the array index (+1). */
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

describe('valid configurations', () => {
  it('parses every http option, normalising durations to ms, sizes to bytes and filling defaults', () => {
    const config = configOf(
      yaml(
        'global:',
        '  interval: 1m30s',
        '  scrape_timeout: 10s',
        '  max_concurrent_probes: 64',
        '  jitter: 0.5',
        '  dns_servers: ["1.1.1.1", "9.9.9.9:53"]',
        'modules:',
        '  full:',
        '    prober: http',
        '    timeout: 2500ms',
        '    http:',
        '      valid_status_codes: [200, 204]',
        '      valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]',
        '      method: POST',
        '      headers: {Content-Type: application/json, Accept-Language: en-US}',
        '      body: \'{"ping": true}\'',
        '      follow_redirects: false',
        '      max_redirects: 3',
        '      enable_http2: false',
        '      fail_if_ssl: false',
        '      fail_if_not_ssl: true',
        '      fail_if_body_matches_regexp: ["Could not connect"]',
        '      fail_if_body_not_matches_regexp: ["status: ok"]',
        '      fail_if_header_matches:',
        '        - {header: Set-Cookie, regexp: ".*", allow_missing: true}',
        '      fail_if_header_not_matches:',
        '        - {header: Cache-Control, regexp: "max-age"}',
        '      preferred_ip_protocol: ip4',
        '      ip_protocol_fallback: false',
        '      tls_config:',
        '        insecure_skip_verify: true',
        '        ca_file: /etc/ssl/ca.pem',
        '        cert_file: /etc/ssl/client.pem',
        '        key_file: /etc/ssl/client.key',
        '        server_name: www.example.com',
        '        min_version: TLS12',
        '        max_version: TLS13',
        '      authorization: {type: Token, credentials_file: /run/secrets/token}',
        '      body_size_limit: 10MB',
        '      compression: gzip',
        '  minimal:',
        '    prober: http',
        'targets:',
        '  - name: homepage',
        '    url: https://example.com/',
        '    modules: [full, minimal]',
        '    interval: 15s',
        '    labels: {team: web, tier: "1"}',
        '    slo: {availability: 0.995, latency: 1500ms}',
        "    hosts: [web-1:9100, '10.0.0.5:9100', '[2001:db8::1]:9100']",
        '    load_test: {allowed: true, max_rate: 500, max_duration: 2m}',
        "    traffic_query: ' sum(rate(nginx_http_requests_total[5m])) '",
        '  - name: api',
        '    url: http://127.0.0.1:8080/health',
        '    modules: [minimal]',
        'security:',
        '  admin_token_file: /run/secrets/admin',
        '  probe_url_allowlist: ["^https://example\\\\.com/"]',
        '  allowed_networks: [10.0.0.0/8, "::1", 192.168.1.1]',
      ),
    );
    expect(config.global).toEqual({
      interval: 90_000,
      scrape_timeout: 10_000,
      max_concurrent_probes: 64,
      jitter: 0.5,
      dns_servers: ['1.1.1.1', '9.9.9.9:53'],
    });
    expect(config.modules.full).toEqual({
      prober: 'http',
      timeout: 2500,
      http: {
        valid_status_codes: [200, 204],
        valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'],
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept-Language': 'en-US' },
        body: '{"ping": true}',
        follow_redirects: false,
        max_redirects: 3,
        enable_http2: false,
        fail_if_ssl: false,
        fail_if_not_ssl: true,
        fail_if_body_matches_regexp: ['Could not connect'],
        fail_if_body_not_matches_regexp: ['status: ok'],
        fail_if_header_matches: [{ header: 'Set-Cookie', regexp: '.*', allow_missing: true }],
        fail_if_header_not_matches: [{ header: 'Cache-Control', regexp: 'max-age', allow_missing: false }],
        preferred_ip_protocol: 'ip4',
        ip_protocol_fallback: false,
        tls_config: {
          insecure_skip_verify: true,
          ca_file: '/etc/ssl/ca.pem',
          cert_file: '/etc/ssl/client.pem',
          key_file: '/etc/ssl/client.key',
          server_name: 'www.example.com',
          min_version: 'TLS12',
          max_version: 'TLS13',
        },
        authorization: { type: 'Token', credentials_file: '/run/secrets/token' },
        body_size_limit: 10 * 1024 * 1024,
        compression: 'gzip',
      },
    });
    // Every default, as blackbox_exporter has them (plus vantage's max_redirects).
    expect(config.modules.minimal).toEqual({
      prober: 'http',
      timeout: 10_000,
      http: {
        valid_status_codes: [],
        valid_http_versions: [],
        method: 'GET',
        headers: {},
        follow_redirects: true,
        max_redirects: 10,
        enable_http2: true,
        fail_if_ssl: false,
        fail_if_not_ssl: false,
        fail_if_body_matches_regexp: [],
        fail_if_body_not_matches_regexp: [],
        fail_if_header_matches: [],
        fail_if_header_not_matches: [],
        preferred_ip_protocol: 'ip6',
        ip_protocol_fallback: true,
        tls_config: { insecure_skip_verify: false },
        body_size_limit: 0,
        compression: '',
      },
    });
    expect(config.targets).toEqual([
      {
        name: 'homepage',
        url: 'https://example.com/',
        modules: ['full', 'minimal'],
        interval: 15_000,
        labels: { team: 'web', tier: '1' },
        slo: { availability: 0.995, latency: 1500 },
        hosts: ['web-1:9100', '10.0.0.5:9100', '[2001:db8::1]:9100'],
        load_test: { allowed: true, max_rate: 500, max_concurrency: 200, max_duration: 120_000 },
        traffic_query: 'sum(rate(nginx_http_requests_total[5m]))',
      },
      {
        name: 'api',
        url: 'http://127.0.0.1:8080/health',
        modules: ['minimal'],
        labels: {},
        slo: { availability: 0.999, latency: 2000 },
        // Load testing is opt-in: a target that says nothing may not be load-tested.
        hosts: [],
        load_test: { allowed: false, max_rate: 100, max_concurrency: 200, max_duration: 600_000 },
      },
    ]);
    expect(config.security).toEqual({
      admin_token_file: '/run/secrets/admin',
      probe_url_allowlist: ['^https://example\\.com/'],
      allowed_networks: ['10.0.0.0/8', '::1', '192.168.1.1'],
    });
  });

  it('reads an empty file, a comment-only file and empty sections as an empty config', () => {
    const empty = {
      global: { interval: 30_000, max_concurrent_probes: 256, jitter: 1 },
      modules: {},
      targets: [],
      security: { probe_url_allowlist: [], allowed_networks: [] },
      maintenance_windows: [],
      rum: {
        sites: [],
        trusted_proxies: [],
        limits: {
          max_body_bytes: 16_384,
          rate_per_client: { per_second: 20, burst: 60 },
          max_clients_tracked: 100_000,
          max_series: 50_000,
          max_targets_per_site: 50,
        },
      },
    };
    expect(configOf('')).toEqual(empty);
    expect(configOf('# nothing configured yet\n')).toEqual(empty);
    expect(configOf(yaml('modules:', '  # http_2xx: {prober: http}', 'targets:'))).toEqual(empty);
  });

  it('gives a target without modules the http_2xx module', () => {
    const config = configOf(
      yaml('modules:', '  http_2xx: {prober: http}', 'targets:', '  - {name: a, url: "https://example.com"}'),
    );
    expect(config.targets[0]?.modules).toEqual(['http_2xx']);
  });

  it('reads numbers and booleans as strings where blackbox_exporter (Go YAML) does, as written', () => {
    const config = configOf(
      yaml(
        'modules:',
        '  m:',
        '    prober: http',
        '    http:',
        '      headers: {DNT: 1, X-Api-Version: 1.10, X-Debug: true}',
        '      basic_auth: {username: 1001, password: 12345}',
        'targets:',
        '  - {name: a, url: "https://example.com", modules: [m], labels: {tier: 1, canary: false}}',
      ),
    );
    expect(httpOf(config.modules.m).headers).toEqual({
      DNT: '1',
      'X-Api-Version': '1.10',
      'X-Debug': 'true',
    });
    expect(httpOf(config.modules.m).basic_auth).toEqual({ username: '1001', password: '12345' });
    expect(config.targets[0]?.labels).toEqual({ tier: '1', canary: 'false' });
  });

  it('follows YAML anchors and merge keys', () => {
    const config = configOf(
      yaml(
        'modules:',
        '  base: &base',
        '    prober: http',
        '    timeout: 5s',
        '  derived:',
        '    <<: *base',
        '    timeout: 7s',
        'targets:',
        '  - {name: a, url: "https://example.com", modules: [base, derived]}',
      ),
    );
    expect(config.modules.base?.timeout).toBe(5000);
    expect(config.modules.derived?.timeout).toBe(7000);
  });
});

describe('a real blackbox_exporter config pastes in unchanged', () => {
  // Modules as blackbox_exporter's example.yml and CONFIGURATION.md write them: quoting, flow
  // lists, inline comments and all. basic_auth and bearer_token are two modules (vantage rejects
  // both in one module, blackbox_exporter's HTTP client does too).
  const blackbox = `modules:
  http_2xx_example:
    prober: http
    timeout: 5s
    http:
      valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]
      valid_status_codes: []  # Defaults to 2xx
      method: GET
      headers:
        Host: vhost.example.com
        Accept-Language: en-US
      follow_redirects: true
      fail_if_ssl: false
      fail_if_not_ssl: true
      fail_if_body_matches_regexp:
        - "Could not connect to database"
      fail_if_body_not_matches_regexp:
        - "Welcome to example"
      fail_if_header_matches: # No cookies on the landing page
        - header: Set-Cookie
          allow_missing: true
          regexp: '.*'
      fail_if_header_not_matches:
        - header: Access-Control-Allow-Origin
          regexp: '(\\*|example\\.com)'
      tls_config:
        insecure_skip_verify: false
        ca_file: "/etc/blackbox/ca.crt"
        cert_file: "/etc/blackbox/client.crt"
        key_file: "/etc/blackbox/client.key"
        server_name: "vhost.example.com"
      preferred_ip_protocol: "ip4" # defaults to "ip6"
      ip_protocol_fallback: false  # no fallback to "ip6"
      body_size_limit: 1MB
      compression: gzip
  http_post_basic_auth:
    prober: http
    timeout: 5s
    http:
      method: POST
      headers:
        Content-Type: application/json
      body: '{}'
      valid_status_codes: [200, 201, 202]
      basic_auth:
        username: "prober"
        password: "correct-horse-battery"
  http_bearer:
    prober: http
    timeout: 10s
    http:
      bearer_token: "abcdef0123456789"
      valid_status_codes:
        - 200
        - 401
`;
  const targets = `targets:
  - name: landing
    url: https://vhost.example.com/
    modules: [http_2xx_example, http_post_basic_auth, http_bearer]
`;

  it('parses every module with blackbox semantics', () => {
    const config = configOf(blackbox + targets);
    const example = httpModuleOf(config.modules.http_2xx_example);
    expect(example.timeout).toBe(5000);
    expect(example.http).toMatchObject({
      valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'],
      valid_status_codes: [],
      method: 'GET',
      headers: { Host: 'vhost.example.com', 'Accept-Language': 'en-US' },
      follow_redirects: true,
      fail_if_ssl: false,
      fail_if_not_ssl: true,
      fail_if_body_matches_regexp: ['Could not connect to database'],
      fail_if_body_not_matches_regexp: ['Welcome to example'],
      fail_if_header_matches: [{ header: 'Set-Cookie', allow_missing: true, regexp: '.*' }],
      fail_if_header_not_matches: [
        { header: 'Access-Control-Allow-Origin', regexp: '(\\*|example\\.com)', allow_missing: false },
      ],
      tls_config: {
        insecure_skip_verify: false,
        ca_file: '/etc/blackbox/ca.crt',
        cert_file: '/etc/blackbox/client.crt',
        key_file: '/etc/blackbox/client.key',
        server_name: 'vhost.example.com',
      },
      preferred_ip_protocol: 'ip4',
      ip_protocol_fallback: false,
      // units.Base2Bytes: 1MB is 1024*1024, as in blackbox_exporter.
      body_size_limit: 1_048_576,
      compression: 'gzip',
    });
    expect(httpOf(config.modules.http_post_basic_auth)).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      valid_status_codes: [200, 201, 202],
      basic_auth: { username: 'prober', password: 'correct-horse-battery' },
    });
    expect(httpOf(config.modules.http_bearer).bearer_token).toBe('abcdef0123456789');
    expect(config.modules.http_bearer!.timeout).toBe(10_000);
  });

  it('reads the deprecated no_follow_redirects, with a warning', () => {
    const result = parseConfigText(
      yaml(
        'modules:',
        '  old:',
        '    prober: http',
        '    http:',
        '      no_follow_redirects: true',
        'targets:',
        '  - {name: a, url: "https://example.com", modules: [old]}',
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(httpOf(result.config.modules.old).follow_redirects).toBe(false);
    expect(result.warnings).toEqual([
      'modules.old.http.no_follow_redirects (line 5): no_follow_redirects is deprecated (as in blackbox_exporter): write follow_redirects: false',
    ]);
  });

  it('rejects blackbox keys vantage cannot honour with the reason, not as unknown', () => {
    expect(
      errorsOf(
        yaml(
          'modules:',
          '  proxied:',
          '    prober: http',
          '    http:',
          '      proxy_url: "http://127.0.0.1:3128"',
          '      skip_resolve_phase_with_proxy: true',
          '      enable_http3: true',
          '      oauth2: {client_id: x, token_url: "https://example.com/token"}',
          '      fail_if_body_json_matches_cel: "body.ok == false"',
          '      tls_config: {ca: "-----BEGIN CERTIFICATE-----"}',
          '  tcp_connect:',
          '    prober: tcp',
          '    timeout: 5s',
        ),
      ),
    ).toEqual([
      'modules.proxied.http.proxy_url (line 5): not supported by vantage: vantage does not probe through an HTTP proxy: vantage connects to the target itself to time its DNS, connect and TLS phases',
      'modules.proxied.http.skip_resolve_phase_with_proxy (line 6): not supported by vantage: vantage does not probe through an HTTP proxy: vantage connects to the target itself to time its DNS, connect and TLS phases',
      "modules.proxied.http.enable_http3 (line 7): not supported by vantage: HTTP/3 (QUIC) is not available in Node.js's HTTP client",
      'modules.proxied.http.oauth2 (line 8): not supported by vantage: vantage does not fetch OAuth 2.0 tokens; obtain the token elsewhere and use authorization.credentials_file',
      'modules.proxied.http.fail_if_body_json_matches_cel (line 9): not supported by vantage: vantage has no CEL engine; use fail_if_body_matches_regexp',
      'modules.proxied.http.tls_config.ca (line 10): not supported by vantage: inline PEM is not accepted; write the certificate to a file and use ca_file',
      'modules.tcp_connect.prober (line 12): unsupported prober "tcp" (supported: http, lighthouse, journey, browser)',
    ]);
  });
});

describe('errors', () => {
  it('reports every error of a broken file with its path and line', () => {
    const text = yaml(
      /*  1 */ 'global:',
      /*  2 */ '  interval: 30',
      /*  3 */ '  jitter: 2',
      /*  4 */ 'modules:',
      /*  5 */ '  http_2xx:',
      /*  6 */ '    prober: http',
      /*  7 */ '    timout: 5s',
      /*  8 */ '    http:',
      /*  9 */ '      valid_status_codes: [200, "abc"]',
      /* 10 */ '      preferred_ip_protocol: ip5',
      /* 11 */ '      fail_if_body_matches_regexp: "oops"',
      /* 12 */ '      body_size_limit: 12XB',
      /* 13 */ '  nameless:',
      /* 14 */ '    timeout: 5s',
      /* 15 */ 'targets:',
      /* 16 */ '  - name: home',
      /* 17 */ '    url: https://example.com/',
      /* 18 */ '  - name: Shop',
      /* 19 */ '    url: htp:/x',
      /* 20 */ '    modules: [http_2xx, missing]',
      /* 21 */ '    labels: {target: x, 1team: web}',
      /* 22 */ '    slo: {availability: 1.0, latency: fast}',
      /* 23 */ '  - url: https://example.com/cart',
      /* 24 */ '    interval: 0s',
      /* 25 */ '  - name: home',
      /* 26 */ '    url: https://example.com/again',
      /* 27 */ 'security:',
      /* 28 */ '  allowed_networks: [10.0.0.0/33]',
      /* 29 */ 'extra: true',
    );
    expect(errorsOf(text)).toEqual([
      'global.interval (line 2): expected a duration such as 500ms, 30s or 1m30s, got 30 (add a unit, e.g. 30s)',
      'global.jitter (line 3): must be at most 1 (got 2)',
      'modules.http_2xx.timout (line 7): unknown field "timout" (did you mean "timeout"?)',
      'modules.http_2xx.http.valid_status_codes[1] (line 9): expected a number, got "abc"',
      'modules.http_2xx.http.preferred_ip_protocol (line 10): must be one of: ip4, ip6 (got "ip5")',
      'modules.http_2xx.http.fail_if_body_matches_regexp (line 11): expected a list, got a string',
      'modules.http_2xx.http.body_size_limit (line 12): not a byte size: "12XB" (use e.g. 1048576, 512KB, 10MB)',
      'modules.nameless.prober (line 13): required field is missing',
      'targets[1].name (line 18): must match [a-z0-9_-]+ (it becomes the `target` label)',
      'targets[1].url (line 19): not a URL: "htp:/x" (the scheme must be http or https)',
      'targets[1].modules[1] (line 20): unknown module "missing" (defined: http_2xx, nameless)',
      'targets[1].labels.target (line 21): label name "target" is reserved: vantage sets target, module, url, instance, job, phase, reason, result, le itself',
      'targets[1].labels.1team (line 21): not a valid Prometheus label name',
      'targets[1].slo.availability (line 22): must be a ratio below 1 (an objective of 100% leaves no error budget)',
      'targets[1].slo.latency (line 22): not a duration: "fast" (use e.g. 500ms, 30s, 1m30s)',
      'targets[2].name (line 23): required field is missing',
      'targets[2].interval (line 24): must be greater than 0',
      'targets[3].name (line 25): duplicate target name "home" (first used by targets[0])',
      'security.allowed_networks[0] (line 28): not an IP address or CIDR range: "10.0.0.0/33"',
      'extra (line 29): unknown field "extra"',
    ]);
  });

  it('reports cross-reference errors even when unrelated fields are invalid', () => {
    expect(
      errorsOf(
        yaml(
          'modules:',
          '  http_2xx: {prober: http}',
          'targets:',
          '  - name: a',
          '    url: "htp:/x"',
          '  - name: b',
          '    url: https://example.com/',
          '    modules: [http_3xx]',
        ),
      ),
    ).toEqual([
      'targets[0].url (line 5): not a URL: "htp:/x" (the scheme must be http or https)',
      'targets[1].modules[0] (line 8): unknown module "http_3xx" (defined: http_2xx)',
    ]);
  });

  it('says when the default module of a target is not defined', () => {
    expect(errorsOf(yaml('targets:', '  - name: a', '    url: https://example.com/'))).toEqual([
      'targets[0] (line 2): no modules listed, and the default module "http_2xx" is not defined (defined: none)',
    ]);
  });

  it('reports duplicate target names', () => {
    expect(
      errorsOf(
        yaml(
          'modules: {http_2xx: {prober: http}}',
          'targets:',
          '  - {name: shop, url: "https://example.com/a"}',
          '  - {name: home, url: "https://example.com/b"}',
          '  - {name: shop, url: "https://example.com/c"}',
        ),
      ),
    ).toEqual(['targets[2].name (line 5): duplicate target name "shop" (first used by targets[0])']);
  });

  it('reports YAML syntax errors with line and column, all of them', () => {
    const result = parseConfigText(
      yaml('targets:', '  - name: a', '    url: [https://example.com', 'modules: {'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThanOrEqual(2);
    for (const e of result.errors) {
      expect(e.line).toBeTypeOf('number');
      expect(e.column).toBeTypeOf('number');
    }
    expect(result.errors[0]).toMatchObject({ path: '', line: 4, column: 1 });
    expect(formatConfigError(result.errors[0]!)).toMatch(
      /^line 4, column 1: Flow sequence .* must .* end with a \]$/,
    );
  });

  it('reports a tab-indented file as a syntax error', () => {
    const [first] = errorsOf('targets:\n\t- name: a\n');
    expect(first).toMatch(/^line 2, column 1: /);
  });

  it('rejects duplicate keys, naming the key', () => {
    expect(
      errorsOf(yaml('modules:', '  http_2xx:', '    prober: http', '    timeout: 5s', '    timeout: 10s')),
    ).toEqual([
      'modules.http_2xx.timeout (line 5): duplicate key "timeout": keys must be unique within a mapping',
    ]);
  });

  it('points at the key of an unknown field, and suggests the likely one', () => {
    expect(
      errorsOf(yaml('modules:', '  m:', '    prober: http', '    http:', '      valid_status_code: [200]')),
    ).toEqual([
      'modules.m.http.valid_status_code (line 5): unknown field "valid_status_code" (did you mean "valid_status_codes"?)',
    ]);
    expect(errorsOf(yaml('targets: []', 'alerting: {}'))).toEqual([
      'alerting (line 2): unknown field "alerting"',
    ]);
  });

  it('says "expected a list" and "expected a number" in plain words', () => {
    expect(
      errorsOf(
        yaml(
          'global:',
          '  max_concurrent_probes: "abc"',
          '  dns_servers: 1.1.1.1',
          'targets: {name: a}',
          'modules:',
          '  m: {prober: http, http: {follow_redirects: "yes", headers: [a]}}',
        ),
      ),
    ).toEqual([
      'global.max_concurrent_probes (line 2): expected a number, got "abc"',
      'global.dns_servers (line 3): expected a list, got a string',
      'targets (line 4): expected a list, got a mapping',
      'modules.m.http.follow_redirects (line 6): expected true or false, got "yes"',
      'modules.m.http.headers (line 6): expected a mapping, got a list',
    ]);
  });

  it('rejects invalid and reserved label names, pointing at the label', () => {
    expect(
      errorsOf(
        yaml(
          'modules: {http_2xx: {prober: http}}',
          'targets:',
          '  - name: a',
          '    url: https://example.com/',
          '    labels:',
          '      team: web',
          '      target: override',
          '      __meta: x',
          '      "team-name": y',
        ),
      ),
    ).toEqual([
      'targets[0].labels.target (line 7): label name "target" is reserved: vantage sets target, module, url, instance, job, phase, reason, result, le itself',
      'targets[0].labels.__meta (line 8): label names starting with __ are reserved',
      'targets[0].labels.team-name (line 9): not a valid Prometheus label name',
    ]);
  });

  it('rejects capacity settings it could not act on, pointing at each', () => {
    expect(
      errorsOf(
        yaml(
          'modules: {http_2xx: {prober: http}}',
          'targets:',
          '  - name: a',
          '    url: https://example.com/',
          '    hosts: [web-1, "web-2:99999", "http://web-3:9100", "[::1]:9100", "[::1]:9100"]',
          '    load_test: {allowed: "yes", max_rate: 0, max_concurrency: 1000000, rate: 5}',
          '    traffic_query: "  "',
        ),
      ),
    ).toEqual([
      'targets[0].hosts (line 5): lists a host twice',
      'targets[0].hosts[0] (line 5): not a host:port: "web-1" (the node_exporter address Prometheus scrapes, e.g. web-1:9100)',
      'targets[0].hosts[1] (line 5): port must be 1-65535, got 99999 in "web-2:99999"',
      'targets[0].hosts[2] (line 5): not a host:port: "http://web-3:9100" (the node_exporter address Prometheus scrapes, e.g. web-1:9100)',
      'targets[0].load_test.allowed (line 6): expected true or false, got "yes"',
      'targets[0].load_test.max_rate (line 6): must be greater than 0 (got 0)',
      'targets[0].load_test.max_concurrency (line 6): must be at most 10000 (got 1000000)',
      'targets[0].load_test.rate (line 6): unknown field "rate"',
      'targets[0].traffic_query (line 7): must be a PromQL expression',
    ]);
  });

  it('rejects an availability objective of 1.0 (no error budget)', () => {
    expect(
      errorsOf(
        yaml(
          'modules: {http_2xx: {prober: http}}',
          'targets:',
          '  - name: a',
          '    url: https://example.com/',
          '    slo:',
          '      availability: 1.0',
        ),
      ),
    ).toEqual([
      'targets[0].slo.availability (line 6): must be a ratio below 1 (an objective of 100% leaves no error budget)',
    ]);
  });

  it('rejects an invalid module name at its key, and a top level that is not a mapping', () => {
    expect(errorsOf(yaml('modules:', '  "http 2xx": {prober: http}'))).toEqual([
      'modules["http 2xx"] (line 2): module names must match [A-Za-z0-9_-]+',
    ]);
    expect(errorsOf(yaml('- name: a', '  url: https://example.com/'))).toEqual([
      'line 1, column 1: the top level must be a mapping with global, modules, targets, security, maintenance_windows, report; got a list',
    ]);
    expect(errorsOf('just a string\n')).toEqual([
      'line 1, column 1: the top level must be a mapping with global, modules, targets, security, maintenance_windows, report; got a string',
    ]);
  });

  it('attributes an error inside an anchored block to where it is written', () => {
    expect(
      errorsOf(
        yaml(
          'modules:',
          '  base: &base',
          '    prober: http',
          '    timeout: soon',
          '  derived:',
          '    <<: *base',
          '    http: {method: get}',
        ),
      ),
    ).toEqual([
      'modules.base.timeout (line 4): not a duration: "soon" (use e.g. 500ms, 30s, 1m30s)',
      'modules.derived.timeout (line 4): not a duration: "soon" (use e.g. 500ms, 30s, 1m30s)',
      'modules.derived.http.method (line 7): must be an upper-case HTTP method such as GET or POST',
    ]);
  });
});

describe('secrets', () => {
  it('never echoes a secret value in an error', () => {
    const secrets = ['hunter2hunter2', 'tok-9f8e7d6c5b4a', 'cred-0a1b2c3d4e', 'short-admin'];
    const errors = errorsOf(
      yaml(
        'modules:',
        '  a:',
        '    prober: http',
        '    http:',
        `      basic_auth: {username: u, password: ${secrets[0]}}`,
        `      bearer_token: ${secrets[1]}`,
        '  b:',
        '    prober: http',
        '    http:',
        `      authorization: {credentials: ${secrets[2]}, credentals_file: /x}`,
        '      headers: {Authorization: [Bearer, abc123456789]}',
        '  c:',
        '    prober: http',
        '    http: {bearer_token: {token: tok-1234567890123}}',
        'security:',
        `  admin_token: ${secrets[3]}`,
      ),
    );
    expect(errors).toEqual([
      'modules.a.http.bearer_token (line 6): at most one of basic_auth, bearer_token/bearer_token_file and authorization may be set',
      'modules.b.http.authorization.credentals_file (line 10): unknown field "credentals_file" (did you mean "credentials_file"?)',
      'modules.b.http.headers.Authorization (line 11): invalid value (expected a string; secret values are not shown)',
      'modules.c.http.bearer_token (line 14): invalid value (expected a string; secret values are not shown)',
      'security.admin_token (line 16): must be at least 16 characters',
    ]);
    for (const secret of [...secrets, 'abc123456789', 'tok-1234567890123']) {
      expect(errors.join('\n')).not.toContain(secret);
    }
  });
});

describe('warnings', () => {
  it('warns about unused modules and intervals shorter than the module timeout', () => {
    expect(
      warningsOf(
        yaml(
          'global: {interval: 10s}',
          'modules:',
          '  http_2xx: {prober: http, timeout: 5s}',
          '  slow: {prober: http, timeout: 20s}',
          '  unused: {prober: http}',
          'targets:',
          '  - name: a',
          '    url: https://example.com/',
          '    modules: [http_2xx, slow]',
          '    interval: 15s',
          '  - name: b',
          '    url: https://example.com/b',
          '    modules: [slow]',
        ),
      ),
    ).toEqual([
      'modules.unused (line 5): module "unused" is not used by any target',
      'targets[0].interval (line 10): interval 15s is shorter than the timeout of module "slow" (20s): a slow probe is still running when the next is due',
      'targets[1] (line 11): interval 10s (global.interval) is shorter than the timeout of module "slow" (20s): a slow probe is still running when the next is due',
    ]);
  });
});

describe('files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vantage-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file', async () => {
    const file = join(dir, 'vantage.yml');
    await writeFile(
      file,
      yaml('modules: {http_2xx: {prober: http}}', 'targets: [{name: a, url: "https://example.com"}]'),
    );
    const result: LoadResult = await loadConfigFile(file);
    expect(result.ok && result.config.targets[0]?.name).toBe('a');
  });

  it('reports a missing or unreadable file by name', async () => {
    const missing = join(dir, 'nope.yml');
    expect(await loadConfigFile(missing)).toEqual({
      ok: false,
      errors: [{ path: '', message: `cannot read config file "${missing}": no such file` }],
    });
    const result = await loadConfigFile(dir);
    expect(!result.ok && formatConfigError(result.errors[0]!)).toBe(
      `cannot read config file "${dir}": it is a directory`,
    );
  });
});

describe('formatting', () => {
  it('formats with and without a line', () => {
    expect(formatConfigError({ path: 'targets[2].url', line: 14, message: 'not a URL: "htp:/x"' })).toBe(
      'targets[2].url (line 14): not a URL: "htp:/x"',
    );
    expect(formatConfigError({ path: 'targets[2].url', message: 'x' })).toBe('targets[2].url: x');
    expect(formatConfigError({ path: '', line: 3, column: 7, message: 'bad' })).toBe('line 3, column 7: bad');
    expect(formatConfigError({ path: '', message: 'bad' })).toBe('bad');
  });

  it('ConfigLoadError lists every error, one per line', () => {
    const err = new ConfigLoadError([
      { path: 'a', line: 1, message: 'one' },
      { path: 'b[0]', message: 'two' },
    ]);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('a (line 1): one\nb[0]: two');
    expect(err.errors).toHaveLength(2);
  });
});

describe('the embedded demo config', () => {
  it('is valid, and makes scheduled reports only when given a Prometheus URL', () => {
    const plain = configOf(demoConfigYaml('http://127.0.0.1:9470'));
    expect(plain.targets.map((t) => t.name)).toContain('demo-fast');
    expect(plain.report).toBeUndefined();
    const reporting = configOf(demoConfigYaml('http://127.0.0.1:9470', 'http://prometheus:9090'));
    expect(reporting.report).toMatchObject({
      prometheus_url: 'http://prometheus:9090',
      schedule: { time: '00:15', time_zone: 'UTC', periods: ['day', 'week', 'month'] },
    });
    expect(plain.targets.every((t) => t.hosts.length === 0)).toBe(true);
  });

  it("names the stack's node_exporter as every demo target's host when the environment gives it", () => {
    const defaults = configDefaultsFromEnv({ VANTAGE_DEMO_HOSTS: ' 127.0.0.1:9100 , ' });
    expect(defaults.demoHosts).toEqual(['127.0.0.1:9100']);
    const config = configOf(demoConfigYaml('http://127.0.0.1:9470', undefined, defaults.demoHosts));
    expect(config.targets.map((t) => t.hosts)).toEqual(config.targets.map(() => ['127.0.0.1:9100']));
    expect(configDefaultsFromEnv({}).demoHosts).toBeUndefined();
  });
});
