import fc from 'fast-check';
import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import { ApiError } from '../../common/errors/api-error';
import type { ChatEvent } from '../events/chat-event';
import { OpenAiChunkBuilder } from './openai-chunks';
import { OpenAiSseEncoder, SSE_DONE_FRAME, sseErrorFrame, sseFrame, toOpenAiSse } from './openai-sse';
import type { CompletionIdentity } from './openai-types';
import { gatewayFrames } from '../../../test/utils/sse/chat-stream';

const identity: CompletionIdentity = { id: 'sess@2', created: 1764140000, model: 'deepseek-chat' };
const usage = { promptTokens: 3, completionTokens: 2, reasoningTokens: 1, totalTokens: 5 };
const events: ChatEvent[] = [
  { type: 'reasoning', text: 'Let me think.' },
  { type: 'sources', results: [] },
  { type: 'content', text: 'Hel' },
  { type: 'content', text: 'lo' },
  { type: 'finish', reason: 'stop', usage },
];
const frames = (includeUsage: boolean, input: ChatEvent[] = events) =>
  lastValueFrom(from(input).pipe(toOpenAiSse(identity, includeUsage), toArray()));

/** Splits an SSE body into its data payloads, checking the framing on the way (the encoder writes no comment). */
function payloads(body: string): string[] {
  return gatewayFrames(body).map((frame) => {
    if (frame.kind !== 'data') throw new Error(`a comment frame: ${frame.text}`);
    return frame.data;
  });
}

/** docs/api.md §3.2/§3.4, as assertions on the parsed chunks. */
function expectValidStream(body: string, includeUsage: boolean): Record<string, any>[] {
  const data = payloads(body);
  expect(data.at(-1)).toBe('[DONE]');
  const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload) as Record<string, any>);
  const withChoice = includeUsage ? chunks.slice(0, -1) : chunks;
  for (const chunk of chunks) {
    expect(chunk).toMatchObject({ id: identity.id, object: 'chat.completion.chunk', created: identity.created });
    expect(chunk.model).toBe(identity.model);
    expect(Object.keys(chunk)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'choices',
      ...(includeUsage ? ['usage'] : []),
    ]);
  }
  for (const [i, chunk] of withChoice.entries()) {
    expect(chunk.choices).toHaveLength(1);
    const [choice] = chunk.choices;
    expect(Object.keys(choice)).toEqual(['index', 'delta', 'logprobs', 'finish_reason']);
    expect(choice).toMatchObject({ index: 0, logprobs: null });
    if (includeUsage) expect(chunk.usage).toBeNull();
    const last = i === withChoice.length - 1;
    expect(choice.finish_reason === null).toBe(!last);
    if (last) expect(choice.delta).toEqual({});
    if (i === 0) expect(choice.delta).toEqual({ role: 'assistant', content: '' });
    if (i > 0) expect('role' in choice.delta).toBe(false);
  }
  if (includeUsage) {
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(Object.keys(usageChunk.usage)).toEqual([
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'prompt_tokens_details',
      'completion_tokens_details',
    ]);
  }
  return chunks;
}

describe('OpenAI SSE', () => {
  it('should write the exact documented stream with include_usage', async () => {
    const body = (await frames(true)).join('');
    const head =
      '{"id":"sess@2","object":"chat.completion.chunk","created":1764140000,"model":"deepseek-chat","choices":';
    expect(body).toBe(
      `data: ${head}[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
        `data: ${head}[{"index":0,"delta":{"reasoning_content":"Let me think."},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
        `data: ${head}[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
        `data: ${head}[{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
        `data: ${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n` +
        `data: ${head}[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":1}}}\n\n` +
        'data: [DONE]\n\n',
    );
    expectValidStream(body, true);
  });

  it('should leave usage out of every chunk without include_usage', async () => {
    const body = (await frames(false)).join('');
    const chunks = expectValidStream(body, false);
    expect(chunks).toHaveLength(5);
    expect(body.includes('usage')).toBe(false);
  });

  it('should put reasoning deltas before content deltas', async () => {
    const chunks = expectValidStream((await frames(false)).join(''), false);
    expect(chunks.map((c) => Object.keys(c.choices[0].delta)[0])).toEqual([
      'role',
      'reasoning_content',
      'content',
      'content',
      undefined,
    ]);
  });

  it('should still open and finish a stream with no text', async () => {
    const body = (await frames(true, [{ type: 'finish', reason: 'content_filter', usage }])).join('');
    const chunks = expectValidStream(body, true);
    expect(chunks[1].choices[0].finish_reason).toBe('content_filter');
  });

  it('should write one frame string per event and none for sources', async () => {
    expect(await frames(false)).toHaveLength(1 + 4 + 1);
  });

  it('should let an error through without [DONE]', () => {
    const failing = new Observable<ChatEvent>((subscriber) => {
      subscriber.next({ type: 'content', text: 'x' });
      subscriber.error(new Error('boom'));
    });
    const written: string[] = [];
    const errors: unknown[] = [];
    failing.pipe(toOpenAiSse(identity, false)).subscribe({
      next: (frame) => written.push(frame),
      error: (error: unknown) => errors.push(error),
    });
    expect(written).toHaveLength(2);
    expect(written.includes(SSE_DONE_FRAME)).toBe(false);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('should build delta frames byte-identical to serializing the chunk', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"', '\\', '\u2028\u2029', '\u0000\u001f', '</script>', '😀', '\ud800'),
    );
    const anyIdentity = fc.record({
      id: fc.string(),
      created: fc.integer({ min: 0, max: 2 ** 40 }),
      model: fc.string({ unit: 'binary' }),
    });
    fc.assert(
      fc.property(anyIdentity, fc.boolean(), text, (id, includeUsage, value) => {
        const encoder = new OpenAiSseEncoder(id, includeUsage);
        const builder = new OpenAiChunkBuilder(id, includeUsage);
        expect(encoder.encode({ type: 'content', text: value })).toBe(sseFrame(builder.deltaChunk({ content: value })));
        expect(encoder.encode({ type: 'reasoning', text: value })).toBe(
          sseFrame(builder.deltaChunk({ reasoning_content: value })),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it.each<[string, ChatEvent[], string[]]>([
    ['after streamed text, in a paragraph of its own', [{ type: 'content', text: 'Once' }], ['Once', '\n\nNo', '.']],
    ['alone, as it is', [], ['No', '.']],
    ['after text that already ends a paragraph, as it is', [{ type: 'content', text: 'a\n\n' }], ['a\n\n', 'No', '.']],
  ])('should stream a content filter template %s', async (_, before, contents) => {
    const input: ChatEvent[] = [
      ...before,
      { type: 'template', text: 'No' },
      { type: 'template', text: '.' },
      { type: 'finish', reason: 'content_filter', usage },
    ];
    const chunks = expectValidStream((await frames(false, input)).join(''), false);
    expect(chunks.slice(1, -1).map((chunk) => chunk.choices[0].delta)).toEqual(
      contents.map((content) => ({ content })),
    );
  });

  it('should write an in-stream error frame without choices', () => {
    const error = new ApiError(502, 'upstream closed', { code: 'upstream_error' });
    expect(sseErrorFrame(error)).toBe(
      'data: {"error":{"message":"upstream closed","type":"server_error","param":null,"code":"upstream_error"}}\n\n',
    );
  });

  it('should end with the exact [DONE] frame', () => {
    expect(SSE_DONE_FRAME).toBe('data: [DONE]\n\n');
  });
});
