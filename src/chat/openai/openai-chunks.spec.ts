import type { ChatEvent } from '../events/chat-event';
import { completionIdentity, OpenAiChunkBuilder, toOpenAiUsage } from './openai-chunks';
import type { ChatCompletionChunk } from './openai-types';

const identity = { id: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2', created: 1764140000, model: 'deepseek-chat' };
const usage = { promptTokens: 3, completionTokens: 5, reasoningTokens: 2, totalTokens: 8 };

describe('completionIdentity', () => {
  it('should use <session>@<response message id> as the id and whole seconds', () => {
    expect(completionIdentity('m', '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e', 4, 1764140000999)).toEqual({
      id: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@4',
      created: 1764140000,
      model: 'm',
    });
  });

  it('should fall back to a random chatcmpl id without a message id', () => {
    const a = completionIdentity('m', 's', null);
    expect(a.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
    expect(completionIdentity('m', 's', null).id).not.toBe(a.id);
    expect(Number.isInteger(a.created)).toBe(true);
  });
});

describe('toOpenAiUsage', () => {
  it('should map every count and report no cached tokens', () => {
    expect(toOpenAiUsage(usage)).toEqual({
      prompt_tokens: 3,
      completion_tokens: 5,
      total_tokens: 8,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
  });
});

describe('OpenAiChunkBuilder', () => {
  const envelope = { id: identity.id, object: 'chat.completion.chunk', created: 1764140000, model: 'deepseek-chat' };
  const choice = (delta: object, finish: string | null) => [{ index: 0, delta, logprobs: null, finish_reason: finish }];

  it('should build the role chunk, deltas and finish with usage null when usage was asked for', () => {
    const builder = new OpenAiChunkBuilder(identity, true);
    expect(builder.roleChunk()).toEqual({
      ...envelope,
      choices: choice({ role: 'assistant', content: '' }, null),
      usage: null,
    });
    expect(builder.deltaChunk({ reasoning_content: 'r' })).toEqual({
      ...envelope,
      choices: choice({ reasoning_content: 'r' }, null),
      usage: null,
    });
    expect(builder.finishChunk('stop')).toEqual({ ...envelope, choices: choice({}, 'stop'), usage: null });
  });

  it('should leave the usage key out entirely without include_usage', () => {
    const builder = new OpenAiChunkBuilder(identity, false);
    for (const chunk of [builder.roleChunk(), builder.deltaChunk({ content: 'x' }), builder.finishChunk('length')]) {
      expect('usage' in chunk).toBe(false);
    }
  });

  it('should write the keys in the documented order', () => {
    const chunk = new OpenAiChunkBuilder(identity, true).deltaChunk({ content: 'x' });
    expect(Object.keys(chunk)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
    expect(Object.keys(chunk.choices[0])).toEqual(['index', 'delta', 'logprobs', 'finish_reason']);
  });

  it.each<[ChatEvent, boolean, Partial<ChatCompletionChunk>[]]>([
    [{ type: 'content', text: 'a' }, false, [{ choices: choice({ content: 'a' }, null) as never }]],
    [{ type: 'reasoning', text: 'b' }, false, [{ choices: choice({ reasoning_content: 'b' }, null) as never }]],
    [{ type: 'sources', results: [] }, true, []],
    [{ type: 'finish', reason: 'content_filter', usage }, false, [{ choices: choice({}, 'content_filter') as never }]],
    [
      { type: 'finish', reason: 'stop', usage },
      true,
      [
        { choices: choice({}, 'stop') as never, usage: null },
        { choices: [], usage: toOpenAiUsage(usage) },
      ],
    ],
  ])('should map %j (include_usage %s) to its chunks', (event, includeUsage, expected) => {
    const chunks = new OpenAiChunkBuilder(identity, includeUsage).chunksFor(event);
    expect(chunks).toEqual(expected.map((partial) => ({ ...envelope, ...partial })));
  });
});
