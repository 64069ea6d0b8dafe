import { readEnvironment, splitList } from './environment';

describe('readEnvironment', () => {
  it('should accept an empty environment (every variable has a default)', () => {
    expect(() => readEnvironment({})).not.toThrow();
  });

  it('should parse numbers once', () => {
    expect(readEnvironment({ PORT: '9000', QUEUE_TIMEOUT_MS: '250' })).toMatchObject({
      PORT: 9000,
      QUEUE_TIMEOUT_MS: 250,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['ACCOUNT_MAX_INFLIGHT', '0'],
    ['DEEPSEEK_BASE_URL', 'not a url'],
    ['LOG_FORMAT', 'xml'],
    ['BODY_LIMIT', 'lots'],
    ['ALLOWED_HOSTS', 'api.example.com, http://x'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['RATE_LIMIT_CHAT_PER_MINUTE', '-1'],
    ['RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE', 'ten'],
    ['CORS_ORIGINS', '*, https://app.example.com'],
    ['CORS_ORIGINS', 'app.example.com'],
  ])('should refuse %s=%s and name the variable', (name, value) => {
    expect(() => readEnvironment({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });
});

describe('the security settings', () => {
  it('should accept what docs/security.md shows', () => {
    expect(() =>
      readEnvironment({
        BODY_LIMIT: '12mb',
        ALLOWED_HOSTS: 'api.example.com, localhost:8000, [::1]:8000',
        TRUST_PROXY: 'loopback, 10.0.0.0/8',
        RATE_LIMIT_CHAT_PER_MINUTE: '0',
        RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE: '5',
        CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      }),
    ).not.toThrow();
  });
});

describe('splitList', () => {
  it('should trim, drop empties and duplicates', () => {
    expect(splitList(' a, b,,a ,c ')).toEqual(['a', 'b', 'c']);
    expect(splitList(undefined)).toEqual([]);
  });
});
