/**
 * A tiny authoritative DNS server over UDP on 127.0.0.1 (random port) for tests: answers A/AAAA
 * from a map, NOERROR with no answer when the name exists without that type, NXDOMAIN otherwise,
 * or never answers at all (`silent`). With the prober's `dnsServers` option pointed at it, DNS
 * failures and names resolving to forbidden addresses are tested without a packet leaving the host.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

export interface DnsRecords {
  [name: string]: { A?: string[]; AAAA?: string[] };
}

export interface TestDnsServer {
  /** "127.0.0.1:PORT", for HttpProbeOptions.dnsServers. */
  address: string;
  /** Queries received so far. */
  queries(): number;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Reads the question name starting at offset 12; returns the name and the offset after QCLASS. */
function readQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  let offset = 12;
  const labels: string[] = [];
  while (offset < msg.length) {
    const len = msg[offset]!;
    offset++;
    if (len === 0) break;
    labels.push(msg.subarray(offset, offset + len).toString('latin1'));
    offset += len;
  }
  if (offset + 4 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(offset), end: offset + 4 };
}

function answer(query: Buffer, records: DnsRecords): Buffer | undefined {
  if (query.length < 12) return undefined;
  const question = readQuestion(query);
  if (question === undefined) return undefined;
  const entry = records[question.name];
  const addresses =
    question.type === TYPE_A ? (entry?.A ?? []) : question.type === TYPE_AAAA ? (entry?.AAAA ?? []) : [];
  const rcode = entry === undefined ? 3 : 0; // NXDOMAIN for unknown names
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8000 | 0x0400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2); // QR AA RD RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const parts = [header, query.subarray(12, question.end)];
  for (const ip of addresses) {
    const rdata = isIPv4(ip) ? ipv4Bytes(ip) : isIPv6(ip) ? ipv6Bytes(ip) : Buffer.alloc(0);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(question.type, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(rdata.length, 10);
    parts.push(rr, rdata);
  }
  return Buffer.concat(parts);
}

export async function startDnsServer(
  records: DnsRecords,
  options: { silent?: boolean } = {},
): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  let queries = 0;
  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    queries++;
    if (options.silent) return;
    const reply = answer(msg, records);
    if (reply !== undefined) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    queries: () => queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
