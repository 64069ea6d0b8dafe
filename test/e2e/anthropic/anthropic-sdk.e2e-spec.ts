import Anthropic from '@anthropic-ai/sdk';
import AnthropicV1 from 'anthropic-sdk-v1';
import { estimateTokens } from '../../../src/chat/usage';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage, upstreamMessages } from '../../utils/upstream-view';

const API_KEY = 'key-anthropic';
const ACCOUNT = 'tok-anthropic';
const REPLY = 'Hello! How can I help you today?';
const REASONING = 'Let me think about this.';

/**
 * Both SDK majors, typed as 0.x: 0.137.0 authenticates with `x-api-key`, 1.x with `Authorization: Bearer`;
 * the calls used here are the same in both.
 */
type Client = Anthropic;
const CLIENTS: [string, (baseURL: string, apiKey: string) => Client][] = [
  ['@anthropic-ai/sdk 0.137.0 (x-api-key)', (baseURL, apiKey) => new Anthropic({ baseURL, apiKey, maxRetries: 0 })],
  [
    '@anthropic-ai/sdk 1.14.0 (Bearer)',
    (baseURL, apiKey) => new AnthropicV1({ baseURL, apiKey, maxRetries: 0 }) as unknown as Client,
  ],
];

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    return error as InstanceType<typeof Anthropic.APIError>;
  }
  throw new Error('expected the call to fail');
}

describe.each(CLIENTS)('Anthropic Messages with %s (e2e)', (_, makeClient) => {
  jest.setTimeout(30_000);
  let stack: Stack;
  const client = (apiKey = API_KEY) => makeClient(stack.server.url, apiKey);
  const ask = { max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hi' }] };

  beforeAll(async () => {
    stack = await startStack({
      tokens: [ACCOUNT],
      env: { DEEPSEEK_TOKENS: ACCOUNT, API_KEYS: API_KEY, QUEUE_TIMEOUT_MS: '300' },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should answer messages.create with one text block, end_turn and usage, echoing the model', async () => {
    const message = await client().messages.create({ model: 'claude-haiku-4-5', ...ask });

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: REPLY }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(onlyUpstreamMessage(stack.fake).thinkingEnabled).toBe(false);
  });

  it('should stream with stream: true, every event type in order', async () => {
    const stream = await client().messages.create({ model: 'claude-haiku-4-5', ...ask, stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }

    expect(text).toBe(REPLY);
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('should give messages.stream().finalMessage() the whole message', async () => {
    const message = await client()
      .messages.stream({ model: 'claude-haiku-4-5', ...ask })
      .finalMessage();

    expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('should put a signed thinking block first for a thinking model, non-stream and stream', async () => {
    const created = await client().messages.create({ model: 'claude-opus-4-1', ...ask });
    const streamed = await client()
      .messages.stream({ model: 'claude-opus-4-1', ...ask })
      .finalMessage();

    for (const message of [created, streamed]) {
      expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
      const [thinking, text] = message.content;
      expect(thinking).toMatchObject({ type: 'thinking', thinking: REASONING });
      expect(thinking.type === 'thinking' && thinking.signature).toMatch(/^[\w-]{16,}$/);
      expect(text).toMatchObject({ type: 'text', text: REPLY });
    }
    expect(upstreamMessages(stack.fake).map((m) => m.thinkingEnabled)).toEqual([true, true]);
  });

  it('should run a tool_use → tool_result loop ending in text, is_error carried to the prompt', async () => {
    stack.fake.configure({
      replyFor: toolLoopModel([
        [
          { name: 'get_weather', args: { city: 'Paris' } },
          { name: 'get_time', args: { timezone: 'Europe/Paris' } },
        ],
        (prompt) => `Done. ${toolResultsIn(prompt).join('; ')}`,
      ]),
    });
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather now',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
      },
      { name: 'get_time', input_schema: { type: 'object' as const, properties: { timezone: { type: 'string' } } } },
    ];
    const question = { role: 'user' as const, content: 'Weather and time in Paris?' };

    const first = await client().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      tools,
      messages: [question],
    });

    expect(first.stop_reason).toBe('tool_use');
    const uses = first.content.filter((block) => block.type === 'tool_use');
    expect(uses.map((use) => [use.name, use.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { timezone: 'Europe/Paris' }],
    ]);
    expect(uses.every((use) => /^toolu_/.test(use.id))).toBe(true);

    const second = await client().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      tools,
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: uses[0].id, content: 'sunny' },
            {
              type: 'tool_result',
              tool_use_id: uses[1].id,
              content: [{ type: 'text', text: 'clock broken' }],
              is_error: true,
            },
          ],
        },
      ],
    });

    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: 'Done. get_weather: sunny; get_time: clock broken' }]);
    // The history extends our answer (thinking and ids aside): the same DeepSeek chat continues with the results only.
    const [firstTurn, secondTurn] = upstreamMessages(stack.fake);
    expect(secondTurn).toMatchObject({ sessionId: firstTurn.sessionId, parentMessageId: firstTurn.responseMessageId });
    expect(secondTurn.prompt).toMatch(/^<tool_results>/);
    const prompt = secondTurn.prompt;
    expect(prompt).toContain(`<result name="get_weather" call_id="${uses[0].id}">sunny</result>`);
    expect(prompt).toContain(`<result name="get_time" call_id="${uses[1].id}" error="true">clock broken</result>`);
  });

  it('should stream a tool call that messages.stream().finalMessage() assembles into its input', async () => {
    stack.fake.configure({ replyFor: toolLoopModel([[{ name: 'get_weather', args: { city: 'Paris', days: 2 } }]]) });
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const } }];

    const message = await client()
      .messages.stream({ model: 'claude-haiku-4-5', max_tokens: 256, tools, messages: ask.messages })
      .finalMessage();

    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_/) as string,
        name: 'get_weather',
        input: { city: 'Paris', days: 2 },
      },
    ]);
  });

  it('should count tokens with the estimator of the prompt it would send', async () => {
    const body = { model: 'claude-haiku-4-5', system: 'Be brief.', messages: ask.messages };

    const { input_tokens } = await client().messages.countTokens(body);
    await client().messages.create({ ...body, max_tokens: 16 });

    expect(input_tokens).toBe(estimateTokens(onlyUpstreamMessage(stack.fake).prompt));
    expect(input_tokens).toBeGreaterThan(0);
  });

  it('should list the models with models.list() and retrieve one with models.retrieve()', async () => {
    const models: Anthropic.ModelInfo[] = [];
    for await (const model of client().models.list()) models.push(model);

    expect(models.map((model) => model.id)).toEqual(expect.arrayContaining(['deepseek-chat', 'deepseek-reasoner']));
    expect(models[0]).toEqual({
      type: 'model',
      id: 'deepseek-chat',
      display_name: 'deepseek-chat',
      created_at: '2025-01-01T00:00:00.000Z',
    });
    expect(await client().models.retrieve('claude-opus-4-1')).toMatchObject({ type: 'model', id: 'claude-opus-4-1' });
  });

  it('should refuse a bad key with 401 authentication_error and a request id', async () => {
    const error = await rejection(client('wrong-key').messages.create({ model: 'claude-haiku-4-5', ...ask }));

    expect(error.status).toBe(401);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(error.requestID).toMatch(/^req_/);
    expect(stack.fake.state().requests.completion ?? 0).toBe(0);
  });

  it('should refuse a body without max_tokens with 400 naming it', async () => {
    const noLimit = {
      model: 'claude-haiku-4-5',
      messages: ask.messages,
    } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const error = await rejection(client().messages.create(noLimit));

    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(JSON.stringify(error.error)).toContain("'max_tokens'");
    expect(error.requestID).toMatch(/^req_/);
  });

  it('should answer 529 overloaded_error with retry-after when the only account stays busy past the queue timeout', async () => {
    stack.fake.configure({ tokenDelayMs: 20, reply: { content: 'word '.repeat(2000) } });
    const holder = new AbortController();
    const held = client()
      .messages.create({ model: 'claude-haiku-4-5', ...ask, stream: true }, { signal: holder.signal })
      .then(async (stream) => {
        for await (const event of stream) void event;
      })
      .catch(() => undefined);
    await stack.fake.waitFor((state) => state.inFlight === 1);

    const error = await rejection(client().messages.create({ model: 'claude-haiku-4-5', ...ask }));
    holder.abort();
    await held;

    expect(error.status).toBe(529);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(error.requestID).toMatch(/^req_/);
  });
});
