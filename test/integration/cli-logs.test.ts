/**
 * The service's logs as an operator reads them (issue 12, point 8): `node bin/vantage.js` with
 * --log.format (logfmt by default, as Prometheus and its exporters) and --log.level, on stderr;
 * a failing check names its target, module, reason and what to do; incidents and the URL to open
 * are logged.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexPageUrl } from '../../src/server/serve.js';
import { alertmanagerWebhook } from '../helpers/alertmanagerWebhook.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/vantageHarness.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');
const dir = mkdtempSync(join(tmpdir(), 'vantage-logs-'));
let broken: Server;
let configFile: string;

beforeAll(async () => {
  broken = createServer((_req, res) => res.writeHead(503).end('maintenance'));
  await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
  configFile = join(dir, 'vantage.yml');
  writeFileSync(
    configFile,
    `global: {interval: 1s}\nmodules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n` +
      `targets:\n  - name: broken\n    url: http://127.0.0.1:${(broken.address() as AddressInfo).port}/\n` +
      `    modules: [http_2xx]\n`,
  );
});
afterAll(() => {
  broken.close();
  rmSync(dir, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

async function serve(flags: string[]) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      BIN,
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.path=${join(dir, `data-${port}`)}`,
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${base}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    20_000,
    'vantage to be ready',
  );
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { port, base, stop, stdout: () => stdout, stderr: () => stderr };
}

const alert = (status: 'firing' | 'resolved') =>
  alertmanagerWebhook([
    {
      status,
      labels: { alertname: 'VantageTargetDown', severity: 'critical', target: 'broken' },
      annotations: { summary: 'broken is down' },
      startsAt: '2026-12-05T03:00:00Z',
      ...(status === 'resolved' && { endsAt: '2026-12-05T03:02:00Z' }),
      fingerprint: 'f00dfeed',
    },
  ]);

describe('vantage logs', () => {
  it('are logfmt on stderr by default: the URL to open, a failing check with context, incidents', async () => {
    const v = await serve([]);
    await waitFor(() => v.stderr().includes('target=broken'), 15_000, 'the failure line');
    for (const status of ['firing', 'resolved'] as const) {
      const res = await fetch(`${v.base}/api/alertmanager`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(alert(status)),
      });
      expect(res.status).toBe(200);
    }
    await waitFor(() => v.stderr().includes('incident resolved'), 5_000, 'the incident lines');
    await v.stop();

    const lines = v.stderr().trimEnd().split('\n');
    for (const line of lines) {
      expect(line).toMatch(
        /^level=(debug|info|warn|error) ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+ )?msg=/,
      );
    }
    expect(v.stdout()).toBe(''); // logs go where Prometheus' go: stderr
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^level=info ts=\\S+ msg="Open http://127\\.0\\.0\\.1:${v.port}/ .*" url=http://127\\.0\\.0\\.1:${v.port}/$`,
        ),
      ),
    );
    const failure = lines.find((l) => l.includes('target=broken'))!;
    expect(failure).toMatch(/^level=warn /);
    expect(failure).toContain('status code 503 is not valid');
    expect(failure).toContain('target=broken module=http_2xx');
    expect(failure).toContain('reason=status_code');
    expect(failure).toMatch(/hint="[^"]*modules\.http_2xx\.http\.valid_status_codes/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^level=info ts=\S+ msg="incident recorded: VantageTargetDown for broken" alertname=VantageTargetDown target=broken severity=critical status=firing starts_at=2026-12-05T03:00:00Z$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /msg="incident resolved: VantageTargetDown for broken" .* ends_at=2026-12-05T03:02:00Z$/,
      ),
    );
    expect(lines.at(-1)).toMatch(/^level=info ts=\S+ msg=stopped$/);
  }, 40_000);

  it('are JSON lines with --log.format=json, and --log.level=warn leaves out info', async () => {
    const v = await serve(['--log.format=json', '--log.level=warn']);
    await waitFor(() => v.stderr().includes('"target":"broken"'), 15_000, 'the failure line');
    await v.stop();
    const records = v
      .stderr()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.level)).not.toContain('info');
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'warn', target: 'broken', module: 'http_2xx', reason: 'status_code' }),
    );
    expect(v.stdout()).toBe('');
  }, 40_000);

  it('refuses an unknown --log.format, naming the flag and the choices', () => {
    for (const command of [[], ['stack']]) {
      const run = spawnSync(process.execPath, [BIN, ...command, '--log.format=yaml'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe('--log.format: must be one of logfmt, json, got "yaml"\n');
    }
  });

  it('opens a wildcard listen address as localhost', () => {
    expect(indexPageUrl('0.0.0.0', 9470)).toBe('http://localhost:9470/');
    expect(indexPageUrl('::', 9470)).toBe('http://localhost:9470/');
    expect(indexPageUrl('::1', 9470)).toBe('http://[::1]:9470/');
    expect(indexPageUrl('vantage.example', 80)).toBe('http://vantage.example:80/');
  });
});
