import { embeddedIpv4, isForbiddenAddress, isForbiddenHostName } from './address-policy';

const byDefault = { allowPrivate: false };
const withPrivate = { allowPrivate: true };

describe('isForbiddenAddress', () => {
  it.each([
    ['0.0.0.0', 'this network'],
    ['0.255.255.255', 'this network, last'],
    ['10.0.0.1', '10/8'],
    ['10.255.255.255', '10/8, last'],
    ['100.64.0.1', 'CGNAT, first'],
    ['100.127.255.255', 'CGNAT, last'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback, last'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['172.16.0.1', '172.16/12, first'],
    ['172.31.255.255', '172.16/12, last'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', '192.168/16'],
    ['198.18.0.1', 'benchmarking, first'],
    ['198.19.255.255', 'benchmarking, last'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast, SSDP'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['0:0:0:0:0:0:0:1', 'IPv6 loopback, long form'],
    ['[::1]', 'IPv6 loopback in brackets'],
    ['::7f00:1', 'IPv4-compatible (deprecated)'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
    ['64:ff9b::127.0.0.1', 'NAT64 to loopback'],
    ['64:ff9b::a00:1', 'NAT64 to 10/8, hex'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['100::1', 'discard-only'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['fc00::1', 'unique local, fc'],
    ['fd12:3456::1', 'unique local, fd'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone id'],
    ['febf::1', 'link-local, last /10'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'AWS metadata over IPv6'],
  ])('refuses %s (%s) by default', (ip) => {
    expect(isForbiddenAddress(ip, byDefault)).toBe(true);
  });

  it.each([
    ['1.1.1.1'],
    ['8.8.8.8'],
    ['93.184.216.34'],
    ['9.255.255.255'], // just below 10/8
    ['11.0.0.0'], // just above 10/8
    ['100.63.255.255'], // just below CGNAT
    ['100.128.0.0'], // just above CGNAT
    ['172.15.255.255'], // just below 172.16/12
    ['172.32.0.0'], // just above 172.16/12
    ['192.0.1.1'],
    ['192.169.0.1'],
    ['198.17.255.255'],
    ['198.20.0.0'],
    ['223.255.255.255'], // just below multicast
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001::200e'],
    ['::ffff:8.8.8.8'], // IPv4-mapped public
    ['64:ff9b::808:808'], // NAT64 to 8.8.8.8
    ['2002:808:808::1'], // 6to4 of 8.8.8.8
    ['fbff::1'], // just below fc00::/7
    ['fe00::1'], // between fc00::/7 and fe80::/10
  ])('allows the public address %s', (ip) => {
    expect(isForbiddenAddress(ip, byDefault)).toBe(false);
  });

  it.each([['127.0.0.1'], ['10.0.0.1'], ['192.168.1.1'], ['::1'], ['fd12::1'], ['fe80::1'], ['::ffff:10.0.0.1']])(
    'allows the private address %s with allowPrivate',
    (ip) => {
      expect(isForbiddenAddress(ip, withPrivate)).toBe(false);
    },
  );

  it.each([
    ['169.254.169.254'],
    ['169.254.170.2'],
    ['100.100.100.200'],
    ['168.63.129.16'],
    ['fd00:ec2::254'],
    ['::ffff:169.254.169.254'],
    ['64:ff9b::a9fe:a9fe'],
  ])('refuses the metadata address %s even with allowPrivate', (ip) => {
    expect(isForbiddenAddress(ip, withPrivate)).toBe(true);
  });

  it.each([[''], ['localhost'], ['example.com'], ['1.2.3'], ['1.2.3.4.5'], ['::g'], ['0x7f.1']])(
    'refuses %j, which is no IP literal',
    (text) => {
      expect(isForbiddenAddress(text, withPrivate)).toBe(true);
    },
  );
});

describe('isForbiddenHostName', () => {
  it.each([
    ['metadata.google.internal'],
    ['METADATA.GOOGLE.INTERNAL.'],
    ['metadata.goog'],
    ['metadata'],
    ['instance-data.ec2.internal'],
  ])('refuses the metadata name %s, even with allowPrivate', (name) => {
    expect(isForbiddenHostName(name, byDefault)).toBe(true);
    expect(isForbiddenHostName(name, withPrivate)).toBe(true);
  });

  it.each([['localhost'], ['LOCALHOST.'], ['app.localhost']])('refuses %s unless allowPrivate', (name) => {
    expect(isForbiddenHostName(name, byDefault)).toBe(true);
    expect(isForbiddenHostName(name, withPrivate)).toBe(false);
  });

  it.each([['example.com'], ['images.example.test'], ['metadata.example.com'], ['notlocalhost']])(
    'leaves %s to the address check',
    (name) => {
      expect(isForbiddenHostName(name, byDefault)).toBe(false);
    },
  );
});

describe('embeddedIpv4', () => {
  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:102:304', '1.2.3.4'],
    ['64:ff9b::1.2.3.4', '1.2.3.4'],
    ['2002:102:304::', '1.2.3.4'],
    ['2606:4700::1', null],
    ['::1', null],
    ['not an address', null],
  ])('%s → %s', (ipv6, ipv4) => {
    expect(embeddedIpv4(ipv6)).toBe(ipv4);
  });
});
