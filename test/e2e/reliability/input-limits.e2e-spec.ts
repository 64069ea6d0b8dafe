import { chatBody, postChat } from '../../utils/chat-http';
import { expectOpenAiError } from '../../utils/openai-error';
import { LogCapture } from '../../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { expectSettled } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const BODY_LIMIT_BYTES = 8 * 1024;
const MAX_MESSAGES = 5;
const MAX_PROMPT_CHARS = 2_000;

describe('input limits and secrets (e2e)', () => {
  const [token, otherToken] = makeTokens('limits', 2);
  /** Secrets a client may send in a malformed header: they must not come back in any body or log. */
  const leakBait = makeTokens('bait', 2);
  let stack: Stack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startStack({
      tokens: [token, otherToken],
      env: {
        BODY_LIMIT: `${BODY_LIMIT_BYTES}b`,
        MAX_MESSAGES: String(MAX_MESSAGES),
        MAX_PROMPT_CHARS: String(MAX_PROMPT_CHARS),
      },
      logger: logs,
    });
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [token, otherToken, ...leakBait], 'the gateway log of the limits suite');
  });

  const post = (body: string | object, headers: Record<string, string> = {}) =>
    postChat(stack.baseURL, body, { tokens: [token], headers });

  describe.each([
    ['non-stream', false],
    ['stream', true],
  ])('%s', (_, stream) => {
    it('should refuse a body over BODY_LIMIT with 413', async () => {
      const res = await post(chatBody({ stream, messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT_BYTES) }] }));

      expectOpenAiError(res, 413, { code: 'request_too_large', type: 'invalid_request_error' });
    });

    it('should refuse more messages than MAX_MESSAGES with a 400 naming messages', async () => {
      const messages = Array.from({ length: MAX_MESSAGES + 1 }, (_, i) => ({ role: 'user', content: `m${i}` }));

      const res = await post(chatBody({ stream, messages }));

      expectOpenAiError(res, 400, { param: 'messages', type: 'invalid_request_error' });
      expect(res.json.error.message).toContain(String(MAX_MESSAGES));
    });

    it('should refuse a prompt longer than MAX_PROMPT_CHARS with a 400 context_length_exceeded', async () => {
      const res = await post(
        chatBody({ stream, messages: [{ role: 'user', content: 'y'.repeat(MAX_PROMPT_CHARS + 1) }] }),
      );

      expectOpenAiError(res, 400, { param: 'messages', code: 'context_length_exceeded' });
      expect(res.json.error.message).toContain(String(MAX_PROMPT_CHARS));
    });

    it('should accept a request just inside every limit', async () => {
      const messages = Array.from({ length: MAX_MESSAGES }, (_, i) => ({ role: 'user', content: `m${i}` }));

      const res = await post(chatBody({ stream, messages }));

      expect(res.status).toBe(200);
    });
  });

  it.each<[string, Record<string, string>]>([
    ['no Authorization header', {}],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['only separators', { authorization: 'Bearer , ,,' }],
    ['a token with a space', { authorization: `Bearer ${leakBait[0]} x` }],
    ['a token that is too long', { authorization: `Bearer ${leakBait[0]}${'k'.repeat(600)}` }],
    [
      'too many tokens',
      { authorization: `Bearer ${Array.from({ length: 65 }, (_, i) => `${leakBait[1]}${i}`).join(',')}` },
    ],
    ['non-ASCII characters', { authorization: `Bearer ${leakBait[1]}\u00e9\u00ff` }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`user:${leakBait[1]}`).toString('base64')}` }],
  ])('should answer %s with a 401 that echoes no credential', async (_, headers) => {
    const res = await postChat(stack.baseURL, chatBody(), { headers });

    expectOpenAiError(res, 401, { code: 'invalid_api_key' });
    expectNoSecrets(res.text, leakBait, 'the 401 body');
  });

  it.each([
    ['cut JSON', '{"model": "deepseek-chat", "messages": ['],
    ['a trailing comma', '{"model": "deepseek-chat",}'],
    ['not JSON at all', 'model=deepseek-chat'],
  ])('should answer %s with a 400 invalid_json', async (_, body) => {
    const res = await post(body);

    expectOpenAiError(res, 400, { type: 'invalid_request_error', code: 'invalid_json' });
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['an empty object', '{}'],
    ['an empty body', ''],
  ])('should answer a JSON body that is %s with a 400', async (_, body) => {
    const res = await post(body);

    expectOpenAiError(res, 400, { type: 'invalid_request_error' });
  });

  it('should answer a body sent as text/plain with a 415 that names the header to send', async () => {
    const res = await post(JSON.stringify(chatBody()), { 'content-type': 'text/plain' });

    expectOpenAiError(res, 415, { type: 'invalid_request_error', code: 'unsupported_media_type' });
    expect(res.json.error.message).toContain('Content-Type: application/json');
  });

  it('should refuse a burst of bad requests before any upstream call, leaving nothing behind', async () => {
    const before = stack.fake.state().requests;

    await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2 ? '{"model":' : chatBody({ messages: [] }))));

    expect(stack.fake.state().requests).toEqual(before);
    await expectSettled(stack);
  });
});

describe('secrets with API keys (managed mode, e2e)', () => {
  const serverTokens = makeTokens('managed', 2);
  const [apiKey, otherKey] = makeTokens('sk-live', 2);
  let stack: Stack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startStack({
      tokens: serverTokens,
      env: { DEEPSEEK_TOKENS: serverTokens.join(','), API_KEYS: `${apiKey},${otherKey}` },
      logger: logs,
    });
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [...serverTokens, apiKey, otherKey], 'the gateway log in managed mode');
  });

  it('should answer a key holder from the server accounts, and never show a token or key', async () => {
    const res = await postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${apiKey}` } });
    const stream = await postChat(stack.baseURL, chatBody({ stream: true }), {
      headers: { 'x-api-key': otherKey },
    });

    expect([res.status, stream.status]).toEqual([200, 200]);
    expectNoSecrets(res.text + stream.text, [...serverTokens, apiKey, otherKey], 'the answers');
  });

  it.each<[string, Record<string, string>]>([
    ['no key', {}],
    ['a wrong key', { authorization: `Bearer ${apiKey}x` }],
    ['a DeepSeek token in place of a key', { authorization: `Bearer ${serverTokens[0]}` }],
    ['a key list', { authorization: `Bearer ${apiKey},${otherKey}` }],
  ])('should answer %s with a 401 that echoes nothing', async (_, headers) => {
    const res = await postChat(stack.baseURL, chatBody(), { headers });

    expectOpenAiError(res, 401, { code: 'invalid_api_key' });
    expectNoSecrets(res.text, [...serverTokens, apiKey, otherKey], 'the 401 body');
  });

  it('should keep upstream refusals free of tokens', async () => {
    stack.fake.addFault({ fault: 'auth_40003', endpoint: 'completion', times: 2 });

    const res = await postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${apiKey}` } });

    expectOpenAiError(res, 401);
    expectNoSecrets(res.text, [...serverTokens, apiKey, otherKey], 'the upstream refusal');
    await expectSettled(stack);
  });
});
