/**
 * The command line as a user runs it: `node bin/vantage.js ...` from the built dist/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/vantageHarness.js';
import { freePort } from '../helpers/ports.js';

const BIN = join(import.meta.dirname, '../../bin/vantage.js');
const dir = mkdtempSync(join(tmpdir(), 'vantage-cli-'));

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

describe('vantage CLI', () => {
  it('prints help and version', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('vantage check-config --config.file=FILE');
    expect(help.stdout).toContain('--web.listen-address');
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^vantage \d+\.\d+\.\d+/);
    expect(run(['--bogus']).status).toBe(2);
    expect(run(['frobnicate']).status).toBe(2);
  });

  it('check-config: exit 0 with a summary, or 1 with every error, its path and line', () => {
    const good = join(dir, 'good.yml');
    writeFileSync(
      good,
      'modules:\n  http_2xx:\n    prober: http\ntargets:\n  - name: a\n    url: http://127.0.0.1:9/\n    modules: [http_2xx]\n',
    );
    const ok = run(['check-config', `--config.file=${good}`]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('OK: 1 module, 1 target, 1 check');

    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'modules:',
        '  http_2xx:',
        '    prober: http',
        '    timeout: 5 seconds',
        'targets:',
        '  - name: a',
        '    url: http://127.0.0.1:9/',
        '  - name: b',
        '    url: "htp:/x"',
        '    modules: [missing]',
        '',
      ].join('\n'),
    );
    const ko = run(['check-config', `--config.file=${bad}`]);
    expect(ko.status).toBe(1);
    expect(ko.stderr).toContain('modules.http_2xx.timeout (line 4): not a duration: "5 seconds"');
    expect(ko.stderr).toContain('targets[1].url (line 9): not a URL: "htp:/x"');
    expect(ko.stderr).toMatch(/targets\[1\]\.modules\[0\] \(line 10\): unknown module "missing"/);
    expect(run(['check-config', `--config.file=${join(dir, 'nope.yml')}`]).status).toBe(1);
  });

  it('probe: one probe with phases and the failure reason', async () => {
    const port = await freePort(); // closed: connection refused
    const file = join(dir, 'probe.yml');
    writeFileSync(
      file,
      `modules:\n  http_2xx:\n    prober: http\n    http: {preferred_ip_protocol: ip4}\ntargets:\n  - name: closed\n    url: http://127.0.0.1:${port}/\n    modules: [http_2xx]\n`,
    );
    const res = run(['probe', `--config.file=${file}`, '--target=closed']);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('connection_refused');
    expect(res.stdout).toContain('probe_success 0');
    expect(run(['probe', `--config.file=${file}`, '--target=unknown']).status).toBe(2);
  });

  it('serves the embedded demo config, reloads on SIGHUP and stops within 5 s of SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = start([
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.path=${join(dir, 'data')}`,
      '--log.format=json',
    ]);
    const base = `http://127.0.0.1:${port}`;
    const metrics = await waitFor(
      async () => {
        try {
          const text = await (await fetch(`${base}/metrics`)).text();
          return text.includes('probe_success{target="demo-fast"') && text.includes('target="demo-slow"')
            ? text
            : '';
        } catch {
          return '';
        }
      },
      15_000,
      'demo probes',
    );
    expect(metrics).toContain('probe_success{target="demo-fast",module="http_2xx",team="demo"} 1');
    expect(metrics).toContain('vantage_target_info{target="demo-flaky"');
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('demo-slow');

    child.kill('SIGHUP');
    await waitFor(() => output().includes('reloading configuration'), 5000, 'reload log');
    await waitFor(
      async () =>
        (await (await fetch(`${base}/metrics`)).text()).includes(
          'vantage_config_reloads_total{result="success"} 2',
        ),
      5000,
      'reload counter',
    );

    const t = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(Date.now() - t).toBeLessThan(5000);
    expect(code).toBe(0);
    const lines = output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    // Structured JSON logs.
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(output()).toContain('"msg":"stopped"');
  }, 30_000);

  it('stops within 5 s of SIGTERM while probes hang on a silent server', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    const file = join(dir, 'hang.yml');
    const targets = Array.from(
      { length: 20 },
      (_, i) => `  - name: hang-${i}\n    url: http://127.0.0.1:${silentPort}/${i}\n`,
    ).join('');
    writeFileSync(
      file,
      `global: {interval: 1s, jitter: 0}\nmodules:\n  http_2xx:\n    prober: http\n    timeout: 60s\ntargets:\n${targets}`,
    );
    const port = await freePort();
    const { child, output } = start([
      `--config.file=${file}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.path=${join(dir, 'data2')}`,
      '--log.format=json',
    ]);
    await waitFor(
      async () => {
        try {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return /vantage_scheduler_probes_in_flight 20/.test(text);
        } catch {
          return false;
        }
      },
      15_000,
      'probes in flight',
    );
    const t = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(Date.now() - t).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(output()).toContain('"msg":"stopped"');
    silent.close();
  }, 30_000);

  it('refuses to start on an invalid config, naming the error', () => {
    const bad = join(dir, 'bad-serve.yml');
    writeFileSync(bad, 'targets:\n  - name: UPPER\n    url: http://127.0.0.1:9/\n');
    const res = spawnSync(
      process.execPath,
      [BIN, `--config.file=${bad}`, '--web.listen-address=127.0.0.1:0'],
      {
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
    expect(res.status).toBe(1);
    expect(res.stdout + res.stderr).toContain('targets[0].name (line 2)');
  });
});
