import type OpenAI from 'openai';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

/** DeepSeek chat-template markers, spelled out here (docs/protocol.md §9.1) rather than imported. */
const USER = '<\uff5cUser\uff5c>';
const ASSISTANT = '<\uff5cAssistant\uff5c>';
const END = '<\uff5cend\u2581of\u2581sentence\uff5c>';
const REPLY = { reasoning: 'Weigh the facts first.', content: 'Paris is the capital of France.' };
const CONVERSATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@2$/;

describe('the openai SDK against the gateway (e2e)', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-openai'], fake: { reply: REPLY } });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should answer create() with the documented chat.completion and the request id', async () => {
    const { data, response, request_id } = await client.chat.completions
      .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'What is the capital of France?' }] })
      .withResponse();

    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(request_id).toMatch(/^req_[0-9a-f]{24}$/);
    const message = onlyUpstreamMessage(stack.fake);
    expect(data).toEqual({
      id: `${message.sessionId}@2`,
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'deepseek-chat',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: REPLY.content, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        total_tokens: expect.any(Number),
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(Number.isInteger(data.created)).toBe(true);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(message).toMatchObject({
      prompt: 'What is the capital of France?',
      parentMessageId: null,
      thinkingEnabled: false,
      searchEnabled: false,
      modelType: 'default',
      status: 'FINISHED',
    });
  });

  it('should stream create({stream: true}) as chunks that add up to the same answer', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      stream: true,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const { sessionId } = onlyUpstreamMessage(stack.fake);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: `${sessionId}@2`, object: 'chat.completion.chunk', model: 'deepseek-chat' });
      expect(chunk.created).toBe(chunks[0].created);
      expect(chunk.usage).toBeUndefined();
      expect(chunk.choices).toHaveLength(1);
    }
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.at(-1)!.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe(REPLY.content);
  });

  it('should end a stream with the usage chunk when stream_options.include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-reasoner',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Think, then answer.' }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ completion_tokens_details: { reasoning_tokens: expect.any(Number) } });
    expect(usageChunk.usage!.completion_tokens_details!.reasoning_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
  });

  it('should complete the chat.completions.stream() helper, whose accumulator needs role and finish_reason', async () => {
    const helper = client.chat.completions.stream({
      model: 'deepseek-reasoner',
      messages: [{ role: 'user', content: 'Think, then answer.' }],
    });
    const reasoning: string[] = [];
    helper.on('chunk', (chunk) => {
      const delta = chunk.choices[0]?.delta as { reasoning_content?: string } | undefined;
      if (delta?.reasoning_content) reasoning.push(delta.reasoning_content);
    });
    const final = await helper.finalChatCompletion();

    expect(final.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: REPLY.content, refusal: null },
    });
    expect(final.id).toMatch(CONVERSATION_ID);
    expect(reasoning.join('')).toBe(REPLY.reasoning);
    expect(onlyUpstreamMessage(stack.fake).thinkingEnabled).toBe(true);
  });

  it('should put the reasoning of deepseek-reasoner in message.reasoning_content', async () => {
    const completion = await client.chat.completions.create({
      model: 'deepseek-reasoner',
      messages: [{ role: 'user', content: 'Think, then answer.' }],
    });

    const message = completion.choices[0].message as OpenAI.Chat.Completions.ChatCompletionMessage & {
      reasoning_content?: string;
    };
    expect(message.reasoning_content).toBe(REPLY.reasoning);
    expect(message.content).toBe(REPLY.content);
    expect(completion.usage!.completion_tokens_details!.reasoning_tokens).toBeGreaterThan(0);
  });

  it('should send a multi-turn history upstream as one flattened prompt in a new session', async () => {
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [
        { role: 'developer', content: 'Answer briefly.' },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'And of Italy?' },
            { type: 'text', text: 'One word.' },
          ],
        },
      ],
    });

    expect(completion.choices[0].message.content).toBe(REPLY.content);
    expect(onlyUpstreamMessage(stack.fake)).toMatchObject({
      prompt: `Answer briefly.${USER}Capital of France?${ASSISTANT}Paris.${END}${USER}And of Italy?\nOne word.`,
      parentMessageId: null,
      requestMessageId: 1,
    });
  });

  it('should echo the caller x-request-id', async () => {
    const { request_id } = await client.chat.completions
      .create(
        { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-request-id': 'trace-42' } },
      )
      .withResponse();

    expect(request_id).toBe('trace-42');
  });

  it('should stop the upstream and free the account when the client breaks out of a stream', async () => {
    stack.fake.configure({ tokenDelayMs: 20 });
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a long story.' }],
    });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;

    // Stopped, whether stop_stream or the dropped connection reached the upstream first.
    await stack.fake.waitFor((s) => (s.requests.stop_stream ?? 0) === 1 && s.inFlight === 0);
    const message = onlyUpstreamMessage(stack.fake);
    expect(message).toMatchObject({ account: 'tok-openai', responseMessageId: 2, status: 'INCOMPLETE' });
    expect(message.content.length).toBeLessThan(REPLY.content.length);
  });

  it('should list the models with models.list()', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model).toEqual({ id: model.id, object: 'model', created: expect.any(Number), owned_by: 'deepseek' });
      ids.push(model.id);
    }

    expect(ids).toEqual(expect.arrayContaining(['deepseek-chat', 'deepseek-reasoner']));
    expect((await client.models.retrieve('deepseek-r1-search')).id).toBe('deepseek-r1-search');
  });
});
