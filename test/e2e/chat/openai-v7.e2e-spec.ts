import OpenAI from 'openai-v7';
import { zodResponseFormat } from 'openai-v7/helpers/zod';
import { z } from 'zod';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';

const TOKEN = 'tok-openai-v7';
const timeIn = (timezone: string) => `14:05 in ${timezone}`;

/** The newest `openai` major (7.x, an npm alias) on the paths the 6.x specs cover in depth. */
describe('the openai SDK 7.x (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ tokens: [TOKEN], fake: { reply: { content: 'Hello from the fake.' } } });
    client = new OpenAI({ baseURL: stack.baseURL, apiKey: TOKEN, maxRetries: 0 });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should answer chat completions, plain and streamed', async () => {
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0].message.content).toBe('Hello from the fake.');
    const final = await client.chat.completions
      .stream({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] })
      .finalChatCompletion();
    expect(final.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Hello from the fake.' } });
  });

  it('should run a runTools loop', async () => {
    stack.fake.configure({
      replyFor: toolLoopModel([
        [{ name: 'get_time', args: { timezone: 'UTC' } }],
        (seen) => `Done. ${toolResultsIn(seen).join('')}`,
      ]),
    });
    const runner = client.chat.completions.runTools({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Time?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_time',
            description: 'The time',
            parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
            function: (raw: string) => timeIn((JSON.parse(raw) as { timezone: string }).timezone),
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe(`Done. get_time: ${timeIn('UTC')}`);
  });

  it('should give .parse() the object of a JSON answer', async () => {
    stack.fake.configure({ reply: { content: '```json\n{"city":"Paris","celsius":21}\n```' } });
    const completion = await client.chat.completions.parse({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Weather as JSON.' }],
      response_format: zodResponseFormat(z.object({ city: z.string(), celsius: z.number() }), 'weather'),
    });
    expect(completion.choices[0].message.parsed).toEqual({ city: 'Paris', celsius: 21 });
  });

  it('should answer the Responses API, plain and streamed', async () => {
    const response = await client.responses.create({ model: 'deepseek-chat', input: 'Hi' });
    expect(response.output_text).toBe('Hello from the fake.');
    const final = await client.responses.stream({ model: 'deepseek-chat', input: 'Hi' }).finalResponse();
    expect(final).toMatchObject({ status: 'completed', output_text: 'Hello from the fake.' });
  });
});
