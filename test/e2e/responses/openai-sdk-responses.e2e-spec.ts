import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage, upstreamMessages } from '../../utils/upstream-view';

const REPLY = { reasoning: 'Weigh the facts first.', content: 'Paris is the capital of France.' };
const WEATHER: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};
const USAGE = {
  input_tokens: expect.any(Number),
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: expect.any(Number),
  output_tokens_details: { reasoning_tokens: expect.any(Number) },
  total_tokens: expect.any(Number),
};

describe('the openai SDK against /v1/responses (e2e)', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-responses'], fake: { reply: REPLY } });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should answer a plain create() with one message item, output_text and complete usage', async () => {
    const response = await client.responses.create({ model: 'deepseek-chat', input: 'What is the capital of France?' });

    expect(response).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response',
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'deepseek-chat',
      store: true,
      usage: USAGE,
    });
    expect(response.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: REPLY.content, annotations: [], logprobs: [] }],
      },
    ]);
    expect(response.output_text).toBe(REPLY.content);
    const { input_tokens, output_tokens, total_tokens } = response.usage!;
    expect(total_tokens).toBe(input_tokens + output_tokens);
    expect(onlyUpstreamMessage(stack.fake)).toMatchObject({
      prompt: 'What is the capital of France?',
      thinkingEnabled: false,
    });
  });

  it('should put a thinking model reasoning in a reasoning item before the message', async () => {
    const response = await client.responses.create({
      model: 'deepseek-reasoner',
      instructions: 'Be brief.',
      input: [{ role: 'user', content: 'Think, then answer.' }],
    });

    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output[0]).toMatchObject({
      id: expect.stringMatching(/^rs_/),
      summary: [{ type: 'summary_text', text: REPLY.reasoning }],
    });
    expect(response.output_text).toBe(REPLY.content);
    expect(response.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(response.instructions).toBe('Be brief.');
    const message = onlyUpstreamMessage(stack.fake);
    expect(message.thinkingEnabled).toBe(true);
    expect(message.prompt).toContain('Be brief.');
  });

  it('should turn thinking off for reasoning.effort minimal', async () => {
    await client.responses.create({ model: 'deepseek-reasoner', input: 'Quick.', reasoning: { effort: 'minimal' } });

    expect(onlyUpstreamMessage(stack.fake).thinkingEnabled).toBe(false);
  });

  it('should stream with responses.stream() into the same final response', async () => {
    const stream = client.responses.stream({ model: 'deepseek-reasoner', input: 'Think, then answer.' });
    const types: string[] = [];
    let text = '';
    stream.on('event', (event) => types.push(event.type));
    stream.on('response.output_text.delta', (event) => (text += event.delta));
    const final = await stream.finalResponse();

    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toBe(REPLY.content);
    expect(final.status).toBe('completed');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output_text).toBe(REPLY.content);
    expect(final.usage).toEqual(USAGE);
  });

  it('should run a function-call loop over two steps with function_call_output', async () => {
    stack.fake.configure({
      replyFor: toolLoopModel([
        [{ name: 'get_weather', args: { city: 'Paris' } }],
        (prompt) => `It is ${toolResultsIn(prompt).join('; ')}.`,
      ]),
    });
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Weather in Paris?' }];

    const first = await client.responses.create({ model: 'deepseek-chat', input, tools: [WEATHER], store: false });
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(calls).toEqual([
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        call_id: expect.stringMatching(/^call_/),
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
    ]);
    const second = await client.responses.create({
      model: 'deepseek-chat',
      tools: [WEATHER],
      store: false,
      input: [...input, ...calls, { type: 'function_call_output', call_id: calls[0].call_id, output: 'sunny' }],
    });

    expect(second.output_text).toBe('It is get_weather: sunny.');
    const prompts = upstreamMessages(stack.fake).map((message) => message.prompt);
    expect(prompts[1]).toContain(`<result name="get_weather" call_id="${calls[0].call_id}">sunny</result>`);
  });

  it('should parse a text.format json_schema answer with responses.parse() and zod', async () => {
    stack.fake.configure({ replyFor: () => ({ content: '```json\n{"name":"Paris","population":2100000}\n```' }) });
    const City = z.object({ name: z.string(), population: z.number() });

    const response = await client.responses.parse({
      model: 'deepseek-chat',
      input: 'The capital of France, as JSON.',
      text: { format: zodTextFormat(City, 'city') },
    });

    expect(response.output_parsed).toEqual({ name: 'Paris', population: 2100000 });
    expect(onlyUpstreamMessage(stack.fake).prompt).toContain('"population"');
  });

  it('should end incomplete when the answer reaches max_output_tokens', async () => {
    stack.fake.configure({
      replyFor: () => ({ content: 'one two three four five six seven eight nine ten eleven twelve' }),
    });

    const response = await client.responses.create({ model: 'deepseek-chat', input: 'Talk.', max_output_tokens: 3 });

    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text.length).toBeLessThan('one two three four five six'.length);
  });

  it('should continue a stored response with previous_response_id, flattened when its instructions do not carry over', async () => {
    stack.fake.configure({ replyFor: ({ prompt }) => ({ content: prompt.includes('second') ? 'Two.' : 'One.' }) });
    const first = await client.responses.create({
      model: 'deepseek-chat',
      instructions: 'Only for the first turn.',
      input: 'first question',
    });
    const second = await client.responses.create({
      model: 'deepseek-chat',
      previous_response_id: first.id,
      input: 'second question',
    });

    expect(second.output_text).toBe('Two.');
    expect(second.previous_response_id).toBe(first.id);
    const prompt = upstreamMessages(stack.fake)[1].prompt;
    expect(prompt).toContain('first question');
    expect(prompt).toContain('One.');
    expect(prompt).toContain('second question');
    expect(prompt).not.toContain('Only for the first turn.');
  });

  it('should continue the same DeepSeek chat for previous_response_id when nothing before it changed', async () => {
    stack.fake.configure({ replyFor: ({ prompt }) => ({ content: prompt.includes('second') ? 'Two.' : 'One.' }) });
    const first = await client.responses.create({ model: 'deepseek-chat', input: 'first question' });
    const second = await client.responses.create({
      model: 'deepseek-chat',
      previous_response_id: first.id,
      input: 'second question',
    });
    expect(second.output_text).toBe('Two.');
    const [firstTurn, secondTurn] = upstreamMessages(stack.fake);
    expect(secondTurn).toMatchObject({
      sessionId: firstTurn.sessionId,
      parentMessageId: firstTurn.responseMessageId,
      prompt: 'second question',
    });
  });

  it('should resolve item_reference items against stored output, and refuse unknown ones', async () => {
    stack.fake.configure({ replyFor: ({ prompt }) => ({ content: prompt.includes('again') ? 'Again.' : 'First.' }) });
    const first = await client.responses.create({ model: 'deepseek-chat', input: 'Say something.' });

    const second = await client.responses.create({
      model: 'deepseek-chat',
      input: [
        { role: 'user', content: 'Say something.' },
        { type: 'item_reference', id: first.output[0].id! },
        { role: 'user', content: 'Say it again.' },
      ],
    });
    expect(second.output_text).toBe('Again.');
    // The referenced answer completes the exchange we answered: its chat continues with the new turn only.
    const [firstTurn, secondTurn] = upstreamMessages(stack.fake);
    expect(secondTurn).toMatchObject({
      sessionId: firstTurn.sessionId,
      parentMessageId: firstTurn.responseMessageId,
      prompt: 'Say it again.',
    });

    const error = await client.responses
      .create({ model: 'deepseek-chat', input: [{ type: 'item_reference', id: 'msg_unknown' }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'item_not_found', param: 'input[0].id' });
  });

  it('should refuse an unknown previous_response_id with a 400 naming the field', async () => {
    const error = await client.responses
      .create({ model: 'deepseek-chat', previous_response_id: 'resp_unknown', input: 'Hi' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: 'previous_response_not_found', param: 'previous_response_id' });
    expect(upstreamMessages(stack.fake)).toHaveLength(0);
  });

  it('should return a stored response by id, then delete it', async () => {
    const created = await client.responses.create({ model: 'deepseek-chat', input: 'Remember me.' });

    const fetched = await client.responses.retrieve(created.id);
    expect(fetched).toEqual(created);
    await expect(client.responses.delete(created.id)).resolves.toEqual({
      id: created.id,
      object: 'response.deleted',
      deleted: true,
    });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('should keep nothing with store:false', async () => {
    const created = await client.responses.create({ model: 'deepseek-chat', input: 'Forget me.', store: false });

    expect(created).toMatchObject({ store: false });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('stored responses across API keys (e2e)', () => {
  const KEYS = ['sk-key-one', 'sk-key-two'];
  let stack: Stack;

  beforeAll(async () => {
    const token = 'tok-managed-responses';
    stack = await startStack({ tokens: [token], env: { DEEPSEEK_TOKENS: token, API_KEYS: KEYS.join(',') } });
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it('should hide a stored response from another API key, as if unknown', async () => {
    const [owner, other] = KEYS.map((key) => new OpenAI({ baseURL: stack.baseURL, apiKey: key, maxRetries: 0 }));
    const created = await owner.responses.create({ model: 'deepseek-chat', input: 'Mine.' });

    await expect(owner.responses.retrieve(created.id)).resolves.toMatchObject({ id: created.id });
    await expect(other.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      other.responses.create({ model: 'deepseek-chat', previous_response_id: created.id, input: 'Yours?' }),
    ).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
    await expect(owner.responses.retrieve(created.id)).resolves.toMatchObject({ id: created.id });
  });
});
