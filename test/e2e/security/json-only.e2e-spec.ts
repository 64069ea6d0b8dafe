import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { type Stack, startStack } from '../../utils/stack';

/**
 * Only JSON bodies are read. Open mode (server accounts, no keys) is where a cross-site form post
 * would hurt: any web page could make its visitors' browsers spend the server's accounts.
 */
describe('JSON only (open mode, e2e)', () => {
  const token = 'tok-json-only-Zq8vT3kLmP0sWx7rYb2N';
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [token], env: { DEEPSEEK_TOKENS: token } });
  });
  afterAll(() => stack?.close());

  const upstreamCalls = () => Object.values(stack.fake.state().requests).reduce((sum, n) => sum + (n ?? 0), 0);

  it('should not run a chat for a cross-site form post (application/x-www-form-urlencoded): 415', async () => {
    const before = upstreamCalls();
    const form = 'model=deepseek-chat&messages[0][role]=user&messages[0][content]=spend+your+accounts';

    const res = await postChat(stack.baseURL, form, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });

    expectOpenAiError(res, 415, { code: 'unsupported_media_type', type: 'invalid_request_error' });
    expect(upstreamCalls()).toBe(before);
  });

  it.each([
    ['an empty Content-Type', {}],
    ['text/plain (what a form with enctype=text/plain sends)', { 'content-type': 'text/plain' }],
    ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['a +json type', { 'content-type': 'application/vnd.api+json' }],
  ])('should answer a chat body sent with %s with a 415 that says which header to send', async (_, headers) => {
    const res = await postChat(stack.baseURL, JSON.stringify(chatBody()), {
      headers: { 'content-type': '', ...headers },
    });

    expectOpenAiError(res, 415, { code: 'unsupported_media_type' });
    expect(res.json.error.message).toContain('Content-Type: application/json');
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'])(
    'should answer a chat sent as %s',
    async (contentType) => {
      const res = await postChat(stack.baseURL, JSON.stringify(chatBody()), {
        headers: { 'content-type': contentType },
      });

      expect(res.status).toBe(200);
      expect(res.json.object).toBe('chat.completion');
    },
  );

  it('should not read a urlencoded /token/check either', async () => {
    const before = upstreamCalls();

    const res = await rawRequest(`${stack.server.url}/token/check`, `token=${token}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectOpenAiError(res, 415, { code: 'unsupported_media_type' });
    expect(upstreamCalls()).toBe(before);
  });
});
