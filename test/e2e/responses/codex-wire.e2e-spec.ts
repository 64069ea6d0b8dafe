import { toolCallBlock, toolResultsIn } from '../../fake-deepseek/tool-model';
import { rawRequest } from '../../utils/http/raw-request';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import {
  responsesEvents,
  responsesStreamViolations,
  type ResponsesStreamEvent,
} from '../../utils/sse/responses-stream';
import { onlyUpstreamMessage, upstreamMessages } from '../../utils/upstream-view';

// Raw text, as Codex's apply_patch input is: several lines, quotes, markup-like `<`.
const PATCH = [
  '*** Begin Patch',
  '*** Update File: src/index.html',
  '-<h1 class="old">Hello</h1>',
  '+<h1 class="new">Hello, "world"</h1>',
  '*** End Patch',
].join('\n');
const OPAQUE_REASONING = 'gAAAAB-opaque-reasoning-blob';
const TOOLS = [
  {
    type: 'function',
    name: 'exec_command',
    description: 'Runs a shell command and returns its output.',
    strict: false,
    parameters: {
      type: 'object',
      properties: { cmd: { type: 'string' }, workdir: { type: 'string' } },
      required: ['cmd'],
      additionalProperties: false,
    },
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Use the `apply_patch` tool to edit files.',
    format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
  },
  { type: 'web_search' },
];

/** A Codex turn as Codex writes it on the wire (store off, stream on, the whole history every turn). */
function codexBody(history: object[] = []): object {
  return {
    model: 'deepseek-chat',
    instructions: 'You are Codex, a coding agent.',
    input: [
      {
        type: 'message',
        role: 'developer',
        content: [{ type: 'input_text', text: 'Sandbox: workspace-write. Approval: on-request.' }],
      },
      {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: '<environment_context><cwd>/repo</cwd></environment_context>' }],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the heading.' }] },
      {
        type: 'reasoning',
        id: 'rs_earlier',
        summary: [{ type: 'summary_text', text: 'Look first.' }],
        content: null,
        encrypted_content: OPAQUE_REASONING,
      },
      { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'lark' } },
      ...history,
    ],
    tools: TOOLS,
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: '0b5c7e1e-2f0a-4c51-9c55-8d1e6a1f7b11',
  };
}

describe('a Codex-shaped Responses stream, replayed raw (e2e)', () => {
  let stack: Stack;
  const token = 'tok-codex';

  beforeAll(async () => {
    stack = await startStack({ tokens: [token] });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  async function codexTurn(history: object[] = []): Promise<ResponsesStreamEvent[]> {
    const response = await rawRequest(`${stack.baseURL}/responses`, codexBody(history), {
      tokens: [token],
      headers: { originator: 'codex_cli_rs', session_id: 'b7d1', 'OpenAI-Beta': 'responses=experimental' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.text).not.toContain('[DONE]');
    return responsesEvents(response.text);
  }

  it('should stream reasoning then an exec_command call, in the order Codex requires', async () => {
    stack.fake.configure({
      replyFor: () => ({
        reasoning: 'List the files first.',
        content: toolCallBlock([{ name: 'exec_command', args: { cmd: 'ls -la' } }]),
      }),
    });

    const events = await codexTurn();

    expect(responsesStreamViolations(events)).toEqual([]);
    const created = events[0].data.response;
    expect(created).toMatchObject({ id: expect.stringMatching(/^resp_/), status: 'in_progress', output: [] });
    expect(created.usage).toBeUndefined();
    const completed = events.at(-1)!.data;
    expect(completed.type).toBe('response.completed');
    expect(completed.response).toMatchObject({ id: created.id, status: 'completed', store: false });
    const items = events.filter(({ data }) => data.type === 'response.output_item.done').map(({ data }) => data.item);
    expect(items.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(items[0].summary).toEqual([{ type: 'summary_text', text: 'List the files first.' }]);
    expect(items[1]).toEqual({
      id: expect.stringMatching(/^fc_/),
      type: 'function_call',
      status: 'completed',
      call_id: expect.stringMatching(/^call_/),
      name: 'exec_command',
      arguments: expect.any(String),
    });
    expect(JSON.parse(items[1].arguments)).toEqual({ cmd: 'ls -la' });
    expect(completed.response.usage).toMatchObject({
      input_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    const message = onlyUpstreamMessage(stack.fake);
    expect(message.thinkingEnabled).toBe(true);
    expect(message.prompt).toContain('You are Codex, a coding agent.');
    expect(message.prompt).toContain('Sandbox: workspace-write.');
    expect(message.prompt).toContain('### exec_command');
    expect(message.prompt).not.toContain(OPAQUE_REASONING);
  });

  it('should send an apply_patch call back as a custom_tool_call item with the raw multi-line input', async () => {
    stack.fake.configure({
      replyFor: () => ({
        reasoning: 'Patch it.',
        content: toolCallBlock([{ name: 'apply_patch', args: { input: PATCH } }]),
      }),
    });

    const events = await codexTurn();

    expect(responsesStreamViolations(events)).toEqual([]);
    const types = events.map(({ data }) => data.type);
    expect(types).toEqual(
      expect.arrayContaining(['response.custom_tool_call_input.delta', 'response.custom_tool_call_input.done']),
    );
    const call = events.find(
      ({ data }) => data.type === 'response.output_item.done' && data.item.type === 'custom_tool_call',
    )!.data.item;
    expect(call).toEqual({
      id: expect.any(String),
      type: 'custom_tool_call',
      status: 'completed',
      call_id: expect.stringMatching(/^call_/),
      name: 'apply_patch',
      input: PATCH,
    });
    const inputDone = events.find(({ data }) => data.type === 'response.custom_tool_call_input.done')!.data;
    expect(inputDone).toMatchObject({ item_id: call.id, input: PATCH });
  });

  it('should take the calls and their outputs back on the next turn', async () => {
    stack.fake.configure({ replyFor: ({ prompt }) => ({ content: `Done: ${toolResultsIn(prompt).join(' | ')}` }) });

    const events = await codexTurn([
      { type: 'function_call', id: 'fc_1', name: 'exec_command', arguments: '{"cmd":"ls"}', call_id: 'call_ls' },
      { type: 'function_call_output', call_id: 'call_ls', output: 'index.html' },
      { type: 'custom_tool_call', id: 'ctc_1', name: 'apply_patch', input: PATCH, call_id: 'call_patch' },
      { type: 'custom_tool_call_output', call_id: 'call_patch', output: [{ type: 'input_text', text: 'Success.' }] },
    ]);

    expect(responsesStreamViolations(events)).toEqual([]);
    const message = events.find(
      ({ data }) => data.type === 'response.output_item.done' && data.item.type === 'message',
    )!.data.item;
    expect(message.content).toEqual([
      {
        type: 'output_text',
        text: 'Done: exec_command: index.html | apply_patch: Success.',
        annotations: [],
        logprobs: [],
      },
    ]);
    const { prompt } = upstreamMessages(stack.fake)[0];
    expect(prompt).toContain(`<|DSML|parameter name="input" string="true">${PATCH}</|DSML|parameter>`);
  });
});
