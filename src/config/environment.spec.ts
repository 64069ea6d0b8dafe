import { EnvironmentError, readEnvironment, splitList } from './environment';

function problemsOf(raw: Record<string, string>): readonly string[] {
  try {
    readEnvironment(raw);
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
  return [];
}

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
  ])('should refuse %s=%s in one line naming the variable and its value', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`${name}: ${JSON.stringify(value)} is not `)).toBe(true);
  });

  it.each([
    ['PORT', 'abc', 'PORT: "abc" is not a whole number between 0 and 65535'],
    ['PORT', '-1', 'PORT: "-1" is not a whole number between 0 and 65535'],
    ['QUEUE_TIMEOUT_MS', '1.5', 'QUEUE_TIMEOUT_MS: "1.5" is not a whole number of 0 or more'],
    ['LOG_FORMAT', 'xml', 'LOG_FORMAT: "xml" is not one of json, pretty'],
    ['DEEPSEEK_BASE_URL', 'ftp://x', 'DEEPSEEK_BASE_URL: "ftp://x" is not an http:// or https:// URL'],
  ])('should say what %s=%s should be in one sentence', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([message]);
  });

  it('should list every bad variable, one line each', () => {
    expect(problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', POW_WORKERS: '0' })).toEqual([
      'PORT: "abc" is not a whole number between 0 and 65535',
      'POW_WORKERS: "0" is not a whole number between 1 and 64',
      'LOG_LEVEL: "loud" is not one of fatal, error, warn, log, info, debug, verbose',
    ]);
  });

  it('should treat a blank number as unset', () => {
    expect(readEnvironment({ PORT: ' ' }).PORT).toBeUndefined();
  });

  it('should clip a long value and keep it on one line', () => {
    const [problem] = problemsOf({ PORT: `8000\n${'9'.repeat(500)}` });
    expect(problem).not.toContain('\n');
    expect(problem.length).toBeLessThan(200);
  });
});

describe('the account settings', () => {
  const secret = 'tok-env-Zq8vT3kLmP0sWx7rYb2N';

  it('should refuse a malformed DEEPSEEK_TOKENS without quoting any token', () => {
    const problems = problemsOf({ DEEPSEEK_TOKENS: `${secret},bad token` });
    expect(problems).toEqual(['DEEPSEEK_TOKENS: token #2 contains characters other than printable ASCII (or a space)']);
    expect(problems.join('\n')).not.toContain('tok-env');
  });

  it('should name the old variable when only it is set', () => {
    expect(problemsOf({ DEEP_SEEK_CHAT_AUTHORIZATION: 'x'.repeat(600) })).toEqual([
      'DEEP_SEEK_CHAT_AUTHORIZATION: token #1 is longer than 512 characters',
    ]);
  });

  it('should refuse API_KEYS without DEEPSEEK_TOKENS, quoting no key', () => {
    const problems = problemsOf({ API_KEYS: secret });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^API_KEYS: .*DEEPSEEK_TOKENS/);
    expect(problems[0]).not.toContain(secret);
  });

  it('should accept API_KEYS with DEEPSEEK_TOKENS', () => {
    expect(problemsOf({ API_KEYS: 'sk-1', DEEPSEEK_TOKENS: secret })).toEqual([]);
  });
});

describe('the official API settings', () => {
  const KEY = 'sk-upstream-secret-1f2e3d';

  it('should need DEEPSEEK_API_KEYS for the api and web-then-api modes', () => {
    expect(problemsOf({ UPSTREAM_MODE: 'api' })).toEqual(['UPSTREAM_MODE: api needs DEEPSEEK_API_KEYS']);
    expect(problemsOf({ UPSTREAM_MODE: 'api', DEEPSEEK_API_KEYS: KEY })).toEqual([]);
  });

  it('should refuse web-then-api without server accounts: anyone could spend the keys', () => {
    const [problem] = problemsOf({ UPSTREAM_MODE: 'web-then-api', DEEPSEEK_API_KEYS: KEY });
    expect(problem).toMatch(/^UPSTREAM_MODE: web-then-api needs the server's own accounts in DEEPSEEK_TOKENS/);
    expect(problemsOf({ UPSTREAM_MODE: 'web-then-api', DEEPSEEK_API_KEYS: KEY, DEEPSEEK_TOKENS: 'tok-a' })).toEqual([]);
  });

  it('should accept API_KEYS without DEEPSEEK_TOKENS in api mode only', () => {
    expect(problemsOf({ UPSTREAM_MODE: 'api', DEEPSEEK_API_KEYS: KEY, API_KEYS: 'sk-client' })).toEqual([]);
    expect(problemsOf({ API_KEYS: 'sk-client' })).toHaveLength(1);
  });

  it('should refuse a malformed key list or mode without quoting a key', () => {
    const problems = problemsOf({ UPSTREAM_MODE: 'both', DEEPSEEK_API_KEYS: `${KEY}=0` });
    expect(problems).toEqual([
      'UPSTREAM_MODE: "both" is not one of web, api, web-then-api',
      'DEEPSEEK_API_KEYS: not a comma-separated list of keys, each optionally key=concurrency',
    ]);
    expect(problems.join('\n')).not.toContain(KEY);
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
