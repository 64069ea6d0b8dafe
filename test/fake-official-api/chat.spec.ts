import type OpenAI from 'openai';
import { type FakeOfficialApi, startFakeOfficialApi } from './index';
import { dataFrames, deltas, json, post, sdk, user } from './spec-helpers';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
    },
  },
};

describe('fake official API: chat completions', () => {
  let fake: FakeOfficialApi;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOfficialApi({ keys: ['sk-a', 'sk-b'] });
    client = sdk(fake);
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should list the default models, and a configured list', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(['deepseek-chat', 'deepseek-reasoner', 'deepseek-v4-flash', 'deepseek-v4-pro']);
    const raw = await json(await fetch(`${fake.url}/v1/models`, { headers: { authorization: 'Bearer sk-a' } }));
    expect(raw.data[0]).toEqual({ id: 'deepseek-chat', object: 'model', owned_by: 'deepseek' });
    fake.configure({ models: ['only-one'] });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['only-one']);
  });

  it('should echo the last user message without reasoning on deepseek-chat, and log what was sent', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'first' },
      { role: 'assistant' as const, content: 'ok' },
      { role: 'user' as const, content: 'hello world' },
    ];
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages, temperature: 0.3 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe('You said: hello world');
    expect(completion.choices[0].message).not.toHaveProperty('reasoning_content');
    expect(completion.choices[0].finish_reason).toBe('stop');
    const usage = completion.usage!;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens).toBe(5); // You · said · : · hello · world
    expect(fake.lastRequest()).toMatchObject({
      keyId: 'key0',
      method: 'POST',
      path: '/chat/completions',
      body: { model: 'deepseek-chat', messages, temperature: 0.3 },
    });
  });

  it('should answer on /v1/chat/completions too', async () => {
    const completion = await sdk(fake, 'sk-b', '/v1').chat.completions.create({
      model: 'deepseek-chat',
      messages: user('via v1'),
    });
    expect(completion.choices[0].message.content).toBe('You said: via v1');
    expect(fake.lastRequest()).toMatchObject({ keyId: 'key1', path: '/v1/chat/completions' });
  });

  it('should stream the content in pieces, with usage on the finish chunk and a trailing usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: user('stream me please'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('You said: stream me please');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe('stop');
    expect(finish?.usage?.completion_tokens).toBe(6);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual(finish?.usage);
  });

  it('should leave the trailing usage chunk out without include_usage', async () => {
    const res = await post(fake, { model: 'deepseek-chat', messages: user('x'), stream: true });
    const frames = dataFrames(await res.text());
    expect(frames.every((f) => f.choices.length === 1)).toBe(true);
    expect(frames.at(-1).usage.prompt_tokens).toBe(2);
  });

  it('should think on deepseek-reasoner: reasoning_content, and reasoning deltas before the content', async () => {
    const completion: any = await client.chat.completions.create({ model: 'deepseek-reasoner', messages: user('why') });
    expect(completion.choices[0].message.reasoning_content).toBe('The user said "why". I will answer.');
    expect(completion.choices[0].message.content).toBe('You said: why');
    expect(completion.usage.completion_tokens_details.reasoning_tokens).toBe(11);

    const res = await post(fake, { model: 'deepseek-reasoner', messages: user('why'), stream: true });
    const all = deltas(await res.text());
    expect(all[0]).toEqual({ role: 'assistant', content: null, reasoning_content: '' });
    const kinds = all.slice(1, -1).map((d) => (d.reasoning_content ? 'r' : 'c'));
    expect(kinds.join('')).toMatch(/^r+c+$/);
    expect(all.map((d) => d.reasoning_content ?? '').join('')).toBe('The user said "why". I will answer.');
  });

  it.each([
    ['deepseek-v4-pro', undefined, true],
    ['deepseek-v4-flash', { type: 'enabled' }, true],
    ['deepseek-v4-flash', { type: 'disabled' }, false],
    ['deepseek-chat', { type: 'enabled' }, false],
    ['deepseek-reasoner', { type: 'disabled' }, true],
  ])('should think on %s with thinking %j: %s', async (model, thinking, expected) => {
    const res = await post(fake, { model, messages: user('q'), thinking, reasoning_effort: 'high' });
    const message = (await json(res)).choices[0].message;
    expect('reasoning_content' in message).toBe(expected);
  });

  it('should call the first tool when asked about the weather, streamed in pieces the SDK reassembles', async () => {
    const request = { model: 'deepseek-chat', messages: user('What is the weather in Paris?'), tools: [WEATHER_TOOL] };
    const final = await client.chat.completions.stream(request).finalChatCompletion();
    const choice = final.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0];
    expect(call.function).toMatchObject({ name: 'get_weather', arguments: '{"city":"x"}' });
    expect(call.id).toMatch(/^call_/);

    const raw = deltas(await (await post(fake, { ...request, stream: true })).text()).filter((d) => d.tool_calls);
    expect(raw[0].tool_calls[0]).toEqual({
      index: 0,
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(raw.length).toBeGreaterThan(2);
    for (const d of raw.slice(1)) expect(Object.keys(d.tool_calls[0]).sort()).toEqual(['function', 'index']);
  });

  it('should not call a tool unless asked (or tool_choice says so), and quote a tool result', async () => {
    const plain = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: user('hello'),
      tools: [WEATHER_TOOL],
    });
    expect(plain.choices[0].message.tool_calls).toBeUndefined();
    const required = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: user('hello'),
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
    });
    expect(required.choices[0].finish_reason).toBe('tool_calls');
    const none = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: user('call it'),
      tools: [WEATHER_TOOL],
      tool_choice: 'none',
    });
    expect(none.choices[0].finish_reason).toBe('stop');

    const after = await client.chat.completions.create({
      model: 'deepseek-chat',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21 C' },
      ],
    });
    expect(after.choices[0].message.content).toBe('The tool returned: sunny, 21 C');
  });

  it('should answer what replyFor scripts, and tell it the key id and thinking', async () => {
    const seen: unknown[] = [];
    fake.configure({
      replyFor: (request) => {
        seen.push({ keyId: request.keyId, thinking: request.thinking, model: request.model });
        return { content: 'scripted', toolCalls: [{ name: 'a', arguments: '{"n":1}' }] };
      },
    });
    const completion: any = await sdk(fake, 'sk-b').chat.completions.create({
      model: 'deepseek-v4-pro',
      messages: user('x'),
    });
    expect(completion.choices[0].message).toMatchObject({
      content: 'scripted',
      reasoning_content: 'The user said "x". I will answer.',
      tool_calls: [{ function: { name: 'a', arguments: '{"n":1}' } }],
    });
    expect(seen).toEqual([{ keyId: 'key1', thinking: true, model: 'deepseek-v4-pro' }]);
  });

  it('should answer a JSON object in json_object mode', async () => {
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: user('Reply in JSON: hi'),
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ answer: 'Reply in JSON: hi' });
  });

  it('should cut the content before the first stop string', async () => {
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: user('alpha beta gamma delta'),
      stop: ['delta', 'gamma'],
    });
    expect(completion.choices[0].message.content).toBe('You said: alpha beta ');
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('should cut the content at max_tokens with finish_reason length, streamed too', async () => {
    const body = { model: 'deepseek-chat', messages: user('one two three four five'), max_tokens: 4 };
    const completion = await client.chat.completions.create(body);
    expect(completion.choices[0].message.content).toBe('You said: one');
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(4);
    const frames = dataFrames(await (await post(fake, { ...body, stream: true })).text());
    expect(frames.map((f) => f.choices[0].delta.content).join('')).toBe('You said: one');
    expect(frames.at(-1).choices[0].finish_reason).toBe('length');
  });

  it('should count a repeated prompt prefix as cache hits in 64-token units, per key', async () => {
    const system = { role: 'system' as const, content: Array.from({ length: 150 }, (_, i) => `w${i}`).join(' ') };
    const ask = async (question: string, key = 'sk-a') =>
      (await sdk(fake, key).chat.completions.create({ model: 'deepseek-chat', messages: [system, ...user(question)] }))
        .usage as any;
    const first = await ask('one');
    expect(first.prompt_cache_hit_tokens).toBe(0);
    expect(first.prompt_cache_miss_tokens).toBe(first.prompt_tokens);
    const second = await ask('two');
    // 1 role marker + 150 words shared, then the questions differ: 151 tokens → two 64-token units.
    expect(second.prompt_cache_hit_tokens).toBe(128);
    expect(second.prompt_tokens_details.cached_tokens).toBe(128);
    expect(second.prompt_cache_hit_tokens + second.prompt_cache_miss_tokens).toBe(second.prompt_tokens);
    expect((await ask('two', 'sk-b')).prompt_cache_hit_tokens).toBe(0);
  });
});
