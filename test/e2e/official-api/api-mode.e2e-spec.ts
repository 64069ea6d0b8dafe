import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { accountIdOf } from '../../../src/tokens/pool/account';
import { chatBody, postChat, streamChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { LogCapture } from '../../utils/log-capture';
import { expectOpenAiError } from '../../utils/openai-error';
import { expectNoSecrets } from '../../utils/secrets';
import { readChatStream } from '../../utils/sse/chat-stream';
import { type Stack, startStack } from '../../utils/stack';

const CLIENT_KEY = 'sk-client-official-7d2e9a';
const ADMIN_TOKEN = 'admin-official-4c1b8e';
const [KEY_A, KEY_B] = ['sk-official-a-93f1c2', 'sk-official-b-5e7d04'];
const auth = { authorization: `Bearer ${CLIENT_KEY}` };

/** The official API's request bodies the fake received, newest last. */
const apiBodies = (stack: Stack) =>
  stack
    .officialApi!.requests()
    .filter((request) => request.path.endsWith('/chat/completions'))
    .map((request) => request.body as Record<string, any>);

describe('UPSTREAM_MODE=api: the official API answers every request, natively (e2e)', () => {
  let stack: Stack;
  let openai: OpenAI;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startStack({
      officialApi: { keys: [KEY_A, KEY_B] },
      env: {
        UPSTREAM_MODE: 'api',
        DEEPSEEK_API_KEYS: `${KEY_A},${KEY_B}=2`,
        API_KEYS: CLIENT_KEY,
        ADMIN_TOKEN,
      },
      logger: logs,
    });
    openai = new OpenAI({ baseURL: stack.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
  });
  const enableKeys = () =>
    Promise.all(
      [KEY_A, KEY_B].map((key) =>
        rawRequest(
          `${stack.server.url}/admin/api-keys/${accountIdOf(key)}/enable`,
          {},
          {
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          },
        ),
      ),
    );
  afterEach(async () => {
    stack.officialApi!.reset();
    stack.fake.reset();
    // Key states live in the gateway: each test starts with both keys in rotation.
    await enableKeys();
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [KEY_A, KEY_B, CLIENT_KEY, ADMIN_TOKEN], 'the gateway log');
  });

  it('should answer with the openai SDK from the API, say so in x-upstream, and never touch the web upstream', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello API' }] })
      .withResponse();

    expect(response.headers.get('x-upstream')).toBe('api');
    expect(data.choices[0].message.content).toBe('You said: Hello API');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(stack.fake.state().requests.completion ?? 0).toBe(0);
    const [body] = apiBodies(stack);
    expect(body).toMatchObject({
      model: 'deepseek-chat',
      stream: true,
      messages: [{ role: 'user', content: 'Hello API' }],
    });
  });

  it('should stream reasoning_content first, then the content, with the API usage and its cache hits as cached_tokens', async () => {
    // Long enough for the API's prompt cache, which works in 64-token units.
    const prompt = `Think about the sea. ${'The waves roll in and out again. '.repeat(20)}`;
    const request = { model: 'deepseek-reasoner', messages: [{ role: 'user', content: prompt }] };
    const streamed = async () =>
      readChatStream(
        (
          await postChat(
            stack.baseURL,
            { ...request, stream: true, stream_options: { include_usage: true } },
            { headers: auth },
          )
        ).text,
      );
    const first = await streamed();
    const second = await streamed();

    expect(first.reasoning).toContain('Think about the sea');
    expect(first.content).toBe(`You said: ${prompt}`);
    const firstReasoning = first.chunks.findIndex((chunk) => chunk.choices?.[0]?.delta?.reasoning_content);
    const firstContent = first.chunks.findIndex((chunk) => chunk.choices?.[0]?.delta?.content);
    expect(firstReasoning).toBeGreaterThan(0);
    expect(firstContent).toBeGreaterThan(firstReasoning);
    expect(first.done).toBe(true);
    expect(first.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    // The same prompt again: the API reports prompt cache hits, which clients read as cached tokens.
    expect(second.usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(
      first.usage.prompt_tokens_details.cached_tokens,
    );
    expect(apiBodies(stack)[0]).not.toHaveProperty('thinking');
  });

  it('should pass tools, tool_choice, stop, max_tokens, sampling and json mode through, and return the API tool calls', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const called = await openai.chat.completions.create({
      model: 'deepseek-v4-flash',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools,
      tool_choice: 'auto',
      temperature: 0.3,
      top_p: 0.9,
      stop: ['END'],
      max_tokens: 50,
    });

    expect(called.choices[0].finish_reason).toBe('tool_calls');
    const call = called.choices[0].message.tool_calls![0];
    expect(call.type).toBe('function');
    expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"x"}' });
    const sent = apiBodies(stack)[0];
    expect(sent).toMatchObject({
      model: 'deepseek-v4-flash',
      thinking: { type: 'disabled' },
      tools,
      tool_choice: 'auto',
      temperature: 0.3,
      top_p: 0.9,
      stop: ['END'],
      max_tokens: 50,
    });
    // Natively: no emulated tool prompt in the messages.
    expect(JSON.stringify(sent.messages)).not.toMatch(/tool_calls>|DSML/);

    const answered = await openai.chat.completions.create({
      model: 'deepseek-v4-flash',
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny' },
      ],
      tools,
    });
    expect(answered.choices[0].message.content).toBe('The tool returned: sunny');
    expect(apiBodies(stack)[1].messages[2]).toEqual({ role: 'tool', tool_call_id: call.id, content: 'sunny' });

    const json = await openai.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Give me an object' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(json.choices[0].message.content!)).toEqual({ answer: expect.any(String) });
    expect(apiBodies(stack)[2].response_format).toEqual({ type: 'json_object' });
  });

  it('should cut at max_tokens with finish_reason length, as the API says', async () => {
    const res = await openai.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'one two three four five six seven' }],
      max_tokens: 2,
    });
    expect(res.choices[0].finish_reason).toBe('length');
  });

  it('should serve the Anthropic SDK through the same adapter, tool use included', async () => {
    const anthropic = new Anthropic({ baseURL: stack.server.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Hello from Claude' }],
    });
    expect(
      message.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join(''),
    ).toBe('You said: Hello from Claude');
    // claude-sonnet* is an alias of deepseek-reasoner: the reasoning comes back as a thinking block.
    expect(message.content[0].type).toBe('thinking');
    expect(apiBodies(stack)[0]).toMatchObject({ model: 'deepseek-reasoner', max_tokens: 200 });

    const tooled = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      tools: [
        {
          name: 'get_weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      messages: [{ role: 'user', content: 'weather in Oslo' }],
    });
    expect(tooled.stop_reason).toBe('tool_use');
    expect(tooled.content.find((block) => block.type === 'tool_use')).toMatchObject({
      name: 'get_weather',
      input: { city: 'x' },
    });

    const stream = anthropic.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream please' }],
    });
    expect((await stream.finalMessage()).content).toMatchObject([{ type: 'text', text: 'You said: Stream please' }]);
  });

  it('should report the API prompt cache to Anthropic clients as cache_read_input_tokens, apart from input_tokens', async () => {
    const anthropic = new Anthropic({ baseURL: stack.server.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const prompt = `Remember this. ${'A long and steady preamble for the cache. '.repeat(20)}`;
    const ask = () =>
      anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: prompt }],
      });
    const first = await ask();
    const second = await ask();

    expect(first.usage.cache_read_input_tokens ?? 0).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(second.usage.input_tokens + second.usage.cache_read_input_tokens!).toBe(first.usage.input_tokens);
  });

  it('should serve the Responses API through the same adapter', async () => {
    const response = await openai.responses.create({ model: 'deepseek-chat', input: 'Hello Responses' });
    expect(response.output_text).toBe('You said: Hello Responses');
  });

  it('should refuse what the API cannot do with a 400 naming the field', async () => {
    expectOpenAiError(
      await postChat(stack.baseURL, chatBody({ model: 'deepseek-chat-search' }), { headers: auth }),
      400,
      {
        param: 'model',
        code: 'unsupported_by_upstream',
      },
    );
    expectOpenAiError(
      await postChat(stack.baseURL, chatBody({ conversation_id: '3f0c2b6e-8a3d-4c1e-9b7a-2d5e6f708192@2' }), {
        headers: auth,
      }),
      400,
      { param: 'conversation_id', code: 'unsupported_by_upstream' },
    );
    expect(apiBodies(stack)).toHaveLength(0);
  });

  it('should take a key without balance (402) out of rotation until the operator enables it, answering from the other key', async () => {
    // Key A is the one a lone request takes first.
    stack.officialApi!.setBalance(KEY_A, 0);
    for (let i = 0; i < 4; i++) {
      const res = await postChat(stack.baseURL, chatBody(), { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers['x-upstream']).toBe('api');
    }
    const keyA = accountIdOf(KEY_A);
    const admin = await rawRequest(`${stack.server.url}/admin/accounts`, undefined, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expectNoSecrets(admin.text, [KEY_A, KEY_B], 'the admin view');
    expect(admin.json.upstream_mode).toBe('api');
    expect(admin.json.answers.api).toBeGreaterThanOrEqual(4);
    const viewA = admin.json.api_keys.find((key: { id: string }) => key.id === keyA);
    expect(viewA).toMatchObject({ state: 'no_balance', last_error: { kind: 'insufficient_balance' } });
    // Once out of rotation the key is not tried again: one 402, then only key B.
    const byKey = stack.officialApi!.state().keys;
    expect(byKey[KEY_A].requests).toBe(1);
    expect(byKey[KEY_B].completed).toBe(4);

    stack.officialApi!.setBalance(KEY_A, 10);
    const enabled = await rawRequest(
      `${stack.server.url}/admin/api-keys/${keyA}/enable`,
      {},
      {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      },
    );
    expect(enabled.status).toBe(200);
    expect(enabled.json).toMatchObject({ id: keyA, state: 'ready' });
    expect((await postChat(stack.baseURL, chatBody(), { headers: auth })).status).toBe(200);
    expect(stack.officialApi!.state().keys[KEY_A].completed).toBe(1);
  });

  it('should answer 503 in the caller shape when no key has balance left', async () => {
    stack.officialApi!.setBalance(KEY_A, 0);
    stack.officialApi!.setBalance(KEY_B, 0);
    const res = await postChat(stack.baseURL, chatBody(), { headers: auth });
    expectOpenAiError(res, 503, { code: 'api_keys_unavailable' });
    const anthropic = await rawRequest(
      `${stack.server.url}/v1/messages`,
      { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' } },
    );
    expect(anthropic.status).toBe(503);
    expect(anthropic.json).toMatchObject({
      type: 'error',
      error: { type: expect.any(String), message: expect.stringContaining('402') },
    });
    for (const key of [KEY_A, KEY_B]) {
      stack.officialApi!.setBalance(key, 10);
      await rawRequest(
        `${stack.server.url}/admin/api-keys/${accountIdOf(key)}/enable`,
        {},
        {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        },
      );
    }
  });

  it('should honour a 429 retry-after on that key and answer from the other one', async () => {
    stack.officialApi!.addFault({ status: 429, retryAfterSec: 30, key: KEY_A });
    const res = await postChat(stack.baseURL, chatBody(), { headers: auth });
    expect(res.status).toBe(200);
    const admin = await rawRequest(`${stack.server.url}/admin/api-keys`, undefined, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const cooling = admin.json.data.filter((key: { state: string }) => key.state === 'cooling');
    expect(cooling).toMatchObject([{ id: accountIdOf(KEY_A), last_error: { kind: 'rate_limited' } }]);
    expect(Date.parse(cooling[0].until) - Date.now()).toBeGreaterThan(20_000);
  });

  it('should retry a 500 on another key, and give up with 502/503 after a bounded number of tries', async () => {
    stack.officialApi!.addFault({ status: 500, times: 1 });
    expect((await postChat(stack.baseURL, chatBody(), { headers: auth })).status).toBe(200);

    stack.officialApi!.reset();
    stack.officialApi!.addFault({ status: 503, times: 10 });
    const res = await postChat(stack.baseURL, chatBody(), { headers: auth });
    expectOpenAiError(res, 503, { code: 'upstream_overloaded' });
    expect(apiBodies(stack)).toHaveLength(3);
  });

  it('should answer the API 422 as a 422 invalid request', async () => {
    stack.officialApi!.addFault({ status: 422, message: 'Invalid parameter: temperature' });
    expectOpenAiError(await postChat(stack.baseURL, chatBody(), { headers: auth }), 422, {
      code: 'invalid_parameters',
    });
  });

  it('should stop the API request and give the key back when the client leaves mid-stream', async () => {
    stack.officialApi!.configure({ tokenDelayMs: 30, answerPieces: 200 });
    const exchange = streamChat(stack.baseURL, chatBody(), [CLIENT_KEY]);
    await exchange.until((seen) => seen.text.includes('"content":"You'));
    exchange.drop();
    const state = await stack.officialApi!.waitFor((s) =>
      Object.values(s.keys).some((key) => key.aborted > 0 && key.inFlight === 0),
    );
    expect(Object.values(state.keys).reduce((sum, key) => sum + key.completed, 0)).toBe(0);
    // The key was given back: the gateway shows nothing in flight on it.
    const admin = await rawRequest(`${stack.server.url}/admin/api-keys`, undefined, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(admin.json.data.map((key: { inflight: number }) => key.inflight)).toEqual([0, 0]);
  });

  it('should list the API models and the web names that resolve on it', async () => {
    const ids = (await openai.models.list()).data.map((model) => model.id);
    expect(ids).toEqual(
      expect.arrayContaining(['deepseek-chat', 'deepseek-reasoner', 'deepseek-v4-flash', 'deepseek-v4-pro']),
    );
    expect(ids.filter((id) => id.includes('search'))).toEqual([]);
  });
});
