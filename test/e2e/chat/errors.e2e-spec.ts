import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ContextOverflowError } from '@langchain/core/errors';
import { ChatOpenAI } from '@langchain/openai';
import { streamText } from 'ai';
import OpenAI from 'openai';
import { startFakeDeepSeek, type FaultSpec } from '../../fake-deepseek';
import { postChat } from '../../utils/chat-http';
import { rawRequest, type RawResponse } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
import { LogCapture } from '../../utils/log-capture';
import { expectSettled } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { startTestApp, type TestApp } from '../../utils/test-app';

const BODY_LIMIT_BYTES = 64 * 1024;
const REPLY = 'A reply long enough to be cut in the middle of it.';

/** Every non-2xx answer: JSON, all four keys of the OpenAI error, and the request id (docs/api.md §4.1). */
function expectError(res: RawResponse, status: number, error: Record<string, unknown>): void {
  expect({ status: res.status, body: res.json }).toEqual({
    status,
    body: {
      error: {
        message: expect.any(String),
        type: expect.any(String),
        param: null,
        code: expect.any(String),
        ...error,
      },
    },
  });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{24}$/);
}

describe('errors, by status, as clients see them (e2e)', () => {
  let stack: Stack;
  let accounts = 0;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [],
      fake: { reply: { content: REPLY }, tokenDelayMs: 2 },
      env: {
        QUEUE_TIMEOUT_MS: '300',
        UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '600',
        UPSTREAM_TIMEOUT_MS: '600',
        BODY_LIMIT: String(BODY_LIMIT_BYTES),
      },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectSettled(stack));

  /** A fresh account the fake knows, so no test inherits another's health verdict (muted, invalid, cooling). */
  function freshToken(fault?: Omit<FaultSpec, 'account'>): string {
    const token = `tok-err-${++accounts}`;
    stack.fake.configure({ accounts: [token] });
    if (fault) stack.fake.addFault({ endpoint: 'completion', ...fault, account: token } as FaultSpec);
    return token;
  }
  const chat = (token: string, stream = false, extra: Record<string, unknown> = {}) =>
    postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream, messages: [{ role: 'user', content: 'Hello?' }], ...extra },
      { tokens: [token] },
    );
  const sdk = (token: string) => new OpenAI({ baseURL: stack.baseURL, apiKey: token, maxRetries: 0 });
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error as any,
    );

  describe('400 invalid request', () => {
    it('should answer invalid JSON with 400 invalid_json', async () => {
      const res = await rawRequest(`${stack.baseURL}/chat/completions`, '{"model": ', {
        headers: { authorization: `Bearer ${freshToken()}` },
      });

      expectError(res, 400, { type: 'invalid_request_error', code: 'invalid_json' });
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['no messages', { model: 'deepseek-chat' }, 'messages'],
      ['an empty messages array', { model: 'deepseek-chat', messages: [] }, 'messages'],
      ['no model', { messages: [{ role: 'user', content: 'Hi' }] }, 'model'],
      ['n above 1', { model: 'deepseek-chat', n: 2, messages: [{ role: 'user', content: 'Hi' }] }, 'n'],
      ['an unknown role', { model: 'deepseek-chat', messages: [{ role: 'robot', content: 'Hi' }] }, 'messages[0].role'],
    ])('should answer %s with BadRequestError and the param', async (_, body, param) => {
      const error = await rejection(sdk(freshToken()).chat.completions.create(body as never));

      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param, type: 'invalid_request_error' });
      expect(stack.fake.state().requests.completion ?? 0).toBe(0);
    });

    it('should answer an upstream context overflow with 400 context_length_exceeded, which LangChain recognises', async () => {
      const token = freshToken({ fault: 'context_length' });
      const model = new ChatOpenAI({
        model: 'deepseek-chat',
        apiKey: token,
        configuration: { baseURL: stack.baseURL },
      });

      const error = await rejection(model.invoke('A very long prompt.'));

      expect(error).toBeInstanceOf(ContextOverflowError);
      expect(error.cause).toMatchObject({ status: 400, code: 'context_length_exceeded', param: 'messages' });
    });
  });

  describe('401 missing or invalid credentials', () => {
    it('should answer a request without credentials with 401 invalid_api_key', async () => {
      const res = await postChat(stack.baseURL, {
        model: 'deepseek-chat',
        messages: [{ role: 'user', content: 'Hi' }],
      });

      expectError(res, 401, { type: 'invalid_request_error', code: 'invalid_api_key' });
    });

    it('should answer a malformed token list with 401 before asking DeepSeek', async () => {
      const res = await chat('has space');

      expectError(res, 401, { code: 'invalid_api_key' });
      expect(res.json.error.message).not.toContain('has space');
      expect(stack.fake.state().requests.users_current ?? 0).toBe(0);
    });

    it('should answer tokens DeepSeek rejects with AuthenticationError', async () => {
      const error = await rejection(
        sdk('tok-unknown-1,tok-unknown-2').chat.completions.create({
          model: 'deepseek-chat',
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      );

      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
      expect(stack.fake.state().requests.completion ?? 0).toBe(0);
    });

    it('should answer a token that dies at the completion with 401, stream or not', async () => {
      const token = freshToken({ fault: 'auth_40003', times: 2 });

      expectError(await chat(token), 401, { code: 'invalid_api_key' });
      expectError(await chat(token, true), 401, { code: 'invalid_api_key' });
    });
  });

  describe('403 muted or blocked account', () => {
    it('should answer a muted account with PermissionDeniedError and retry-after at the unmute', async () => {
      const token = freshToken({ fault: 'muted', params: { seconds: 600 } });

      const error = await rejection(
        sdk(token).chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] }),
      );

      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(error).toMatchObject({ status: 403, code: 'account_muted' });
      const retryAfter = Number(error.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(500);
      expect(retryAfter).toBeLessThanOrEqual(600);
      expect(stack.pool().muted).toBeGreaterThan(0);
    });

    it('should answer with 403 at once for an account users/current reports muted', async () => {
      const token = `tok-err-muted-${++accounts}`;
      stack.fake.configure({ accounts: { [token]: { mutedUntil: Date.now() / 1000 + 3600 } } });

      const res = await chat(token, true);

      expectError(res, 403, { code: 'account_muted' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(3500);
      expect(stack.fake.state().requests.completion ?? 0).toBe(0);
    });
  });

  describe('404 unknown route or model', () => {
    it.each([
      ['POST', '/nonsense'],
      ['GET', '/nonsense'],
      ['POST', '/chat/completion'],
    ])('should answer %s %s with 404 unknown_url', async (method, path) => {
      const res = await rawRequest(`${stack.baseURL}${path}`, method === 'POST' ? {} : undefined, {
        method,
        headers: { authorization: `Bearer ${freshToken()}` },
      });

      expectError(res, 404, { type: 'invalid_request_error', code: 'unknown_url' });
    });

    it('should answer a model name chat refuses (too long) with NotFoundError model_not_found', async () => {
      const error = await rejection(sdk(freshToken()).models.retrieve('n'.repeat(257)));

      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
      expect(error.error.message).toBe(
        `The model \`${'n'.repeat(256)}…\` does not exist or you do not have access to it.`,
      );
    });
  });

  describe('413 body over the limit', () => {
    it('should answer a body over BODY_LIMIT with 413 request_too_large', async () => {
      const error = await rejection(
        sdk(freshToken()).chat.completions.create({
          model: 'deepseek-chat',
          messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT_BYTES + 1) }],
        }),
      );

      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status: 413, code: 'request_too_large' });
      expect(stack.fake.state().requests.completion ?? 0).toBe(0);
    });
  });

  describe('429 no account free in time, or throttled', () => {
    it('should answer with RateLimitError and retry-after when the queue wait times out', async () => {
      const token = freshToken();
      stack.fake.configure({ tokenDelayMs: 25 });
      const first = chat(token, true);
      await stack.fake.waitFor((state) => state.inFlight === 1);

      const error = await rejection(
        sdk(token).chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] }),
      );

      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
      expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(readChatStream((await first).text)).toMatchObject({ content: REPLY, finishReason: 'stop' });
      expect(stack.fake.state().accounts[token].busyRefusals).toBe(0);
      stack.fake.configure({ tokenDelayMs: 2 });
    });

    // A refusal is no error while the queue time lasts: the account cools down (2 s busy, 5 s throttled)
    // and the request waits for it; this suite's queue timeout (300 ms) ends first.
    it.each<[string, Omit<FaultSpec, 'account'>, number]>([
      ['throttled (40029)', { fault: 'throttle' }, 5],
      ['throttled (HTTP 429)', { fault: 'throttle', params: { http429: true } }, 5],
      ['busy', { fault: 'busy' }, 2],
    ])(
      'should answer an account %s past the queue timeout with 429 and retry-after at its cooldown end',
      async (_, fault, retryAfter) => {
        const res = await chat(freshToken(fault));

        expectError(res, 429, { type: 'requests', code: 'rate_limit_exceeded' });
        expect(res.headers['retry-after']).toBe(String(retryAfter));
      },
    );
  });

  describe('502, 503, 504 upstream failures, by kind', () => {
    interface KindCase {
      kind: string;
      fault: Omit<FaultSpec, 'account'>;
      status: number;
      code: string | RegExp;
      retryAfter: boolean;
    }
    it.each<KindCase>([
      // Dropped after the headers: a cut answer (502); which code is the upstream client's call.
      {
        kind: 'a connection dropped mid-answer',
        fault: { fault: 'disconnect', params: { afterTokens: 0 } },
        status: 502,
        code: /^upstream_(error|unreachable)$/,
        retryAfter: false,
      },
      {
        kind: 'an unknown in-stream error',
        fault: { fault: 'hint_error', params: { afterTokens: 0, message: 'Odd.', finish_reason: 'odd' } },
        status: 502,
        code: 'upstream_error',
        retryAfter: false,
      },
      {
        kind: 'a WAF block page',
        fault: { fault: 'waf_html', params: { variant: 'cloudwaf' } },
        status: 503,
        code: 'upstream_blocked',
        retryAfter: true,
      },
      {
        kind: 'no first byte in time',
        fault: { fault: 'stall', params: { afterTokens: 0 } },
        status: 504,
        code: 'upstream_timeout',
        retryAfter: false,
      },
    ])(
      'should answer $kind with $status, stream or not, and keep the account',
      async ({ fault, status, code, retryAfter }) => {
        const token = freshToken({ ...fault, times: 2 });
        const before = stack.pool();

        for (const stream of [false, true]) {
          const res = await chat(token, stream);
          expectError(res, status, {
            type: 'server_error',
            code: typeof code === 'string' ? code : expect.stringMatching(code),
          });
          expect(res.headers['retry-after'] !== undefined).toBe(retryAfter);
        }
        const after = await expectSettled(stack);
        expect([after.invalid, after.muted]).toEqual([before.invalid, before.muted]);
        // Earlier tests' cooldowns may end meanwhile (this one waits out a timeout); none may start.
        expect(after.cooling).toBeLessThanOrEqual(before.cooling);
      },
    );

    it('should give InternalServerError to the openai SDK, with the error body', async () => {
      const token = freshToken({ fault: 'waf_html' });

      const error = await rejection(
        sdk(token).chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] }),
      );

      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({ status: 503, code: 'upstream_blocked', type: 'server_error' });
      expect(error.requestID).toMatch(/^req_/);
    });
  });

  describe('a failure after the answer started', () => {
    it('should still answer a non-stream request with the status of the failure', async () => {
      const error = await rejection(
        sdk(freshToken({ fault: 'stall', params: { afterTokens: 3 } })).chat.completions.create({
          model: 'deepseek-chat',
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      );

      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
    });

    it('should end a stream with one error frame, which the openai SDK throws as an APIError without status', async () => {
      const fault: Omit<FaultSpec, 'account'> = {
        fault: 'hint_error',
        params: { afterTokens: 3, message: 'Content is too long.', finish_reason: 'input_exceeds_limit' },
      };
      const stream = await sdk(freshToken(fault)).chat.completions.create({
        model: 'deepseek-chat',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      let content = '';

      const error = await rejection(
        (async () => {
          for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
        })(),
      );

      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({
        status: undefined,
        message: "The conversation exceeds DeepSeek's maximum context length; shorten the messages.",
        code: 'context_length_exceeded',
        type: 'invalid_request_error',
        param: 'messages',
      });
      expect(content.length).toBeGreaterThan(0);
      expect(REPLY.startsWith(content)).toBe(true);
    });

    it('should surface the error frame as an error part in the AI SDK, and as a thrown error in LangChain', async () => {
      const token = freshToken({ fault: 'stall', params: { afterTokens: 3 }, times: 2 });
      const provider = createOpenAICompatible({ name: 'gateway', baseURL: stack.baseURL, apiKey: token });
      const result = streamText({ model: provider('deepseek-chat'), prompt: 'Hi', maxRetries: 0, onError: () => {} });
      const errors: unknown[] = [];
      for await (const part of result.fullStream) if (part.type === 'error') errors.push(part.error);
      const model = new ChatOpenAI({
        model: 'deepseek-chat',
        apiKey: token,
        configuration: { baseURL: stack.baseURL },
      });

      const thrown = await rejection(
        (async () => {
          for await (const chunk of await model.stream('Hi')) void chunk;
        })(),
      );

      expect(errors).toEqual([expect.objectContaining({ message: 'DeepSeek did not answer in time.' })]);
      expect(await result.finishReason).toBe('error');
      expect(thrown).toMatchObject({ message: 'DeepSeek did not answer in time.', code: 'upstream_timeout' });
    });
  });
});

describe('an upstream that cannot be reached (e2e)', () => {
  let server: TestApp;

  beforeAll(async () => {
    const gone = await startFakeDeepSeek();
    const url = gone.url;
    await gone.close();
    server = await startTestApp({ DEEPSEEK_BASE_URL: url });
  });
  afterAll(() => server.close());

  it.each([false, true])('should answer 502 upstream_unreachable, never a 500 (stream: %s)', async (stream) => {
    const res = await postChat(
      `${server.url}/v1`,
      { model: 'deepseek-chat', stream, messages: [{ role: 'user', content: 'Hello?' }] },
      { tokens: ['tok-unreachable'] },
    );

    expectError(res, 502, { type: 'server_error', code: 'upstream_unreachable' });
  });
});

describe('a client that goes away mid-answer (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-leaver'], fake: { tokenDelayMs: 20 }, logger: logs });
  });
  afterAll(() => stack.close());

  it('should stop the upstream, free the account and log no error, stream or not', async () => {
    const client = stack.openai();
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      stream: true,
      messages: [{ role: 'user', content: 'Talk.' }],
    });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
    await stack.fake.waitFor((state) => state.requests.stop_stream === 1);
    await expectSettled(stack);

    const abort = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Talk.' }] },
      { signal: abort.signal },
    );
    await stack.fake.waitFor((state) => state.openStreams === 1);
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await stack.fake.waitFor((state) => state.requests.stop_stream === 2);
    await expectSettled(stack);

    // Stopped early, whether stop_stream or the dropped connection reached the upstream first.
    const messages = Object.values(stack.fake.state().sessions).flatMap((session) => session.messages);
    expect(messages.map((message) => message.status)).toEqual(['INCOMPLETE', 'INCOMPLETE']);
    expect(logs.lines.filter((line) => /^(error|fatal) /.test(line))).toEqual([]);
  });
});
