import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';

const weatherIn = (city: string) => `${city}: 18 C, light rain`;

describe('LangChain with useResponsesApi against /v1/responses (e2e)', () => {
  const token = 'tok-langchain-responses';
  let stack: Stack;
  const model = () =>
    new ChatOpenAI({
      model: 'deepseek-chat',
      apiKey: token,
      configuration: { baseURL: stack.baseURL },
      useResponsesApi: true,
      maxRetries: 0,
    });

  beforeAll(async () => {
    stack = await startStack({ tokens: [token], fake: { reply: { content: 'Bonjour.' } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should invoke and stream text', async () => {
    const reply = await model().invoke([new HumanMessage('Say hello in French.')]);
    expect(reply.text).toBe('Bonjour.');
    let streamed = '';
    for await (const chunk of await model().stream([new HumanMessage('Again.')])) streamed += chunk.text;
    expect(streamed).toBe('Bonjour.');
  });

  it('should run a bindTools loop', async () => {
    stack.fake.configure({
      replyFor: toolLoopModel([
        [{ name: 'get_weather', args: { city: 'Paris' } }],
        (seen) => `Done. ${toolResultsIn(seen).join('; ')}`,
      ]),
    });
    const weather = langchainTool(({ city }: { city: string }) => weatherIn(city), {
      name: 'get_weather',
      description: 'Weather now',
      schema: z.object({ city: z.string() }),
    });
    const bound = model().bindTools([weather]);
    const messages: BaseMessage[] = [new HumanMessage('Weather in Paris?')];
    const first = await bound.invoke(messages);
    expect(first.tool_calls?.map((call) => [call.name, call.args])).toEqual([['get_weather', { city: 'Paris' }]]);
    messages.push(first);
    for (const call of first.tool_calls ?? []) {
      messages.push(
        new ToolMessage({ content: weatherIn((call.args as { city: string }).city), tool_call_id: call.id! }),
      );
    }
    const final = await bound.invoke(messages);
    expect(final).toBeInstanceOf(AIMessage);
    expect(final.text).toBe(`Done. get_weather: ${weatherIn('Paris')}`);
    expect(upstreamMessages(stack.fake)).toHaveLength(2);
  });
});
