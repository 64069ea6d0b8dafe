import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * Which addresses and host names the server may fetch from: a pure policy, no I/O. Private, loopback,
 * link-local, shared (CGNAT), multicast, reserved, documentation and benchmark networks are refused unless
 * `allowPrivate`; cloud metadata endpoints are refused always (an operator who lets the gateway reach the
 * LAN still never wants it to read the instance's credentials). Anything that is not a valid IP is refused.
 */

const FORBIDDEN_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, 255.255.255.255 included
];

/** IPv6 ranges refused outright; the ones that embed an IPv4 address are judged by that address instead. */
const FORBIDDEN_V6: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback, and the deprecated IPv4-compatible addresses
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: the IPv4 inside is obfuscated, and no server lives there
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

/** Metadata and platform endpoints: refused even with `allowPrivate`. 168.63.129.16 (Azure) is a public address. */
const METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean…
  '169.254.170.2', // AWS ECS task metadata
  '169.254.170.23', // AWS EKS pod identity
  '100.100.100.200', // Alibaba Cloud
  '168.63.129.16', // Azure wire server
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23', // AWS EKS pod identity over IPv6
];

const METADATA_HOST_NAMES: readonly string[] = [
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'instance-data',
  'instance-data.ec2.internal',
];

const forbiddenV4 = blockList(FORBIDDEN_V4, 'ipv4');
const forbiddenV6 = blockList(FORBIDDEN_V6, 'ipv6');
const metadataAddresses = new BlockList();
for (const address of METADATA_ADDRESSES) metadataAddresses.addAddress(address, isIPv4(address) ? 'ipv4' : 'ipv6');

export interface AddressPolicyOptions {
  allowPrivate: boolean;
}

/** Whether the server must not connect to `ip` (an IPv4 or IPv6 literal, brackets and zone id tolerated). */
export function isForbiddenAddress(ip: string, { allowPrivate }: AddressPolicyOptions): boolean {
  const address = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const embedded = embeddedIpv4(address);
    if (embedded !== null) return isForbiddenAddress(embedded, { allowPrivate });
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (metadataAddresses.check(address, type)) return true;
  if (allowPrivate) return false;
  return (family === 4 ? forbiddenV4 : forbiddenV6).check(address, type);
}

/** Names refused before any lookup: metadata services always; `localhost` and `*.localhost` unless `allowPrivate`. */
export function isForbiddenHostName(hostName: string, { allowPrivate }: AddressPolicyOptions): boolean {
  const name = hostName.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOST_NAMES.includes(name)) return true;
  return !allowPrivate && (name === 'localhost' || name.endsWith('.localhost'));
}

/**
 * The IPv4 address an IPv6 address stands for, when it stands for one: IPv4-mapped (`::ffff:a.b.c.d`),
 * NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`). A NAT64 gateway or 6to4 relay would carry the
 * connection to that IPv4 address, so that is the one to judge.
 */
export function embeddedIpv4(ipv6: string): string | null {
  const groups = ipv6Groups(ipv6);
  if (groups === null) return null;
  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (isMapped || isNat64) return ipv4Of(groups[6], groups[7]);
  if (groups[0] === 0x2002) return ipv4Of(groups[1], groups[2]);
  return null;
}

/** The eight 16-bit groups of a valid IPv6 literal (`::` and a dotted IPv4 tail expanded). */
function ipv6Groups(ipv6: string): number[] | null {
  if (isIP(ipv6) !== 6) return null;
  let text = ipv6.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  if (tail === null) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function blockList(subnets: readonly [string, number][], type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, type);
  return list;
}
