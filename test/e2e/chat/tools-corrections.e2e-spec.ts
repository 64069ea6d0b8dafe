import type OpenAI from 'openai';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { toolCallBlock, type ScriptedCall } from '../../fake-deepseek/tool-model';
import { correctedModel } from '../../fake-deepseek/corrective-model';
import { rawRequest } from '../../utils/http/raw-request';
import { parseExposition, valueOf } from '../../utils/prometheus';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { upstreamMessages } from '../../utils/upstream-view';

const WEATHER: ScriptedCall = { name: 'get_weather', args: { city: 'Paris' } };
const TOOLS: ChatCompletionFunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather now',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const ask = [{ role: 'user' as const, content: 'Weather in Paris?' }];

describe('corrective turns for emulated tool calls (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  let client: OpenAI;
  const metric = async (name: string, labels: Record<string, string>) =>
    valueOf(parseExposition((await rawRequest(`${stack.server.url}/metrics`)).text), name, labels) ?? 0;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-corrections'] });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should re-ask in the same upstream chat when tool_choice required got no call, and return the call', async () => {
    stack.fake.configure({ replyFor: correctedModel('It is probably sunny.', toolCallBlock([WEATHER])) });
    const before = await metric('deepseek_gateway_corrective_turns_total', { stage: 'tools', reason: 'no_call' });
    const callsBefore = await metric('deepseek_gateway_tool_calls_total', { kind: 'function' });
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      tool_choice: 'required',
    });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const [first, second] = upstreamMessages(stack.fake);
    expect(upstreamMessages(stack.fake)).toHaveLength(2);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.parentMessageId).toBe(first.responseMessageId);
    expect(second.prompt).toContain('This reply needs a tool call. You must call at least one tool.');
    // Both turns were generated, so both are counted.
    expect(completion.usage?.completion_tokens).toBeGreaterThan(5);
    expect(await metric('deepseek_gateway_corrective_turns_total', { stage: 'tools', reason: 'no_call' })).toBe(
      before + 1,
    );
    expect(await metric('deepseek_gateway_tool_calls_total', { kind: 'function' })).toBe(callsBefore + 1);
  });

  it('should stop a reply that calls an unknown tool and stream the corrected call', async () => {
    const wrong = toolCallBlock([{ name: 'get_forecast', args: { city: 'Paris' } }]);
    stack.fake.configure({ replyFor: correctedModel(`Checking.\n${wrong}`, toolCallBlock([WEATHER])) });
    const final = await client.chat.completions
      .stream({ model: 'deepseek-chat', messages: ask, tools: TOOLS })
      .finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message.tool_calls?.map((c) => c.type === 'function' && c.function.name)).toEqual([
      'get_weather',
    ]);
    expect(final.choices[0].message.content).toBe('Checking.\n');
    const [, second] = upstreamMessages(stack.fake);
    expect(second.prompt).toContain('`get_forecast` is not an available tool. Available tools: `get_weather`.');
  });

  it('should answer 502 tool_choice_violation when the corrective turn has no call either', async () => {
    stack.fake.configure({ replyFor: correctedModel('No tools today.', 'Still no tools.') });
    const request = client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      tool_choice: 'required',
    });
    await expect(request).rejects.toMatchObject({ status: 502, code: 'tool_choice_violation' });
    expect(upstreamMessages(stack.fake)).toHaveLength(2);
  });

  it('should report the violation as the stream error frame', async () => {
    stack.fake.configure({ replyFor: correctedModel('No tools today.', 'Still no tools.') });
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      tool_choice: 'required',
      stream: true,
    });
    let content = '';
    const read = (async () => {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    })();
    await expect(read).rejects.toMatchObject({ code: 'tool_choice_violation' });
    expect(content).toBe('No tools today.Still no tools.');
  });

  it('should take calls out of the reasoning of a non-stream answer when it promotes them', async () => {
    const thought = 'The user wants the weather, so I call the tool.';
    stack.fake.configure({ replyFor: () => ({ reasoning: `${thought}\n${toolCallBlock([WEATHER])}`, content: '' }) });
    const completion = await client.chat.completions.create({
      model: 'deepseek-reasoner',
      messages: ask,
      tools: TOOLS,
    });
    const message = completion.choices[0].message as (typeof completion.choices)[0]['message'] & {
      reasoning_content?: string;
    };
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(message.tool_calls).toHaveLength(1);
    expect(message.reasoning_content?.trim()).toBe(thought);
  });
});
