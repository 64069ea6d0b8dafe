import { rawRequest } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { startStack, type Stack } from '../../utils/stack';

describe('POST /token/check with a body that lacks the token (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-check'] });
  });
  afterAll(() => stack.close());

  it.each<[string, string | object]>([
    ['{}', {}],
    ['an empty body', ''],
    ["a 'Token' key in the wrong case", { Token: 'tok-check' }],
    ['a null token', { token: null }],
  ])('should answer %s with a 400 that names token, without asking DeepSeek', async (_, body) => {
    const res = await rawRequest(`${stack.server.url}/token/check`, body, {
      headers: { 'content-type': 'application/json' },
    });

    expectOpenAiError(res, 400, {
      message: "Missing required parameter: 'token'.",
      type: 'invalid_request_error',
      param: 'token',
      code: 'missing_required_parameter',
    });
    expect(stack.fake.state().requests).toEqual({});
  });
});
