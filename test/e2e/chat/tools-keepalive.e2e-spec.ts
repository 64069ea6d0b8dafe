import { toolCallBlock, toolLoopModel } from '../../fake-deepseek/tool-model';
import { streamChat } from '../../utils/chat-http';
import { gatewayFrames, readChatStream, type SseFrame } from '../../utils/sse/chat-stream';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';

const TOKEN = 'tok-tool-keepalive';
const KEEPALIVE_MS = 50;
// The fake writes 4 characters per frame, one frame every 15 ms: the ~300-character block below takes
// about 75 frames, over a second, some 20 keep-alive intervals, so even a busy machine sees several.
const CHARS_PER_FRAME = 4;
const TOKEN_DELAY_MS = 15;
const PROSE = 'Let me write it.\n';
const CONTENT = Array.from({ length: 12 }, (_, i) => `echo "step ${i}" <&0`).join('\n');
const CALL = { name: 'write_file', args: { path: 'scripts/run.sh', content: CONTENT } };
const BLOCK = toolCallBlock([CALL]);
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'write_file',
      description: 'Write a file',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
      },
    },
  },
];

describe('keep-alives while a tool call is held back (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [TOKEN],
      fake: { charsPerFrame: CHARS_PER_FRAME, tokenDelayMs: TOKEN_DELAY_MS },
      env: { KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS) },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.fake.reset();
    stack.fake.configure({ replyFor: toolLoopModel([`${PROSE}${BLOCK}`]) });
  });
  afterEach(() => expectAllIdle(stack));

  it('should send keep-alive comments while the block streams in, then the call and finish tool_calls', async () => {
    expect(BLOCK.length / CHARS_PER_FRAME).toBeGreaterThan(70);

    const res = await streamChat(
      stack.baseURL,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Write the script.' }], tools: TOOLS },
      [TOKEN],
    ).response;

    expect(res.status).toBe(200);
    const frames = gatewayFrames(res.text);
    const comments = frames.filter((frame) => frame.kind === 'comment');
    expect(comments.length).toBeGreaterThan(0);
    expect(new Set(comments.map((frame) => frame.kind === 'comment' && frame.text))).toEqual(new Set(['keep-alive']));

    const delta = (frame: SseFrame) =>
      frame.kind === 'data' && frame.data !== '[DONE]' ? JSON.parse(frame.data).choices[0]?.delta : undefined;
    const roleAt = frames.findIndex((frame) => delta(frame)?.role === 'assistant');
    const lastContentAt = frames.findLastIndex((frame) => Boolean(delta(frame)?.content));
    const firstCallAt = frames.findIndex((frame) => delta(frame)?.tool_calls !== undefined);
    expect(roleAt).toBeGreaterThanOrEqual(0);
    expect(lastContentAt).toBeGreaterThan(roleAt);
    expect(firstCallAt).toBeGreaterThan(lastContentAt);
    // The prose went out; the block was held until its invoke closed, with keep-alives meanwhile.
    const whileHeld = frames.slice(lastContentAt + 1, firstCallAt);
    expect(whileHeld.length).toBeGreaterThan(0);
    expect(whileHeld.every((frame) => frame.kind === 'comment' && frame.text === 'keep-alive')).toBe(true);

    const stream = readChatStream(res.text);
    expect(stream.content).toBe(PROSE);
    expect(res.text).not.toContain('DSML');
    expect(stream.finishReason).toBe('tool_calls');
    expect(stream.done).toBe(true);
    const calls = stream.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        type: 'function',
        function: { name: 'write_file', arguments: '' },
      },
      { index: 0, function: { arguments: JSON.stringify(CALL.args) } },
    ]);
  });
});
