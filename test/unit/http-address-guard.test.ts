/**
 * The forbidden-address guard, pure: which IPs a probe refuses, and allowed_networks exemptions.
 * (Exemptions are only tested here: no test ever connects to a link-local address.)
 */
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_NETWORKS, isForbiddenAddress } from '../../src/probers/http/addressGuard.js';

describe('isForbiddenAddress', () => {
  it.each([
    '169.254.169.254', // AWS/GCP/Azure metadata
    '169.254.0.1',
    '169.254.255.255',
    '100.100.100.200', // Alibaba metadata
    'fd00:ec2::254', // AWS IMDS over IPv6
    'fd00:ec2:0:0:0:0:0:254',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1', // top of fe80::/10
    '0.0.0.0',
    '0.255.255.255',
    '::',
    '0:0:0:0:0:0:0:0',
    '::ffff:169.254.169.254', // IPv4-mapped forms
    '::ffff:a9fe:a9fe',
    '::ffff:100.100.100.200',
    '::ffff:0.0.0.0',
  ])('refuses %s', (ip) => {
    expect(isForbiddenAddress(ip, [])).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '::1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '100.100.100.201',
    '169.253.255.255',
    '169.255.0.0',
    '1.0.0.0',
    'fec0::1', // just past fe80::/10
    'fd00:ec2::253',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '93.184.216.34',
  ])('allows %s', (ip) => {
    expect(isForbiddenAddress(ip, [])).toBe(false);
  });

  it('refuses what is not an IP address (fail closed)', () => {
    expect(isForbiddenAddress('example.com', [])).toBe(true);
    expect(isForbiddenAddress('', [])).toBe(true);
    expect(isForbiddenAddress('169.254.169.254.nip.io', [])).toBe(true);
  });

  it('exempts allowed_networks, by CIDR or single address, IPv4-mapped forms included', () => {
    const allowed = ['169.254.169.0/24', 'fe80::/16', '100.100.100.200'];
    expect(isForbiddenAddress('169.254.169.254', allowed)).toBe(false);
    expect(isForbiddenAddress('::ffff:169.254.169.254', allowed)).toBe(false);
    expect(isForbiddenAddress('169.254.1.1', allowed)).toBe(true); // outside the exempted /24
    expect(isForbiddenAddress('fe80::1', allowed)).toBe(false);
    expect(isForbiddenAddress('100.100.100.200', allowed)).toBe(false);
    expect(isForbiddenAddress('fd00:ec2::254', allowed)).toBe(true);
    expect(isForbiddenAddress('0.0.0.0', ['0.0.0.0/0'])).toBe(false);
  });

  it('gives the same answer for the same (cached) allowed list object', () => {
    const allowed = ['169.254.0.0/16'];
    expect(isForbiddenAddress('169.254.169.254', allowed)).toBe(false);
    expect(isForbiddenAddress('169.254.169.254', allowed)).toBe(false);
    expect(isForbiddenAddress('169.254.169.254', [])).toBe(true);
  });

  it('documents every range it refuses', () => {
    expect(FORBIDDEN_NETWORKS.map((n) => n.network)).toEqual([
      '169.254.0.0/16',
      'fe80::/10',
      '100.100.100.200',
      'fd00:ec2::254',
      '0.0.0.0/8',
      '::',
    ]);
    for (const n of FORBIDDEN_NETWORKS) expect(n.why.length).toBeGreaterThan(5);
  });
});
