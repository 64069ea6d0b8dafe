import type OpenAI from 'openai';
import type { ChatCompletionCustomTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';

// Raw text, as a custom tool's input is: markup-like `<`, both quotes, a backslash and inner newlines.
const PATCH = [
  '*** Begin Patch',
  '*** Update File: src/app.html',
  '-<p class="old">it\'s</p>',
  '+<p class="new">it\'s "done" & C:\\tmp <ok></p>',
  '*** End Patch',
].join('\n');
const PATCHED = 'patched src/app.html';
const TOOLS: ChatCompletionCustomTool[] = [
  { type: 'custom', custom: { name: 'apply_patch', description: 'Apply a V4A patch.', format: { type: 'text' } } },
];
const ask: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Make the paragraph say done.' }];
const CALL_ID = /^call_[A-Za-z0-9]{24}$/;

describe('custom tools with the openai SDK (e2e)', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    // The second turn sends the whole history, so the custom call's rendering in it shows.
    stack = await startStack({ tokens: ['tok-custom-tools'], env: { CONVERSATION_REUSE: 'off' } });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.fake.reset();
    stack.fake.configure({
      replyFor: toolLoopModel([
        [{ name: 'apply_patch', args: { input: PATCH } }],
        (prompt) => `Done. ${toolResultsIn(prompt).join('; ')}`,
      ]),
    });
  });
  afterEach(() => expectAllIdle(stack));

  it('should describe the tool with its one raw input and answer with a custom call, non-stream', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages: ask, tools: TOOLS });

    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: expect.stringMatching(CALL_ID), type: 'custom', custom: { name: 'apply_patch', input: PATCH } },
    ]);
    const { prompt } = upstreamMessages(stack.fake)[0];
    expect(prompt).toContain(
      '### apply_patch\nApply a V4A patch.\nParameters: one raw-text parameter, `input` (write it with string="true").',
    );
  });

  // Read chunk by chunk: the SDK's stream() helper cannot finish a custom call (its finalizer wants
  // `function.name` on every call, whatever the server sends).
  it('should stream the custom call as one fragment, then finish tool_calls', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: ask,
      tools: TOOLS,
      stream: true,
    });
    const deltas: unknown[] = [];
    const finishes: (string | null)[] = [];
    let content = '';
    for await (const chunk of stream) {
      const [choice] = chunk.choices;
      deltas.push(...(choice?.delta.tool_calls ?? []));
      content += choice?.delta.content ?? '';
      finishes.push(choice?.finish_reason ?? null);
    }

    expect(content).toBe('');
    expect(finishes.filter((finish) => finish !== null)).toEqual(['tool_calls']);
    expect(deltas).toEqual([
      { index: 0, id: expect.stringMatching(CALL_ID), type: 'custom', custom: { name: 'apply_patch', input: PATCH } },
    ]);
  });

  it('should send a custom call and its result back to the model in the next turn', async () => {
    const first = await client.chat.completions.create({ model: 'deepseek-chat', messages: ask, tools: TOOLS });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(call).toMatchObject({ type: 'custom', custom: { name: 'apply_patch', input: PATCH } });

    const second = await client.chat.completions.create({
      model: 'deepseek-chat',
      tools: TOOLS,
      messages: [
        ...ask,
        { role: 'assistant', content: null, tool_calls: [call!] },
        { role: 'tool', tool_call_id: call!.id, content: PATCHED },
      ],
    });

    expect(second.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: `Done. apply_patch: ${PATCHED}` },
    });
    const prompts = upstreamMessages(stack.fake).map((message) => message.prompt);
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toContain(
      [
        '<|DSML|tool_calls>',
        '<|DSML|invoke name="apply_patch">',
        `<|DSML|parameter name="input" string="true">${PATCH}</|DSML|parameter>`,
        '</|DSML|invoke>',
        '</|DSML|tool_calls>',
      ].join('\n'),
    );
    expect(prompts[1]).toContain(
      `<tool_results>\n<result name="apply_patch" call_id="${call!.id}">${PATCHED}</result>\n</tool_results>`,
    );
  });
});
