/**
 * The links `vantage stack` prints lead somewhere with the binaries it runs: Debian's
 * Prometheus 2.42 serves only the classic pages (/classic/alerts ...; /alerts is 404) and
 * Debian's Alertmanager has no web UI, so the banner gives the amtool command instead.
 */
import { describe, expect, it } from 'vitest';
import { stackBanner } from '../../src/stack/banner.js';
import { DEFAULT_PORTS, type StackOptions } from '../../src/stack/plan.js';

const options: StackOptions = {
  root: '/checkout',
  dataDir: '/checkout/data/stack',
  logLevel: 'info',
  ports: { vantage: 19470, prometheus: 19090, alertmanager: 19093, 'node-exporter': 19100 },
  binaries: {
    prometheus: '/usr/bin/prometheus',
    alertmanager: '/usr/bin/prometheus-alertmanager',
    'node-exporter': '/usr/bin/prometheus-node-exporter',
  },
};

const banner = (o: StackOptions = options) =>
  stackBanner({
    options: o,
    prometheusConfigFile: '/checkout/prometheus/prometheus.yml',
    pid: 4242,
    shown: (p) => p,
  });

describe('stack banner', () => {
  it("links Prometheus' classic pages on its port, not the React UI's", () => {
    const text = banner();
    for (const page of ['alerts', 'rules', 'targets']) {
      expect(text).toContain(`http://127.0.0.1:19090/classic/${page}`);
    }
    expect(text).not.toMatch(/(^|[ ,])\/(alerts|rules|targets)\b/m);
  });

  it('gives the amtool commands for the alerts and silences Alertmanager has no UI for', () => {
    const text = banner();
    expect(text).toContain('amtool --alertmanager.url=http://127.0.0.1:19093 alert query');
    expect(text).toContain('amtool --alertmanager.url=http://127.0.0.1:19093 silence query');
    expect(text).not.toContain('alerts and silences');
  });

  it("names node_exporter's metrics on its port", () => {
    expect(banner()).toMatch(/^ {2}node_exporter +http:\/\/127\.0\.0\.1:19100\/metrics /m);
    expect(banner()).toContain('Ctrl-C stops all four.');
  });

  it('follows the ports it was given', () => {
    const text = banner({ ...options, ports: DEFAULT_PORTS });
    expect(text).toContain('http://127.0.0.1:9090/classic/alerts');
    expect(text).toContain('amtool --alertmanager.url=http://127.0.0.1:9093 alert query');
    expect(text).toContain('kill -HUP 4242');
    expect(text).toContain('http://127.0.0.1:9100/metrics');
  });
});
