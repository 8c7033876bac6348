/**
 * The IPv4 addresses an IPv6 address carries, for the forbidden-address guard. Each of these
 * spellings can deliver a packet to the embedded IPv4 host (through a NAT64 gateway, a 6to4 or
 * Teredo relay, an ISATAP tunnel, or a stack that still honours IPv4-compatible addresses), so
 * 64:ff9b::a9fe:a9fe must be judged as 169.254.169.254:
 *
 * | prefix                 | what                                  | where the IPv4 sits               |
 * |------------------------|---------------------------------------|-----------------------------------|
 * | ::/96                  | IPv4-compatible (RFC 4291, deprecated)| last 32 bits (not :: and ::1)     |
 * | ::ffff:0:0/96          | IPv4-mapped                           | last 32 bits                      |
 * | ::ffff:0:0:0/96        | IPv4-translated (SIIT, RFC 2765)      | last 32 bits                      |
 * | 64:ff9b::/96           | NAT64 well-known prefix (RFC 6052)    | last 32 bits                      |
 * | 64:ff9b:1::/48         | NAT64 local-use (RFC 8215)            | RFC 6052 positions for /48../96   |
 * | 2002::/16              | 6to4 (RFC 3056)                       | bits 16-47                        |
 * | 2001::/32              | Teredo (RFC 4380)                     | server bits 32-63, client ~96-127 |
 * | any, IID ::0:5efe:x/::200:5efe:x | ISATAP (RFC 5214)           | last 32 bits                      |
 *
 * The local-use NAT64 prefix may be any length from /48 to /96 inside 64:ff9b:1::/48, and which
 * one the network uses cannot be known here, so every RFC 6052 position is returned: the guard
 * refuses when any of them is forbidden (fail closed).
 *
 * Hand-written rather than a dependency: node:net validates the address first (isIP), so what is
 * left is expanding "::" and a trailing dotted quad into 16 bytes; ipaddr.js is only a transitive
 * dependency here.
 */
import { isIPv6 } from 'node:net';

/** The 16 bytes of a valid IPv6 address (validate with isIPv6 first). */
export function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const bytes = new Uint8Array(16);
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let quad: number[] | undefined;
  if (tail.includes('.')) {
    quad = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  if (quad !== undefined) bytes.set(quad, 12);
  return bytes;
}

function dotted(bytes: ArrayLike<number>): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * RFC 6052 section 2.2: the IPv4 address inside an IPv4-embedded IPv6 address with a prefix of
 * `prefixBits`; bits 64-71 (the "u" octet) are skipped.
 */
function rfc6052(bytes: Uint8Array, prefixBits: 32 | 40 | 48 | 56 | 64 | 96): string {
  const start = prefixBits / 8;
  const out: number[] = [];
  for (let i = start; out.length < 4; i++) if (i !== 8) out.push(bytes[i]!);
  return dotted(out);
}

/** Every IPv4 address `address` (an IPv6 address, zone removed) embeds; empty when none. */
export function embeddedIpv4(address: string): string[] {
  if (!isIPv6(address)) return [];
  const b = ipv6Bytes(address);
  const last32 = dotted(b.subarray(12));
  const found: string[] = [];
  if (allZero(b, 0, 10)) {
    const w5 = (b[10]! << 8) | b[11]!;
    // ::/96, except :: and ::1, which are IPv6's own unspecified and loopback addresses.
    if (w5 === 0 && !allZero(b, 12, 15)) found.push(last32);
    else if (w5 === 0xffff) found.push(last32);
  } else if (allZero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) {
    found.push(last32);
  }
  const w0 = (b[0]! << 8) | b[1]!;
  const w1 = (b[2]! << 8) | b[3]!;
  const w2 = (b[4]! << 8) | b[5]!;
  if (w0 === 0x64 && w1 === 0xff9b && allZero(b, 4, 12)) found.push(last32);
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 1) {
    for (const bits of [48, 56, 64, 96] as const) found.push(rfc6052(b, bits));
  }
  if (w0 === 0x2002) found.push(dotted(b.subarray(2, 6)));
  if (w0 === 0x2001 && w1 === 0) {
    found.push(dotted(b.subarray(4, 8)));
    found.push(dotted(Array.from(b.subarray(12), (x) => x ^ 0xff)));
  }
  // ISATAP interface identifier: 0000:5efe or 0200:5efe (the u/l bit set) then the IPv4.
  if ((b[8] === 0 || b[8] === 2) && b[9] === 0 && b[10] === 0x5e && b[11] === 0xfe) found.push(last32);
  return [...new Set(found)];
}
