import { rawRequest } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { startStack, type Stack } from '../../utils/stack';

const TOKEN = 'tok-methods';

describe('a known path with the wrong method (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [TOKEN] });
  });
  afterAll(() => stack.close());

  it.each([
    ['GET', '/v1/chat/completions', 'POST'],
    ['PUT', '/v1/chat/completions', 'POST'],
    ['GET', '/V1/Chat/Completions/', 'POST'],
    ['DELETE', '/v1/models', 'GET, HEAD'],
    ['POST', '/v1/models/deepseek-chat', 'GET, HEAD'],
    ['GET', '/token/check', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
  ])('should answer %s %s with 405, Allow: %s and an OpenAI error', async (method, path, allow) => {
    const res = await rawRequest(`${stack.server.url}${path}`, method === 'GET' ? undefined : 'not json', {
      method,
      tokens: [TOKEN],
      headers: { 'content-type': 'text/plain' },
    });

    expectOpenAiError(res, 405, { type: 'invalid_request_error', param: null, code: 'method_not_allowed' });
    expect(res.headers.allow).toBe(allow);
    expect(res.json.error.message).toBe(
      `Method ${method} is not allowed for ${path}; use ${allow.replace(', ', ' or ')}.`,
    );
  });

  it('should refuse the wrong method before looking at credentials, and call no upstream', async () => {
    const res = await rawRequest(`${stack.baseURL}/chat/completions`);

    expectOpenAiError(res, 405, { code: 'method_not_allowed' });
    expect(stack.fake.state().requests).toEqual({});
  });

  it.each([
    ['DELETE', '/v1/nothing'],
    ['GET', '/v1/chat/completion'],
    ['GET', '/v1/models/deepseek-chat/extra'],
    ['PATCH', '/nothing/at/all'],
  ])('should still answer %s %s, an unknown path, with 404 unknown_url', async (method, path) => {
    const res = await rawRequest(`${stack.server.url}${path}`, undefined, { method, tokens: [TOKEN] });

    expectOpenAiError(res, 404, { code: 'unknown_url' });
    expect(res.headers.allow).toBeUndefined();
  });

  it('should keep serving the methods a path has', async () => {
    expect((await rawRequest(`${stack.baseURL}/models`, undefined, { method: 'HEAD' })).status).toBe(200);
    const chat = await rawRequest(
      `${stack.baseURL}/chat/completions`,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] },
      { tokens: [TOKEN] },
    );
    expect(chat.status).toBe(200);
  });
});

describe('the admin routes and 405 (e2e)', () => {
  it.each([
    ['without ADMIN_TOKEN, as absent: 404', {}, 404],
    ['with ADMIN_TOKEN: 405', { ADMIN_TOKEN: 'admin-secret-Lq3vX8' }, 405],
  ])('should answer DELETE /admin/accounts %s', async (_, env, status) => {
    const stack = await startStack({ tokens: [TOKEN], env: { DEEPSEEK_TOKENS: TOKEN, ...env } });
    try {
      const res = await rawRequest(`${stack.server.url}/admin/accounts`, undefined, {
        method: 'DELETE',
        headers: { authorization: 'Bearer admin-secret-Lq3vX8' },
      });
      expectOpenAiError(res, status, { code: status === 404 ? 'unknown_url' : 'method_not_allowed' });
    } finally {
      await stack.close();
    }
  });
});
