import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText } from 'ai';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage, upstreamMessages } from '../../utils/upstream-view';
import { aiSdkWeatherTools, timeIn, weatherIn } from '../../utils/chat/weather-tools';

const REPLY = { reasoning: 'Count the letters.', content: 'There are three r letters in strawberry.' };
const LOOP = toolLoopModel([
  [
    { name: 'get_weather', args: { city: 'Paris' } },
    { name: 'get_time', args: { timezone: 'Europe/Paris' } },
  ],
  (prompt) => `Done. ${toolResultsIn(prompt).join('; ')}`,
]);
const FINAL = `Done. get_weather: ${weatherIn('Paris')}; get_time: ${timeIn('Europe/Paris')}`;

describe('the AI SDK responses model (@ai-sdk/openai) against /v1/responses (e2e)', () => {
  const token = 'tok-ai-responses';
  let stack: Stack;
  let provider: ReturnType<typeof createOpenAI>;

  beforeAll(async () => {
    stack = await startStack({ tokens: [token], fake: { reply: REPLY } });
    provider = createOpenAI({ baseURL: stack.baseURL, apiKey: token });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should generateText with text, reasoning and usage from a thinking model', async () => {
    const result = await generateText({
      model: provider.responses('deepseek-reasoner'),
      prompt: 'How many r in strawberry?',
      maxRetries: 0,
    });

    expect(result.text).toBe(REPLY.content);
    expect(result.reasoningText).toBe(REPLY.reasoning);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + result.usage.outputTokens!);
    expect(result.response.id).toMatch(/^resp_/);
    expect(onlyUpstreamMessage(stack.fake).thinkingEnabled).toBe(true);
  });

  it('should run a two-call step then answer with generateText and stopWhen', async () => {
    stack.fake.configure({ replyFor: LOOP });
    const ran: string[] = [];

    const result = await generateText({
      model: provider('deepseek-chat'),
      prompt: 'Weather and time in Paris?',
      tools: aiSdkWeatherTools(ran),
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });

    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.steps[0].toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { timezone: 'Europe/Paris' }],
    ]);
    expect(ran).toEqual(['get_weather Paris', 'get_time Europe/Paris']);
    expect(result.text).toBe(FINAL);
    // The second step sends the first step's calls back with their results: the history extends our
    // answer, so the same DeepSeek chat continues with only the results (native multi-turn).
    const [first, second] = upstreamMessages(stack.fake);
    expect(second).toMatchObject({ sessionId: first.sessionId, parentMessageId: first.responseMessageId });
    expect(second.prompt).toMatch(/^<tool_results>\n<result name="get_weather"/);
    expect(second.prompt).toContain('<result name="get_time"');
  });

  it('should run the same loop with streamText', async () => {
    stack.fake.configure({ replyFor: LOOP });
    const ran: string[] = [];

    const result = streamText({
      model: provider.responses('deepseek-chat'),
      prompt: 'Weather and time in Paris?',
      tools: aiSdkWeatherTools(ran),
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });

    expect(await result.text).toBe(FINAL);
    const steps = await result.steps;
    expect(steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(steps[0].toolCalls.map((call) => call.toolName)).toEqual(['get_weather', 'get_time']);
    expect(ran).toEqual(['get_weather Paris', 'get_time Europe/Paris']);
    expect((await result.totalUsage).totalTokens).toBeGreaterThan(0);
  });

  it('should stream reasoning and text deltas with streamText', async () => {
    const result = streamText({ model: provider.responses('deepseek-reasoner'), prompt: 'Count.', maxRetries: 0 });

    expect(await result.text).toBe(REPLY.content);
    expect(await result.reasoningText).toBe(REPLY.reasoning);
    expect(await result.finishReason).toBe('stop');
  });
});
