/**
 * Addresses a probe must never send a packet to. A monitoring service that fetches URLs on behalf
 * of users (targets in the config, ad-hoc /probe requests, and every redirect a target answers with)
 * is a classic SSRF vector: the prize is the cloud instance-metadata service, which hands out
 * credentials to whoever asks from the machine. The check runs on the *resolved* IP of every hop,
 * so neither a DNS name pointing at 169.254.169.254 nor a redirect to it gets through.
 *
 * Loopback and private ranges stay allowed on purpose: probing internal services is what a
 * synthetic monitor is for. `security.allowed_networks` exempts ranges from this list (e.g. a
 * link-local service the operator really wants to probe).
 *
 * An IPv4 address can also be spelled as IPv6 in ways that reach it through a translator or a
 * tunnel (NAT64 64:ff9b::a9fe:a9fe, 6to4 2002:a9fe:a9fe::, IPv4-compatible ::a9fe:a9fe, Teredo,
 * ...). Every such embedding is unpacked (embeddedIpv4.ts) and the IPv4 it carries is judged by the
 * IPv4 rules, allowed_networks included: an address is refused when the address itself or any IPv4
 * it embeds is forbidden.
 *
 * Pure: no I/O. Uses node:net's BlockList, which also matches IPv4-mapped IPv6 forms
 * (::ffff:169.254.169.254, ::ffff:a9fe:a9fe) against IPv4 rules.
 */
import { BlockList, isIP } from 'node:net';
import { embeddedIpv4 } from './embeddedIpv4.js';

export interface ForbiddenNetwork {
  /** CIDR, or a single address. */
  network: string;
  why: string;
}

/** The refused ranges (documented in docs/ and in the failure message of a refused probe). */
export const FORBIDDEN_NETWORKS: readonly ForbiddenNetwork[] = Object.freeze([
  {
    network: '169.254.0.0/16',
    why: 'IPv4 link-local, includes the AWS/GCP/Azure/OpenStack metadata service 169.254.169.254',
  },
  { network: 'fe80::/10', why: 'IPv6 link-local' },
  { network: '100.100.100.200', why: 'Alibaba Cloud metadata service' },
  { network: 'fd00:ec2::254', why: 'AWS instance metadata service over IPv6' },
  { network: '0.0.0.0/8', why: '"this network": 0.0.0.0 reaches local services on many systems' },
  { network: '::', why: 'the unspecified IPv6 address, which reaches local services like 0.0.0.0' },
]);

function toBlockList(networks: readonly string[]): BlockList {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', bits] = network.split('/');
    const family = isIP(address);
    if (family === 0) continue; // the config schema validates CIDRs; ignore rather than throw here
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

const forbidden = toBlockList(FORBIDDEN_NETWORKS.map((n) => n.network));
const forbiddenEach = FORBIDDEN_NETWORKS.map((n) => ({ network: n, list: toBlockList([n.network]) }));

// allowedNetworks arrays come from the loaded config and are the same object for every probe until a
// reload, so build each BlockList once. A WeakMap lets old configs be collected.
const allowedCache = new WeakMap<readonly string[], BlockList>();

function allowedList(allowedNetworks: readonly string[]): BlockList | undefined {
  if (allowedNetworks.length === 0) return undefined;
  let list = allowedCache.get(allowedNetworks);
  if (list === undefined) {
    list = toBlockList(allowedNetworks);
    allowedCache.set(allowedNetworks, list);
  }
  return list;
}

/**
 * Whether a probe must refuse to connect to `ip`. Anything that is not a valid IP address is
 * refused too (fail closed). An IPv6 zone (`fe80::1%eth0`) is ignored for the check.
 */
export function isForbiddenAddress(ip: string, allowedNetworks: readonly string[]): boolean {
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && embeddedIpv4(address).some((v4) => isForbiddenAddress(v4, allowedNetworks))) {
    return true;
  }
  // Fast path for the common case (every probe checks its address): an IPv4 address outside the
  // IPv4 ranges above needs no BlockList lookup (which allocates a SocketAddress per call).
  if (
    family === 4 &&
    !address.startsWith('169.254.') &&
    !address.startsWith('0.') &&
    address !== '100.100.100.200'
  ) {
    return false;
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (!forbidden.check(address, type)) return false;
  const allowed = allowedList(allowedNetworks);
  return allowed === undefined || !allowed.check(address, type);
}

/** The forbidden range an address falls in, for failure messages; undefined when none. */
export function forbiddenNetworkOf(ip: string): ForbiddenNetwork | undefined {
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const own = forbiddenEach.find((n) => n.list.check(address, type))?.network;
  if (own !== undefined || family === 4) return own;
  for (const v4 of embeddedIpv4(address)) {
    const inner = forbiddenNetworkOf(v4);
    if (inner !== undefined) return { network: inner.network, why: `${inner.why} (embedded in ${address})` };
  }
  return undefined;
}
