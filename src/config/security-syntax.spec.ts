import { parseByteSize, parseCorsOrigins, parseHostEntry, parseHostList, parseTrustProxy } from './security-syntax';

describe('parseByteSize', () => {
  it.each([
    ['4096', 4096],
    ['4kb', 4096],
    ['8MB', 8 * 1024 * 1024],
    ['1.5 mb', 1.5 * 1024 * 1024],
    ['1gb', 1024 ** 3],
  ])('%s → %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '-1kb', '0', '10 tb', '1e6'])('should refuse %j', (text) => {
    expect(parseByteSize(text)).toBeNull();
  });
});

describe('parseTrustProxy', () => {
  it.each<[string, unknown]>([
    ['', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8, fd00::/8, 203.0.113.5', ['loopback', '10.0.0.0/8', 'fd00::/8', '203.0.113.5']],
  ])('%j → %j', (text, setting) => {
    expect(parseTrustProxy(text)).toEqual(setting);
  });

  it.each(['true', 'yes', '10.0.0.0/33', 'proxy.example.com', '1.2.3', '10.0.0.0/8/1'])('should refuse %j', (text) => {
    expect(parseTrustProxy(text)).toBeNull();
  });
});

describe('parseHostEntry', () => {
  it.each([
    ['api.example.com', { hostname: 'api.example.com', port: null }],
    ['API.Example.com.:8443', { hostname: 'api.example.com', port: '8443' }],
    ['127.0.0.1:8000', { hostname: '127.0.0.1', port: '8000' }],
    ['[::1]:8000', { hostname: '[::1]', port: '8000' }],
    ['localhost', { hostname: 'localhost', port: null }],
  ])('%s', (text, entry) => {
    expect(parseHostEntry(text)).toEqual(entry);
  });

  it.each(['', 'http://api.example.com', 'api.example.com/x', '::1', '[nope]:1', 'a..b', 'host:port', 'bad_name.com'])(
    'should refuse %j',
    (text) => {
      expect(parseHostEntry(text)).toBeNull();
    },
  );

  it('should read a list, refusing it whole for one bad entry', () => {
    expect(parseHostList('a.example, b.example:1')).toHaveLength(2);
    expect(parseHostList('a.example, b example')).toBeNull();
    expect(parseHostList(' , ')).toBeNull();
  });
});

describe('parseCorsOrigins', () => {
  it.each<[string, unknown]>([
    ['*', '*'],
    ['https://App.Example.com/', ['https://app.example.com']],
    ['https://a.example, http://localhost:3000', ['https://a.example', 'http://localhost:3000']],
  ])('%j → %j', (text, origins) => {
    expect(parseCorsOrigins(text)).toEqual(origins);
  });

  it.each(['*, https://a.example', 'a.example', 'https://a.example/path', 'https://*.example.com', ''])(
    'should refuse %j',
    (text) => {
      expect(parseCorsOrigins(text)).toBeNull();
    },
  );
});
