import type OpenAI from 'openai';
import type { ChatCompletionFunctionTool, ChatCompletionTool } from 'openai/resources/chat/completions';
import { toolCallBlock, toolLoopModel, toolResultsIn, type ScriptedTurn } from '../../fake-deepseek/tool-model';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle, waitUntil } from '../../utils/settle';
import { upstreamMessages } from '../../utils/upstream-view';

const weatherIn = (city: string) => `sunny, 21°C in ${city}`;
const timeIn = (timezone: string) => `14:05 in ${timezone}`;
const WEATHER = { name: 'get_weather', args: { city: 'Paris' } };
const TIME = { name: 'get_time', args: { timezone: 'Europe/Paris' } };
const quoteResults = (prompt: string) => `Done. ${toolResultsIn(prompt).join('; ')}`;
const FINAL = `Done. get_weather: ${weatherIn('Paris')}; get_time: ${timeIn('Europe/Paris')}`;
const SCHEMAS = {
  get_weather: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  get_time: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
};
const TOOLS: ChatCompletionFunctionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: SCHEMAS.get_weather } },
  { type: 'function', function: { name: 'get_time', description: 'Local time', parameters: SCHEMAS.get_time } },
];
const ask = [{ role: 'user' as const, content: 'Weather and time in Paris?' }];

describe('emulated tool calls with the openai SDK (e2e)', () => {
  // Multi-step loops: several round trips each, on a machine that may be busy.
  jest.setTimeout(30_000);
  let stack: Stack;
  let client: OpenAI;
  const script = (turns: ScriptedTurn[]) => stack.fake.configure({ replyFor: toolLoopModel(turns) });

  beforeAll(async () => {
    // Every step sends the whole history, so the history's rendering shows (multi-turn.e2e-spec.ts
    // covers the loop with CONVERSATION_REUSE on, where only the results are sent).
    stack = await startStack({ tokens: ['tok-tools'], env: { CONVERSATION_REUSE: 'off' } });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  /** Two tools over three steps: weather, then time, then an answer quoting both results. */
  function runnableTools(ran: string[]) {
    const run = (name: string, answer: (value: string) => string, key: string) => (raw: string) => {
      ran.push(`${name} ${raw}`);
      return answer((JSON.parse(raw) as Record<string, string>)[key]);
    };
    const runnable = (name: 'get_weather' | 'get_time', answer: (value: string) => string, key: string) => ({
      type: 'function' as const,
      function: { name, description: name, parameters: SCHEMAS[name], function: run(name, answer, key) },
    });
    return [runnable('get_weather', weatherIn, 'city'), runnable('get_time', timeIn, 'timezone')];
  }

  function expectThreeStepLoop(ran: string[]): void {
    expect(ran).toEqual(['get_weather {"city":"Paris"}', 'get_time {"timezone":"Europe/Paris"}']);
    const prompts = upstreamMessages(stack.fake).map((message) => message.prompt);
    expect(prompts).toHaveLength(3);
    expect(prompts[0]).toContain('### get_weather');
    expect(prompts[2]).toContain('<|DSML|invoke name="get_weather">');
    expect(prompts[2]).toContain('<|DSML|parameter name="timezone" string="true">Europe/Paris</|DSML|parameter>');
    expect(prompts[2]).toMatch(
      /<result name="get_time" call_id="call_[A-Za-z0-9]{24}">14:05 in Europe\/Paris<\/result>/,
    );
  }

  it('should run two tools over several steps with runTools and return the final text', async () => {
    script([[WEATHER], [TIME], quoteResults]);
    const ran: string[] = [];
    const runner = client.chat.completions.runTools({
      model: 'deepseek-chat',
      messages: ask,
      tools: runnableTools(ran),
    });
    expect(await runner.finalContent()).toBe(FINAL);
    expect(runner.allChatCompletions().map((c) => c.choices[0].finish_reason)).toEqual([
      'tool_calls',
      'tool_calls',
      'stop',
    ]);
    expectThreeStepLoop(ran);
  });

  it('should run the same loop streaming', async () => {
    script([[WEATHER], [TIME], quoteResults]);
    const ran: string[] = [];
    const runner = client.chat.completions.runTools({
      model: 'deepseek-chat',
      messages: ask,
      tools: runnableTools(ran),
      stream: true,
    });
    expect(await runner.finalContent()).toBe(FINAL);
    expectThreeStepLoop(ran);
  });

  it('should answer a non-stream call with message.tool_calls, content null and finish tool_calls', async () => {
    script([[WEATHER, TIME]]);
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages: ask, tools: TOOLS });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        type: 'function',
        function: { name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
      },
    ]);
  });

  it('should stream calls that stream() and finalChatCompletion() accumulate', async () => {
    script([[WEATHER, TIME]]);
    const stream = client.chat.completions.stream({ model: 'deepseek-chat', messages: ask, tools: TOOLS });
    const deltas: unknown[] = [];
    stream.on('chunk', (chunk) => deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? [])));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    const calls = final.choices[0].message.tool_calls ?? [];
    expect(calls.map((call) => call.type === 'function' && [call.function.name, call.function.arguments])).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_time', '{"timezone":"Europe/Paris"}'],
    ]);
    expect(deltas[0]).toEqual({
      index: 0,
      id: calls[0].id,
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: '{"city":"Paris"}' } });
    expect(deltas[2]).toMatchObject({ index: 1, id: calls[1].id });
  });

  it('should ask for a call under tool_choice required', async () => {
    script([[TIME]]);
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      tool_choice: 'required',
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(upstreamMessages(stack.fake)[0].prompt).toContain('You must call at least one tool in this reply.');
  });

  it('should offer only the named tool under a named tool_choice', async () => {
    script([[TIME]]);
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const call = completion.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_time');
    const { prompt } = upstreamMessages(stack.fake)[0];
    expect(prompt).toContain('You must call `get_time` in this reply.');
    expect(prompt).not.toContain('### get_weather');
  });

  it('should send one call only under parallel_tool_calls false', async () => {
    script([[WEATHER, TIME]]);
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      parallel_tool_calls: false,
    });
    expect(completion.choices[0].message.tool_calls).toHaveLength(1);
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(upstreamMessages(stack.fake)[0].prompt).toContain('Use at most one invoke per reply.');
  });

  it('should inject nothing and leave markup as text under tool_choice none', async () => {
    const block = toolCallBlock([TIME]);
    script([block]);
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      tool_choice: 'none',
    });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: block } });
    expect(upstreamMessages(stack.fake)[0].prompt).toBe(ask[0].content);
  });

  it('should keep a call inside a code fence as text', async () => {
    const fenced =
      'Write it like this:\n\n```\n<|DSML|tool_calls>\n<|DSML|invoke name="get_time">\n</|DSML|invoke>\n</|DSML|tool_calls>\n```\n';
    script([fenced]);
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages: ask, tools: TOOLS });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: fenced } });
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
  });

  it('should never send prose written after a block, and stop the upstream generation', async () => {
    const prose = 'Here are the results I made up: it is raining in Paris. '.repeat(40);
    stack.fake.configure({ tokenDelayMs: 2 });
    script([`Checking.\n${toolCallBlock([WEATHER])}\n${prose}`]);
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      stream: true,
    });
    let content = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(content).toBe('Checking.\n');
    expect(finish).toBe('tool_calls');
    await waitUntil(() => upstreamMessages(stack.fake)[0].status !== 'WIP');
    const [message] = upstreamMessages(stack.fake);
    expect(message.status).toBe('INCOMPLETE');
    expect(message.content.length).toBeLessThan(`Checking.\n${toolCallBlock([WEATHER])}\n${prose}`.length);
  });

  it('should declare the tools once per conversation_id session, and again when they change', async () => {
    script(['Noted.']);
    type WithConversation = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming & {
      conversation_id?: string;
    };
    const turn = (conversationId: string | undefined, tools: ChatCompletionFunctionTool[], content: string) =>
      client.chat.completions.create({
        model: 'deepseek-chat',
        messages: [{ role: 'user', content }],
        tools,
        ...(conversationId ? { conversation_id: conversationId } : {}),
      } as WithConversation);
    const first = await turn(undefined, TOOLS, 'Hello.');
    const second = await turn(first.id, TOOLS, 'And now?');
    await turn(second.id, TOOLS.slice(0, 1), 'Only the weather.');
    const prompts = upstreamMessages(stack.fake).map((message) => message.prompt);
    expect(prompts).toHaveLength(3);
    expect(prompts[0]).toContain('### get_time');
    expect(prompts[1]).not.toContain('## Tools');
    expect(prompts[1]).toMatch(/^And now\?\n\n\(To use tools, reply with one <\|DSML\|tool_calls> block/);
    expect(prompts[2]).toContain('### get_weather');
    expect(prompts[2]).not.toContain('### get_time');
  });

  it('should refuse a malformed tools field with a 400 naming it', async () => {
    const request = client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: [{ type: 'function' } as unknown as ChatCompletionTool],
    });
    await expect(request).rejects.toMatchObject({ status: 400, param: 'tools[0].function' });
    expect(upstreamMessages(stack.fake)).toHaveLength(0);
  });
});
