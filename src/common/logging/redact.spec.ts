import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it.each([
    ['authorization: Bearer abc.def-123', 'authorization: [redacted]'],
    ['Authorization=Bearer t1,t2', 'Authorization=[redacted]'],
    ['{"x-api-key":"sk-123"}', '{"x-api-key":"[redacted]"}'],
    ['sent Bearer sk-live-123 upstream', 'sent Bearer [redacted] upstream'],
    ['cookie: ds_session=xyz; other=1', 'cookie: [redacted]; other=1'],
    ['userToken=abc&x=1', 'userToken=[redacted]&x=1'],
    ['DEEPSEEK_TOKENS=a,b,c', 'DEEPSEEK_TOKENS=[redacted]'],
    ['x-api-key: sk-123', 'x-api-key: [redacted]'],
    ['token: Zq8vT3kLmP0sWx7rYb2N', 'token: [redacted]'],
    ['api_key: correcthorsebatterystaple', 'api_key: [redacted]'],
    ["{ authorization: 'Bearer abc' }", "{ authorization: '[redacted]' }"],
    ["{ token: 'plainword' }", "{ token: '[redacted]' }"],
    ['password=hunter', 'password=[redacted]'],
  ])('should mask %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    'POST /v1/chat/completions 200 812ms req=req_1 model=deepseek-chat account=0a1b2c3d4e5f tokens=12/34',
    'DeepSeek rejected the account token (expired, logged out or banned).',
    'prompt_tokens: 12, total_tokens: 40',
    // A colon and a space before a plain word is prose, not a credential.
    'DEEPSEEK_TOKENS is set without API_KEYS: anyone who can reach this server uses its 2 account(s). Set API_KEYS to require a key.',
    'The token: expired, so the account is skipped.',
  ])('should leave %s alone', (input) => {
    expect(redactSecrets(input)).toBe(input);
  });
});

describe('redactSecrets on a JSON log line', () => {
  const line = (msg: string) => JSON.stringify({ level: 'warn', msg });

  it.each([
    ['{"token":"abc123"} sent', '{"token":"[redacted]"} sent'],
    ['authorization: Bearer abc.def\nnext line', 'authorization: [redacted]\nnext line'],
    ['token=abc"def', 'token=[redacted]"def'],
    ['x-api-key: sk-1\\', 'x-api-key: [redacted]\\'],
  ])('should mask %j and keep the line JSON', (msg, masked) => {
    const redacted = redactSecrets(line(msg));
    expect(() => JSON.parse(redacted) as unknown).not.toThrow();
    expect(JSON.parse(redacted)).toEqual({ level: 'warn', msg: masked });
  });

  it('should leave the access line fields alone', () => {
    const access = JSON.stringify({ prompt_tokens: 12, total_tokens: 40, context: 'TokenPool', route: '/token/check' });
    expect(redactSecrets(access)).toBe(access);
  });
});
