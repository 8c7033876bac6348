/**
 * Test certificates, generated with the openssl CLI at test time into a temporary directory (no key
 * material in the repository, nothing to expire in CI). EC P-256 keys keep generation to ~100 ms.
 * `openssl ca` is used for CA-signed certificates because, unlike `x509 -req` in OpenSSL 3.0, it can
 * set an arbitrary validity window (needed for the already-expired certificate).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestCerts {
  dir: string;
  /** The test CA (trust it with tls_config.ca_file). */
  ca: CertPair;
  /** SAN IP:127.0.0.1, DNS:localhost; signed by the CA; valid for 30 days. */
  leaf: CertPair;
  /** Self-signed, SAN IP:127.0.0.1. */
  selfSigned: CertPair;
  /** Signed by the CA, SAN IP:127.0.0.1, valid 2020-01-01 to 2020-01-02. */
  expired: CertPair;
  /** Signed by the CA, SAN DNS:wrong.example only. */
  wrongHost: CertPair;
  /** Client certificate (clientAuth) signed by the CA. */
  client: CertPair;
  /** PEM contents, for servers. */
  pem(pair: CertPair): { cert: Buffer; key: Buffer };
  cleanup(): void;
}

const CA_CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = any_policy
copy_extensions = copy
unique_subject = no
[ any_policy ]
commonName = supplied
`;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function signed(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
  validity: string[],
): CertPair {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  openssl(dir, [
    'req',
    ...EC_KEY,
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    subject,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  openssl(dir, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.crt',
    '-keyfile',
    'ca.key',
    '-in',
    csr,
    '-out',
    cert,
    '-notext',
    ...validity,
  ]);
  return { cert, key };
}

let cached: TestCerts | undefined;

/** Generates (once per test process) the whole set. */
export function createTestCerts(): TestCerts {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'vantage-certs-'));
  // Removed by cleanup(), and in any case when the test process exits (no key material left behind).
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');

  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '3650',
    '-subj',
    '/CN=vantage test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const serverExt = (san: string) => [`subjectAltName=${san}`, 'extendedKeyUsage=serverAuth'];
  const leaf = signed(dir, 'leaf', '/CN=localhost', serverExt('IP:127.0.0.1,DNS:localhost'), ['-days', '30']);
  const expired = signed(dir, 'expired', '/CN=expired', serverExt('IP:127.0.0.1'), [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  ]);
  const wrongHost = signed(dir, 'wrong', '/CN=wrong.example', serverExt('DNS:wrong.example'), [
    '-days',
    '30',
  ]);
  const client = signed(
    dir,
    'client',
    '/CN=vantage client',
    ['extendedKeyUsage=clientAuth'],
    ['-days', '30'],
  );

  const selfSigned = { cert: join(dir, 'self.crt'), key: join(dir, 'self.key') };
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    selfSigned.key,
    '-out',
    selfSigned.cert,
    '-days',
    '30',
    '-subj',
    '/CN=self-signed',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);

  cached = {
    dir,
    ca,
    leaf,
    selfSigned,
    expired,
    wrongHost,
    client,
    pem: (pair) => ({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      cached = undefined;
    },
  };
  return cached;
}
