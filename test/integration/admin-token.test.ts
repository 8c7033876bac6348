/**
 * The admin token from every source obeys the config's rule (at least 16 characters), an empty
 * token file is an error rather than a lock-out, each error names its source, a refused reload
 * keeps the running token, and wrong tokens are rate-limited per client address. Through a real
 * service (start and POST /-/reload), the CLI (`vantage serve` exits 1) and raw HTTP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/logger.js';
import { VantageService } from '../../src/service/service.js';
import { runCliAsync } from '../helpers/cliProcess.js';
import { send } from '../helpers/rawHttp.js';
import { startVantage, type Harness } from '../helpers/vantageHarness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vantage-admin-token-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.VANTAGE_ADMIN_TOKEN;
  delete process.env.VANTAGE_ADMIN_TOKEN_FILE;
});

/** Starts a service on `yaml` (no HTTP): the start error's message, if any, and its warn log. */
async function start(yaml: string): Promise<{ error: string | undefined; log: string }> {
  const configFile = join(dir, 'vantage.yml');
  await writeFile(configFile, yaml);
  let log = '';
  const sink = { write: (line: string) => ((log += line), true) } as unknown as NodeJS.WritableStream;
  const service = new VantageService({
    configFile,
    demoBaseUrl: () => 'http://127.0.0.1:1',
    storagePath: join(dir, 'data'),
    logger: createLogger('warn', sink),
  });
  try {
    await service.start();
    await service.stop();
    return { error: undefined, log };
  } catch (err) {
    return { error: (err as Error).message, log };
  }
}

/** Starts a service on `yaml` (no HTTP) and returns the start error's message, if any. */
async function startError(yaml: string): Promise<string | undefined> {
  return (await start(yaml)).error;
}

describe('admin token sources at start', () => {
  it('refuses a short VANTAGE_ADMIN_TOKEN, naming the variable', async () => {
    process.env.VANTAGE_ADMIN_TOKEN = 'x';
    expect(await startError('targets: []\n')).toContain(
      'environment variable VANTAGE_ADMIN_TOKEN: must be at least 16 characters (it has 1 after trimming whitespace)',
    );
    process.env.VANTAGE_ADMIN_TOKEN = ' '.repeat(20);
    expect(await startError('targets: []\n')).toContain(
      'VANTAGE_ADMIN_TOKEN: must be at least 16 characters',
    );
    // Empty means unset (compose passes `${VANTAGE_ADMIN_TOKEN:-}`); 16 characters are enough.
    process.env.VANTAGE_ADMIN_TOKEN = '';
    expect(await startError('targets: []\n')).toBeUndefined();
    process.env.VANTAGE_ADMIN_TOKEN = 'sixteen-chars-ok';
    expect(await startError('targets: []\n')).toBeUndefined();
  });

  it.each([
    [
      'a one-byte file',
      'x',
      'the token in FILE must be at least 16 characters (it has 1 after trimming whitespace)',
    ],
    [
      'an empty file',
      '',
      'the admin token file FILE is empty; it must hold a token of at least 16 characters',
    ],
    [
      'a whitespace-only file',
      '  \n\t\n',
      'the admin token file FILE is empty (only whitespace); it must hold a token of at least 16 characters',
    ],
  ])('refuses %s, naming the key, its line and the file', async (_what, content, message) => {
    const file = join(dir, 'token');
    await writeFile(file, content);
    const error = await startError(`targets: []\nsecurity:\n  admin_token_file: ${file}\n`);
    expect(error).toContain(`security.admin_token_file (line 3): ${message.replace('FILE', file)}`);
  });

  it('refuses a missing token file and an admin_token of spaces, naming path and line', async () => {
    const missing = join(dir, 'no-such-token');
    expect(await startError(`targets: []\nsecurity:\n  admin_token_file: ${missing}\n`)).toContain(
      `security.admin_token_file (line 3): cannot read the admin token file ${missing}: ENOENT`,
    );
    expect(await startError(`targets: []\nsecurity:\n  admin_token: "${' '.repeat(16)}"\n`)).toContain(
      'security.admin_token (line 3): must be at least 16 characters',
    );
  });

  it('reads VANTAGE_ADMIN_TOKEN_FILE, and refuses a missing one or one set beside VANTAGE_ADMIN_TOKEN, naming the variable', async () => {
    const file = join(dir, 'env-token');
    process.env.VANTAGE_ADMIN_TOKEN_FILE = file;
    expect(await startError('targets: []\n')).toContain(
      `environment variable VANTAGE_ADMIN_TOKEN_FILE: cannot read the admin token file ${file}: ENOENT`,
    );
    await writeFile(file, 'x');
    expect(await startError('targets: []\n')).toContain(
      `environment variable VANTAGE_ADMIN_TOKEN_FILE: the token in ${file} must be at least 16 characters`,
    );
    await writeFile(file, 'sixteen-chars-ok\n');
    expect(await startError('targets: []\n')).toBeUndefined();
    process.env.VANTAGE_ADMIN_TOKEN = 'sixteen-chars-ok';
    expect(await startError('targets: []\n')).toContain(
      'environment variable VANTAGE_ADMIN_TOKEN_FILE: set either it or VANTAGE_ADMIN_TOKEN, not both',
    );
  });

  it('warns when the config token shadows a different one in VANTAGE_ADMIN_TOKEN_FILE, which Alertmanager sends', async () => {
    const file = join(dir, 'shared-token');
    await writeFile(file, 'generated-for-alertmanager-0123\n');
    process.env.VANTAGE_ADMIN_TOKEN_FILE = file;
    const shadowed = await start('security:\n  admin_token: my-own-token-0123456789\ntargets: []\n');
    expect(shadowed.error).toBeUndefined();
    expect(shadowed.log).toContain(
      `security.admin_token overrides VANTAGE_ADMIN_TOKEN_FILE (${file}) with a different token`,
    );
    expect(shadowed.log).toContain('will be refused (401)');
    // The same token in both places: nothing is refused, nothing to say.
    const same = await start('security:\n  admin_token: generated-for-alertmanager-0123\ntargets: []\n');
    expect(same.log).not.toContain('overrides');
  });

  it('vantage serve exits 1 with the error for a one-letter VANTAGE_ADMIN_TOKEN', async () => {
    const configFile = join(dir, 'serve.yml');
    await writeFile(configFile, 'targets: []\n');
    const { status, stdout, stderr } = await runCliAsync(
      [
        `--config.file=${configFile}`,
        '--web.listen-address=127.0.0.1:0',
        `--storage.path=${join(dir, 'serve-data')}`,
      ],
      { ...process.env, VANTAGE_ADMIN_TOKEN: 'x' },
    );
    const output = stdout + stderr;
    expect(status).toBe(1);
    expect(output).toContain('environment variable VANTAGE_ADMIN_TOKEN: must be at least 16 characters');
  }, 30_000);
});

describe('admin token on reload', () => {
  let h: Harness;
  const TOKEN = 'reload-admin-token-0123456789';
  afterAll(() => h?.close());

  it('refuses an emptied token file and keeps the running token', async () => {
    const file = join(dir, 'reload-token');
    await writeFile(file, `${TOKEN}\n`);
    h = await startVantage(`targets: []\nsecurity:\n  admin_token_file: ${file}\n`);
    const auth = { authorization: `Bearer ${TOKEN}` };
    await writeFile(file, '');
    const reload = await send(h.baseUrl, '/-/reload', { headers: auth });
    expect(reload.status).toBe(400);
    expect(reload.text).toContain(
      `security.admin_token_file (line 3): the admin token file ${file} is empty`,
    );
    // Not locked out: the token that was running still works.
    const change = await send(h.baseUrl, '/api/changes', {
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'after a refused reload', kind: 'other' }),
    });
    expect(change.status).toBe(201);
  });
});

describe('wrong tokens are rate-limited per client address', () => {
  let h: Harness;
  const TOKEN = 'rate-limit-admin-token-012345';
  beforeAll(async () => {
    h = await startVantage(`targets: []\nsecurity:\n  admin_token: ${TOKEN}\n`);
  });
  afterAll(() => h.close());

  const reload = (token: string, localAddress = '127.0.0.1') =>
    send(h.baseUrl, '/-/reload', { headers: { authorization: `Bearer ${token}` }, localAddress });

  it('answers 429 with Retry-After after 10 wrong tokens, to that address only, and counts it', async () => {
    // Right tokens never count, however many.
    for (let i = 0; i < 12; i++) expect((await reload(TOKEN)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await reload(`wrong-token-${i}`)).status).toBe(401);
    const limited = await reload('wrong-token-10');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(6);
    // While limited the token is not even compared: a right guess would be an answer.
    expect((await reload(TOKEN)).status).toBe(429);
    // Another address is not affected.
    expect((await reload(TOKEN, '127.0.0.2')).status).toBe(200);
    // No token at all is not a guess: still 401, not counted.
    expect((await send(h.baseUrl, '/-/reload')).status).toBe(401);

    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toContain('vantage_write_request_refusals_total{reason="rate_limited"} 2');
    expect(metrics).toContain('vantage_write_request_refusals_total{reason="unauthorized"} 11');
  });
});
