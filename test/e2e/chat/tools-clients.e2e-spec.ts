import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { AIMessage, HumanMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, stepCountIs, streamText, type LanguageModel } from 'ai';
import { z } from 'zod';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { upstreamMessages } from '../../utils/upstream-view';
import { aiSdkWeatherTools, timeIn, weatherIn } from '../../utils/chat/weather-tools';

const CALLS = [
  { name: 'get_weather', args: { city: 'Paris' } },
  { name: 'get_time', args: { timezone: 'Europe/Paris' } },
];
const FINAL = `Done. get_weather: ${weatherIn('Paris')}; get_time: ${timeIn('Europe/Paris')}`;
const LOOP = toolLoopModel([CALLS, (prompt) => `Done. ${toolResultsIn(prompt).join('; ')}`]);

describe('emulated tool calls with the AI SDK and LangChain (e2e)', () => {
  // Multi-step loops: several round trips each, on a machine that may be busy.
  jest.setTimeout(30_000);
  let stack: Stack;
  const gateway = () => ({ name: 'gateway', baseURL: stack.baseURL, apiKey: 'tok-tool-clients' });
  /** The AI SDK's two providers for an OpenAI-style chat endpoint. */
  const models: [string, () => LanguageModel][] = [
    ['@ai-sdk/openai-compatible', () => createOpenAICompatible(gateway()).chatModel('deepseek-chat')],
    ['@ai-sdk/openai .chat()', () => createOpenAI(gateway()).chat('deepseek-chat')],
  ];

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-tool-clients'] });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.fake.reset();
    stack.fake.configure({ replyFor: LOOP });
  });
  afterEach(() => expectAllIdle(stack));

  it.each(models)('should run a two-call step then answer with generateText and stopWhen (%s)', async (_, model) => {
    const ran: string[] = [];
    const result = await generateText({
      model: model(),
      prompt: 'Weather and time in Paris?',
      tools: aiSdkWeatherTools(ran),
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });
    expect(result.steps).toHaveLength(2);
    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.steps[0].toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { timezone: 'Europe/Paris' }],
    ]);
    expect(result.steps[0].toolResults.map((r) => r.output)).toEqual([weatherIn('Paris'), timeIn('Europe/Paris')]);
    expect(ran).toEqual(['get_weather Paris', 'get_time Europe/Paris']);
    expect(result.text).toBe(FINAL);
    expect(upstreamMessages(stack.fake)[1].prompt).toContain('<result name="get_time"');
  });

  it.each(models)('should run the same loop with streamText (%s)', async (_, model) => {
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
    expect(steps[0].toolResults).toHaveLength(2);
    expect(ran).toEqual(['get_weather Paris', 'get_time Europe/Paris']);
  });

  it('should drive a LangChain bindTools loop', async () => {
    const tools = [
      langchainTool(({ city }: { city: string }) => weatherIn(city), {
        name: 'get_weather',
        description: 'Weather now',
        schema: z.object({ city: z.string() }),
      }),
      langchainTool(({ timezone }: { timezone: string }) => timeIn(timezone), {
        name: 'get_time',
        description: 'Local time',
        schema: z.object({ timezone: z.string() }),
      }),
    ];
    const model = new ChatOpenAI({
      model: 'deepseek-chat',
      apiKey: 'tok-tool-clients',
      configuration: { baseURL: stack.baseURL },
      maxRetries: 0,
    }).bindTools(tools);
    const messages: BaseMessage[] = [new HumanMessage('Weather and time in Paris?')];
    let reply = await model.invoke(messages);
    let steps = 1;
    while ((reply.tool_calls ?? []).length > 0 && steps < 5) {
      messages.push(reply);
      for (const call of reply.tool_calls ?? []) {
        const args = call.args as Record<string, string>;
        const output = call.name === 'get_weather' ? weatherIn(args.city) : timeIn(args.timezone);
        messages.push(new ToolMessage({ content: output, tool_call_id: call.id! }));
      }
      reply = await model.invoke(messages);
      steps++;
    }
    expect(steps).toBe(2);
    expect(messages[1]).toBeInstanceOf(AIMessage);
    expect((messages[1] as AIMessage).tool_calls?.map((call) => [call.name, call.args])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', { timezone: 'Europe/Paris' }],
    ]);
    expect(reply.content).toBe(FINAL);
  });
});
