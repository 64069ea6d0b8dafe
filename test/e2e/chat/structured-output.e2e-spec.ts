import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { correctedModel } from '../../fake-deepseek/corrective-model';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { upstreamMessages } from '../../utils/upstream-view';

const Weather = z.object({ city: z.string(), celsius: z.number(), sunny: z.boolean() });
const format = zodResponseFormat(Weather, 'weather');
const PARIS = { city: 'Paris', celsius: 21, sunny: true };
const ask = [{ role: 'user' as const, content: 'Weather in Paris as JSON.' }];

describe('response_format: structured output (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-structured'] });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should give .parse() the object from a fenced JSON answer, with the schema in the prompt', async () => {
    stack.fake.configure({ reply: { content: `\`\`\`json\n${JSON.stringify(PARIS, null, 2)}\n\`\`\`` } });
    const completion = await client.chat.completions.parse({
      model: 'deepseek-chat',
      messages: ask,
      response_format: format,
    });
    const [choice] = completion.choices;
    expect(choice.message.parsed).toEqual(PARIS);
    expect(JSON.parse(choice.message.content ?? '')).toEqual(PARIS);
    expect(choice.finish_reason).toBe('stop');
    const [message] = upstreamMessages(stack.fake);
    expect(message.prompt).toContain('Reply with only one JSON value that matches the JSON Schema below.');
    expect(message.prompt).toContain('Schema name: weather');
    expect(message.prompt).toContain('"required":["city","celsius","sunny"]');
  });

  it('should re-ask once in the same chat when the answer does not match, and return the corrected JSON', async () => {
    stack.fake.configure({
      replyFor: correctedModel('Sure! {"city": "Paris", "celsius": "warm"}', JSON.stringify(PARIS)),
    });
    const completion = await client.chat.completions.parse({
      model: 'deepseek-chat',
      messages: ask,
      response_format: format,
    });
    expect(completion.choices[0].message.parsed).toEqual(PARIS);
    const [first, second] = upstreamMessages(stack.fake);
    expect(upstreamMessages(stack.fake)).toHaveLength(2);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.parentMessageId).toBe(first.responseMessageId);
    expect(second.prompt).toMatch(/^Your reply was not accepted because it is not valid JSON/);
  });

  it('should answer 502 invalid_structured_output when the corrected answer fails too', async () => {
    stack.fake.configure({ replyFor: correctedModel('{"city": "Paris"}', '{"city": "Paris", "celsius": 21}') });
    const request = client.chat.completions.parse({ model: 'deepseek-chat', messages: ask, response_format: format });
    await expect(request).rejects.toMatchObject({
      status: 502,
      code: 'invalid_structured_output',
      message: expect.stringContaining("must have required property 'sunny'"),
    });
    expect(upstreamMessages(stack.fake)).toHaveLength(2);
  });

  it('should stream the JSON without its fence, for the stream helper to parse', async () => {
    stack.fake.configure({ reply: { content: `\`\`\`json\n${JSON.stringify(PARIS)}\n\`\`\`\n` }, tokenDelayMs: 1 });
    const stream = client.chat.completions.stream({ model: 'deepseek-chat', messages: ask, response_format: format });
    let streamed = '';
    stream.on('content.delta', ({ delta }) => (streamed += delta));
    const final = await stream.finalChatCompletion();
    expect(streamed).toBe(JSON.stringify(PARIS));
    expect(final.choices[0].message.parsed).toEqual(PARIS);
  });

  it('should end a stream whose JSON does not parse with an error, never finish_reason stop', async () => {
    stack.fake.configure({ reply: { content: 'I cannot give JSON today.' } });
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      response_format: format,
      stream: true,
    });
    const finishes: (string | null)[] = [];
    const read = (async () => {
      for await (const chunk of stream) finishes.push(chunk.choices[0]?.finish_reason ?? null);
    })();
    await expect(read).rejects.toMatchObject({ code: 'invalid_structured_output' });
    expect(finishes).not.toContain('stop');
    expect(upstreamMessages(stack.fake)).toHaveLength(1);
  });

  it('should return a JSON object for json_object', async () => {
    stack.fake.configure({ reply: { content: '```\n{"ok": true}\n```' } });
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ ok: true });
    expect(upstreamMessages(stack.fake)[0].prompt).toContain('Reply with only one JSON object.');
  });

  it('should leave an answer cut by max_tokens unchecked, with finish_reason length', async () => {
    stack.fake.configure({ reply: { content: JSON.stringify({ ...PARIS, note: 'a long note '.repeat(40) }) } });
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      response_format: { type: 'json_object' },
      max_tokens: 10,
    });
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(() => JSON.parse(completion.choices[0].message.content ?? '')).toThrow();
  });

  it('should refuse a json_schema without a name with a 400 naming it', async () => {
    const request = client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      response_format: { type: 'json_schema', json_schema: { schema: {} } } as never,
    });
    await expect(request).rejects.toMatchObject({ status: 400, param: 'response_format.json_schema.name' });
    expect(upstreamMessages(stack.fake)).toHaveLength(0);
  });
});
