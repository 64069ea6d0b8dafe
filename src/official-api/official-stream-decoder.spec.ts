import type { ChatEvent } from '../chat/events/chat-event';
import type { ChatUsage } from '../chat/usage';
import { OfficialApiError } from './official-api-error';
import { OfficialStreamDecoder } from './official-stream-decoder';

const fallback: ChatUsage = { promptTokens: 11, completionTokens: 22, reasoningTokens: 0, totalTokens: 33 };
const noFallback = (): ChatUsage => {
  throw new Error('the fallback usage was read');
};

const frame = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
const usageFrame = (usage: Record<string, unknown>) => JSON.stringify({ choices: [], usage });

/** Every event of `frames`, then of `end()`. */
function decodeAll(
  frames: string[],
  decoder = new OfficialStreamDecoder(),
  usage: () => ChatUsage = () => fallback,
): ChatEvent[] {
  return [...frames.flatMap((data) => decoder.decode(data)), ...decoder.end(usage)];
}

function failure(run: () => unknown): OfficialApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof OfficialApiError) return error;
    throw error;
  }
  throw new Error('expected an OfficialApiError');
}

describe('OfficialStreamDecoder', () => {
  it('should pass reasoning, then content, as they come', () => {
    const decoder = new OfficialStreamDecoder();
    expect(decoder.decode(frame({ role: 'assistant', content: '', reasoning_content: 'Let me ' }))).toEqual([
      { type: 'reasoning', text: 'Let me ' },
    ]);
    expect(decoder.decode(frame({ reasoning_content: 'think.' }))).toEqual([{ type: 'reasoning', text: 'think.' }]);
    expect(decoder.decode(frame({ content: 'Hello', reasoning_content: null }))).toEqual([
      { type: 'content', text: 'Hello' },
    ]);
    expect(decoder.decode(frame({ content: '!' }, 'stop'))).toEqual([{ type: 'content', text: '!' }]);
    expect(decoder.end(() => fallback)).toEqual([{ type: 'finish', reason: 'stop', usage: fallback }]);
  });

  it('should give nothing for empty deltas and frames without choices', () => {
    const decoder = new OfficialStreamDecoder();
    expect(decoder.decode(frame({ content: '' }))).toEqual([]);
    expect(decoder.decode(JSON.stringify({ choices: [] }))).toEqual([]);
    expect(decoder.decode('{}')).toEqual([]);
  });

  it("should keep the API's finish reason", () => {
    expect(decodeAll([frame({ content: 'abc' }, 'length')]).at(-1)).toMatchObject({ reason: 'length' });
    expect(decodeAll([frame({}, 'content_filter')]).at(-1)).toMatchObject({ reason: 'content_filter' });
    expect(decodeAll([frame({}, 'something_new')]).at(-1)).toMatchObject({ reason: 'stop' });
  });

  describe('tool calls', () => {
    it('should assemble the pieces of each call into one event at the end, finishing with tool_calls', () => {
      const decoder = new OfficialStreamDecoder();
      const events = [
        frame({
          tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
        }),
        frame({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        frame({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        frame({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'get_', arguments: '{"city"' } }] }),
        frame({ tool_calls: [{ index: 1, function: { name: 'time', arguments: ':"Rome"}' } }] }),
      ].flatMap((data) => decoder.decode(data));
      expect(events).toEqual([]);
      decoder.decode(frame({}, 'stop'));

      expect(decoder.end(() => fallback)).toEqual([
        {
          type: 'toolCall',
          index: 0,
          id: 'call_a',
          name: 'get_weather',
          kind: 'function',
          argumentsJson: '{"city":"Paris"}',
        },
        {
          type: 'toolCall',
          index: 1,
          id: 'call_b',
          name: 'get_time',
          kind: 'function',
          argumentsJson: '{"city":"Rome"}',
        },
        { type: 'finish', reason: 'tool_calls', usage: fallback },
      ]);
    });

    it('should drop a call cut short by max_tokens and finish with length, keeping the whole ones', () => {
      const events = decodeAll([
        frame({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'a', arguments: '{"x":1}' } }] }),
        frame({ tool_calls: [{ index: 1, id: 'call_2', function: { name: 'b', arguments: '{"y":' } }] }, 'length'),
      ]);

      expect(events.filter((event) => event.type === 'toolCall')).toMatchObject([
        { name: 'a', argumentsJson: '{"x":1}' },
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
    });

    it('should give a call without arguments an empty object', () => {
      const events = decodeAll([
        frame({ tool_calls: [{ index: 0, id: 'c', function: { name: 'ping' } }] }, 'tool_calls'),
      ]);
      expect(events[0]).toMatchObject({ type: 'toolCall', name: 'ping', argumentsJson: '{}' });
    });

    it('should keep text that comes before a call', () => {
      const events = decodeAll([
        frame({ content: 'Looking it up.' }),
        frame({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }, 'tool_calls'),
      ]);
      expect(events.map((event) => event.type)).toEqual(['content', 'toolCall', 'finish']);
    });

    it('should give the input of a custom tool call from {"input": …} arguments', () => {
      const decoder = new OfficialStreamDecoder(new Set(['apply_patch']));
      const events = decodeAll(
        [
          frame({
            tool_calls: [{ index: 0, id: 'c1', function: { name: 'apply_patch', arguments: '{"input": "*** Begin' } }],
          }),
          frame({ tool_calls: [{ index: 0, function: { arguments: ' Patch\\n", "extra": 1}' } }] }, 'tool_calls'),
        ],
        decoder,
      );
      expect(events[0]).toEqual({
        type: 'toolCall',
        index: 0,
        id: 'c1',
        name: 'apply_patch',
        kind: 'custom',
        argumentsJson: JSON.stringify({ input: '*** Begin Patch\n' }),
      });
    });

    it('should give the text of a custom tool call that is not {"input": …} as its input', () => {
      const decoder = new OfficialStreamDecoder(new Set(['apply_patch', 'shell']));
      const events = decodeAll(
        [
          frame({
            tool_calls: [
              { index: 0, id: 'c1', function: { name: 'apply_patch', arguments: '*** Begin Patch' } },
              { index: 1, id: 'c2', function: { name: 'shell', arguments: '{"cmd":"ls"}' } },
            ],
          }),
        ].concat(frame({}, 'tool_calls')),
        decoder,
      );
      expect(events.slice(0, 2)).toMatchObject([
        { kind: 'custom', argumentsJson: JSON.stringify({ input: '*** Begin Patch' }) },
        { kind: 'custom', argumentsJson: JSON.stringify({ input: '{"cmd":"ls"}' }) },
      ]);
    });

    it('should read only the declared custom tools as custom', () => {
      const decoder = new OfficialStreamDecoder(new Set(['apply_patch']));
      const events = decodeAll(
        [
          frame(
            { tool_calls: [{ index: 0, id: 'c', function: { name: 'other', arguments: '{"input":"x"}' } }] },
            'tool_calls',
          ),
        ],
        decoder,
      );
      expect(events[0]).toMatchObject({ kind: 'function', argumentsJson: '{"input":"x"}' });
    });
  });

  describe('usage', () => {
    it("should report the API's usage, with its cache hits and reasoning tokens", () => {
      const events = decodeAll(
        [
          frame({ content: 'Hi' }, 'stop'),
          usageFrame({
            prompt_tokens: 100,
            completion_tokens: 40,
            total_tokens: 140,
            prompt_cache_hit_tokens: 64,
            prompt_cache_miss_tokens: 36,
            completion_tokens_details: { reasoning_tokens: 25 },
          }),
          '[DONE]',
        ],
        new OfficialStreamDecoder(),
        noFallback,
      );
      expect(events.at(-1)).toEqual({
        type: 'finish',
        reason: 'stop',
        usage: { promptTokens: 100, completionTokens: 40, reasoningTokens: 25, totalTokens: 140, cachedTokens: 64 },
      });
    });

    it('should read cached tokens from prompt_tokens_details and add up a missing total', () => {
      const events = decodeAll(
        [
          frame({}, 'stop'),
          usageFrame({ prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 3 } }),
        ],
        new OfficialStreamDecoder(),
        noFallback,
      );
      expect(events.at(-1)).toMatchObject({
        usage: { promptTokens: 10, completionTokens: 5, reasoningTokens: 0, totalTokens: 15, cachedTokens: 3 },
      });
    });

    it('should read usage sent on the finishing chunk itself', () => {
      const events = decodeAll(
        [frame({ content: 'x' }, 'stop', { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })],
        new OfficialStreamDecoder(),
        noFallback,
      );
      expect(events.at(-1)).toMatchObject({ usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } });
    });

    it('should use the fallback usage when the API sent none', () => {
      const events = decodeAll([frame({ content: 'x' }, 'stop', { usage: null })]);
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', usage: fallback });
    });
  });

  describe('[DONE]', () => {
    it('should give no events and mark the stream finished', () => {
      const decoder = new OfficialStreamDecoder();
      decoder.decode(frame({ content: 'x' }, 'stop'));
      expect(decoder.finished).toBe(false);
      expect(decoder.decode('[DONE]')).toEqual([]);
      expect(decoder.finished).toBe(true);
    });

    it('should not stand in for a finish reason', () => {
      const decoder = new OfficialStreamDecoder();
      decoder.decode(frame({ content: 'x' }));
      decoder.decode('[DONE]');
      expect(failure(() => decoder.end(() => fallback)).kind).toBe('incomplete');
    });
  });

  describe('failures', () => {
    it('should call an answer that ended without a finish reason incomplete', () => {
      const decoder = new OfficialStreamDecoder();
      decoder.decode(frame({ content: 'Half an ans' }));
      const error = failure(() => decoder.end(() => fallback));
      expect(error.kind).toBe('incomplete');
      expect(error.retryable).toBe(true);
    });

    it('should call an answer stopped for insufficient system resources overloaded', () => {
      const decoder = new OfficialStreamDecoder();
      decoder.decode(frame({ content: 'Hal' }, 'insufficient_system_resource'));
      expect(failure(() => decoder.end(() => fallback)).kind).toBe('overloaded');
    });

    it('should call a frame that is not JSON a bad response', () => {
      const error = failure(() => new OfficialStreamDecoder().decode(': keep-alive {'));
      expect(error.kind).toBe('bad_response');
    });

    it('should call an error frame a server error, with its message', () => {
      const error = failure(() =>
        new OfficialStreamDecoder().decode(
          JSON.stringify({ error: { message: 'engine crashed', type: 'server_error' } }),
        ),
      );
      expect(error.kind).toBe('server_error');
      expect(error.message).toContain('engine crashed');
    });
  });
});
