import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, stepCountIs, streamText } from 'ai';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';
import { aiSdkWeatherTools, timeIn, weatherIn } from '../../utils/chat/weather-tools';

const ACCOUNT = 'tok-ai-sdk-anthropic';
const FINAL = `Done. get_weather: ${weatherIn('Paris')}; get_time: ${timeIn('Europe/Paris')}`;
const LOOP = toolLoopModel([
  [
    { name: 'get_weather', args: { city: 'Paris' } },
    { name: 'get_time', args: { timezone: 'Europe/Paris' } },
  ],
  (prompt) => `Done. ${toolResultsIn(prompt).join('; ')}`,
]);

describe('@ai-sdk/anthropic against /v1/messages (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  const model = () => createAnthropic({ baseURL: `${stack.server.url}/v1`, apiKey: ACCOUNT })('claude-haiku-4-5');

  beforeAll(async () => {
    stack = await startStack({ tokens: [ACCOUNT] });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.fake.reset();
    stack.fake.configure({ replyFor: LOOP });
  });
  afterEach(() => expectAllIdle(stack));

  it('should run a two-call step then answer with generateText and stopWhen', async () => {
    const ran: string[] = [];
    const result = await generateText({
      model: model(),
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
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(upstreamMessages(stack.fake)[1].prompt).toContain('<result name="get_time"');
  });

  it('should run the same loop with streamText', async () => {
    const ran: string[] = [];
    const result = streamText({
      model: model(),
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
  });
});
