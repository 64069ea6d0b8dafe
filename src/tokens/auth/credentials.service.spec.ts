import { inspect } from 'node:util';
import { ApiError } from '../../common/errors/api-error';
import type { TokensConfig } from '../../config/tokens.config';
import { accountIdOf, createAccount } from '../pool/account';
import { CredentialsService } from './credentials.service';
import { testTokensConfig } from '../../../test/utils/tokens/test-tokens-config';

const credentials = (config: Partial<TokensConfig> = {}) => new CredentialsService(testTokensConfig(config));
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

function unauthorized(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError && error.getStatus() === 401) return error;
    throw error;
  }
  throw new Error('expected a 401');
}

describe('accounts', () => {
  it('should be known by 12 hex chars of the token hash, never showing the token when serialized', () => {
    const account = createAccount('tok-secret-value');
    expect(account.id).toMatch(/^[0-9a-f]{12}$/);
    expect(account.id).toBe(accountIdOf('tok-secret-value'));
    expect(accountIdOf('tok-other')).not.toBe(account.id);
    expect(account.token).toBe('tok-secret-value');
    expect(JSON.stringify(account)).not.toContain('tok-secret-value');
    expect(inspect(account)).not.toContain('tok-secret-value');
  });
});

describe('CredentialsService', () => {
  describe('direct mode (no API_KEYS)', () => {
    const service = credentials();

    it('should take the accounts from Bearer T1,T2: trimmed, without empties or duplicates', () => {
      const accounts = service.resolve(bearer(' tok-a , tok-b,,tok-a ,'));
      expect(service.mode).toBe('direct');
      expect(accounts.map((a) => a.token)).toEqual(['tok-a', 'tok-b']);
      expect(accounts.map((a) => a.id)).toEqual([accountIdOf('tok-a'), accountIdOf('tok-b')]);
    });

    it.each([
      ['a lowercase scheme', { authorization: 'bearer tok-a' }],
      ['no scheme, as the old server allowed', { authorization: 'tok-a' }],
      ['x-api-key, as Anthropic SDKs send it', { 'x-api-key': 'tok-a' }],
    ])('should accept %s', (_name, headers) => {
      expect(service.resolve(headers).map((a) => a.token)).toEqual(['tok-a']);
    });

    it('should prefer Authorization over x-api-key', () => {
      expect(service.resolve({ ...bearer('tok-a'), 'x-api-key': 'tok-b' }).map((a) => a.token)).toEqual(['tok-a']);
    });

    it.each([
      ['no header', {}, /did not provide a DeepSeek token/],
      ['an empty Bearer', { authorization: 'Bearer ' }, /did not provide a DeepSeek token/],
      ['only commas', bearer(' , ,'), /no DeepSeek token was given/],
      ['65 tokens', bearer(Array.from({ length: 65 }, (_, i) => `tok-${i}`).join(',')), /at most 64/],
      ['a 513-character token', bearer(`tok-${'x'.repeat(509)}`), /longer than 512/],
      ['a token with a space', bearer('tok-a, tok b'), /token #2 .*printable ASCII/],
      ['a non-ASCII token', bearer('tok-ä'), /printable ASCII/],
    ])('should answer 401 invalid_api_key to %s', (_name, headers, message) => {
      const error = unauthorized(() => service.resolve(headers));
      expect(error.code).toBe('invalid_api_key');
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/tok-/);
      expect(unauthorized(() => service.precheck(headers)).message).toBe(error.message);
    });

    it('should pass a well-formed token list in the pre-check, and name no client key', () => {
      expect(() => service.precheck(bearer('tok-a,tok-b'))).not.toThrow();
      expect(service.clientKeyId(bearer('tok-a'))).toBeUndefined();
    });
  });

  describe('managed mode (API_KEYS)', () => {
    const service = credentials({ apiKeys: ['key-one', 'key-two'], serverTokens: ['tok-s1', 'tok-s2'] });

    it.each([
      ['Bearer', bearer('key-two')],
      ['x-api-key', { 'x-api-key': 'key-one' }],
    ])('should give the server accounts to a client presenting a key as %s', (_name, headers) => {
      expect(service.mode).toBe('managed');
      expect(service.resolve(headers).map((a) => a.id)).toEqual([accountIdOf('tok-s1'), accountIdOf('tok-s2')]);
    });

    it.each([
      ['no key', {}, /did not provide an API key/],
      ['a wrong key', bearer('key-three'), /Incorrect API key/],
      ['a DeepSeek token instead of a key', bearer('tok-s1'), /Incorrect API key/],
      ['a prefix of a key', bearer('key-on'), /Incorrect API key/],
    ])('should answer 401 to %s', (_name, headers, message) => {
      const error = unauthorized(() => service.resolve(headers));
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/key-|tok-/);
      expect(() => service.authenticateClient(headers)).toThrow(ApiError);
      expect(() => service.precheck(headers)).toThrow(ApiError);
      expect(service.clientKeyId(headers)).toBeUndefined();
    });

    it("should know a key holder in the pre-check, by the key's SHA-256 and never the key", () => {
      expect(() => service.precheck({ 'x-api-key': 'key-one' })).not.toThrow();
      const one = service.clientKeyId(bearer('key-one'));
      expect(one).toMatch(/^[0-9a-f]{64}$/);
      expect(service.clientKeyId({ 'x-api-key': 'key-one' })).toBe(one);
      expect(service.clientKeyId(bearer('key-two'))).not.toBe(one);
    });

    it('should refuse to start without server accounts', () => {
      expect(() => credentials({ apiKeys: ['key-one'] })).toThrow(/DEEPSEEK_TOKENS is empty/);
    });
  });

  describe('open mode (DEEPSEEK_TOKENS without API_KEYS, the old server behaviour)', () => {
    it('should give the server accounts whatever the client sends', () => {
      const service = credentials({ serverTokens: ['tok-s1'] });
      expect(service.mode).toBe('open');
      expect(service.resolve({}).map((a) => a.id)).toEqual([accountIdOf('tok-s1')]);
      expect(service.resolve(bearer('sk-dummy')).map((a) => a.id)).toEqual([accountIdOf('tok-s1')]);
      expect(() => service.authenticateClient({})).not.toThrow();
      expect(() => service.precheck({})).not.toThrow();
      expect(service.serverAccountCount).toBe(1);
    });
  });

  it('should refuse a malformed DEEPSEEK_TOKENS at boot without echoing it', () => {
    let message = '';
    try {
      credentials({ serverTokens: ['tok-good', 'tok bad'] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DEEPSEEK_TOKENS.*token #2/);
    expect(message).not.toMatch(/tok-|tok bad/);
  });

  it('should accept more server accounts than a client may send', () => {
    const serverTokens = Array.from({ length: 100 }, (_, i) => `tok-${i}`);
    expect(credentials({ serverTokens }).resolve({})).toHaveLength(100);
  });
});
