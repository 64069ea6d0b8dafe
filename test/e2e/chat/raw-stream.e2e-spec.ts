import { tokenize } from '../../fake-deepseek';
import { postChat } from '../../utils/chat-http';
import { gatewayFrames, readChatStream } from '../../utils/sse/chat-stream';
import { expectAllIdle, expectSettled } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

const REPLY = { reasoning: 'Think it "over" first.', content: 'All good: 你好\n\n😀 done.' };
const CHARS_PER_FRAME = 4;
const TOKEN = 'tok-raw';

/** A chunk frame exactly as docs/api.md §3.2 spells it, built here by hand. */
function chunkFrame(id: string, created: number, model: string, choices: string, usage?: string): string {
  const tail = usage === undefined ? '' : `,"usage":${usage}`;
  return `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":"${model}","choices":${choices}${tail}}\n\n`;
}
const choice = (delta: string, finish: string | null = null) =>
  `[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]`;

describe('the stream, byte by byte, over node:http (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [TOKEN], fake: { reply: REPLY, charsPerFrame: CHARS_PER_FRAME } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should write the exact frame sequence with include_usage: role, reasoning, content, finish, usage, [DONE]', async () => {
    const res = await postChat(
      stack.baseURL,
      {
        model: 'deepseek-reasoner',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Is it good?' }],
      },
      {
        tokens: [TOKEN],
        // The openai SDK sends this even for streams: the body's `stream` decides (docs/api.md §1.1).
        headers: { accept: 'application/json', 'x-request-id': 'raw-1' },
      },
    );

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['x-request-id']).toBe('raw-1');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();

    const id = `${onlyUpstreamMessage(stack.fake).sessionId}@2`;
    const created = Number(/"created":(\d+),/.exec(res.text)?.[1]);
    const usage =
      /"choices":\[\],"usage":(\{"prompt_tokens":(\d+),"completion_tokens":(\d+),"total_tokens":(\d+),"prompt_tokens_details":\{"cached_tokens":0\},"completion_tokens_details":\{"reasoning_tokens":(\d+)\}\})\}\n\n/.exec(
        res.text,
      );
    expect(usage).not.toBeNull();
    const [, usageJson, prompt, completion, total, reasoningTokens] = usage!;
    expect(Number(total)).toBe(Number(prompt) + Number(completion));
    expect(Number(reasoningTokens)).toBeGreaterThan(0);

    const frame = (choices: string, usageValue = 'null') =>
      chunkFrame(id, created, 'deepseek-reasoner', choices, usageValue);
    const expected =
      frame(choice('{"role":"assistant","content":""}')) +
      tokenize(REPLY.reasoning, CHARS_PER_FRAME)
        .map((text) => frame(choice(`{"reasoning_content":${JSON.stringify(text)}}`)))
        .join('') +
      tokenize(REPLY.content, CHARS_PER_FRAME)
        .map((text) => frame(choice(`{"content":${JSON.stringify(text)}}`)))
        .join('') +
      frame(choice('{}', 'stop')) +
      frame('[]', usageJson) +
      'data: [DONE]\n\n';
    expect(res.text).toBe(expected);
  });

  it('should leave usage out of every chunk without include_usage', async () => {
    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Is it good?' }] },
      { tokens: [TOKEN] },
    );

    const id = `${onlyUpstreamMessage(stack.fake).sessionId}@2`;
    const created = Number(/"created":(\d+),/.exec(res.text)?.[1]);
    const frame = (choices: string) => chunkFrame(id, created, 'deepseek-chat', choices);
    expect(res.text).toBe(
      frame(choice('{"role":"assistant","content":""}')) +
        tokenize(REPLY.content, CHARS_PER_FRAME)
          .map((text) => frame(choice(`{"content":${JSON.stringify(text)}}`)))
          .join('') +
        frame(choice('{}', 'stop')) +
        'data: [DONE]\n\n',
    );
    expect(res.text).not.toContain('usage');
  });

  it('should end a stream that fails after the first byte with one error frame, without finish or [DONE]', async () => {
    stack.fake.addFault({
      fault: 'hint_error',
      account: TOKEN,
      endpoint: 'completion',
      params: { afterTokens: 3, message: 'Something odd happened.', finish_reason: 'something_odd' },
    });

    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Is it good?' }] },
      { tokens: [TOKEN] },
    );

    expect(res.status).toBe(200);
    expect(gatewayFrames(res.text)).toHaveLength(1 + 3 + 1);
    expect(readChatStream(res.text)).toMatchObject({
      content: tokenize(REPLY.content, CHARS_PER_FRAME).slice(0, 3).join(''),
      finishReason: null,
      done: false,
    });
    expect(
      res.text.endsWith(
        'data: {"error":{"message":"DeepSeek sent an unexpected answer.","type":"server_error","param":null,"code":"upstream_error"}}\n\n',
      ),
    ).toBe(true);
    expect(onlyUpstreamMessage(stack.fake).status).toBe('ERROR');
  });
});

describe('a stream whose pre-flight outlasts the keep-alive interval (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [TOKEN],
      fake: { reply: REPLY },
      env: { KEEPALIVE_INTERVAL_MS: '50', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1500' },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());

  it('should commit to a 200 stream and keep it alive with comment frames, which clients ignore', async () => {
    stack.fake.addFault({ fault: 'slow_first_byte', account: TOKEN, endpoint: 'completion', params: { ms: 400 } });

    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Slowly.' }] },
      { tokens: [TOKEN] },
    );

    expect(res.status).toBe(200);
    expect(res.text.startsWith(': keep-alive\n\n')).toBe(true);
    expect(readChatStream(res.text)).toMatchObject({ content: REPLY.content, finishReason: 'stop', done: true });
    const client = await stack.openai().chat.completions.create({
      model: 'deepseek-chat',
      stream: true,
      messages: [{ role: 'user', content: 'Again.' }],
    });
    let content = '';
    for await (const chunk of client) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe(REPLY.content);
    await expectAllIdle(stack);
  });

  it('should report a pre-flight failure after the keep-alives as the stream error frame', async () => {
    stack.fake.addFault({ fault: 'slow_first_byte', account: TOKEN, endpoint: 'completion', params: { ms: 5000 } });

    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Slowly.' }] },
      { tokens: [TOKEN] },
    );

    expect(res.status).toBe(200);
    const stream = readChatStream(res.text);
    expect(stream.comments).toBeGreaterThan(0);
    expect(stream).toMatchObject({ chunks: [], done: false });
    expect(stream.error).toEqual({
      message: 'DeepSeek did not answer in time.',
      type: 'server_error',
      param: null,
      code: 'upstream_timeout',
    });
    await expectSettled(stack);
  });
});
