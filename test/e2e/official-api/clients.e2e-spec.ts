import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, stepCountIs, streamText } from 'ai';
import OpenAI from 'openai';
import { aiSdkWeatherTools } from '../../utils/chat/weather-tools';
import { type Stack, startStack } from '../../utils/stack';

const CLIENT_KEY = 'sk-client-agents-5a8e1d';
const API_KEY = 'sk-official-agents-0c4f72';

/** Agent loops through the official API: the clients' own tool loops, with the API's native calls. */
describe('agent clients through the official API upstream (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      officialApi: { keys: [API_KEY] },
      env: { UPSTREAM_MODE: 'api', DEEPSEEK_API_KEYS: API_KEY, API_KEYS: CLIENT_KEY },
    });
  });
  afterEach(() => stack.officialApi!.reset());
  afterAll(() => stack?.close());

  const apiMessages = () =>
    stack
      .officialApi!.requests()
      .filter((request) => request.path.endsWith('/chat/completions'))
      .map((request) => (request.body as { messages: { role: string }[] }).messages);

  it('should run an AI SDK tool loop: the call, the tool result sent back natively, the final answer', async () => {
    const provider = createOpenAICompatible({ name: 'gateway', baseURL: stack.baseURL, apiKey: CLIENT_KEY });
    const ran: string[] = [];
    const result = await generateText({
      model: provider('deepseek-reasoner'),
      prompt: 'What is the weather in Paris?',
      tools: aiSdkWeatherTools(ran),
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });

    expect(ran).toEqual(['get_weather x']);
    expect(result.text).toBe('The tool returned: sunny, 21°C in x');
    expect(result.steps[0].reasoningText).toContain('What is the weather in Paris?');
    const [, second] = apiMessages();
    expect(second.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    // The AI SDK sends the call's reasoning back, which the API wants for thinking tool calls.
    expect(second[1]).toMatchObject({
      role: 'assistant',
      content: null,
      reasoning_content: expect.stringContaining('What is the weather in Paris?'),
      tool_calls: [{ function: { name: 'get_weather' } }],
    });
  });

  it('should stream an AI SDK answer with its reasoning and the API usage', async () => {
    const provider = createOpenAICompatible({
      name: 'gateway',
      baseURL: stack.baseURL,
      apiKey: CLIENT_KEY,
      includeUsage: true,
    });
    const result = streamText({ model: provider('deepseek-reasoner'), prompt: 'Say hi', maxRetries: 0 });

    expect(await result.text).toBe('You said: Say hi');
    expect(await result.reasoningText).toContain('Say hi');
    expect((await result.usage).outputTokenDetails.reasoningTokens).toBeGreaterThan(0);
  });

  it('should run the openai SDK runTools loop', async () => {
    const openai = new OpenAI({ baseURL: stack.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
    const runner = openai.chat.completions.runTools({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Call the clock, please' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'clock',
            description: 'The time',
            parameters: { type: 'object', properties: {} },
            function: () => '12:00',
          },
        },
      ],
    });

    expect(await runner.finalContent()).toBe('The tool returned: 12:00');
    expect(apiMessages()).toHaveLength(2);
  });
});
