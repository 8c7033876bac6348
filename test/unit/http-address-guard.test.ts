/**
 * The forbidden-address guard, pure: which IPs a probe refuses, and allowed_networks exemptions.
 * (Exemptions are only tested here: no test ever connects to a link-local address.)
 */
import { describe, expect, it } from 'vitest';
import {
  FORBIDDEN_NETWORKS,
  forbiddenNetworkOf,
  isForbiddenAddress,
} from '../../src/probers/http/addressGuard.js';
import { embeddedIpv4 } from '../../src/probers/http/embeddedIpv4.js';

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

describe('IPv4 embedded in IPv6 is judged by the IPv4 rules', () => {
  it.each([
    ['64:ff9b::a9fe:a9fe', 'NAT64 well-known prefix'],
    ['64:ff9b::169.254.169.254', 'NAT64, dotted'],
    ['64:ff9b:1:a9fe:a9:fe00::', 'NAT64 local-use /48 (u octet skipped)'],
    ['64:ff9b:1::a9fe:a9fe', 'NAT64 local-use /96'],
    ['2002:a9fe:a9fe::', '6to4'],
    ['2002:a9fe:a9fe:1::1', '6to4 with a subnet and host'],
    ['::a9fe:a9fe', 'IPv4-compatible'],
    ['::169.254.169.254', 'IPv4-compatible, dotted'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated (SIIT)'],
    ['2001:0:a9fe:a9fe::1', 'Teredo server'],
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'Teredo client (obfuscated 169.254.169.254)'],
    ['fe80::5efe:a9fe:a9fe', 'ISATAP (also link-local)'],
    ['2001:db8::5efe:a9fe:a9fe', 'ISATAP interface identifier'],
    ['2001:db8::200:5efe:a9fe:a9fe', 'ISATAP, universal bit set'],
    ['64:ff9b::6464:64c8', 'NAT64 of the Alibaba metadata address'],
    ['2002:0::', '6to4 of 0.0.0.0'],
    ['64:ff9b::a9fe:a9fe%eth0', 'with a zone'],
  ])('refuses %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip, [])).toBe(true);
  });

  it.each([
    '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '2002:c000:0201::1', // 6to4 of 192.0.2.1
    '::7f00:1', // IPv4-compatible 127.0.0.1
    '2001:0:c000:201::1', // Teredo server 192.0.2.1, client 255.255.255.254
    '2001:db8::5efe:a00:1', // ISATAP 10.0.0.1
    '2606:4700::6810:84e5', // an ordinary global address
  ])('allows %s', (ip) => {
    expect(isForbiddenAddress(ip, [])).toBe(false);
  });

  it('exempts an embedded IPv4 that allowed_networks exempts', () => {
    expect(isForbiddenAddress('64:ff9b::a9fe:a9fe', ['169.254.169.0/24'])).toBe(false);
    expect(isForbiddenAddress('2002:a9fe:a9fe::', ['169.254.0.0/16'])).toBe(false);
    expect(isForbiddenAddress('64:ff9b::a9fe:101', ['169.254.169.0/24'])).toBe(true);
  });

  it('names the IPv4 range in the failure message', () => {
    expect(forbiddenNetworkOf('64:ff9b::a9fe:a9fe')).toMatchObject({ network: '169.254.0.0/16' });
    expect(forbiddenNetworkOf('64:ff9b::a9fe:a9fe')?.why).toContain('embedded in 64:ff9b::a9fe:a9fe');
    expect(forbiddenNetworkOf('64:ff9b::7f00:1')).toBeUndefined();
  });
});

describe('embeddedIpv4', () => {
  it.each([
    ['::1', []],
    ['::', []],
    ['2001:db8::1', []],
    ['::ffff:1.2.3.4', ['1.2.3.4']],
    ['64:ff9b::1.2.3.4', ['1.2.3.4']],
    ['2002:102:304::', ['1.2.3.4']],
  ])('%s embeds %j', (ip, expected) => {
    expect(embeddedIpv4(ip)).toEqual(expected);
  });
});
