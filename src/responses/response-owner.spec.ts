import { createAccount } from '../tokens/pool/account';
import { mayRead, ownerOf } from './response-owner';

const accountA = createAccount('tok-a');
const accountB = createAccount('tok-b');
const credentials = (caller: string | null, accounts = [accountA]) => ({ caller, accounts, client: 'c' });

describe('who may read a stored response', () => {
  it('should be the same API key in managed mode, whatever the accounts', () => {
    const owner = ownerOf(credentials('key-1'));

    expect(mayRead(owner, credentials('key-1', [accountB]))).toBe(true);
    expect(mayRead(owner, credentials('key-2'))).toBe(false);
    expect(mayRead(owner, credentials(null))).toBe(false);
  });

  it('should be a request holding one of the accounts otherwise', () => {
    const owner = ownerOf(credentials(null, [accountA, accountB]));

    expect(mayRead(owner, credentials(null, [accountB]))).toBe(true);
    expect(mayRead(owner, credentials(null, [createAccount('tok-c')]))).toBe(false);
    expect(mayRead(owner, credentials('key-1', [accountA]))).toBe(false);
  });
});
