/**
 * Name resolution as blackbox_exporter's `chooseProtocol` does it: one address, of the preferred family
 * (ip6 by default) when the name has one, else of the other family when `ip_protocol_fallback` allows.
 * The prober resolves itself (instead of letting the socket do it) so that the resolve phase is timed
 * on its own and the forbidden-address check sees the exact IP that will be connected to.
 *
 * Neither getaddrinfo nor c-ares queries can be cancelled mid-flight; callers race the returned
 * promise against the probe's abort, so a DNS server that never answers cannot hold a probe.
 */
import { promises as dnsPromises } from 'node:dns';

export type IpProtocol = 'ip4' | 'ip6';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

const { Resolver } = dnsPromises;
type PromiseResolver = InstanceType<typeof Resolver>;

/**
 * One c-ares channel per distinct server list, shared by all probes: creating a channel per probe
 * would cost a socket and a config parse each time. Per-query timeouts are short and bounded; the
 * probe deadline is enforced by the caller anyway.
 */
const resolvers = new Map<string, PromiseResolver>();

function resolverFor(servers: readonly string[]): PromiseResolver {
  const key = servers.join(',');
  let resolver = resolvers.get(key);
  if (resolver === undefined) {
    resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([...servers]);
    resolvers.set(key, resolver);
  }
  return resolver;
}

function dnsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function queryFamily(resolver: PromiseResolver, hostname: string, family: 4 | 6): Promise<ResolvedAddress> {
  const query = family === 4 ? resolver.resolve4(hostname) : resolver.resolve6(hostname);
  return query.then((addresses) => {
    const address = addresses[0];
    if (address === undefined)
      throw dnsError('ENODATA', `no ${family === 4 ? 'A' : 'AAAA'} record for ${hostname}`);
    return { address, family };
  });
}

async function resolveWithServers(
  hostname: string,
  servers: readonly string[],
  preferred: 4 | 6,
  fallback: boolean,
): Promise<ResolvedAddress> {
  const resolver = resolverFor(servers);
  const first = queryFamily(resolver, hostname, preferred);
  if (!fallback) return first;
  // Ask for both families at once (as Go's resolver does) so a missing preferred family costs no
  // extra round trip; the fallback's result is only used when the preferred one has nothing.
  const second = queryFamily(resolver, hostname, preferred === 4 ? 6 : 4);
  second.catch(() => undefined); // may be unused: never an unhandled rejection
  try {
    return await first;
  } catch (err) {
    try {
      return await second;
    } catch {
      throw err;
    }
  }
}

async function resolveWithSystem(
  hostname: string,
  preferred: 4 | 6,
  fallback: boolean,
): Promise<ResolvedAddress> {
  if (!fallback) {
    const { address, family } = await dnsPromises.lookup(hostname, { family: preferred });
    return { address, family: family === 6 ? 6 : 4 };
  }
  const all = await dnsPromises.lookup(hostname, { all: true });
  const chosen = all.find((a) => a.family === preferred) ?? all[0];
  if (chosen === undefined) throw dnsError('ENOTFOUND', `no address for ${hostname}`);
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}

/**
 * Resolves `hostname` (not an IP literal) to one address. With `servers` ("127.0.0.1:5353"), queries
 * those servers directly (c-ares) instead of the system resolver (getaddrinfo, /etc/hosts included).
 */
export function resolveHost(
  hostname: string,
  protocol: IpProtocol,
  fallback: boolean,
  servers: readonly string[] | undefined,
): Promise<ResolvedAddress> {
  const preferred = protocol === 'ip4' ? 4 : 6;
  return servers !== undefined && servers.length > 0
    ? resolveWithServers(hostname, servers, preferred, fallback)
    : resolveWithSystem(hostname, preferred, fallback);
}
