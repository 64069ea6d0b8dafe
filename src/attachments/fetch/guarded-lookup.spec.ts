import type { LookupAddress } from 'node:dns';
import { isForbiddenAddress } from './address-policy';
import { guardedLookup, type Resolve } from './guarded-lookup';
import { RemoteFetchError } from './remote-fetch-error';

const resolveTo =
  (...addresses: string[]): Resolve =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
const byDefault = (ip: string) => isForbiddenAddress(ip, { allowPrivate: false });

function look(resolve: Resolve, options: { all?: boolean; family?: number }) {
  return new Promise<{ error: NodeJS.ErrnoException | null; result: unknown; family?: number }>((done) => {
    guardedLookup(resolve, byDefault)('host.example.test', options, (error, result, family) =>
      done({ error, result, family }),
    );
  });
}

describe('guardedLookup', () => {
  it('hands every allowed address, and only those, to a socket that asks for all', async () => {
    const { error, result } = await look(resolveTo('10.0.0.1', '1.1.1.1', '::1', '2606:4700::1'), { all: true });
    expect(error).toBeNull();
    expect(result as LookupAddress[]).toEqual([
      { address: '1.1.1.1', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
  });

  it('hands the first allowed address to a socket that asks for one', async () => {
    const { result, family } = await look(resolveTo('127.0.0.1', '8.8.8.8', '1.1.1.1'), {});
    expect([result, family]).toEqual(['8.8.8.8', 4]);
  });

  it('keeps to the family asked for', async () => {
    const { result, family } = await look(resolveTo('8.8.8.8', '2606:4700::1'), { family: 6 });
    expect([result, family]).toEqual(['2606:4700::1', 6]);
  });

  it('fails with forbidden_address when every address is forbidden', async () => {
    const { error } = await look(resolveTo('127.0.0.1', '169.254.169.254', 'fd00::1'), { all: true });
    expect(error).toBeInstanceOf(RemoteFetchError);
    expect((error as unknown as RemoteFetchError).reason).toBe('forbidden_address');
  });

  it('fails as not found when no address is of the family asked for', async () => {
    const { error } = await look(resolveTo('8.8.8.8'), { family: 6 });
    expect(error?.code).toBe('ENOTFOUND');
  });

  it("passes the resolver's own failure on", async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const { error } = await look(() => Promise.reject(failure), { all: true });
    expect(error).toBe(failure);
  });
});
