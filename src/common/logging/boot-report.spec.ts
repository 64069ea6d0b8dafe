import { bootFields, bootLine, listenProblem } from './boot-report';

const facts = { host: '0.0.0.0', port: 8000, upstream: 'https://chat.deepseek.com' };

describe('bootLine', () => {
  it.each([
    [
      'direct',
      0,
      'Listening on http://0.0.0.0:8000 in pass-through mode with 0 pool accounts; upstream https://chat.deepseek.com',
    ],
    [
      'open',
      1,
      'Listening on http://0.0.0.0:8000 in open mode with 1 pool account; upstream https://chat.deepseek.com',
    ],
    [
      'managed',
      3,
      'Listening on http://0.0.0.0:8000 in managed mode with 3 pool accounts; upstream https://chat.deepseek.com',
    ],
  ] as const)('should say in one line what a %s boot does', (mode, poolAccounts, line) => {
    expect(bootLine({ ...facts, mode, poolAccounts })).toBe(line);
  });

  it('should give the same facts as fields, with an IPv6 host in brackets and no credentials in the upstream URL', () => {
    const fields = bootFields({
      mode: 'direct',
      poolAccounts: 0,
      host: '::1',
      port: 9000,
      upstream: 'http://user:secret-pass@127.0.0.1:8080',
    });
    expect(fields).toEqual({
      mode: 'pass-through',
      pool_accounts: 0,
      address: 'http://[::1]:9000',
      upstream: 'http://127.0.0.1:8080',
    });
  });
});

describe('listenProblem', () => {
  const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

  it('should name the port and the setting to change when the port is taken', () => {
    expect(listenProblem(failure('EADDRINUSE'), '127.0.0.1', 8000)).toBe(
      'port 8000 is already in use on 127.0.0.1; set PORT to another port',
    );
  });

  it.each([
    ['EACCES', /port 80 .*set PORT/],
    ['EADDRNOTAVAIL', /^HOST 127\.0\.0\.1 is not an address of this machine; set HOST/],
    ['ENOTFOUND', /^HOST 127\.0\.0\.1 does not resolve/],
  ])('should explain %s in one line', (code, message) => {
    expect(listenProblem(failure(code), '127.0.0.1', 80)).toMatch(message);
  });

  it('should leave other failures to the generic report', () => {
    expect(listenProblem(new Error('boom'), '127.0.0.1', 80)).toBeUndefined();
  });
});
